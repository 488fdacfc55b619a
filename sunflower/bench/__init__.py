"""Benchmarks run by `sunflower bench <name>`, with the few tables they write to.

Each benchmark is a module here exposing `add_arguments(parser)` and `run(options, out)`, listed
in BENCHMARKS of the command. Results are recorded in docs/performance.md.
"""
