"""Privacy-computing API (隐私计算): a protocol product's offer, its set version's setup or label table, a
consumer's public CKKS context, and runs. The shapes are ``pubdata_protocol.messages`` (the client validates
the same ones); every binary part is base64 within a bounded field, the setup is served as bytes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Path, Query, Response

from pubdata.identity.dependencies import ApiPrincipal
from pubdata.privacy import runs
from pubdata.web.deps import PlatformDep
from pubdata_protocol import messages as wire

router = APIRouter(prefix="/api/v1", tags=["privacy computing"])
ProductCode = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$", max_length=32)]
SetVersion = Annotated[str, Query(pattern=r"^[0-9a-f]{64}$")]
RunBody = Annotated[wire.RunRequest | wire.ScoringRequest, Body(discriminator="protocol")]
SET_VERSION_HEADER = "X-Pubdata-Set-Version"
KEY_ID_HEADER = "X-Pubdata-Key-Id"


@router.get("/products/{code}/privacy", response_model=wire.Offer, response_model_exclude_none=True)
def offer(code: ProductCode, platform: PlatformDep, principal: ApiPrincipal) -> wire.Offer:
    """What the product's protocol runs on now for the caller's contract (the set is built if it is new)."""
    return runs.offer(
        platform,
        principal=principal,
        code=code,
        engine=platform.query_engine,
        domain_dir=platform.settings.domain_dir,
        sealer=platform.sealer,
    )


@router.get(
    "/products/{code}/privacy/setup",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
def setup(code: ProductCode, set_version: SetVersion, platform: PlatformDep, principal: ApiPrincipal) -> Response:
    """The set version's PSI setup or encrypted label table, fetched once per version."""
    found = runs.setup_bytes(
        platform,
        principal=principal,
        code=code,
        set_version=set_version,
        engine=platform.query_engine,
        domain_dir=platform.settings.domain_dir,
        sealer=platform.sealer,
    )
    return Response(
        found.data,
        media_type="application/octet-stream",
        headers={SET_VERSION_HEADER: found.set_version, KEY_ID_HEADER: found.key_id},
    )


@router.post("/products/{code}/privacy/keys", response_model=wire.KeyOut, status_code=201)
def register_key(code: ProductCode, body: wire.KeyIn, platform: PlatformDep, principal: ApiPrincipal) -> wire.KeyOut:
    """A consumer's public CKKS context for joint scoring (no secret key: refused otherwise)."""
    return runs.register_key(
        platform, principal=principal, code=code, body=body, domain_dir=platform.settings.domain_dir
    )


@router.post("/products/{code}/privacy/runs", response_model=wire.RunAnswer | wire.ScoringAnswer)
def run(
    code: ProductCode, body: RunBody, platform: PlatformDep, principal: ApiPrincipal
) -> wire.RunAnswer | wire.ScoringAnswer:
    """One run: a PSI or labelled-lookup message, or a joint-scoring request."""
    if isinstance(body, wire.ScoringRequest):
        return runs.score(
            platform,
            principal=principal,
            code=code,
            request=body,
            engine=platform.query_engine,
            domain_dir=platform.settings.domain_dir,
        )
    return runs.run(
        platform,
        principal=principal,
        code=code,
        request=body,
        engine=platform.query_engine,
        domain_dir=platform.settings.domain_dir,
        sealer=platform.sealer,
    )
