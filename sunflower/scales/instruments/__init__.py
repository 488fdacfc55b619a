"""The shipped instrument files (package data)."""
