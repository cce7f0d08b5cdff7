"""The synchronisation primitives: one module each, listed in `registry.py`."""
