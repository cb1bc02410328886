"""Tamper-evident ledger (可追溯): an append-only Merkle log with signed tree heads."""
