"""The ledger explorer: tree head, latest entries, and checking an entry's inclusion proof. Public, so it shows
the public view of entries (``ledger.public``): an entry about a person as an internal operation, others by
their label, the acting organisation and the subject's public page."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from pubdata.common.bounds import INT8_MAX, Seq
from pubdata.common.errors import Refused
from pubdata.identity.dependencies import MaybePagePrincipal
from pubdata.ledger import merkle, public, service
from pubdata.web.deps import CommandSession, PlatformDep
from pubdata.web.render import render

router = APIRouter(include_in_schema=False)


@router.get("/ledger", response_class=HTMLResponse)
def explorer(
    request: Request,
    session: CommandSession,
    platform: PlatformDep,
    principal: MaybePagePrincipal,
    before: int | None = Query(default=None, ge=0, le=INT8_MAX),
) -> HTMLResponse:
    head = service.current_tree_head(session, platform.signer)  # signing the head keeps it: a command
    entries = public.view(session, service.latest_entries(session, limit=50, before=before))
    return render(request, "ledger/ledger.html", {"head": head, "entries": entries})


@router.get("/ledger/check", response_class=HTMLResponse)
def check(
    request: Request,
    session: CommandSession,
    platform: PlatformDep,
    principal: MaybePagePrincipal,
    seq: int = Query(ge=0, le=INT8_MAX),
) -> HTMLResponse:
    """Fetch the proof the public API gives and verify it here, the way any outside verifier would."""
    try:
        entry = service.get_entry(session, seq)
        head = service.current_tree_head(session, platform.signer)
        path = service.inclusion_proof(session, seq=seq, tree_size=head.size)
    except Refused as error:
        return render(request, "ledger/ledger_check.html", {"error": error, "included": False}, status_code=200)
    hasher = service.hasher(head.algorithm)
    leaf = hasher.leaf(service.document_of(entry))  # from the entry's contents, not its stored hash
    included = head.signature_valid() and merkle.verify_inclusion(hasher, seq, head.size, leaf, path, head.root_hash)
    template = "ledger/ledger_check.html" if request.headers.get("HX-Request") else "ledger/ledger_check_page.html"
    shown = public.view(session, [entry])[0]
    return render(request, template, {"entry": shown, "head": head, "path": path, "included": included})


@router.get("/ledger/verify/{seq}", response_class=HTMLResponse)
def verify_in_browser(
    request: Request, session: CommandSession, platform: PlatformDep, principal: MaybePagePrincipal, seq: Seq
) -> HTMLResponse:
    """The entry's proof and the signed tree head, checked by the reader's browser (static/verify.js with SM2 and
    SM3 from sm-crypto), never by the platform: the page carries no verdict of its own."""
    entry = public.view(session, [service.get_entry(session, seq)])[0]
    return render(request, "ledger/verify.html", {"entry": entry, "seq": seq})
