"""Consent to the processing of sensitive data, and the person's rights over their own data."""
