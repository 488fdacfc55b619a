"""The UI shell: the cadre portal, the staff console, preferences and health checks."""
