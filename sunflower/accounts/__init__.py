"""Users, roles with a unit scope, login."""
