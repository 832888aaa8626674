#include "postprocess.h"

#include <math.h>
#include <string.h>

#include "alloc.h"

/* Bounding box [x0, x1) x [y0, y1) of the pixels > 0; empty (x0 >= x1) if there are none. */
typedef struct low_box {
    int32_t x0, y0, x1, y1;
} low_box;

/* First and last index of a value > 0 in v[0 .. n), or first = n and last = -1 if none. */
static void positive_span(const float *v, int32_t n, int32_t *first, int32_t *last)
{
    int32_t a = 0, b = n - 1;
    while (a < n && !(v[a] > 0.0f)) a++;
    while (b > a && !(v[b] > 0.0f)) b--;
    *first = a;
    *last = a < n ? b : -1;
}

static low_box positive_box(const float *v, int32_t side)
{
    low_box b = {side, side, 0, 0};
    for (int32_t y = 0; y < side; y++) {
        int32_t first, last;
        positive_span(v + (size_t)y * side, side, &first, &last);
        if (first > last) continue;
        if (first < b.x0) b.x0 = first;
        if (last + 1 > b.x1) b.x1 = last + 1;
        if (y < b.y0) b.y0 = y;
        b.y1 = y + 1;
    }
    return b;
}

/* Whether every 8-connected piece of the grid outside box b (all background) has more than
 * max_area pixels: then no component that reaches outside b is a hole. Outside a box that spans
 * neither the whole width nor the whole height is one piece; otherwise it is the two sides. */
static int outside_pieces_large(low_box b, int32_t side, int32_t max_area)
{
    const int64_t n = side, all = n * n, box = b.x0 < b.x1 ? (int64_t)(b.x1 - b.x0) * (b.y1 - b.y0) : 0;
    const int wide = b.x0 == 0 && b.x1 == side, tall = b.y0 == 0 && b.y1 == side;
    int64_t piece[2] = {0, 0};
    if (box == 0 || (!wide && !tall)) piece[0] = all - box;
    else if (wide && !tall) piece[0] = b.y0 * n, piece[1] = (n - b.y1) * n;
    else if (tall && !wide) piece[0] = b.x0 * n, piece[1] = (n - b.x1) * n;
    for (int i = 0; i < 2; i++)
        if (piece[i] > 0 && piece[i] <= max_area) return 0;
    return 1;
}

void fill_holes(float *logits, int32_t side, int32_t max_area, int32_t *scratch)
{
    if (max_area <= 0) return;
    /* Holes are searched inside the foreground's box only (it is small next to the 64K-pixel
     * background a whole-grid search walks): a component that leaves the box joins a piece outside
     * it, which is too large to be a hole. Where an outside piece is small enough, the whole grid. */
    low_box b = positive_box(logits, side);
    if (b.x0 >= b.x1 || !outside_pieces_large(b, side, max_area)) b = (low_box){0, 0, side, side};
    int32_t *seen = scratch;               /* grid pixels, 0 = not visited (the box's cleared) */
    int32_t *queue = scratch + side * side; /* pixels of the component being grown */
    for (int32_t y = b.y0; y < b.y1; y++)
        memset(seen + (size_t)y * side + b.x0, 0, (size_t)(b.x1 - b.x0) * sizeof *seen);
    for (int32_t sy = b.y0; sy < b.y1; sy++) {
        for (int32_t sx = b.x0; sx < b.x1; sx++) {
            const int32_t start = sy * side + sx;
            if (seen[start] || logits[start] > 0.0f) continue;
            int32_t head = 0, tail = 0, leaves_box = 0;
            queue[tail++] = start;
            seen[start] = 1;
            while (head < tail) {
                const int32_t p = queue[head++], py = p / side, px = p % side;
                for (int32_t dy = -1; dy <= 1; dy++) {
                    for (int32_t dx = -1; dx <= 1; dx++) {
                        const int32_t qy = py + dy, qx = px + dx;
                        if (qy < b.y0 || qy >= b.y1 || qx < b.x0 || qx >= b.x1) {
                            /* background outside the box, unless outside the grid */
                            leaves_box |= qy >= 0 && qy < side && qx >= 0 && qx < side;
                            continue;
                        }
                        const int32_t q = qy * side + qx;
                        if (seen[q] || logits[q] > 0.0f) continue;
                        seen[q] = 1;
                        queue[tail++] = q;
                    }
                }
            }
            if (!leaves_box && tail <= max_area)
                for (int32_t i = 0; i < tail; i++) logits[queue[i]] = 0.1f;
        }
    }
}

static void axis_fill(upsample_axis *a, int32_t in, int32_t out)
{
    const float scale = (float)in / (float)out;
    for (int32_t o = 0; o < out; o++) {
        float src = scale * ((float)o + 0.5f) - 0.5f;
        if (src < 0.0f) src = 0.0f;
        int32_t i0 = (int32_t)src;
        if (i0 > in - 1) i0 = in - 1;
        a->i0[o] = i0;
        a->i1[o] = i0 + (i0 < in - 1 ? 1 : 0);
        a->w1[o] = src - (float)i0;
    }
}

static void axis_free(upsample_axis *a)
{
    edgetam__free(a->i0);
    edgetam__free(a->i1);
    edgetam__free(a->w1);
    memset(a, 0, sizeof *a);
}

static int axis_alloc(upsample_axis *a, int32_t out)
{
    a->i0 = edgetam__calloc((size_t)out, sizeof(int32_t));
    a->i1 = edgetam__calloc((size_t)out, sizeof(int32_t));
    a->w1 = edgetam__calloc((size_t)out, sizeof(float));
    return a->i0 && a->i1 && a->w1;
}

void upsample_plan_free(upsample_plan *plan)
{
    axis_free(&plan->x);
    axis_free(&plan->y);
    plan->in_side = plan->out_w = plan->out_h = 0;
}

edgetam_status upsample_plan_update(upsample_plan *plan, int32_t in_side, int32_t out_w,
                                    int32_t out_h)
{
    if (plan->in_side == in_side && plan->out_w == out_w && plan->out_h == out_h)
        return EDGETAM_OK;
    /* built aside: on failure the old plan stays, so the tracker (whose frame is still the old
     * one) can go on writing results for it */
    upsample_plan next;
    memset(&next, 0, sizeof next);
    if (!axis_alloc(&next.x, out_w) || !axis_alloc(&next.y, out_h)) {
        upsample_plan_free(&next);
        return EDGETAM_ERR_OUT_OF_MEMORY;
    }
    axis_fill(&next.x, in_side, out_w);
    axis_fill(&next.y, in_side, out_h);
    next.simd = edgetam__cpu_simd_level();
    next.in_side = in_side;
    next.out_w = out_w;
    next.out_h = out_h;
    upsample_plan_free(plan);
    *plan = next;
    return EDGETAM_OK;
}

/* Two products and a sum, as separate statements: no compiler fuses them into a multiply-add
 * (which the SIMD kernels, multiplying and adding apart, would not match). */
static inline float lerp(float a, float b, float w1)
{
    const float pa = (1.0f - w1) * a, pb = w1 * b;
    return pa + pb;
}

/* Output row y: blend its two source rows once (the columns [x0, x1) read), then one lerp per
 * output pixel of [x0, x1); the mask outside [x0, x1) is 0. Linear interpolation in either order is
 * the same function; only the float rounding differs from PyTorch's order, by a few ulp.
 * Accumulates the box and area of the pixels > 0 into *box / *area. */
static void upsample_row(const upsample_plan *p, const float *low, float *row, int32_t y, int32_t x0, int32_t x1,
                         edgetam_object_result *r, edgetam_box *box, int64_t *area)
{
    const float *r0 = low + (size_t)p->y.i0[y] * p->in_side;
    const float *r1 = low + (size_t)p->y.i1[y] * p->in_side;
    const float h1 = p->y.w1[y];
    const int32_t *ix0 = p->x.i0, *ix1 = p->x.i1;
    const float *wx = p->x.w1;
    uint8_t *mrow = r->mask ? r->mask + (size_t)y * r->mask_stride : NULL;
    float *prow = r->probability ? r->probability + (size_t)y * r->probability_stride : NULL;
    if (mrow) {
        memset(mrow, 0, (size_t)x0);
        memset(mrow + x1, 0, (size_t)(p->out_w - x1));
    }
    if (x0 >= x1) return;
    for (int32_t i = ix0[x0]; i <= ix1[x1 - 1]; i++) row[i] = lerp(r0[i], r1[i], h1);
    row_hits hits = {-1, -1, 0};
    int32_t x = x0;
    if (!prow) {
#ifdef EDGETAM_HAVE_AVX2_KERNELS
        if (p->simd >= SIMD_AVX2) x = edgetam__mask_row_avx2(&p->x, row, x, x1, mrow, &hits, p->in_side);
#endif
#ifdef EDGETAM_HAVE_NEON_KERNELS
        if (p->simd >= SIMD_NEON) x = edgetam__mask_row_neon(&p->x, row, x, x1, mrow, &hits, p->in_side);
#endif
    }
    for (; x < x1; x++) {
        const float v = lerp(row[ix0[x]], row[ix1[x]], wx[x]);
        const int on = v > 0.0f;
        if (mrow) mrow[x] = on ? 255 : 0;
        if (prow) prow[x] = 1.0f / (1.0f + expf(-v));
        if (on) row_hits_add(&hits, x, 1u);
    }
    if (hits.first >= 0) {
        *area += hits.area;
        if (hits.first < box->x0) box->x0 = hits.first;
        if (hits.last + 1 > box->x1) box->x1 = hits.last + 1;
        if (y < box->y0) box->y0 = y;
        box->y1 = y + 1;
    }
}

static void finish_result(const upsample_plan *p, const float *low, edgetam_box box, int64_t area,
                          edgetam_object_result *r)
{
    if (r->low_res_logits)
        memcpy(r->low_res_logits, low, (size_t)p->in_side * p->in_side * sizeof *low);
    r->area = area;
    r->box = area ? box : (edgetam_box){0, 0, 0, 0};
}

/* Every output pixel: what probabilities need. */
static void write_object_result_full(const upsample_plan *p, const float *low, float *row, edgetam_object_result *r)
{
    edgetam_box box = {p->out_w, p->out_h, 0, 0};
    int64_t area = 0;
    for (int32_t y = 0; y < p->out_h; y++) upsample_row(p, low, row, y, 0, p->out_w, r, &box, &area);
    finish_result(p, low, box, area, r);
}

/* Columns [*first, *last] of a low-res row's pixels > 0 (first > last if none), for the last two
 * rows asked (output rows read their source rows in order, each pair several times). */
typedef struct span_cache {
    int32_t row[2], first[2], last[2];
    int next; /* entry to replace */
} span_cache;

static void row_span(span_cache *c, const float *low, int32_t side, int32_t j, int32_t *first, int32_t *last)
{
    int k = c->row[0] == j ? 0 : c->row[1] == j ? 1 : -1;
    if (k < 0) {
        k = c->next;
        c->next ^= 1;
        c->row[k] = j;
        positive_span(low + (size_t)j * side, side, &c->first[k], &c->last[k]);
    }
    *first = c->first[k];
    *last = c->last[k];
}

/* First output whose second tap reads column >= c (outputs read nondecreasing columns). */
static int32_t first_reader(const upsample_axis *a, int32_t out, int32_t c)
{
    int32_t lo = 0, hi = out;
    while (lo < hi) {
        const int32_t mid = lo + (hi - lo) / 2;
        if (a->i1[mid] >= c) hi = mid;
        else lo = mid + 1;
    }
    return lo;
}

/* One past the last output whose first tap reads column <= c. */
static int32_t end_reader(const upsample_axis *a, int32_t out, int32_t c)
{
    int32_t lo = 0, hi = out;
    while (lo < hi) {
        const int32_t mid = lo + (hi - lo) / 2;
        if (a->i0[mid] <= c) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* Without probabilities only the sign matters, and a lerp of two values that are <= 0 (or NaN) is
 * <= 0 (or NaN): both products are, and so is their sum. So an output pixel can be > 0 only if one
 * of its four low-res taps is, and each output row is computed only between the first and the last
 * output that reads a low-res column > 0 of its two source rows; the rest of the mask is 0. The
 * bits are those of write_object_result_full, whose arithmetic this is. */
void write_object_result(const upsample_plan *p, const float *low, float *row, edgetam_object_result *r)
{
    if (r->probability) {
        write_object_result_full(p, low, row, r);
        return;
    }
    edgetam_box box = {p->out_w, p->out_h, 0, 0};
    int64_t area = 0;
    span_cache spans = {{-1, -1}, {0, 0}, {0, 0}, 0};
    for (int32_t y = 0; y < p->out_h; y++) {
        int32_t f0, l0, f1, l1;
        row_span(&spans, low, p->in_side, p->y.i0[y], &f0, &l0);
        row_span(&spans, low, p->in_side, p->y.i1[y], &f1, &l1);
        const int32_t first = f0 < f1 ? f0 : f1, last = l0 > l1 ? l0 : l1;
        int32_t x0 = 0, x1 = 0;
        if (first <= last) {
            x0 = first_reader(&p->x, p->out_w, first);
            x1 = end_reader(&p->x, p->out_w, last);
            if (x1 < x0) x1 = x0;
        }
        upsample_row(p, low, row, y, x0, x1, r, &box, &area);
    }
    finish_result(p, low, box, area, r);
}
