"""Isolated jobs (作业): reviewed code run on the real data in bubblewrap, outputs checked, held and released
twice before they leave the domain."""

from pubdata.jobs import messages as _messages  # noqa: F401 - declares the domain's words

# Besides service, schemas, rules and messages: the worker (run by the platform) and a job's workspace.
PUBLIC = ("worker", "outputs")
