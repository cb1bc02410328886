"""API shapes for the ledger. Public shapes carry metadata and digests, never payloads."""

from __future__ import annotations

import base64
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from pubdata.common.messages import pick
from pubdata.ledger.models import LedgerEntry
from pubdata.ledger.public import PublicEntry
from pubdata.ledger.service import TreeHead, document_of


class TreeHeadOut(BaseModel):
    size: int
    root_hash: str
    timestamp: str
    hash_algorithm: str
    signature_algorithm: str
    key_id: str
    # SM2: the 65-byte point 04 ‖ x ‖ y, base64; the same key as a PEM SubjectPublicKeyInfo, which openssl and
    # gmssl read. The signature is base64 of DER (r, s) for SM2, of the 64 raw bytes for Ed25519.
    public_key: str
    public_key_pem: str
    signature: str
    signed_message: str

    @classmethod
    def of(cls, head: TreeHead) -> TreeHeadOut:
        return cls(
            size=head.size,
            root_hash=head.root_hash.hex(),
            timestamp=head.timestamp,
            hash_algorithm=head.algorithm,
            signature_algorithm=head.signature_algorithm,
            key_id=head.key_id,
            public_key=base64.b64encode(head.public_key).decode(),
            public_key_pem=head.public_key_pem(),
            signature=base64.b64encode(head.signature).decode(),
            signed_message=head.message().decode("utf-8"),
        )


class SubjectOut(BaseModel):
    """What an entry is about: its kind, and its public name and page when it has them."""

    kind: str
    kind_en: str
    title: str | None
    url: str | None


class SignatureIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # The statement exactly as ``ledger.signature-required`` gave it, and the base64 of the DER signature
    # ``openssl dgst -sm3 -sign key.pem -sigopt distid:1234567812345678`` made of it.
    statement: str = Field(min_length=1, max_length=1000)
    signature: str = Field(min_length=1, max_length=200)


class PresentedOut(BaseModel):
    subject: str
    side: str
    key_id: str
    presented_at: str


class EntryOut(BaseModel):
    """An entry as the public sees it (``ledger.public``): its leaf hash for the proofs; what happened in words,
    or, for an entry about a person's session or account, only that an internal operation took place."""

    seq: int
    time: str
    internal: bool = Field(description="About a person's session or account: kept in the tree, not shown.")
    action: str | None = Field(description="The action's code; none for an internal operation.")
    label: str = Field(description="What happened, in zh-CN (内部操作 for an internal operation).")
    label_en: str
    actor: str | None = Field(description="The organisation that acted, or the platform; none when internal.")
    subject: SubjectOut | None
    payload_digest: str | None
    state_digest: str | None
    leaf_hash: str

    @classmethod
    def of(cls, entry: PublicEntry) -> EntryOut:
        actor = pick(entry.actor, "zh-CN") if isinstance(entry.actor, tuple) else entry.actor
        subject = entry.subject
        return cls(
            seq=entry.seq,
            time=entry.time,
            internal=entry.internal,
            action=entry.action,
            label=entry.label[0],
            label_en=entry.label[1],
            actor=actor,
            subject=SubjectOut(kind=subject.kind[0], kind_en=subject.kind[1], title=subject.title, url=subject.path)
            if subject
            else None,
            payload_digest=entry.payload_digest,
            state_digest=entry.state_digest,
            leaf_hash=entry.leaf_hash.hex(),
        )


class RecordedEntryOut(BaseModel):
    """An entry as the control plane keeps it, internal codes and all: for the command line on the platform's
    own machine, never for a public answer."""

    seq: int
    time: str
    actor: str
    organisation_id: int | None
    action: str
    subject: str | None
    payload_digest: str
    state_digest: str | None
    leaf_hash: str
    # The exact bytes the leaf hashes (after the 0x00 prefix), so anyone holding it can recompute the leaf.
    document: str

    @classmethod
    def of(cls, entry: LedgerEntry) -> RecordedEntryOut:
        return cls(
            seq=entry.seq,
            time=entry.recorded_at,
            actor=entry.actor,
            organisation_id=entry.organisation_id,
            action=entry.action,
            subject=entry.subject,
            payload_digest=entry.payload_digest,
            state_digest=entry.state_digest,
            leaf_hash=entry.leaf_hash.hex(),
            document=document_of(entry).decode("utf-8"),
        )


class InclusionProofOut(BaseModel):
    leaf_index: int
    tree_size: int
    audit_path: list[str]


class EntryWithProof(BaseModel):
    entry: EntryOut
    tree_head: TreeHeadOut
    inclusion_proof: InclusionProofOut


class ConsistencyOut(BaseModel):
    first: int
    second: int
    first_root: str
    second_root: str
    hash_algorithm: str
    consistency_path: list[str]


class PayloadOut(BaseModel):
    """For the regulator and the auditor: the payload, and the exact bytes the leaf hashes (after the 0x00
    prefix), with the internal codes the public view leaves out, so the leaf can be recomputed."""

    seq: int
    payload: dict[str, Any]
    document: str
