"""The home page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from pubdata.identity.dependencies import MaybePagePrincipal
from pubdata.web.render import render

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, principal: MaybePagePrincipal) -> HTMLResponse:
    return render(request, "web/home.html", {})
