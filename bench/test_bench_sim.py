"""pytest-benchmark entry for the simulator's place+cancel throughput (see sim_bench.py)."""

import asyncio

from bench.sim_bench import bench


def test_sim_place_cancel_throughput(benchmark):
    result = benchmark.pedantic(lambda: asyncio.run(bench(2.0, 4)), rounds=1, iterations=1)
    benchmark.extra_info.update(result)
    assert result["pairs_per_second"] > 0
