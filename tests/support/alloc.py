"""Counting Python allocations: the hot path must allocate no Python object (tests assert 0)."""

import gc
import sys


def allocated_blocks_delta(fn, iterations: int = 100_000, warmup: int = 1_000) -> int:
    """Blocks allocated and kept after ``iterations`` calls of ``fn`` (0 when nothing leaks).

    Counts live memory blocks of the Python allocator, so it sees what calls keep, not
    what they make and free; pair with :func:`python_allocations_per_call_bytes` for
    transient allocations.  The measurement's own bookkeeping (the ``before`` integer)
    is subtracted, so an empty call gives exactly 0.
    """
    return _blocks_delta(fn, iterations, warmup) - _blocks_delta(_noop, iterations, warmup)


def _blocks_delta(fn, iterations: int, warmup: int) -> int:
    for _ in range(warmup):
        fn()
    gc.collect()
    gc.disable()
    try:
        before = sys.getallocatedblocks()
        for _ in range(iterations):
            fn()
        after = sys.getallocatedblocks()
    finally:
        gc.enable()
    return after - before


def traced_peak_bytes(fn, iterations: int = 100_000, warmup: int = 1_000) -> int:
    """Most bytes the Python allocators held above the starting point while ``fn`` ran.

    Unlike :func:`allocated_blocks_delta` this also sees objects made and freed within a
    call, so 0 means the calls allocated no Python object at all.  The loop itself uses
    ``itertools.repeat`` so it allocates nothing; ``fn`` must be a prepared callable.
    """
    import itertools
    import tracemalloc

    for _ in itertools.repeat(None, warmup):
        fn()
    gc.collect()
    gc.disable()
    tracemalloc.start()
    try:
        for _ in itertools.repeat(None, 10):
            fn()
        tracemalloc.reset_peak()
        base, _ = tracemalloc.get_traced_memory()
        for _ in itertools.repeat(None, iterations):
            fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        gc.enable()
    return peak - base


def python_allocations_per_call_bytes(fn, iterations: int = 100_000) -> int:
    """Transient Python allocation of ``fn`` beyond what an empty call costs (0: none).

    Use on calls whose result is None, a bool or a small int; a returned large int or
    str is itself an allocation (the hot path returns through C instead).
    """
    return traced_peak_bytes(fn, iterations) - traced_peak_bytes(_noop, iterations)


def _noop():
    return None
