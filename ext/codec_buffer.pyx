"""The output buffer shared by the order encoders: one malloc'ed block, its length and a view.

:class:`WireBuffer` owns what every encoder (Binance REST and WebSocket API, Bybit,
MEXC, Gate) needs to write a request without allocating: the memory, the length of the
last request and a read-only memoryview over it.  The encoders subclass it and keep
their own fields (signer, endpoint, signature buffers) beside it.

Rules a subclass keeps:

1. Its ``__cinit__`` calls :meth:`_allocate` exactly once, at the point where it wants
   a bad ``capacity`` reported; the base type takes no constructor arguments of its
   own, so each encoder keeps its own signature, defaults and error order.
2. ``buf`` and ``capacity`` never change after that; the view stays valid for the
   object's life and the memory is freed only in ``__dealloc__``.
3. ``length`` is set by the C entry points after a successful write (0 < length <=
   capacity) and reset to 0 by the Python API when a call fails.
"""

from cpython.bytes cimport PyBytes_FromStringAndSize
from cpython.memoryview cimport PyMemoryView_FromMemory
from libc.stdlib cimport free
from libc.stdlib cimport malloc

cdef enum:
    PYBUF_READ = 0x100


cdef class WireBuffer:
    """A reusable request buffer: ``buffer[:length]`` is the last request an encoder wrote.

    Not constructed directly: the encoders subclass it and allocate in their
    constructor (``capacity`` keyword, at least 256 bytes).

    .. DANGER:: ``buffer`` is a view of memory the next call overwrites: copy or send
       it before encoding again.  Not thread-safe: one encoder per thread.
    """

    def __dealloc__(self):
        free(self.buf)

    @property
    def buffer(self):
        """Read-only memoryview over the whole buffer; the last request (query, body or frame) is ``buffer[:length]``."""
        return self._view

    cdef int _allocate(self, Py_ssize_t capacity) except -1:
        if capacity < WIRE_BUFFER_MIN:
            raise ValueError("capacity must be at least 256 bytes")
        self.buf = <char *>malloc(<size_t>capacity)
        if self.buf == NULL:
            raise MemoryError(f"{type(self).__name__} buffer")
        self.capacity = <size_t>capacity
        self.length = 0
        self._view = PyMemoryView_FromMemory(self.buf, capacity, PYBUF_READ)
        return 0

    cdef bytes _copy(self, Py_ssize_t start, Py_ssize_t stop):
        return PyBytes_FromStringAndSize(self.buf + start, stop - start)
