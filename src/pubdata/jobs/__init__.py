"""Isolated jobs (作业): reviewed code run on the real data in bubblewrap, outputs checked, held and released
twice before they leave the domain."""

from pubdata.jobs import messages as _messages  # noqa: F401 - declares the domain's words
