/* Fixed-point int64 numbers with 8 decimals (scale 10^8): parse, format, and
 * arithmetic with 128-bit intermediates.  Every function returns a status code
 * (FP_OK on success) and writes its result through a pointer; nothing allocates,
 * nothing touches Python, everything is safe to call without the GIL.  */
#ifndef ENGINE_FIXEDPOINT_H
#define ENGINE_FIXEDPOINT_H

#include <stddef.h>
#include <stdint.h>

#define FP_SCALE 100000000LL
#define FP_DECIMALS 8
#define FP_FORMAT_MAX 24 /* "-92233720368.54775808" is 21 characters */

enum fp_status {
    FP_OK = 0,
    FP_SYNTAX = 1,   /* not -?[0-9]+(\.[0-9]+)? */
    FP_OVERFLOW = 2, /* result does not fit int64 raw */
    FP_INEXACT = 3,  /* more precision than allowed and rounding mode is FP_EXACT */
    FP_DIVZERO = 4,
    FP_BADARG = 5    /* decimals out of range, step <= 0, unknown rounding mode */
};

/* Rounding modes, named and behaving as in Python's decimal module. */
enum fp_rounding {
    FP_EXACT = 0,     /* refuse to round: FP_INEXACT */
    FP_DOWN = 1,      /* toward zero */
    FP_UP = 2,        /* away from zero */
    FP_FLOOR = 3,     /* toward -infinity */
    FP_CEILING = 4,   /* toward +infinity */
    FP_HALF_UP = 5,   /* nearest, ties away from zero */
    FP_HALF_DOWN = 6, /* nearest, ties toward zero */
    FP_HALF_EVEN = 7  /* nearest, ties to even */
};

static const int64_t fp_pow10[9] = {
    1LL, 10LL, 100LL, 1000LL, 10000LL, 100000LL, 1000000LL, 10000000LL, 100000000LL};

/* Whether the magnitude must grow by one.  cmp_half: -1 remainder below half,
 * 0 exactly half, +1 above half (remainder known non-zero).  */
static inline int fp_round_up_magnitude(int mode, int negative, int odd, int cmp_half)
{
    switch (mode) {
    case FP_DOWN: return 0;
    case FP_UP: return 1;
    case FP_FLOOR: return negative;
    case FP_CEILING: return !negative;
    case FP_HALF_UP: return cmp_half >= 0;
    case FP_HALF_DOWN: return cmp_half > 0;
    case FP_HALF_EVEN: return cmp_half > 0 || (cmp_half == 0 && odd);
    default: return 0;
    }
}

static inline int fp_valid_mode(int mode) { return mode >= FP_EXACT && mode <= FP_HALF_EVEN; }

static inline int fp_from_magnitude(unsigned __int128 mag, int negative, int64_t *out)
{
    if (negative) {
        if (mag > (unsigned __int128)INT64_MAX + 1) return FP_OVERFLOW;
        *out = (int64_t)(0 - (uint64_t)mag);
    } else {
        if (mag > (unsigned __int128)INT64_MAX) return FP_OVERFLOW;
        *out = (int64_t)mag;
    }
    return FP_OK;
}

/* num / den rounded by mode into an int64.  den must be > 0. */
static inline int fp_div128(__int128 num, __int128 den, int mode, int64_t *out)
{
    if (den <= 0) return den == 0 ? FP_DIVZERO : FP_BADARG;
    if (!fp_valid_mode(mode)) return FP_BADARG;
    int negative = num < 0;
    unsigned __int128 mag = negative ? (unsigned __int128)0 - (unsigned __int128)num : (unsigned __int128)num;
    unsigned __int128 d = (unsigned __int128)den;
    unsigned __int128 q = mag / d, r = mag % d;
    if (r != 0) {
        if (mode == FP_EXACT) return FP_INEXACT;
        unsigned __int128 twice = r * 2; /* r < d <= 2^127, no overflow */
        int cmp_half = twice < d ? -1 : (twice == d ? 0 : 1);
        q += (unsigned)fp_round_up_magnitude(mode, negative, (int)(q & 1), cmp_half);
    }
    return fp_from_magnitude(q, negative, out);
}

/* a * b (both raw) -> raw, rounded by mode. */
static inline int fp_mul(int64_t a, int64_t b, int mode, int64_t *out)
{
    return fp_div128((__int128)a * (__int128)b, FP_SCALE, mode, out);
}

/* a / b (both raw) -> raw, rounded by mode. */
static inline int fp_div(int64_t a, int64_t b, int mode, int64_t *out)
{
    if (b == 0) return FP_DIVZERO;
    __int128 num = (__int128)a * FP_SCALE, den = b;
    if (den < 0) { num = -num; den = -den; }
    return fp_div128(num, den, mode, out);
}

/* a * b / c with one rounding (for notional / price and average prices). c != 0. */
static inline int fp_muldiv(int64_t a, int64_t b, int64_t c, int mode, int64_t *out)
{
    if (c == 0) return FP_DIVZERO;
    __int128 num = (__int128)a * (__int128)b, den = c;
    if (den < 0) { num = -num; den = -den; }
    return fp_div128(num, den, mode, out);
}

static inline int fp_add(int64_t a, int64_t b, int64_t *out)
{
    return __builtin_add_overflow(a, b, out) ? FP_OVERFLOW : FP_OK;
}

static inline int fp_sub(int64_t a, int64_t b, int64_t *out)
{
    return __builtin_sub_overflow(a, b, out) ? FP_OVERFLOW : FP_OK;
}

/* Round a to a multiple of step (> 0), e.g. a price to its tick. */
static inline int fp_quantize(int64_t a, int64_t step, int mode, int64_t *out)
{
    int64_t n;
    if (step <= 0) return FP_BADARG;
    int st = fp_div128((__int128)a, (__int128)step, mode, &n);
    if (st != FP_OK) return st;
    return __builtin_mul_overflow(n, step, out) ? FP_OVERFLOW : FP_OK;
}

/* Parse -?[0-9]+(\.[0-9]+)? exactly.  More than 8 decimals: FP_INEXACT in
 * FP_EXACT mode, otherwise rounded by mode.  No spaces, signs other than a
 * leading '-', exponents, or empty parts.  */
static inline int fp_parse(const char *s, size_t n, int mode, int64_t *out)
{
    size_t i = 0;
    int negative = 0, too_big = 0, nf = 0, first_extra = -1, sticky = 0;
    uint64_t ip = 0, frac = 0;
    if (!fp_valid_mode(mode)) return FP_BADARG;
    if (n > 0 && s[0] == '-') { negative = 1; i = 1; }
    if (i >= n || s[i] < '0' || s[i] > '9') return FP_SYNTAX;
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
        if (ip > 1000000000000ULL) too_big = 1; /* keep scanning so syntax errors win */
        else ip = ip * 10 + (uint64_t)(s[i] - '0');
    }
    if (i < n && s[i] == '.') {
        i++;
        if (i >= n || s[i] < '0' || s[i] > '9') return FP_SYNTAX;
        for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
            int d = s[i] - '0';
            if (nf < FP_DECIMALS) { frac = frac * 10 + (uint64_t)d; nf++; }
            else if (first_extra < 0) first_extra = d;
            else if (d) sticky = 1;
        }
    }
    if (i != n) return FP_SYNTAX;
    if (too_big) return FP_OVERFLOW;
    frac *= (uint64_t)fp_pow10[FP_DECIMALS - nf];
    unsigned __int128 mag = (unsigned __int128)ip * FP_SCALE + frac;
    if (first_extra > 0 || sticky) {
        if (mode == FP_EXACT) return FP_INEXACT;
        int cmp_half = first_extra < 5 ? -1 : (first_extra == 5 && !sticky ? 0 : 1);
        mag += (unsigned)fp_round_up_magnitude(mode, negative, (int)(mag & 1), cmp_half);
    }
    return fp_from_magnitude(mag, negative, out);
}

/* Shortest decimal form (trailing zeros trimmed, no '.' for integers).
 * buf needs FP_FORMAT_MAX bytes; returns the length written (no NUL).  */
static inline size_t fp_format(int64_t v, char *buf)
{
    char tmp[FP_FORMAT_MAX];
    size_t n = 0, k = 0;
    uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    uint64_t ip = mag / (uint64_t)FP_SCALE, fr = mag % (uint64_t)FP_SCALE;
    if (v < 0) buf[n++] = '-';
    do { tmp[k++] = (char)('0' + ip % 10); ip /= 10; } while (ip);
    while (k) buf[n++] = tmp[--k];
    if (fr) {
        int digits = FP_DECIMALS;
        while (fr % 10 == 0) { fr /= 10; digits--; }
        buf[n++] = '.';
        for (int j = digits - 1; j >= 0; j--) { buf[n + (size_t)j] = (char)('0' + fr % 10); fr /= 10; }
        n += (size_t)digits;
    }
    return n;
}

/* Exactly `decimals` (0..8) decimals, rounding by mode when the value has more.
 * Writes into buf (FP_FORMAT_MAX bytes) and stores the length in *len.  */
static inline int fp_format_fixed(int64_t v, int decimals, int mode, char *buf, size_t *len)
{
    int64_t q;
    if (decimals < 0 || decimals > FP_DECIMALS) return FP_BADARG;
    int64_t unit = fp_pow10[FP_DECIMALS - decimals];
    int st = fp_div128((__int128)v, (__int128)unit, mode, &q);
    if (st != FP_OK) return st;
    char tmp[FP_FORMAT_MAX];
    size_t n = 0, k = 0;
    int negative = q < 0;
    uint64_t mag = negative ? (uint64_t)0 - (uint64_t)q : (uint64_t)q;
    for (int j = 0; j < decimals; j++) { tmp[k++] = (char)('0' + mag % 10); mag /= 10; }
    if (decimals) tmp[k++] = '.';
    do { tmp[k++] = (char)('0' + mag % 10); mag /= 10; } while (mag);
    if (negative) buf[n++] = '-';
    while (k) buf[n++] = tmp[--k];
    *len = n;
    return FP_OK;
}

#endif
