"""Pieces every domain shares: clock, errors, canonical JSON, i18n."""
