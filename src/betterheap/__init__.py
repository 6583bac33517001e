"""BetterHeap: self-hostable product analytics."""

__version__ = "0.1.0"
