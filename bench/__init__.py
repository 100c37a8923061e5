"""Load benchmarks for qabot (not tests). Run ``python -m bench.load --help``."""
