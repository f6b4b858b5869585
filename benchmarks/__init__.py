"""Benchmarks: `make bench` → `python -m benchmarks --n N` (see __main__.py)."""
