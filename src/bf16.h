/* Memory entries are stored as bfloat16, as SAM2VideoPredictor stores maskmem_features: the
 * same rounding (to nearest even) keeps our memories bit-identical to the official ones and
 * halves their size. */
#ifndef EDGETAM_BF16_H
#define EDGETAM_BF16_H

#include <stdint.h>
#include <string.h>

static inline uint16_t bf16_from_float(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((u >> 16) | 0x40u); /* quiet NaN */
    u += 0x7fffu + ((u >> 16) & 1u);
    return (uint16_t)(u >> 16);
}

static inline float bf16_to_float(uint16_t h)
{
    const uint32_t u = (uint32_t)h << 16;
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

#endif
