# Gate.io spot.balances pushes read into the balance parser's BalanceEvent (rows: currency, available,
# freeze, total); everything but parse_c is BalanceParser's.
from engine._parse_balances cimport BalanceParser


cdef class GateBalanceParser(BalanceParser):
    cdef int parse_c(self, const char *buf, Py_ssize_t size) except -2
