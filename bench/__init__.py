"""Benchmarks at national scale (see README, "Benchmarks")."""
