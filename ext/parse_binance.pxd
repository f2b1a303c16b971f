# Binance hot-message parser: executionReport (spot user data, bare or wrapped in
# the WS-API {"subscriptionId","event"} envelope), USD-M ORDER_TRADE_UPDATE and
# ALGO_UPDATE, and order REST / WS-API responses (ACK, RESULT, FULL, cancel, errors).
from engine._parse_common cimport RecordParser


cdef class BinanceParser(RecordParser):
    # rec: the record the last parse filled (kind MSG_NONE after an error)
    cdef readonly bint futures           # USD-M vocabulary (TAKE_PROFIT is a limit order there)

    cdef int parse_c(self, const char *buf, Py_ssize_t size) except -1
