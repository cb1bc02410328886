"""Identity API: organisations, users, tokens. Handlers are thin: one service call in the request's unit."""

from __future__ import annotations

from fastapi import APIRouter, status

from pubdata.common.bounds import RowId
from pubdata.identity import schemas, service
from pubdata.identity.dependencies import ApiPrincipal
from pubdata.identity.models import ApiToken, Organisation, User
from pubdata.web.deps import CommandSession, ReadSession

router = APIRouter(prefix="/api/v1", tags=["identity"])


@router.get("/me", response_model=schemas.Me)
def me(principal: ApiPrincipal) -> schemas.Me:
    return schemas.Me.model_validate(principal)


@router.post("/me/password", response_model=schemas.UserOut)
def change_password(body: schemas.PasswordChangeIn, session: CommandSession, principal: ApiPrincipal) -> User:
    """Change one's own password (the current one required); every web login of the user ends."""
    return service.change_password(
        session, principal=principal, current_password=body.current_password, new_password=body.new_password
    )


@router.get("/organisations", response_model=list[schemas.OrganisationOut])
def list_organisations(session: ReadSession, principal: ApiPrincipal) -> list[Organisation]:
    return service.list_organisations(session, principal=principal)


@router.post("/organisations", response_model=schemas.OrganisationOut, status_code=status.HTTP_201_CREATED)
def create_organisation(body: schemas.OrganisationIn, session: CommandSession, principal: ApiPrincipal) -> Organisation:
    return service.create_organisation(session, principal=principal, **body.model_dump())


@router.get("/organisations/{organisation_id}", response_model=schemas.OrganisationOut)
def get_organisation(organisation_id: RowId, session: ReadSession, principal: ApiPrincipal) -> Organisation:
    return service.get_organisation(session, principal=principal, organisation_id=organisation_id)


@router.get("/organisations/{organisation_id}/users", response_model=list[schemas.UserOut])
def list_users(organisation_id: RowId, session: ReadSession, principal: ApiPrincipal) -> list[User]:
    return service.list_users(session, principal=principal, organisation_id=organisation_id)


@router.post(
    "/organisations/{organisation_id}/users", response_model=schemas.UserOut, status_code=status.HTTP_201_CREATED
)
def create_user(organisation_id: RowId, body: schemas.UserIn, session: CommandSession, principal: ApiPrincipal) -> User:
    return service.create_user(session, principal=principal, organisation_id=organisation_id, **body.model_dump())


@router.get("/organisations/{organisation_id}/keys", response_model=list[schemas.KeyOut])
def list_keys(organisation_id: RowId, session: ReadSession, principal: ApiPrincipal) -> list[schemas.KeyOut]:
    """The organisation's signing keys, current and retired, as PEM: anyone it shows them to can check its
    signatures."""
    return [
        schemas.KeyOut.of(key)
        for key in service.list_keys(session, principal=principal, organisation_id=organisation_id)
    ]


@router.post(
    "/organisations/{organisation_id}/keys", response_model=schemas.KeyOut, status_code=status.HTTP_201_CREATED
)
def register_key(
    organisation_id: RowId, body: schemas.KeyIn, session: CommandSession, principal: ApiPrincipal
) -> schemas.KeyOut:
    """Register the organisation's own SM2 public key; it signs from now on, off-platform."""
    key = service.register_public_key(
        session, principal=principal, organisation_id=organisation_id, pem=body.public_key_pem
    )
    return schemas.KeyOut.of(key)


@router.get("/users/{user_id}", response_model=schemas.UserOut)
def get_user(user_id: RowId, session: ReadSession, principal: ApiPrincipal) -> User:
    return service.get_user(session, principal=principal, user_id=user_id)


@router.patch("/users/{user_id}", response_model=schemas.UserOut)
def update_user(user_id: RowId, body: schemas.UserUpdate, session: CommandSession, principal: ApiPrincipal) -> User:
    return service.set_user_active(session, principal=principal, user_id=user_id, active=body.active)


@router.get("/tokens", response_model=list[schemas.TokenOut])
def list_tokens(session: ReadSession, principal: ApiPrincipal) -> list[ApiToken]:
    return service.list_tokens(session, principal=principal)


@router.post("/tokens", response_model=schemas.TokenIssued, status_code=status.HTTP_201_CREATED)
def issue_token(body: schemas.TokenIn, session: CommandSession, principal: ApiPrincipal) -> schemas.TokenIssued:
    token, plaintext = service.issue_token(
        session, principal=principal, user_id=principal.user_id, name=body.name, days=body.days
    )
    return schemas.TokenIssued.model_validate(
        {**schemas.TokenOut.model_validate(token).model_dump(), "token": plaintext}
    )


@router.delete("/tokens/{token_id}", response_model=schemas.TokenOut)
def revoke_token(token_id: RowId, session: CommandSession, principal: ApiPrincipal) -> ApiToken:
    return service.revoke_token(session, principal=principal, token_id=token_id)


@router.post("/users/{user_id}/password-reset", response_model=schemas.PasswordResetOut)
def reset_password(
    user_id: RowId, session: CommandSession, principal: ApiPrincipal, body: schemas.PasswordResetIn | None = None
) -> schemas.PasswordResetOut:
    """An admin resets a colleague's password: the temporary password is in this answer only, and must be
    changed at the colleague's next login."""
    user, temporary = service.reset_colleague_password(
        session, principal=principal, user_id=user_id, reason=body.reason if body else ""
    )
    return schemas.PasswordResetOut(
        user_id=user.id, login=user.login, temporary_password=temporary, must_change_password=True
    )
