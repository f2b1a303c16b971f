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

A venue whose request is a fixed head, the encoded part and a fixed tail (an HTTP request
line with its path and query, then the headers) hands those to :meth:`set_frame` once; its
encoder's ``*_request`` methods then return the whole request in one bytes object, with
no join or slice in Python.
"""

from cpython.bytes cimport PyBytes_AS_STRING
from cpython.bytes cimport PyBytes_FromStringAndSize
from cpython.bytes cimport PyBytes_GET_SIZE
from cpython.tuple cimport PyTuple_GET_ITEM
from cpython.tuple cimport PyTuple_GET_SIZE
from libc.string cimport memcpy
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

    def set_frame(self, heads, bytes tail not None):
        """What ``*_request`` methods write around a request: ``heads[endpoint]`` before, ``tail`` after.

        ``heads`` is a sequence indexed by the encoder's endpoint numbers (bytes, or None
        for an endpoint the caller never frames).
        """
        heads = tuple(heads)
        for head in heads:
            if head is not None and not isinstance(head, bytes):
                raise TypeError("each head must be bytes or None")
        self._heads = heads
        self._tail = tail

    cdef bytes _framed(self, Py_ssize_t endpoint):
        cdef object head
        cdef bytes out
        cdef char *p
        cdef Py_ssize_t hn, tn
        if self._heads is None or endpoint < 0 or endpoint >= PyTuple_GET_SIZE(self._heads):
            raise ValueError("no frame for this endpoint (set_frame first)")
        head = <object>PyTuple_GET_ITEM(self._heads, endpoint)
        if head is None:
            raise ValueError(f"no frame for endpoint {endpoint}")
        hn = PyBytes_GET_SIZE(head)
        tn = PyBytes_GET_SIZE(self._tail)
        out = PyBytes_FromStringAndSize(NULL, hn + self.length + tn)
        p = PyBytes_AS_STRING(out)
        memcpy(p, PyBytes_AS_STRING(head), <size_t>hn)
        memcpy(p + hn, self.buf, <size_t>self.length)
        memcpy(p + hn + self.length, PyBytes_AS_STRING(self._tail), <size_t>tn)
        return out
