"""Shared helpers without models: configuration, crypto, validators, logging."""
