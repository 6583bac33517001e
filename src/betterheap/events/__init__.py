"""The event model: ids, timestamps and the normalized event shape (no I/O)."""
