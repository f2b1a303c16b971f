# What both venue parsers share at run time: the ParseError boundary and the
# cold-path view of an ExecRecord.
from engine._exec_record cimport ExecRecord


cdef dict record_to_dict(const ExecRecord *r)
cdef int raise_parse_error(int status, Py_ssize_t offset, Py_ssize_t size) except -1
