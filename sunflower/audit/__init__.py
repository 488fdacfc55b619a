"""The audit trail: append-only records of consequential writes and every sensitive read."""
