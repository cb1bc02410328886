"""Privacy-computing pages: a protocol product's page (its protocol, what each side learns, the current set
version, the caller's items left, the client command), and the runs a user may see."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse

from pubdata.common.errors import Refused
from pubdata.identity import access
from pubdata.identity.dependencies import PagePrincipal
from pubdata.privacy import runs
from pubdata.products import rules as product_rules
from pubdata.products import service as products
from pubdata.web.deps import ReadSession
from pubdata.web.render import render

router = APIRouter(include_in_schema=False)
ProductCode = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$", max_length=32)]


@router.get("/products/{code}/privacy", response_class=HTMLResponse)
def protocol_page(request: Request, session: ReadSession, principal: PagePrincipal, code: ProductCode) -> HTMLResponse:
    product = products.find(session, code=code)
    if product is None or not access.may(principal, "product.read", product):
        product = products.public_view(session, code=code).public.product  # what the public may see, or 404
    if product.kind not in product_rules.PROTOCOL_KINDS:
        raise Refused("privacy.not-protocol", code=product.code)
    view = runs.protocol_view(session, principal=principal, product=product)
    context = {
        "product": product,
        "view": view,
        "protocols": product_rules.PROTOCOLS,
        "kinds": product_rules.KINDS,
        "definition": products.definition_of(product),
    }
    return render(request, "privacy/protocol.html", context)


@router.get("/privacy/runs", response_class=HTMLResponse)
def runs_page(request: Request, session: ReadSession, principal: PagePrincipal) -> HTMLResponse:
    context = {"runs": runs.runs_for(session, principal=principal), "protocols": product_rules.PROTOCOLS}
    return render(request, "privacy/runs.html", context)
