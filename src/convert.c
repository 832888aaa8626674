/* The converter: borrow a frame (lock -> read -> unlock) and produce the model input.
 *
 * Work is streamed row by row: each source plane is resampled horizontally into a ring of `taps`
 * rows, the vertical pass turns the ring into one uint8 row per channel, and that row is
 * normalised straight into the float output. Working memory is a few rows per plane, so the frame
 * is read once and the output written once. YUV frames are resampled per plane (1.5 bytes per pixel
 * instead of 4) and turned into RGB at S x S only, in float, fused with the normalisation.
 *
 * Why not libyuv's YUV->RGB: over all 2^24 Y,U,V triples, libyuv 1857's fixed-point matrices differ
 * from the exact BT.601/BT.709 ones by up to 2.6 levels (BT.601 video range) and 14.8 levels (BT.709
 * video range; 13.1 for legal-range input), 0.2-1.0 levels on average. The float path is exact,
 * fused with the normalisation, and needs no intermediate RGB row. */
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "converter_internal.h"
#include "normalize.h"

simd_level edgetam__cpu_simd_level(void)
{
#if defined(EDGETAM_HAVE_NEON_KERNELS)
    return SIMD_NEON;
#elif defined(EDGETAM_HAVE_AVX2_KERNELS) && (defined(__GNUC__) || defined(__clang__))
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? SIMD_AVX2 : SIMD_NONE;
#else
    return SIMD_NONE;
#endif
}

static void set_error(edgetam_converter *c, const char *msg)
{
    snprintf(c->error, sizeof c->error, "%s", msg);
}

edgetam_converter_params edgetam_converter_default_params(void)
{
    edgetam_converter_params p;
    memset(&p, 0, sizeof p);
    p.struct_size = sizeof p;
    p.input_size = 1024;
    return p;
}

edgetam_frame edgetam_frame_default(void)
{
    edgetam_frame f;
    memset(&f, 0, sizeof f);
    f.struct_size = sizeof f;
    f.color_space = EDGETAM_COLOR_SPACE_BT601;
    f.color_range = EDGETAM_COLOR_RANGE_VIDEO;
    return f;
}

edgetam_status edgetam_converter_create(const edgetam_converter_params *params, edgetam_converter **out)
{
    if (!out) return EDGETAM_ERR_INVALID_ARGUMENT;
    *out = NULL;
    if (!params) return EDGETAM_ERR_INVALID_ARGUMENT;
    if (params->struct_size != sizeof *params) return EDGETAM_ERR_ABI_MISMATCH;
    if (params->input_size < 16 || params->input_size > 4096) return EDGETAM_ERR_INVALID_ARGUMENT;

    edgetam_converter *c = edgetam__calloc(1, sizeof *c);
    if (!c) return EDGETAM_ERR_OUT_OF_MEMORY;
    c->size = params->input_size;
    c->output = edgetam__calloc((size_t)3 * c->size * c->size, sizeof *c->output);
    if (!c->output) {
        edgetam__free(c);
        return EDGETAM_ERR_OUT_OF_MEMORY;
    }
    c->norm = edgetam__normalize_coeffs();
    c->simd = edgetam__cpu_simd_level();
    *out = c;
    return EDGETAM_OK;
}

static void free_geometry(edgetam_converter *c)
{
    for (int i = 0; i < 3; i++) {
        edgetam__resample_axis_free(&c->pass[i].h);
        edgetam__resample_axis_free(&c->pass[i].v);
        edgetam__free(c->pass[i].ring);
        edgetam__free((void *)c->pass[i].window);
        edgetam__free(c->pass[i].split);
        edgetam__free(c->rows[i]);
    }
    memset(c->pass, 0, sizeof c->pass);
    memset(c->rows, 0, sizeof c->rows);
    c->have_geometry = 0;
}

void edgetam_converter_destroy(edgetam_converter *c)
{
    if (!c) return;
    free_geometry(c);
    edgetam__free(c->output);
    edgetam__free(c);
}

static int same_geometry(const edgetam_converter *c, const frame_layout *l)
{
    return c->have_geometry && c->layout.format == l->format && c->layout.plane[0].width == l->plane[0].width &&
           c->layout.plane[0].height == l->plane[0].height;
}

/* Plans, rings and row buffers for one frame geometry: the only allocations a conversion makes. */
static edgetam_status prepare_geometry(edgetam_converter *c, const frame_layout *l)
{
    if (same_geometry(c, l)) return EDGETAM_OK;
    free_geometry(c);
    const int32_t s = c->size;
    int ok = 1;
    for (int i = 0; i < l->plane_count && ok; i++) {
        const frame_plane_layout *p = &l->plane[i];
        plane_pass *pp = &c->pass[i];
        ok = edgetam__resample_axis_init(&pp->h, p->width, s, p->bytes_per_pixel, p->channel_count,
                                         p->channel_offset) == 0 &&
             edgetam__resample_axis_init(&pp->v, p->height, s, 0, 0, NULL) == 0;
        if (ok) {
            pp->ring = edgetam__calloc((size_t)p->channel_count * ring_slots(pp) * s, sizeof *pp->ring);
            pp->window = edgetam__calloc((size_t)pp->v.taps, sizeof *pp->window);
            ok = pp->ring != NULL && pp->window != NULL;
        }
        if (ok && pp->h.block_count > 0 && p->bytes_per_pixel == 2) {
            pp->split = edgetam__calloc((size_t)4 * p->width, 1); /* U and V rows of two source rows */
            ok = pp->split != NULL;
        }
    }
    for (int i = 0; i < 3 && ok; i++) ok = (c->rows[i] = edgetam__calloc((size_t)s, 1)) != NULL;
    if (!ok) {
        free_geometry(c);
        return EDGETAM_ERR_OUT_OF_MEMORY;
    }
    c->layout = *l;
    c->have_geometry = 1;
    return EDGETAM_OK;
}

/* Ring row holding channel ch of source row r. */
static int16_t *ring_row(const edgetam_converter *c, const plane_pass *pp, int ch, int32_t r)
{
    const int32_t slots = ring_slots(pp);
    return pp->ring + ((size_t)ch * slots + (size_t)(r % slots)) * c->size;
}

/* Horizontal pass of source rows r .. r + count - 1 (count 1 or 2) into the ring. */
static void resample_h_rows(const edgetam_converter *c, const plane_pass *pp, const frame_plane_layout *p,
                            const uint8_t *plane, int32_t stride, int32_t r, int count)
{
    resample_hrow rows[2];
    for (int i = 0; i < count; i++) {
        rows[i].src = plane + (size_t)(r + i) * (size_t)stride;
        for (int ch = 0; ch < 3; ch++) rows[i].out[ch] = ch < p->channel_count ? ring_row(c, pp, ch, r + i) : NULL;
    }
    int32_t x = 0;
#ifdef EDGETAM_HAVE_AVX2_KERNELS
    if (c->simd >= SIMD_AVX2) {
        if (pp->h.block_count > 0) {
            /* single-channel rows for the block kernel: the source rows, or split U,V pairs */
            const uint8_t *src[4];
            int16_t *out[4];
            int n = 0;
            for (int i = 0; i < count; i++) {
                if (p->bytes_per_pixel == 1) {
                    src[n] = rows[i].src;
                    out[n++] = rows[i].out[0];
                    continue;
                }
                uint8_t *u = pp->split + (size_t)(2 * i) * p->width, *v = u + p->width;
                edgetam__split_pairs_avx2(rows[i].src, p->width, p->channel_offset, u, v);
                src[n] = u;
                out[n++] = rows[i].out[0];
                src[n] = v;
                out[n++] = rows[i].out[1];
            }
            x = edgetam__resample_h_blocks_avx2(&pp->h, src, out, n);
        }
        int32_t end = r + count == p->height ? pp->h.simd_x_end_last_row : c->size;
        x = edgetam__resample_h_avx2(&pp->h, rows, count, x, end);
    }
#endif
#ifdef EDGETAM_HAVE_NEON_KERNELS
    if (c->simd >= SIMD_NEON) x = edgetam__resample_h_neon(&pp->h, rows, count, x, c->size);
#endif
    for (int i = 0; i < count; i++) edgetam__resample_h_scalar(&pp->h, &rows[i], x, c->size);
}

static void resample_v_row(const edgetam_converter *c, const resample_axis *v, int32_t y, const int16_t *const *rows,
                           uint8_t *out)
{
    int32_t x = 0;
#ifdef EDGETAM_HAVE_AVX2_KERNELS
    if (c->simd >= SIMD_AVX2) x = edgetam__resample_v_avx2(v, y, rows, out);
#endif
#ifdef EDGETAM_HAVE_NEON_KERNELS
    if (c->simd >= SIMD_NEON) x = edgetam__resample_v_neon(v, y, rows, out);
#endif
    edgetam__resample_v_scalar(v, y, rows, out, x, c->size);
}

static void normalize_row(const edgetam_converter *c, const uint8_t *src, int channel, float *dst)
{
    const float scale = c->norm.scale[channel], bias = c->norm.bias[channel];
    int32_t x = 0;
#ifdef EDGETAM_HAVE_AVX2_KERNELS
    if (c->simd >= SIMD_AVX2) x = edgetam__normalize_avx2(src, c->size, scale, bias, dst);
#endif
#ifdef EDGETAM_HAVE_NEON_KERNELS
    if (c->simd >= SIMD_NEON) x = edgetam__normalize_neon(src, c->size, scale, bias, dst);
#endif
    edgetam__normalize_scalar(src + x, c->size - x, scale, bias, dst + x);
}

static void normalize_yuv_row(const edgetam_converter *c, const yuv_coeffs *k, float *const dst[3])
{
    const uint8_t *const yuv[3] = {c->rows[0], c->rows[1], c->rows[2]};
    int32_t x = 0;
#ifdef EDGETAM_HAVE_AVX2_KERNELS
    if (c->simd >= SIMD_AVX2) x = edgetam__normalize_yuv_avx2(yuv, c->size, k, &c->norm, dst);
#endif
#ifdef EDGETAM_HAVE_NEON_KERNELS
    if (c->simd >= SIMD_NEON) x = edgetam__normalize_yuv_neon(yuv, c->size, k, &c->norm, dst);
#endif
    const uint8_t *const yuv_tail[3] = {yuv[0] + x, yuv[1] + x, yuv[2] + x};
    float *const dst_tail[3] = {dst[0] + x, dst[1] + x, dst[2] + x};
    edgetam__normalize_yuv_scalar(yuv_tail, c->size - x, k, &c->norm, dst_tail);
}

/* Produces the uint8 rows (one per channel of the plane) of output row y of one plane. */
static void plane_output_row(edgetam_converter *c, int plane, const edgetam_planes *planes, int32_t y, uint8_t **out)
{
    plane_pass *pp = &c->pass[plane];
    const frame_plane_layout *p = &c->layout.plane[plane];
    const int32_t taps = pp->v.taps, first = pp->v.start[y];
    if (pp->next_row < first) pp->next_row = first; /* rows no output reads are skipped */
    while (pp->next_row < first + taps) {
        /* two rows per pass when there is a next row: the ring has one slot to spare for it */
        int count = pp->next_row + 1 < p->height ? 2 : 1;
        resample_h_rows(c, pp, p, planes->data[plane], planes->stride[plane], pp->next_row, count);
        pp->next_row += count;
    }
    for (int ch = 0; ch < p->channel_count; ch++) {
        for (int32_t k = 0; k < taps; k++) pp->window[k] = ring_row(c, pp, ch, first + k);
        resample_v_row(c, &pp->v, y, pp->window, out[ch]);
    }
}

/* Runs the whole conversion. Cannot fail: everything was checked and allocated beforehand. */
static void convert_planes(edgetam_converter *c, const edgetam_planes *planes, const edgetam_frame *frame)
{
    const int32_t s = c->size;
    const size_t plane_floats = (size_t)s * s;
    const yuv_coeffs yuv = edgetam__yuv_coeffs(frame->color_space, frame->color_range);
    for (int i = 0; i < c->layout.plane_count; i++) c->pass[i].next_row = 0;
    for (int32_t y = 0; y < s; y++) {
        uint8_t *out_rows[3] = {c->rows[0], c->rows[1], c->rows[2]};
        for (int i = 0, row = 0; i < c->layout.plane_count; row += c->layout.plane[i].channel_count, i++)
            plane_output_row(c, i, planes, y, out_rows + row);
        float *dst[3];
        for (int ch = 0; ch < 3; ch++) dst[ch] = c->output + ch * plane_floats + (size_t)y * s;
        switch (c->layout.model) {
        case FRAME_MODEL_RGB:
            for (int ch = 0; ch < 3; ch++) normalize_row(c, c->rows[ch], ch, dst[ch]);
            break;
        case FRAME_MODEL_GRAY:
            for (int ch = 0; ch < 3; ch++) normalize_row(c, c->rows[0], ch, dst[ch]);
            break;
        case FRAME_MODEL_YUV:
            normalize_yuv_row(c, &yuv, dst);
            break;
        }
    }
}

edgetam_status edgetam_convert_frame(edgetam_converter *c, const edgetam_frame *frame)
{
    if (!c) return EDGETAM_ERR_INVALID_ARGUMENT;
    frame_layout layout;
    edgetam_status st = edgetam__frame_describe(frame, &layout, c->error, sizeof c->error);
    if (st != EDGETAM_OK) return st;
    /* one read of the descriptor: what lock may change through user_data cannot affect this call */
    const edgetam_frame f = *frame;
    /* allocate before locking: the caller's buffer stays locked only while it is read */
    st = prepare_geometry(c, &layout);
    if (st != EDGETAM_OK) {
        set_error(c, "out of memory preparing the resampler for this frame size");
        return st;
    }
    edgetam_planes planes = f.planes;
    if (f.lock && f.lock(f.user_data, &planes) != 0) {
        set_error(c, "frame lock callback failed; no pixel was read");
        return EDGETAM_ERR_LOCK_FAILED;
    }
    st = edgetam__frame_check_planes(&layout, &planes, c->error, sizeof c->error);
    if (st == EDGETAM_OK) convert_planes(c, &planes, &f);
    if (f.unlock) f.unlock(f.user_data);
    if (st == EDGETAM_OK) c->error[0] = '\0';
    return st;
}

const float *edgetam_converter_output(const edgetam_converter *c, size_t *count)
{
    if (count) *count = c ? (size_t)3 * c->size * c->size : 0;
    return c ? c->output : NULL;
}

int32_t edgetam_converter_input_size(const edgetam_converter *c) { return c ? c->size : 0; }

const char *edgetam_converter_last_error(const edgetam_converter *c)
{
    return c ? c->error : "converter is NULL";
}
