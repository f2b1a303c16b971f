/* Log-linear (HDR-style) bucket layout of the latency histogram, in nanoseconds.
 *
 * Values below 2^(SUB_BITS+1) = 256 ns have one bucket each (exact).  Above that,
 * each power of two [2^e, 2^(e+1)) is split into 2^SUB_BITS = 128 equal buckets of
 * width 2^(e-SUB_BITS), so a bucket is never wider than 1/128 of its lower bound.
 * Reporting a bucket by the value half a width above its lower bound is then off by
 * at most 1/256 (0.39 %) of the true value.  The top bucket ends at 2^36 - 1 ns
 * (68.7 s); 30 x 128 = 3840 buckets cover 0 .. 68.7 s.
 *
 * Index of v (0 <= v <= HIST_MAX_VALUE):
 *     v < 256:  v
 *     else:     e = floor(log2 v), s = e - SUB_BITS
 *               (s + 1) * 128 + (v >> s) - 128
 * which is continuous with the exact range (index(256) = 256).
 *
 * Pure integer functions: nothing allocates, nothing touches Python, all nogil-safe. */
#ifndef ENGINE_HISTOGRAM_H
#define ENGINE_HISTOGRAM_H

#include <stdint.h>

#define HIST_SUB_BITS 7                                   /* 128 buckets per power of two */
#define HIST_SUB_COUNT (1 << HIST_SUB_BITS)
#define HIST_MAX_EXP 35                                   /* highest power of two tracked */
#define HIST_MAX_VALUE ((int64_t)((1ULL << (HIST_MAX_EXP + 1)) - 1))   /* 68,719,476,735 ns */
#define HIST_BUCKETS ((HIST_MAX_EXP - HIST_SUB_BITS + 2) * HIST_SUB_COUNT)  /* 3840 */

#if defined(_MSC_VER)
#include <intrin.h>
static inline int hist_log2(uint64_t v)
{
    unsigned long i;
    _BitScanReverse64(&i, v);
    return (int)i;
}
#else
static inline int hist_log2(uint64_t v) { return 63 - __builtin_clzll(v); }   /* v > 0 */
#endif

/* Bucket of v; v must already be clamped to 0..HIST_MAX_VALUE. */
static inline int hist_index(int64_t v)
{
    int s;
    if (v < 2 * HIST_SUB_COUNT) return (int)v;
    s = hist_log2((uint64_t)v) - HIST_SUB_BITS;
    return (s + 1) * HIST_SUB_COUNT + (int)(v >> s) - HIST_SUB_COUNT;
}

/* Smallest value of bucket idx (0 <= idx < HIST_BUCKETS). */
static inline int64_t hist_lowest(int idx)
{
    int s;
    if (idx < 2 * HIST_SUB_COUNT) return idx;
    s = idx / HIST_SUB_COUNT - 1;
    return (int64_t)(idx % HIST_SUB_COUNT + HIST_SUB_COUNT) << s;
}

/* Number of values bucket idx holds (a power of two). */
static inline int64_t hist_width(int idx)
{
    if (idx < 2 * HIST_SUB_COUNT) return 1;
    return (int64_t)1 << (idx / HIST_SUB_COUNT - 1);
}

/* The value a bucket reports: its lower bound plus half its width (exact for width 1). */
static inline int64_t hist_value(int idx)
{
    return hist_lowest(idx) + (hist_width(idx) >> 1);
}

#endif
