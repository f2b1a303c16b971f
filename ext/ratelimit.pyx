"""Rate-limit windows and the take of one request over them, compiled.

:class:`engine.transport.ratelimit.RateLimiter` keeps its rules (pauses, bans, waits, the
reserve for cancels) in Python; what runs for every order is here: a :class:`Window`'s
count, rolled to the clock, and :meth:`TakePlan.take`, the check-then-count of one
request over every window it touches.  A rolling window keeps its events in a C ring
(time, units) instead of a deque of tuples, so counting a request allocates nothing.

Rules, as the Python windows had them:

1. An aligned window restarts at each multiple of ``seconds`` of the clock (``now - now % seconds``,
   Python's float modulo), its count then 0.
2. A rolling window counts the events taken in ``(now - seconds, now]``: older ones are dropped
   (an event exactly ``seconds`` old is gone).
3. A take fits when, for every window, ``used + units <= cap``; then, and only then, every
   window counts it (all or nothing).
4. Before any window: no request during a ban, and none but cancels during a pause unless the
   kill switch is on (:class:`TakeGate`, whose plans are found by the Cost object's identity).
"""

cimport cython
from cpython.list cimport PyList_GET_ITEM
from cpython.list cimport PyList_GET_SIZE
from libc.math cimport fmod
from libc.stdint cimport int64_t
from libc.stdlib cimport free
from libc.stdlib cimport malloc

__all__ = ["Window", "TakePlan", "TakeGate"]

cdef enum:
    RING_START = 16              # events a rolling window makes room for at first


cdef inline double _pymod(double a, double b) noexcept:
    """``a % b`` as Python computes it for floats (the result takes the divisor's sign)."""
    cdef double r = fmod(a, b)
    if r != 0.0 and ((r < 0.0) != (b < 0.0)):
        r += b
    return r


cdef class Window:
    """One limit: ``limit`` units per ``seconds``, clock-aligned (Binance) or rolling (Bybit, MEXC).

    Parameters
    ----------
    name : str
        The window's name (usage headers name it, e.g. ``weight-1m``).
    limit : int
        Units per window (positive).
    seconds : float
        The window's length (positive).
    aligned : bool
        Clock-aligned (True) or rolling (False).

    Raises
    ------
    ValueError
        ``limit`` or ``seconds`` not positive.
    """

    def __cinit__(self, str name not None, int64_t limit, double seconds, *, bint aligned=True):
        if limit <= 0 or not seconds > 0:
            raise ValueError(f"window {name}: limit and seconds must be positive")
        self.name = name
        self.limit = limit
        self.seconds = seconds
        self.aligned = aligned
        self.used = 0
        self.start = 0.0
        self.ev_t = NULL
        self.ev_n = NULL
        self.ev_head = self.ev_len = self.ev_cap = 0

    def __dealloc__(self):
        free(self.ev_t)
        free(self.ev_n)

    def __repr__(self):
        return (f"Window({self.name!r}, limit={self.limit}, seconds={self.seconds:g}, aligned={self.aligned}, "
                f"used={self.used})")

    @property
    def events(self):
        """A rolling window's counted events, oldest first: ``[(clock s, units), ...]`` (a copy)."""
        return [(self.ev_t[(self.ev_head + i) % self.ev_cap], self.ev_n[(self.ev_head + i) % self.ev_cap])
                for i in range(self.ev_len)]

    cdef int roll_c(self, double now) except -1:
        """Rule 1 or 2: the count brought to ``now``."""
        cdef double start, horizon
        cdef Py_ssize_t head
        if self.aligned:
            start = now - _pymod(now, self.seconds)
            if start != self.start:
                self.start = start
                self.used = 0
            return 0
        horizon = now - self.seconds
        head = self.ev_head
        while self.ev_len and self.ev_t[head] <= horizon:
            self.used -= self.ev_n[head]
            head += 1
            if head == self.ev_cap:
                head = 0
            self.ev_len -= 1
        self.ev_head = head
        return 0

    cdef int push_c(self, double now, int64_t units) except -1:
        """A rolling window's event, at the ring's end (grown when full)."""
        cdef Py_ssize_t cap, i, k
        cdef double *t
        cdef int64_t *n
        if self.ev_len == self.ev_cap:
            cap = self.ev_cap * 2 if self.ev_cap else RING_START
            t = <double *>malloc(cap * sizeof(double))
            n = <int64_t *>malloc(cap * sizeof(int64_t))
            if t == NULL or n == NULL:
                free(t)
                free(n)
                raise MemoryError()
            for i in range(self.ev_len):          # unwrapped, oldest first
                k = (self.ev_head + i) % self.ev_cap
                t[i] = self.ev_t[k]
                n[i] = self.ev_n[k]
            free(self.ev_t)
            free(self.ev_n)
            self.ev_t, self.ev_n, self.ev_cap, self.ev_head = t, n, cap, 0
        k = self.ev_head + self.ev_len
        if k >= self.ev_cap:
            k -= self.ev_cap
        self.ev_t[k] = now
        self.ev_n[k] = units
        self.ev_len += 1
        return 0

    cdef int64_t cap_c(self, double share) noexcept:
        cdef int64_t cap
        if share >= 1.0 or self.limit <= 1:
            return self.limit
        cap = <int64_t>(self.limit * share)
        return cap if cap > 1 else 1

    def _roll(self, double now):
        self.roll_c(now)

    def cap(self, double share):
        """Units usable at ``share`` of the limit (a limit of 1 cannot hold anything back)."""
        return self.cap_c(share)

    def fits(self, int64_t cost, double now, double share=1.0):
        self.roll_c(now)
        return cost <= 0 or self.used + cost <= self.cap_c(share)

    def take(self, int64_t cost, double now):
        if cost <= 0:
            return
        self.roll_c(now)
        self.used += cost
        if not self.aligned:
            self.push_c(now, cost)

    def wait_time(self, int64_t cost, double now, double share=1.0):
        """Seconds until ``cost`` fits (0 if it fits now)."""
        cdef int64_t need, freed = 0
        cdef Py_ssize_t i, k
        if self.fits(cost, now, share):
            return 0.0
        if self.aligned:
            return self.start + self.seconds - now
        need = self.used + cost - self.cap_c(share)
        for i in range(self.ev_len):
            k = (self.ev_head + i) % self.ev_cap
            freed += self.ev_n[k]
            if freed >= need:
                return max(0.0, self.ev_t[k] + self.seconds - now)
        return self.seconds

    def sync(self, int64_t used, double now):
        """The venue's count for the current window: trust it when higher than ours."""
        cdef int64_t extra
        self.roll_c(now)
        if used > self.used:
            extra = used - self.used
            self.used = used
            if not self.aligned:
                self.push_c(now, extra)


cdef class TakePlan:
    """``(window, units, cap)`` for each window one kind of request touches (units > 0).

    :meth:`take` is rule 3: all or nothing.
    """

    def __cinit__(self, entries):
        cdef list items = list(entries)
        cdef Py_ssize_t i
        self.n = len(items)
        self.units = <int64_t *>malloc((self.n or 1) * sizeof(int64_t))
        self.caps = <int64_t *>malloc((self.n or 1) * sizeof(int64_t))
        if self.units == NULL or self.caps == NULL:
            raise MemoryError()
        windows = []
        for i in range(self.n):
            w, units, cap = items[i]
            if not isinstance(w, Window):
                raise TypeError("a plan's windows are Window objects")
            windows.append(w)
            self.units[i] = units
            self.caps[i] = cap
        self.windows = tuple(windows)

    def __dealloc__(self):
        free(self.units)
        free(self.caps)

    def __len__(self):
        return self.n

    def entries(self):
        """``[(window, units, cap), ...]``."""
        return [(self.windows[i], self.units[i], self.caps[i]) for i in range(self.n)]

    @cython.boundscheck(False)
    @cython.wraparound(False)
    cdef int take_c(self, double now) except -1:
        cdef Py_ssize_t i
        cdef Window w
        if not self.fits_c(now):
            return 0
        for i in range(self.n):
            w = <Window>self.windows[i]
            w.used += self.units[i]
            if not w.aligned:
                w.push_c(now, self.units[i])
        return 1

    @cython.boundscheck(False)
    @cython.wraparound(False)
    cdef int fits_c(self, double now) except -1:
        """:meth:`take_c` without the count: 1 when the request would fit every window at ``now``, else 0 (the
        windows rolled to ``now``, as any take would)."""
        cdef Py_ssize_t i
        cdef Window w
        for i in range(self.n):
            w = <Window>self.windows[i]
            w.roll_c(now)
            if w.used + self.units[i] > self.caps[i]:
                return 0
        return 1

    def take(self, double now):
        """Count the request at ``now`` if it fits every window (True), else change nothing (False)."""
        return self.take_c(now) == 1


cdef class TakeGate:
    """Rule 4, then the request's plan: :meth:`take` is ``RateLimiter.try_take`` without a Python step.

    Plans are kept per Cost object, found by identity (a venue has a handful: place, cancel, a
    few endpoints); the gate holds the Cost objects, so an identity stays theirs.
    """

    def __cinit__(self, clock not None):
        self.banned_until = 0.0
        self.paused_until = 0.0
        self.risk_off = False
        self.clock = clock
        self.costs = []
        self.plans = []

    def put(self, cost, TakePlan plan not None):
        """Keep ``plan`` as the plan of ``cost`` (this very object)."""
        cdef Py_ssize_t i
        for i in range(len(self.costs)):
            if self.costs[i] is cost:
                self.plans[i] = plan
                return
        self.costs.append(cost)
        self.plans.append(plan)

    def clear(self):
        """Forget every plan (the windows or their figures changed)."""
        self.costs.clear()
        self.plans.clear()

    cdef TakePlan _ready(self, cost, double now, int *code):
        """The plan of ``cost`` when nothing stops a request now; else None with ``code`` set to what
        :meth:`take` answers (0, -1, -2)."""
        cdef Py_ssize_t i, n = PyList_GET_SIZE(self.costs)
        if now < self.banned_until:
            code[0] = -1
            return None
        if now < self.paused_until and not self.risk_off and not cost.cancel:
            code[0] = 0
            return None
        for i in range(n):
            if <object>PyList_GET_ITEM(self.costs, i) is cost:
                return <TakePlan>PyList_GET_ITEM(self.plans, i)
        code[0] = -2
        return None

    def take(self, cost):
        """1: ``cost`` taken; 0: no room now, or paused (nothing taken); -1: banned (nothing taken: the
        caller raises); -2: no plan for this Cost object yet (:meth:`put` one, then take again)."""
        cdef double now = self.clock()
        cdef int code = 0
        cdef TakePlan plan = self._ready(cost, now, &code)
        return code if plan is None else plan.take_c(now)

    def fits(self, cost):
        """:meth:`take` with nothing taken: whether ``cost`` would be taken now (1), or what :meth:`take` would
        answer otherwise (0, -1, -2).  A busy-polling engine's warm-up reads the budget so (``OrderEntry.warm``)."""
        cdef double now = self.clock()
        cdef int code = 0
        cdef TakePlan plan = self._ready(cost, now, &code)
        return code if plan is None else plan.fits_c(now)
