"""The app's routes as a flat list. FastAPI (0.165) keeps an included router as one ``_IncludedRouter`` entry of
``app.routes``; its routes are those of the router it wraps (pubdata's routers carry their own prefixes)."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.routing import APIRoute


def _flat(routes: list) -> list[APIRoute]:
    """Every route of these, included routers' too."""
    found: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif hasattr(route, "original_router"):
            found += _flat(route.original_router.routes)
    return found


def page_routes(app: FastAPI) -> list[APIRoute]:
    """Every GET page (the routes left out of the OpenAPI document), each once."""
    pages = {}
    for route in every_route(app):
        if not route.include_in_schema and "GET" in route.methods and not route.path.startswith(("/docs", "/openapi")):
            pages.setdefault(route.path, route)
    return list(pages.values())


def every_route(app: FastAPI) -> list[APIRoute]:
    """Every API and page route of the app, as one flat list."""
    return _flat(app.routes)
