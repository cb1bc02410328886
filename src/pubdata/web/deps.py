"""Request dependencies every router uses: the platform and a database session."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request, Response
from sqlalchemy.orm import Session

from pubdata.platform import Platform


def get_platform(request: Request) -> Platform:
    return request.app.state.platform


def db_session(platform: Annotated[Platform, Depends(get_platform)]) -> Iterator[Session]:
    """A session for one request. Handlers commit what they change; anything left uncommitted rolls back."""
    session = platform.session()
    try:
        yield session
    finally:
        session.close()


PlatformDep = Annotated[Platform, Depends(get_platform)]
SessionDep = Annotated[Session, Depends(db_session)]


def committed(session: Session, value: object) -> object:
    """Commit the command's transaction and hand its result back: the last line of a thin route."""
    session.commit()
    return value


def attachment(content: bytes | str, *, filename: str, media_type: str) -> Response:
    """A download: the browser saves it as ``filename`` instead of showing it."""
    return Response(
        content, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )
