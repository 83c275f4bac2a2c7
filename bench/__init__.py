"""Benchmarks that print figures (not tests): `make bench` runs `bench/run.py`."""
