# Bybit position pushes (their mark prices) read into the balance parser's BalanceEvent; everything but
# parse_c is BalanceParser's.
from engine._parse_balances cimport BalanceParser


cdef class BybitMarkParser(BalanceParser):
    cdef int parse_c(self, const char *buf, Py_ssize_t size) except -2
