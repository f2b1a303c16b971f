# What every venue parser shares at run time: the record it fills (RecordParser, the one
# type the applier reads), the ParseError boundary and the cold-path view of an ExecRecord.
from engine._exec_record cimport ExecRecord


cdef class RecordParser:
    cdef ExecRecord rec                  # the record the last parse / next_record filled
    cdef readonly Py_ssize_t error_offset  # byte offset of the last ParseError, -1 if none
    cdef int _records_left               # single-record messages: the record not yet handed out

    cdef const ExecRecord *record_c(self) noexcept
    cdef int next_record_c(self) except -1


cdef dict record_to_dict(const ExecRecord *r)
cdef int raise_parse_error(int status, Py_ssize_t offset, Py_ssize_t size) except -1
