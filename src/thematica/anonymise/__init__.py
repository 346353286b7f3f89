"""Anonymisation: find identifiers, replace them consistently, keep the key apart."""
