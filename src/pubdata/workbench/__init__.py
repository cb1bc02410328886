"""The workbench (工作台): each organisation's home after login — what waits for it, with counts and links to the
page where it is done, and its figures as charts. Read-only, over the other domains' services."""

from pubdata.workbench import messages as _messages  # noqa: F401 - declares the domain's words
