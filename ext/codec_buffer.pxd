# The owned output buffer every order encoder writes its request into (base of the encoders).


cdef enum:
    WIRE_BUFFER_MIN = 256               # bytes: the smallest capacity an encoder accepts


cdef class WireBuffer:
    cdef char *buf                      # owned, capacity bytes, reused by every request (NULL until allocated)
    cdef size_t capacity                # bytes of buf
    cdef readonly Py_ssize_t length     # bytes of the last request in buf (0 before the first and after an error)
    cdef object _view                   # read-only memoryview over buf[:capacity]
    cdef tuple _heads                   # endpoint -> bytes written before a request (request line, path), or None
    cdef bytes _tail                    # bytes written after a request (the rest of the HTTP head)

    # Allocates buf and its view once (from the subclass's __cinit__); ValueError below WIRE_BUFFER_MIN.
    cdef int _allocate(self, Py_ssize_t capacity) except -1
    # A copy of buf[start:stop] as bytes (cold path); the caller keeps 0 <= start <= stop <= length.
    cdef bytes _copy(self, Py_ssize_t start, Py_ssize_t stop)
    # The whole request: _heads[endpoint] + buf[:length] + _tail, one bytes object (set_frame first).
    cdef bytes _framed(self, Py_ssize_t endpoint)
