"""Datasets: the tutorial's loan scenario as a generator, and German Credit."""

__all__ = []
