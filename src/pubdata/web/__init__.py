"""Shared web plumbing: request-scoped sessions, templates, language, CSRF."""
