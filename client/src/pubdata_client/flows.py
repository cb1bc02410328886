"""The consumer's three flows, each over the platform's API and the protocol's client half:

- ``match``: which items are in the product's set (PSI); the platform learns how many were asked;
- ``lookup``: a label for each item in the set, none for the others (labelled lookup); the label table is
  fetched once per set version and opened here, so the platform learns how many, never which;
- ``score``: the joint score of each subject (encrypted joint scoring); the features leave this machine only as
  CKKS ciphertexts under the consumer's key, the score comes back as one, decrypted here.

Each fetches the offer, keeps a set version's setup in the key store (one download per version), asks in runs of
the offer's ``max_items_per_run`` with a fresh nonce each, and reports progress in items. Items asked twice are
asked once: a duplicate would spend quota and tell nothing new.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from pubdata_client.api import Api
from pubdata_client.keys import KeyStore
from pubdata_client.problems import PROTOCOL_WORDS, ClientProblem
from pubdata_protocol.messages import (
    MAX_CIPHERTEXT,
    MAX_SLOTS,
    Offer,
    RunAnswer,
    RunRequest,
    ScoringRequest,
    decode,
    encode,
    new_nonce,
)

Progress = Callable[[int], None]  # called with the number of items a run has just answered


@dataclass
class Report:
    """What the runs were: the set version, their ids on the platform (the ledger names them), the bytes."""

    product: str
    set_version: str
    items: int = 0
    runs: list[int] = field(default_factory=list)
    sent: int = 0
    received: int = 0


def offer_for(api: Api, code: str, protocol: str) -> Offer:
    offer = api.offer(code)
    if offer.protocol != protocol:
        found, wanted = PROTOCOL_WORDS[offer.protocol], PROTOCOL_WORDS[protocol]
        raise ClientProblem(
            "flow.protocol", product=code, found=found[0], wanted=wanted[0], found_en=found[1], wanted_en=wanted[1]
        )
    return offer


def _unique(items: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _chunks(items: Sequence[str], size: int) -> list[Sequence[str]]:
    return [items[start : start + size] for start in range(0, len(items), size)]


def _check_quota(offer: Offer, count: int) -> None:
    if count == 0:
        raise ClientProblem("flow.no-items")
    if count > offer.items_left:
        raise ClientProblem("flow.quota", items=count, left=offer.items_left)


def setup_for(api: Api, store: KeyStore, offer: Offer) -> bytes:
    """The set version's setup or label table: from the key store if kept, else fetched once and kept."""
    kept = store.cached_setup(offer.product, offer.set_version)
    if kept is not None and (offer.setup_bytes is None or len(kept) == offer.setup_bytes):
        return kept
    data = api.setup(offer.product, offer.set_version)
    if offer.setup_bytes is not None and len(data) != offer.setup_bytes:
        raise ClientProblem("flow.setup-size", found=len(data), expected=offer.setup_bytes)
    store.keep_setup(offer.product, offer.set_version, data)
    return data


def _ask(api: Api, offer: Offer, protocol: str, count: int, message: bytes) -> RunAnswer:
    assert offer.key_id is not None  # a PSI or lookup offer names the server's key
    request = RunRequest(
        protocol=protocol,  # type: ignore[arg-type]  # "psi" or "labelled_lookup", checked by offer_for
        set_version=offer.set_version,
        key_id=offer.key_id,
        nonce=new_nonce(),
        items=count,
        message=encode(message),
    )
    answer = api.run(offer.product, request)
    if answer.items != count or answer.set_version != offer.set_version or answer.key_id != offer.key_id:
        raise ClientProblem("flow.answer", what="items/set_version/key_id")
    return answer


def _report(api: Api, offer: Offer, start: tuple[int, int]) -> Report:
    return Report(
        product=offer.product, set_version=offer.set_version, sent=api.sent - start[0], received=api.received - start[1]
    )


def match(
    api: Api, code: str, items: Sequence[str], *, store: KeyStore, progress: Progress | None = None
) -> tuple[list[bool], Report]:
    """For each item, in order: is it in the product's set."""
    from pubdata_client.psi import PsiRun

    start = (api.sent, api.received)
    offer = offer_for(api, code, "psi")
    unique = _unique(items)
    _check_quota(offer, len(unique))
    setup = setup_for(api, store, offer)
    report = _report(api, offer, start)
    found: dict[str, bool] = {}
    for chunk in _chunks(unique, offer.max_items_per_run):
        run = PsiRun(chunk, set_version=offer.set_version)
        answer = _ask(api, offer, "psi", len(chunk), run.message())
        matches = run.matches(setup, decode(answer.message, limit=len(answer.message)))
        if len(matches) != len(chunk):
            raise ClientProblem("flow.answer", what="matches")
        found.update(zip(chunk, matches, strict=True))
        report.runs.append(answer.run_id)
        if progress is not None:
            progress(len(chunk))
    report.items = len(unique)
    report.sent, report.received = api.sent - start[0], api.received - start[1]
    return [found[item] for item in items], report


def lookup(
    api: Api, code: str, items: Sequence[str], *, store: KeyStore, progress: Progress | None = None
) -> tuple[list[str | None], Report]:
    """For each item, in order: its label if it is in the product's set, else None."""
    from pubdata_client.lookup import LookupRun

    start = (api.sent, api.received)
    offer = offer_for(api, code, "labelled_lookup")
    assert offer.key_id is not None
    unique = _unique(items)
    _check_quota(offer, len(unique))
    table = setup_for(api, store, offer)
    report = _report(api, offer, start)
    found: dict[str, str | None] = {}
    for chunk in _chunks(unique, offer.max_items_per_run):
        run = LookupRun(chunk, set_version=offer.set_version)
        answer = _ask(api, offer, "labelled_lookup", len(chunk), run.message())
        evaluated = decode(answer.message, limit=len(answer.message))
        labels = run.labels(table, evaluated, set_version=offer.set_version, key_id=offer.key_id)
        if len(labels) != len(chunk):
            raise ClientProblem("flow.answer", what="labels")
        found.update(zip(chunk, labels, strict=True))
        report.runs.append(answer.run_id)
        if progress is not None:
            progress(len(chunk))
    report.items = len(unique)
    report.sent, report.received = api.sent - start[0], api.received - start[1]
    return [found[item] for item in items], report


def scoring_offer(api: Api, code: str, store: KeyStore) -> Offer:
    """The scoring offer once the platform holds this machine's public context (registered if it does not)."""
    keys = store.scoring_keys()
    offer = offer_for(api, code, "joint_scoring")
    if offer.key_id != keys.key_id:
        registered = api.register_key(code, keys.public)
        if registered.key_id != keys.key_id:
            raise ClientProblem("keys.mismatch", registered=registered.key_id, local=keys.key_id)
        offer = offer_for(api, code, "joint_scoring")  # the set version names the key it runs with
        if offer.key_id != keys.key_id:
            raise ClientProblem("keys.mismatch", registered=offer.key_id or "-", local=keys.key_id)
    return offer


def score(
    api: Api,
    code: str,
    subjects: Sequence[str],
    features: Mapping[str, Sequence[float]],
    *,
    store: KeyStore,
    progress: Progress | None = None,
) -> tuple[list[float], Report]:
    """Each subject's joint score (or its approximate logistic, as the product says), in order. The subjects'
    credit codes are sent in the clear (an identified lookup, under each one's consent); their features never."""
    from pubdata_client import scoring

    start = (api.sent, api.received)
    offer = scoring_offer(api, code, store)
    names = [feature.name for feature in offer.features]
    missing = [name for name in names if name not in features]
    if missing:
        raise ClientProblem("flow.features-missing", names="、".join(missing))
    for name in names:
        if len(features[name]) != len(subjects):
            raise ClientProblem("flow.features-length", name=name, found=len(features[name]), expected=len(subjects))
    _check_quota(offer, len(subjects))
    keys = store.scoring_keys()
    assert offer.key_id is not None
    report = _report(api, offer, start)
    scores: list[float] = []
    size = min(offer.max_items_per_run, MAX_SLOTS)
    for first in range(0, len(subjects), size):
        chunk = list(subjects[first : first + size])
        columns = {name: list(features[name][first : first + size]) for name in names}
        ciphertexts = scoring.encrypt(keys.secret, columns)
        request = ScoringRequest(
            set_version=offer.set_version,
            key_id=offer.key_id,
            nonce=new_nonce(),
            subjects=tuple(chunk),
            features={name: encode(ciphertexts[name]) for name in names},
        )
        answer = api.score(code, request)
        if answer.subjects != len(chunk) or answer.set_version != offer.set_version:
            raise ClientProblem("flow.answer", what="subjects/set_version")
        scores += scoring.decrypt(keys.secret, decode(answer.score, limit=MAX_CIPHERTEXT * 2), len(chunk))
        report.runs.append(answer.run_id)
        if progress is not None:
            progress(len(chunk))
    report.items = len(subjects)
    report.sent, report.received = api.sent - start[0], api.received - start[1]
    return scores, report
