"""The tracking plan and everything that makes one: naming conventions, domain templates,
the setup interview and proposals learned from events already received. Pure: no I/O."""
