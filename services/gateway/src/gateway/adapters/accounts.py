"""Stores what ends and changes accounts: signed-out tokens, single-use account links, voided
invitations, and the look-ups of a supplier's colleagues."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import and_, delete, exists, insert, literal, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.adapters.tables import account_links, invitations, revoked_tokens, supplier_links, users
from gateway.domain.accounts import AccountLink, Purpose
from shared.fields import made_of, values_of


@dataclass(frozen=True)
class TokenStanding:
    """What the gateway knows now of a token's user: whether the user may still be served."""

    active: bool
    token_generation: int
    revoked: bool


@dataclass(frozen=True)
class PendingInvitation:
    email: str
    name: str | None
    invited_by_name: str | None
    expires_at: datetime


class AccountRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    # -- tokens ----------------------------------------------------------------------------------
    async def standing(self, user_id: UUID, token_id: str) -> TokenStanding | None:
        """The user's standing and whether this token was signed out, in one statement; None
        for a user that does not exist."""
        revoked = exists().where(revoked_tokens.c.token_id == token_id) if token_id else literal(False)
        query = select(users.c.active, users.c.token_generation, revoked.label("revoked")).where(users.c.id == user_id)
        row = (await self._session.execute(query)).first()
        return None if row is None else TokenStanding(row.active, row.token_generation, bool(row.revoked))

    async def revoke(self, token_id: str, user_id: UUID, expires_at: datetime, now: datetime) -> None:
        """Sign a token out; rows of tokens that expired anyway are dropped on the way."""
        await self._session.execute(delete(revoked_tokens).where(revoked_tokens.c.expires_at < now))
        statement = pg_insert(revoked_tokens).values(token_id=token_id, user_id=user_id, expires_at=expires_at)
        await self._session.execute(statement.on_conflict_do_nothing(index_elements=["token_id"]))

    # -- single-use links ------------------------------------------------------------------------
    async def add_link(self, link: AccountLink) -> None:
        """Store a new link; the account's earlier unused links of the same purpose stop working."""
        await self._session.execute(
            delete(account_links).where(
                account_links.c.user_id == link.user_id,
                account_links.c.purpose == link.purpose,
                account_links.c.used_at.is_(None),
            )
        )
        await self._session.execute(insert(account_links).values(values_of(account_links.c.keys(), link)))

    async def link(self, digest: str, purpose: Purpose) -> AccountLink | None:
        query = (
            select(account_links)
            .where(account_links.c.token_digest == digest, account_links.c.purpose == purpose)
            .with_for_update()
        )
        row = (await self._session.execute(query)).first()
        if row is None:
            return None
        return made_of(AccountLink, row)

    async def mark_used(self, link: AccountLink) -> None:
        await self._session.execute(
            update(account_links).where(account_links.c.id == link.id).values(used_at=link.used_at)
        )

    # -- invitations -----------------------------------------------------------------------------
    async def void_invitations(
        self, supplier_id: UUID, now: datetime, *, addressed_to_other_than: str | None = None, buyers_only: bool = False
    ) -> int:
        """Void the supplier record's pending invitations (only those sent to another address than
        ``addressed_to_other_than``, when given; only the buyer's, when ``buyers_only``)."""
        conditions = [
            invitations.c.supplier_id == supplier_id,
            invitations.c.accepted_at.is_(None),
            invitations.c.voided_at.is_(None),
            invitations.c.expires_at > now,
        ]
        if addressed_to_other_than is not None:
            conditions.append(invitations.c.email != addressed_to_other_than)
        if buyers_only:
            conditions.append(invitations.c.invited_by_user_id.is_(None))
        result = await self._session.execute(update(invitations).where(and_(*conditions)).values(voided_at=now))
        return int(getattr(result, "rowcount", 0) or 0)

    async def pending_colleague_invitations(
        self, supplier_ids: Collection[UUID], now: datetime
    ) -> list[PendingInvitation]:
        query = (
            select(invitations.c.email, invitations.c.name, invitations.c.invited_by_name, invitations.c.expires_at)
            .where(
                invitations.c.supplier_id.in_(sorted(supplier_ids)),
                invitations.c.invited_by_user_id.is_not(None),
                invitations.c.accepted_at.is_(None),
                invitations.c.voided_at.is_(None),
                invitations.c.expires_at > now,
            )
            .order_by(invitations.c.created_at)
        )
        return [
            PendingInvitation(r.email, r.name, r.invited_by_name, r.expires_at)
            for r in await self._session.execute(query)
        ]

    async def colleague_ids(self, supplier_ids: Collection[UUID], limit: int) -> list[UUID]:
        """The users linked to any of these supplier records, oldest account first."""
        query = (
            select(users.c.id)
            .where(
                users.c.id.in_(
                    select(supplier_links.c.user_id).where(supplier_links.c.supplier_id.in_(sorted(supplier_ids)))
                )
            )
            .order_by(users.c.created_at, users.c.id)
            .limit(limit)
        )
        return list((await self._session.execute(query)).scalars())
