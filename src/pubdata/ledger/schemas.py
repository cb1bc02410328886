"""API shapes for the ledger. Public shapes carry metadata and digests, never payloads."""

from __future__ import annotations

import base64
from typing import Any

from pydantic import BaseModel

from pubdata.common.bounds import RowId
from pubdata.ledger.models import LedgerEntry
from pubdata.ledger.service import TreeHead, document_of


class TreeHeadOut(BaseModel):
    size: int
    root_hash: str
    timestamp: str
    hash_algorithm: str
    signature_algorithm: str
    key_id: str
    public_key: str
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
            signature=base64.b64encode(head.signature).decode(),
            signed_message=head.message().decode("utf-8"),
        )


class EntryOut(BaseModel):
    seq: int
    time: str
    actor: str
    organisation_id: RowId | None
    action: str
    subject: str | None
    payload_digest: str
    state_digest: str | None
    leaf_hash: str
    # The exact bytes the leaf hashes (after the 0x00 prefix), so anyone can recompute it.
    document: str

    @classmethod
    def of(cls, entry: LedgerEntry) -> EntryOut:
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
    seq: int
    payload: dict[str, Any]
