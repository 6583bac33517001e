"""Wire formats we accept, each turned into the same ``IncomingEvent``."""
