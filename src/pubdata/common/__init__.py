"""Pieces every domain shares: clock, errors, messages, lifecycle, canonical JSON, digests, identifiers, money.

Imports no domain."""
