#include "postprocess.h"

#include <math.h>
#include <string.h>

#include "alloc.h"

void fill_holes(float *logits, int32_t side, int32_t max_area, int32_t *scratch)
{
    if (max_area <= 0) return;
    const int32_t n = side * side;
    int32_t *seen = scratch;      /* 0 = not visited */
    int32_t *queue = scratch + n; /* pixels of the component being grown */
    memset(seen, 0, (size_t)n * sizeof *seen);
    for (int32_t start = 0; start < n; start++) {
        if (seen[start] || logits[start] > 0.0f) continue;
        int32_t head = 0, tail = 0;
        queue[tail++] = start;
        seen[start] = 1;
        while (head < tail) {
            const int32_t p = queue[head++], py = p / side, px = p % side;
            for (int32_t dy = -1; dy <= 1; dy++) {
                for (int32_t dx = -1; dx <= 1; dx++) {
                    const int32_t qy = py + dy, qx = px + dx;
                    if (qy < 0 || qy >= side || qx < 0 || qx >= side) continue;
                    const int32_t q = qy * side + qx;
                    if (seen[q] || logits[q] > 0.0f) continue;
                    seen[q] = 1;
                    queue[tail++] = q;
                }
            }
        }
        if (tail <= max_area)
            for (int32_t i = 0; i < tail; i++) logits[queue[i]] = 0.1f;
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
    next.in_side = in_side;
    next.out_w = out_w;
    next.out_h = out_h;
    upsample_plan_free(plan);
    *plan = next;
    return EDGETAM_OK;
}

static inline float lerp(float a, float b, float w1) { return (1.0f - w1) * a + w1 * b; }

/* Row by row: blend the two source rows once (in_side values), then one lerp per output pixel.
 * Linear interpolation in either order is the same function; only the float rounding differs
 * from PyTorch's order, by a few ulp. `row` holds in_side floats. */
void write_object_result(const upsample_plan *p, const float *low, float *row,
                         edgetam_object_result *r)
{
    int32_t x0 = p->out_w, y0 = p->out_h, x1 = 0, y1 = 0;
    int64_t area = 0;
    if (r->low_res_logits)
        memcpy(r->low_res_logits, low, (size_t)p->in_side * p->in_side * sizeof *low);
    const int32_t *ix0 = p->x.i0, *ix1 = p->x.i1;
    const float *wx = p->x.w1;
    for (int32_t y = 0; y < p->out_h; y++) {
        const float *r0 = low + (size_t)p->y.i0[y] * p->in_side;
        const float *r1 = low + (size_t)p->y.i1[y] * p->in_side;
        const float h1 = p->y.w1[y];
        for (int32_t i = 0; i < p->in_side; i++) row[i] = lerp(r0[i], r1[i], h1);
        uint8_t *mrow = r->mask ? r->mask + (size_t)y * r->mask_stride : NULL;
        float *prow = r->probability ? r->probability + (size_t)y * r->probability_stride : NULL;
        int32_t row_first = -1, row_last = -1, row_area = 0;
        for (int32_t x = 0; x < p->out_w; x++) {
            const float v = lerp(row[ix0[x]], row[ix1[x]], wx[x]);
            const int on = v > 0.0f;
            if (mrow) mrow[x] = on ? 255 : 0;
            if (prow) prow[x] = 1.0f / (1.0f + expf(-v));
            if (on) {
                if (row_first < 0) row_first = x;
                row_last = x;
                row_area++;
            }
        }
        if (row_first >= 0) {
            area += row_area;
            if (row_first < x0) x0 = row_first;
            if (row_last + 1 > x1) x1 = row_last + 1;
            if (y < y0) y0 = y;
            y1 = y + 1;
        }
    }
    r->area = area;
    r->box = area ? (edgetam_box){x0, y0, x1, y1} : (edgetam_box){0, 0, 0, 0};
}
