"""Refusals: the one way the platform says no.

``raise Refused("catalog.code-taken", code=body.code)`` names a rule its domain declared in ``messages.py``
(status, a zh-CN and an English sentence with named parameters); ``app.py`` turns it into an RFC 9457
problem+json answer or an error page, in the request's language. A refusal that must be remembered although
the request fails (a use outside the authorized scope, a refused query) carries the ledger entry to append:
the unit of work rolls the command back and records that entry in a short transaction of its own.

A few families are subclasses, so that a caller can catch exactly what it handles (``QueryRefused`` …); the
rule, not the class, decides the status and the sentence.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from pubdata.common import messages
from pubdata.common.actor import Actor


@dataclass(frozen=True)
class RefusalEntry:
    """What the ledger keeps of a refusal that must not go unrecorded."""

    actor: Actor
    action: str
    subject: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)


class Refused(Exception):
    """A refusal the platform gives on purpose, by a declared rule."""

    def __init__(
        self,
        rule: str,
        /,
        *,
        extra: dict[str, Any] | None = None,
        entry: RefusalEntry | None = None,
        **params: Any,
    ) -> None:
        self.declared = messages.refusal(rule)  # an undeclared rule fails here, where it is raised
        missing = self.declared.parameters - set(params)
        if missing:
            raise TypeError(f"refusal {rule} needs {', '.join(sorted(missing))}")
        super().__init__(rule)
        self.rule, self.params, self.extra, self.entry = rule, params, dict(extra or {}), entry

    @property
    def status(self) -> int:
        return self.declared.status

    def detail_in(self, lang: str) -> str:
        return self.declared.sentence(lang, self.params)

    def title_in(self, lang: str) -> str:
        return messages.title(self.status, lang)

    def recorded(self, entry: RefusalEntry) -> Refused:
        """This refusal, to be kept in the ledger (as ``entry``) although the request fails."""
        self.entry = entry
        return self

    @property
    def detail(self) -> str:
        """The sentence in the platform's first language."""
        return self.detail_in(messages.DEFAULT_LANGUAGE)

    def __str__(self) -> str:
        return f"[{self.rule}] {self.detail_in('en')}"


@contextmanager
def refusals_recorded(actor: Actor, action: str, where: list[str], payload: dict[str, Any]) -> Iterator[None]:
    """A refusal raised inside is kept in the ledger as ``action`` (with its rule beside ``payload``), under the
    subject ``where[0]`` names when it is raised — a call's contract once the read step found it, else its
    product — unless the refusal already carries an entry of its own."""
    try:
        yield
    except Refused as error:
        if error.entry is None:
            error.recorded(RefusalEntry(actor, action, where[0], {**payload, "rule": error.rule}))
        raise
