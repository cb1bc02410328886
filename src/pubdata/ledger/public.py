"""What the public ledger shows of an entry: its place in the tree for everyone, and what happened in words.

Every entry stays a leaf of the tree (its leaf hash and proofs are the same for everyone), but the public view
is not the control plane's row:

- an entry whose action is ``PERSONAL`` (a person's session, account or token — declared with the action, in
  its domain's ``messages.py``) shows only as an internal operation (内部操作): no actor, no subject, no
  digests, no action code;
- any other shows its action's label, the organisation that acted (or the platform), and what it acted on by
  kind, named and linked when the subject has a public page (a registered resource's catalogue page);
- never an internal code (``user:7``, ``contract:3``) or the leaf's document, which holds them: the auditor
  reads those through the payload API, and that read is itself recorded.

A domain whose objects have public pages says so with ``publish``: for a subject kind (its table's name), a
function from ids to pages. The view asks each once per listing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from pubdata.common import messages
from pubdata.common.messages import Pair
from pubdata.ledger.models import LedgerEntry

INTERNAL: Pair = ("内部操作", "Internal operation")
PLATFORM: Pair = ("平台", "The platform")
ORGANISATION: Pair = ("机构", "An organisation")


@dataclass(frozen=True)
class Page:
    """A subject's public name and, when it has one, the path of its public page."""

    title: str
    path: str | None = None


Pages = Callable[[Session, set[int]], Mapping[int, Page]]
_PUBLISHERS: dict[str, Pages] = {}


def publish(kind: str, pages: Pages) -> None:
    """``kind``'s objects have public names (and pages): ``pages(session, ids)`` gives those it may show."""
    if _PUBLISHERS.get(kind, pages) is not pages:
        raise ValueError(f"{kind} is published twice")
    _PUBLISHERS[kind] = pages


@dataclass(frozen=True)
class Subject:
    kind: Pair
    title: str | None = None
    path: str | None = None


@dataclass(frozen=True)
class PublicEntry:
    """An entry as anyone may see it."""

    seq: int
    time: str
    leaf_hash: bytes
    internal: bool
    action: str | None
    label: Pair
    actor: Pair | str | None
    subject: Subject | None
    payload_digest: str | None
    state_digest: str | None


def _split(subject: str | None) -> tuple[str, int] | None:
    kind, _, number = (subject or "").partition(":")
    return (kind, int(number)) if number.isdigit() and len(number) < 19 else None


def view(session: Session, entries: Iterable[LedgerEntry]) -> list[PublicEntry]:
    entries = list(entries)
    shown = [entry for entry in entries if not messages.is_personal(entry.action)]
    wanted: dict[str, set[int]] = defaultdict(set)
    for entry in shown:
        if entry.organisation_id is not None:
            wanted["organisation"].add(entry.organisation_id)
        if (split := _split(entry.subject)) is not None:
            wanted[split[0]].add(split[1])
    pages = {kind: _PUBLISHERS[kind](session, ids) for kind, ids in wanted.items() if kind in _PUBLISHERS}
    return [_public(entry, pages) for entry in entries]


def _public(entry: LedgerEntry, pages: Mapping[str, Mapping[int, Page]]) -> PublicEntry:
    if messages.is_personal(entry.action):
        return PublicEntry(entry.seq, entry.recorded_at, entry.leaf_hash, True, None, INTERNAL, None, None, None, None)
    return PublicEntry(
        seq=entry.seq,
        time=entry.recorded_at,
        leaf_hash=entry.leaf_hash,
        internal=False,
        action=entry.action,
        label=messages.action(entry.action),
        actor=_actor(entry, pages),
        subject=_subject(entry.subject, pages),
        payload_digest=entry.payload_digest,
        state_digest=entry.state_digest,
    )


def _actor(entry: LedgerEntry, pages: Mapping[str, Mapping[int, Page]]) -> Pair | str:
    """The organisation that acted, by name; never the person (a user's code is internal)."""
    if entry.organisation_id is None:
        return PLATFORM
    organisation = pages.get("organisation", {}).get(entry.organisation_id)
    return organisation.title if organisation else ORGANISATION


def _subject(subject: str | None, pages: Mapping[str, Mapping[int, Page]]) -> Subject | None:
    split = _split(subject)
    if split is None:
        return None
    kind, number = split
    key = f"subject.{kind}"
    kind_label = messages.label_pair(key) if messages.is_label(key) else ("对象", "Object")
    page = pages.get(kind, {}).get(number)
    return Subject(kind_label, page.title, page.path) if page else Subject(kind_label)


# An entry's own page is the proof check anyone can run.
publish("ledger_entry", lambda session, ids: {seq: Page(f"#{seq}", f"/ledger/check?seq={seq}") for seq in ids})
