# Declarations of the fixed-point C core (ext/fixedpoint.h): int64 raw values with
# 8 decimals.  Declaration-only: cimporting these costs no import at run time.
from libc.stdint cimport int64_t


cdef extern from "fixedpoint.h" nogil:
    const int64_t FP_SCALE              # 10**8: raw units per 1
    const int FP_DECIMALS               # 8
    const int FP_FORMAT_MAX             # bytes a formatting buffer needs

    enum fp_status:
        FP_OK
        FP_SYNTAX
        FP_OVERFLOW
        FP_INEXACT
        FP_DIVZERO
        FP_BADARG

    enum fp_rounding:
        FP_EXACT
        FP_DOWN
        FP_UP
        FP_FLOOR
        FP_CEILING
        FP_HALF_UP
        FP_HALF_DOWN
        FP_HALF_EVEN

    int fp_parse(const char *s, size_t n, int mode, int64_t *out)
    size_t fp_format(int64_t v, char *buf)
    int fp_format_fixed(int64_t v, int decimals, int mode, char *buf, size_t *length)
    int fp_add(int64_t a, int64_t b, int64_t *out)
    int fp_sub(int64_t a, int64_t b, int64_t *out)
    int fp_mul(int64_t a, int64_t b, int mode, int64_t *out)
    int fp_div(int64_t a, int64_t b, int mode, int64_t *out)
    int fp_muldiv(int64_t a, int64_t b, int64_t c, int mode, int64_t *out)
    int fp_quantize(int64_t a, int64_t step, int mode, int64_t *out)
