/* Stored memories are bfloat16, rounded to nearest even, as SAM2VideoPredictor stores
 * maskmem_features (`.to(torch.bfloat16)`): the memories a later frame attends must be exactly
 * the bfloat16 roundings of what the memory encoder gave, bit for bit. The official-parity run
 * would notice a change here only on sensitive weights, and it is run by hand; this test runs
 * everywhere.
 *
 * The library is linked with a recording runtime in place of shim/ (this file implements the C
 * ABI of edgetam_shim.h): its memory encoder returns values chosen around every rounding case
 * (ties to even and odd, just above and below halfway, subnormals, negatives), and its
 * attend_memory records what it was given. The expected values come from a reference written
 * here without bit tricks: the two bfloat16 neighbours of a value, the nearer one, ties to the
 * even mantissa. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "edgetam.h"
#include "edgetam_shim.h"

#define S 64
#define C 8   /* hidden_dim: feat C x 4 x 4, object pointer C */
#define CM 8  /* memory_dim */
#define T 16  /* memory_tokens */
#define MEMORY (T * CM)
#define LR (S / 4)
#define MAX_MEMORIES 32

/* ---- the recording runtime ------------------------------------------------------------------ */

struct edgetam_shim {
    int unused;
};

static struct edgetam_shim the_shim;
static float encoder_output[MEMORY]; /* what every encode_memory call returns */
static float attended[MAX_MEMORIES][MEMORY];
static int32_t attended_count; /* memories of the last attend_memory call */
static int attend_calls_with_memory;

static float float_of_bits(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

/* Values around every rounding case of float32 -> bfloat16 (the low 16 bits are cut off). */
static void fill_encoder_output(void)
{
    static const uint32_t low[] = {
        0x0000u, 0x0001u, 0x7fffu, 0x8000u, 0x8001u, 0xffffu, 0x4000u, 0xc000u,
    };
    static const uint32_t high[] = {
        0x3f80u, 0x3f81u, 0xbf80u, 0xbf81u, /* +-1 with an even and an odd last mantissa bit */
        0x4049u, 0xc0b7u, 0x3c23u, 0x447au, /* pi, -5.7, 0.01, 1000 */
        0x0000u, 0x0001u, 0x8000u, 0x8001u, /* zero and subnormals, both signs */
        0x007fu, 0x0080u, 0x7f7eu, 0x42c8u, /* largest subnormal, smallest normal, large, 100 */
    };
    for (int i = 0; i < MEMORY; i++) {
        const uint32_t h = high[i % 16], l = low[(i / 16) % 8];
        encoder_output[i] = float_of_bits((h << 16) | l);
    }
}

edgetam_status edgetam_shim_load(const char *path, int32_t num_threads, int adapt_threads,
                                 edgetam_shim **out, edgetam_bundle_info *info, char *err,
                                 size_t err_size)
{
    (void)path, (void)num_threads, (void)adapt_threads, (void)err, (void)err_size;
    static const float mean[3] = {0.485f, 0.456f, 0.406f}, std_[3] = {0.229f, 0.224f, 0.225f};
    memset(info, 0, sizeof *info);
    snprintf(info->model, sizeof info->model, "recording");
    info->format_version = 1;
    info->image_size = S;
    info->hidden_dim = C;
    info->memory_dim = CM;
    info->high_res_dim0 = 2;
    info->high_res_dim1 = 2;
    info->memory_tokens = T;
    info->num_maskmem = 7;
    info->max_obj_ptrs = 16;
    for (int c = 0; c < 3; c++) info->pixel_mean[c] = mean[c], info->pixel_std[c] = std_[c];
    info->sigmoid_scale_for_mem_enc = 1.0f;
    *out = &the_shim;
    return EDGETAM_OK;
}

void edgetam_shim_free(edgetam_shim *shim) { (void)shim; }
int32_t edgetam_shim_threads(const edgetam_shim *shim) { return (void)shim, 1; }
void edgetam_shim_trim(edgetam_shim *shim) { (void)shim; }

edgetam_status edgetam_shim_encode_image(edgetam_shim *shim, const float *image, float *hr0,
                                         float *hr1, float *feat, char *err, size_t err_size)
{
    (void)shim, (void)image, (void)err, (void)err_size;
    memset(hr0, 0, sizeof(float) * 2 * (S / 4) * (S / 4));
    memset(hr1, 0, sizeof(float) * 2 * (S / 8) * (S / 8));
    memset(feat, 0, sizeof(float) * C * (S / 16) * (S / 16));
    return EDGETAM_OK;
}

edgetam_status edgetam_shim_attend_memory(edgetam_shim *shim, const float *feat,
                                          const float *memory, const int64_t *memory_tpos,
                                          int32_t n, const float *obj_ptrs, int32_t p, float *pix,
                                          char *err, size_t err_size)
{
    (void)shim, (void)memory_tpos, (void)obj_ptrs, (void)p, (void)err, (void)err_size;
    attended_count = n < MAX_MEMORIES ? n : MAX_MEMORIES;
    memcpy(attended, memory, sizeof(float) * MEMORY * (size_t)attended_count);
    if (n > 0) attend_calls_with_memory++;
    memcpy(pix, feat, sizeof(float) * C * (S / 16) * (S / 16));
    return EDGETAM_OK;
}

/* A square object in the middle of the frame, present, one mask (or three alike). */
static void object_mask(float *mask)
{
    for (int y = 0; y < LR; y++)
        for (int x = 0; x < LR; x++)
            mask[y * LR + x] = (x >= LR / 4 && x < 3 * LR / 4 && y >= LR / 4 && y < 3 * LR / 4)
                                   ? 8.0f : -8.0f;
}

edgetam_status edgetam_shim_decode(edgetam_shim *shim, const float *pix, const float *hr0,
                                   const float *hr1, const float *point_coords,
                                   const int32_t *point_labels, int32_t num_points,
                                   const float *mask_input, int multimask, float *masks,
                                   float *ious, float *best, float *obj_ptr, float *object_score,
                                   char *err, size_t err_size)
{
    (void)shim, (void)pix, (void)hr0, (void)hr1, (void)point_coords, (void)point_labels;
    (void)num_points, (void)mask_input, (void)err, (void)err_size;
    const int m = multimask ? 3 : 1;
    for (int k = 0; k < m; k++) {
        object_mask(masks + k * LR * LR);
        ious[k] = 0.9f;
    }
    object_mask(best);
    for (int i = 0; i < C; i++) obj_ptr[i] = 0.5f;
    *object_score = 4.0f;
    return EDGETAM_OK;
}

edgetam_status edgetam_shim_decode_mask(edgetam_shim *shim, const float *feat, const float *hr0,
                                        const float *hr1, const float *mask, float *best,
                                        float *obj_ptr, float *object_score, char *err,
                                        size_t err_size)
{
    (void)shim, (void)feat, (void)hr0, (void)hr1, (void)mask, (void)err, (void)err_size;
    object_mask(best);
    for (int i = 0; i < C; i++) obj_ptr[i] = 0.5f;
    *object_score = 4.0f;
    return EDGETAM_OK;
}

edgetam_status edgetam_shim_encode_memory(edgetam_shim *shim, const float *feat, const float *best,
                                          float object_score, int binarize, float *memory,
                                          char *err, size_t err_size)
{
    (void)shim, (void)feat, (void)best, (void)object_score, (void)binarize, (void)err;
    (void)err_size;
    memcpy(memory, encoder_output, sizeof encoder_output);
    return EDGETAM_OK;
}

/* ---- the reference rounding ----------------------------------------------------------------- */

/* bfloat16 of `f`, to nearest, ties to the even mantissa, as a float: the two neighbours are `f`
 * with its low 16 bits cleared (towards zero) and the next bfloat16 away from zero. */
static float bf16_reference(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    const uint32_t toward = u & 0xffff0000u, away = toward + 0x10000u;
    const double d = fabs((double)f), lo = fabs((double)float_of_bits(toward)),
                 hi = fabs((double)float_of_bits(away));
    if (d - lo < hi - d) return float_of_bits(toward);
    if (d - lo > hi - d) return float_of_bits(away);
    return float_of_bits(((toward >> 16) & 1u) ? away : toward);
}

static void reference_is_right(void **state)
{
    (void)state;
    /* Hand-checked cases: 1 + 2^-8 is halfway between 1 and 1 + 2^-7 (even: 1); 1 + 3*2^-8
     * is halfway between 1 + 2^-7 (odd) and 1 + 2^-6 (even). */
    assert_true(bf16_reference(1.0f + 0x1p-8f) == 1.0f);
    assert_true(bf16_reference(1.0f + 3 * 0x1p-8f) == 1.0f + 0x1p-6f);
    assert_true(bf16_reference(-(1.0f + 3 * 0x1p-8f)) == -(1.0f + 0x1p-6f));
    assert_true(bf16_reference(1.0f + 0x1p-8f + 0x1p-20f) == 1.0f + 0x1p-7f);
    assert_true(bf16_reference(1.0f + 0x1p-8f - 0x1p-20f) == 1.0f);
}

/* ---- the test -------------------------------------------------------------------------------- */

static void track(edgetam_tracker *t, const uint8_t *rgb)
{
    edgetam_frame f = edgetam_frame_default();
    f.format = EDGETAM_FORMAT_RGB24;
    f.width = S;
    f.height = S;
    f.planes.data[0] = rgb;
    f.planes.stride[0] = 3 * S;
    edgetam_object_result r = {.struct_size = sizeof r};
    int32_t count = 0;
    assert_int_equal(edgetam_tracker_track(t, &f, &r, 1, &count), EDGETAM_OK);
}

static void attended_memories_are_rounded(void **state)
{
    (void)state;
    fill_encoder_output();
    float expected[MEMORY];
    int rounding_moves = 0;
    for (int i = 0; i < MEMORY; i++) {
        expected[i] = bf16_reference(encoder_output[i]);
        rounding_moves += memcmp(&expected[i], &encoder_output[i], sizeof(float)) != 0;
    }
    assert_true(rounding_moves > MEMORY / 2); /* the values test the rounding, not a copy */

    edgetam_model_params mp = edgetam_model_default_params();
    edgetam_model *model = NULL;
    char err[256];
    assert_int_equal(edgetam_model_load("recording", &mp, &model, err, sizeof err), EDGETAM_OK);
    edgetam_tracker_params tp = edgetam_tracker_default_params();
    edgetam_tracker *t = NULL;
    assert_int_equal(edgetam_tracker_create(model, &tp, &t), EDGETAM_OK);

    static uint8_t rgb[3 * S * S];
    memset(rgb, 128, sizeof rgb);
    track(t, rgb);
    edgetam_point click = {S / 2.0f, S / 2.0f, 1};
    edgetam_prompt pr = edgetam_prompt_default();
    pr.points = &click;
    pr.num_points = 1;
    assert_int_equal(edgetam_tracker_add_prompt(t, 1, &pr, NULL), EDGETAM_OK);
    for (int frame = 1; frame <= 4; frame++) {
        track(t, rgb);
        /* frame k attends the prompted frame and the frames tracked since: k memories */
        assert_int_equal(attended_count, frame);
        for (int32_t k = 0; k < attended_count; k++)
            for (int i = 0; i < MEMORY; i++)
                if (memcmp(&attended[k][i], &expected[i], sizeof(float)) != 0)
                    fail_msg("frame %d memory %d element %d: attended %a, encoder gave %a, "
                             "bfloat16 to nearest even is %a",
                             frame, (int)k, i, (double)attended[k][i], (double)encoder_output[i],
                             (double)expected[i]);
    }
    assert_int_equal(attend_calls_with_memory, 4);
    edgetam_tracker_destroy(t);
    edgetam_model_free(model);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reference_is_right),
        cmocka_unit_test(attended_memories_are_rounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
