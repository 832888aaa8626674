/* Portable kernels: the reference semantics the AVX2 and NEON kernels reproduce bit for bit. */
#include "resample.h"

static inline int32_t clamp_u8(int32_t v) { return v < 0 ? 0 : v > 255 ? 255 : v; }

/* One pass over each window for all channels at once; the channel count is a constant in each
 * instance so that the sums stay in registers. (Integer sums: any order gives the same bits.) */
static inline void h_channels(const resample_axis *a, const resample_hrow *row, int32_t x_begin, int32_t x_end,
                              int32_t channels)
{
    const int32_t bpp = a->bytes_per_pixel, taps = a->taps;
    const uint8_t *offset = a->channel_offset;
    for (int32_t x = x_begin; x < x_end; x++) {
        const uint8_t *s = row->src + (size_t)a->start[x] * bpp;
        const int16_t *w = a->weights + (size_t)x * taps;
        int32_t acc[3] = {1 << (RESAMPLE_WEIGHT_BITS - 1), 1 << (RESAMPLE_WEIGHT_BITS - 1),
                          1 << (RESAMPLE_WEIGHT_BITS - 1)};
        for (int32_t k = 0; k < taps; k++, s += bpp)
            for (int32_t c = 0; c < channels; c++) acc[c] += w[k] * s[offset[c]];
        for (int32_t c = 0; c < channels; c++) row->out[c][x] = (int16_t)clamp_u8(acc[c] >> RESAMPLE_WEIGHT_BITS);
    }
}

void edgetam__resample_h_scalar(const resample_axis *a, const resample_hrow *row, int32_t x_begin, int32_t x_end)
{
    switch (a->channel_count) {
    case 1: h_channels(a, row, x_begin, x_end, 1); break;
    case 2: h_channels(a, row, x_begin, x_end, 2); break;
    default: h_channels(a, row, x_begin, x_end, 3); break;
    }
}

/* x is the inner loop, over a chunk of outputs at a time, so compilers vectorise it (the sums per
 * output are the same exact int32 sums in the same order). */
void edgetam__resample_v_scalar(const resample_axis *a, int32_t y, const int16_t *const *rows, uint8_t *out,
                                int32_t x_begin, int32_t x_end)
{
    enum { CHUNK = 256 };
    const int16_t *w = a->weights + (size_t)y * a->taps;
    for (int32_t x0 = x_begin; x0 < x_end; x0 += CHUNK) {
        const int32_t n = x_end - x0 < CHUNK ? x_end - x0 : CHUNK;
        int32_t acc[CHUNK];
        for (int32_t i = 0; i < n; i++) acc[i] = 1 << (RESAMPLE_WEIGHT_BITS - 1);
        for (int32_t k = 0; k < a->taps; k++) {
            const int16_t *r = rows[k] + x0;
            const int32_t wk = w[k];
            for (int32_t i = 0; i < n; i++) acc[i] += wk * r[i];
        }
        for (int32_t i = 0; i < n; i++) out[x0 + i] = (uint8_t)clamp_u8(acc[i] >> RESAMPLE_WEIGHT_BITS);
    }
}
