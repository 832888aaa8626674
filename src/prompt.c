#include "prompt.h"

#include <math.h>
#include <stdio.h>

edgetam_status prompt_validate(const edgetam_prompt *p, int32_t w, int32_t h, int32_t old_points,
                               int32_t max_points, char *msg, size_t msg_size)
{
    if (!p) {
        snprintf(msg, msg_size, "prompt is NULL");
        return EDGETAM_ERR_INVALID_ARGUMENT;
    }
    if (p->struct_size != sizeof *p) {
        snprintf(msg, msg_size, "edgetam_prompt.struct_size does not match this library");
        return EDGETAM_ERR_ABI_MISMATCH;
    }
    if (p->num_points < 0 || (p->num_points > 0 && !p->points)) {
        snprintf(msg, msg_size, "num_points is %d with points %s", (int)p->num_points,
                 p->points ? "set" : "NULL");
        return EDGETAM_ERR_BAD_PROMPT;
    }
    if (p->mask) {
        if (p->num_points || p->has_box) {
            snprintf(msg, msg_size, "a mask prompt cannot be combined with points or a box");
            return EDGETAM_ERR_BAD_PROMPT;
        }
        if (p->mask_stride < (size_t)w) {
            snprintf(msg, msg_size, "mask_stride %zu is shorter than the frame width %d",
                     p->mask_stride, (int)w);
            return EDGETAM_ERR_BAD_PROMPT;
        }
        return EDGETAM_OK;
    }
    if (!p->num_points && !p->has_box) {
        snprintf(msg, msg_size, "the prompt has no points, box or mask");
        return EDGETAM_ERR_BAD_PROMPT;
    }
    for (int32_t i = 0; i < p->num_points; i++) {
        const edgetam_point *q = &p->points[i];
        if (!(q->x >= 0.0f && q->x <= (float)w && q->y >= 0.0f && q->y <= (float)h)) {
            snprintf(msg, msg_size, "point %d (%g, %g) is outside the %dx%d frame", (int)i,
                     (double)q->x, (double)q->y, (int)w, (int)h);
            return EDGETAM_ERR_BAD_PROMPT;
        }
        if (q->label != 0 && q->label != 1) {
            snprintf(msg, msg_size, "point %d has label %d (1 = object, 0 = not object)", (int)i,
                     (int)q->label);
            return EDGETAM_ERR_BAD_PROMPT;
        }
    }
    if (p->has_box) {
        const float *b = p->box;
        if (!p->clear_old_points) {
            snprintf(msg, msg_size, "a box must come first: use clear_old_points = 1");
            return EDGETAM_ERR_BAD_PROMPT;
        }
        if (!(b[0] >= 0.0f && b[1] >= 0.0f && b[2] <= (float)w && b[3] <= (float)h &&
              b[0] < b[2] && b[1] < b[3])) {
            snprintf(msg, msg_size,
                     "box (%g, %g, %g, %g) is empty, reversed or outside the %dx%d frame",
                     (double)b[0], (double)b[1], (double)b[2], (double)b[3], (int)w, (int)h);
            return EDGETAM_ERR_BAD_PROMPT;
        }
    }
    const int32_t total =
        (p->clear_old_points ? 0 : old_points) + p->num_points + (p->has_box ? 2 : 0);
    if (total > EDGETAM_MAX_POINTS) {
        snprintf(msg, msg_size, "%d points on this frame (a box counts 2); at most %d",
                 (int)total, EDGETAM_MAX_POINTS);
        return EDGETAM_ERR_BAD_PROMPT;
    }
    if (max_points > 0 && total > max_points) {
        snprintf(msg, msg_size,
                 "%d points on this frame (a box counts 2); this model takes at most %d",
                 (int)total, (int)max_points);
        return EDGETAM_ERR_BAD_PROMPT;
    }
    return EDGETAM_OK;
}

static void append(float x, float y, int32_t label, int32_t w, int32_t h, int32_t s, float *coords,
                   int32_t *labels, int32_t *n)
{
    /* (x / W) * S in float32, the order of the official normalisation */
    coords[2 * *n] = x / (float)w * (float)s;
    coords[2 * *n + 1] = y / (float)h * (float)s;
    labels[(*n)++] = label;
}

void prompt_append_points(const edgetam_prompt *p, int32_t w, int32_t h, int32_t s, float *coords,
                          int32_t *labels, int32_t *n)
{
    if (p->has_box) {
        append(p->box[0], p->box[1], 2, w, h, s, coords, labels, n);
        append(p->box[2], p->box[3], 3, w, h, s, coords, labels, n);
    }
    for (int32_t i = 0; i < p->num_points; i++)
        append(p->points[i].x, p->points[i].y, p->points[i].label, w, h, s, coords, labels, n);
}

/* The input span and weights of output sample `o` of a triangle (bilinear) filter whose support
 * grows with the downscale factor so every input pixel contributes: PIL's and PyTorch's
 * interpolate(antialias=True). */
typedef struct triangle_span {
    int32_t lo, hi;
    double center, support;
} triangle_span;

static triangle_span span_of(int32_t in, int32_t out, int32_t o)
{
    const double scale = (double)in / (double)out;
    triangle_span t;
    t.support = scale > 1.0 ? scale : 1.0;
    t.center = scale * (o + 0.5);
    t.lo = (int32_t)(t.center - t.support + 0.5);
    t.hi = (int32_t)(t.center + t.support + 0.5);
    if (t.lo < 0) t.lo = 0;
    if (t.hi > in) t.hi = in;
    return t;
}

static double weight_of(const triangle_span *t, int32_t i)
{
    const double d = fabs((i - t->center + 0.5) / t->support);
    return d < 1.0 ? 1.0 - d : 0.0;
}

void prompt_mask_to_input(const uint8_t *mask, size_t stride, int32_t w, int32_t h, int32_t s,
                          float *tmp, float *out)
{
    if (w == s && h == s) {
        for (int32_t y = 0; y < s; y++)
            for (int32_t x = 0; x < s; x++)
                out[(size_t)y * s + x] = mask[(size_t)y * stride + x] ? 1.0f : 0.0f;
        return;
    }
    for (int32_t x = 0; x < s; x++) { /* horizontal: h rows of w -> h rows of s, into tmp */
        const triangle_span t = span_of(w, s, x);
        for (int32_t y = 0; y < h; y++) {
            double sum = 0.0, wsum = 0.0;
            for (int32_t i = t.lo; i < t.hi; i++) {
                const double wgt = weight_of(&t, i);
                sum += mask[(size_t)y * stride + i] ? wgt : 0.0;
                wsum += wgt;
            }
            tmp[(size_t)y * s + x] = (float)(sum / wsum);
        }
    }
    for (int32_t y = 0; y < s; y++) { /* vertical: s columns of h -> s, then the 0.5 threshold */
        const triangle_span t = span_of(h, s, y);
        for (int32_t x = 0; x < s; x++) {
            double sum = 0.0, wsum = 0.0;
            for (int32_t i = t.lo; i < t.hi; i++) {
                const double wgt = weight_of(&t, i);
                sum += wgt * tmp[(size_t)i * s + x];
                wsum += wgt;
            }
            out[(size_t)y * s + x] = (float)(sum / wsum) >= 0.5f ? 1.0f : 0.0f;
        }
    }
}
