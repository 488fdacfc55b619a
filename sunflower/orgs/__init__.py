"""The organisation tree and the cadre roster."""
