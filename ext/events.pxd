# Engine events delivered in C: the event, a kind-filtered callback, the bus's core and the order events.
# Declarations only; the logic is in events.pyx.
from libc.stdint cimport int32_t
from libc.stdint cimport int64_t


cdef class Event:
    cdef public object kind            # EventKind
    cdef public int64_t ts_ns          # time.time_ns() when it was made
    cdef public object order           # the order's view (order events), else None
    cdef public object symbol
    cdef dict _data                    # None until read (an order event's fill values are kept raw until then)
    cdef bint _fills                   # data is {"fill_qty", "fill_price"} of the raws below
    cdef int64_t _fill_qty, _fill_price


cdef class Only:
    cdef readonly object callback
    cdef readonly frozenset kinds


cdef class BusCore:
    cdef public list _callbacks        # every subscribed callback (an Only for a kind-filtered one)
    cdef public list _balance          # the callbacks that take balance_changed
    cdef public list _streams          # weak references to the async streams
    cdef public dict _kinds            # kind -> callbacks subscribed to it alone (kept > 0)
    cdef public Py_ssize_t _every      # callbacks subscribed to every kind
    cdef public int64_t emitted
    cdef bint takes(self, object kind)
    cdef int deliver(self, Event ev) except -1
    cdef int _call(self, object cb, Event ev) except -1


cdef class OrderEvents:
    cdef BusCore bus
    cdef object view_of
    cdef list kind_of                  # EventKind by OrderEvent value
    cdef object accepted               # EventKind.ACCEPTED
    cdef object emit_c(self, int32_t slot, int event, int prev_state, int64_t fill_qty, int64_t fill_price)
