"""Benchmarks of the search library against Optuna, hyperopt and SMAC3.

Run each module as ``python -m benchmarks.<name> [--quick]``; see docs/benchmarks.md.
"""
