/* 128-bit helpers for positions: weighted average entry and Binance USD-M
 * liquidation price.  Status codes and rounding modes as in fixedpoint.h.  */
#ifndef ENGINE_POSITIONS_MATH_H
#define ENGINE_POSITIONS_MATH_H

#include "fixedpoint.h"

/* (qa * pa + qb * pb) / (qa + qb), all raw, qa, qb >= 0 and not both 0: the average
 * entry price after adding qb at pb to qa at pa.  One rounding, by mode. */
static inline int pos_wavg(int64_t qa, int64_t pa, int64_t qb, int64_t pb, int mode, int64_t *out)
{
    __int128 num = (__int128)qa * pa + (__int128)qb * pb;
    __int128 den = (__int128)qa + qb;
    if (den <= 0) return FP_BADARG;
    return fp_div128(num, den, mode, out);
}

/* Liquidation price of one USD-M position in one-way mode (Binance, "How to Calculate
 * Liquidation Price of USD(S)-M Futures Contracts"):
 *
 *   LP = (WB - TMM1 + UPNL1 + cumB - side * Q * EP) / (Q * MMR_B - side * Q)
 *
 * WB wallet balance (cross wallet, or the isolated wallet of this position), TMM1 and
 * UPNL1 maintenance margin and unrealized PnL of all other positions (0 when isolated),
 * cumB the bracket's maintenance amount, side +1 long / -1 short, Q the absolute size,
 * EP the entry price, MMR_B the bracket's maintenance margin rate.  All raw (8 decimals,
 * MMR too); result raw, rounded half-even.  FP_DIVZERO when the denominator is 0. */
static inline int pos_liquidation_price(int64_t wb, int64_t tmm1, int64_t upnl1, int64_t cum, int side,
                                        int64_t q_abs, int64_t ep, int64_t mmr, int64_t *out)
{
    const __int128 limit = (__int128)1 << 100;
    __int128 num = ((__int128)wb - tmm1 + upnl1 + cum) * FP_SCALE - (__int128)side * q_abs * ep; /* scale 1e16 */
    __int128 den = (__int128)q_abs * mmr - (__int128)side * q_abs * FP_SCALE;                   /* scale 1e16 */
    if (den == 0) return FP_DIVZERO;
    if (den < 0) { num = -num; den = -den; }
    if (num > limit || num < -limit) return FP_OVERFLOW;
    return fp_div128(num * FP_SCALE, den, FP_HALF_EVEN, out);
}

#endif
