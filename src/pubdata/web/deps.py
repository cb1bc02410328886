"""Request dependencies every router uses: the platform, and a command or a read (the unit of work's two kinds of
transaction, see ``db.UnitOfWork``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request, Response
from sqlalchemy.orm import Session

from pubdata.platform import Platform


def get_platform(request: Request) -> Platform:
    return request.app.state.platform


def command_session(platform: Annotated[Platform, Depends(get_platform)]) -> Iterator[Session]:
    """The request's command: committed before the answer is sent, rolled back if the handler raises."""
    with platform.command() as session:
        yield session


def read_session(platform: Annotated[Platform, Depends(get_platform)]) -> Iterator[Session]:
    with platform.read() as session:
        yield session


PlatformDep = Annotated[Platform, Depends(get_platform)]
# ``scope="function"``: the transaction ends when the handler returns, before the answer is sent, so a
# failed commit is the client's error answer, never an answer sent for work that was then lost.
CommandSession = Annotated[Session, Depends(command_session, scope="function")]
ReadSession = Annotated[Session, Depends(read_session, scope="function")]


def attachment(content: bytes | str, *, filename: str, media_type: str) -> Response:
    """A download: the browser saves it as ``filename`` instead of showing it."""
    return Response(
        content, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )
