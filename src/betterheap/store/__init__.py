"""Event stores: a Protocol and one module per backend."""
