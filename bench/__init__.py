"""Benchmarks (not tests): each module prints the numbers it measures. See `python -m bench`."""
