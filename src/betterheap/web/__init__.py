"""The HTTP edge: FastAPI app factory, routers and pages."""
