"""Benchmarks: pytest-benchmark micro benchmarks (``make bench``) and the long runs (``python -m bench.<name>``)."""
