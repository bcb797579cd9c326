"""Benchmarks: `make bench` (python -m bench). Each figure is measured against a floor taken
in the same run, so the ratio means something on any machine."""
