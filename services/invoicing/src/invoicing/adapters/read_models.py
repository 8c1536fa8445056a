"""Read models of other services: purchase orders (orders), supplier names (suppliers) and buyer
organisations with their settings (gateway). Upserts of whole-state snapshots, where only a newer
revision replaces a row, and the scoped reads of purchase orders."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import Label, Row, ScalarSelect, Select, bindparam, literal_column, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.selectable import LateralFromClause

from invoicing.adapters.tables import organisations, purchase_orders, suppliers
from invoicing.domain.read_models import OrganisationSettings, PurchaseOrder, PurchaseOrderLine
from shared.contracts.orders import PurchaseOrderSnapshot
from shared.contracts.suppliers import SupplierSnapshot
from shared.db import store_if_newer
from shared.fields import made_of, values_of

# Read by every invoice command: built once, the tenant bound at execution.
_SETTINGS_FOR_SHARE = (
    select(organisations).where(organisations.c.id == bindparam("tenant_id")).with_for_update(read=True)
)
# The prefix of the settings' columns in a statement that reads them beside an invoice's.
_SETTINGS = "settings_"


def settings_held_for(tenant_id: Any, *, versions: bool = False) -> tuple[LateralFromClause, list[Label[Any]]]:
    """For a statement that reads ``tenant_id`` (an invoice's, an order's): the tenant's settings, their row
    locked FOR SHARE as ``settings_of`` locks it, as a lateral subquery to outer-join (its
    columns NULL when the tenant is unknown), and its columns to select. The subquery's lock is
    taken as its row is joined: before the locks of the statement's own FOR UPDATE.

    ``versions``: with the version of the row locked and of the one the statement's snapshot
    sees (``settings_locked_version``, ``settings_seen_version``: ``xmin``, the transaction
    that wrote it). They differ when the lock waited for a change of the settings: the rest of
    the statement read the snapshot taken before the wait."""
    locked: list[Any] = [literal_column("organisations.xmin::text").label("locked_version")] if versions else []
    held = (
        select(organisations, *locked)
        .where(organisations.c.id == tenant_id)
        .with_for_update(read=True)
        .lateral("settings")
    )
    columns = [column.label(_SETTINGS + column.name) for column in held.c]
    if versions:
        seen = organisations.alias("seen_settings")
        seen_version: Select[Any] = select(literal_column("seen_settings.xmin::text")).where(seen.c.id == tenant_id)
        columns.append(seen_version.scalar_subquery().label(_SETTINGS + "seen_version"))
    return held, columns


def settings_read_with(row: Row, tenant_id: UUID) -> OrganisationSettings:
    """The settings ``settings_held_for`` read into ``row``, the defaults when unknown."""
    values = {column.name: getattr(row, _SETTINGS + column.name) for column in organisations.c}
    if values.pop("id") is None:
        return OrganisationSettings.unknown(tenant_id)
    return OrganisationSettings(tenant_id=tenant_id, **values)


def purchase_order_initiator(purchase_order_id: Any) -> ScalarSelect[UUID]:
    """Who raised the purchase order, as its last snapshot here says, as a column: NULL while
    the order is not here."""
    return select(purchase_orders.c.initiator_id).where(purchase_orders.c.id == purchase_order_id).scalar_subquery()


def supplier_payment_terms(supplier_id: Any) -> ScalarSelect[int]:
    """The supplier's own payment terms as a column: NULL when it has none, or is not known yet."""
    return select(suppliers.c.payment_terms_days).where(suppliers.c.id == supplier_id).scalar_subquery()


# The unscoped reads of an order (the consumers', a command's on an invoice it found) and of a
# tenant's settings row: built once, the ids bound at execution.
_PURCHASE_ORDER = select(purchase_orders).where(purchase_orders.c.id == bindparam("purchase_order_id"))
_PURCHASE_ORDER_FOR_UPDATE = _PURCHASE_ORDER.with_for_update()
_PURCHASE_ORDER_STORED = select(purchase_orders.c.id).where(purchase_orders.c.id == bindparam("purchase_order_id"))
_SETTINGS_ROW = select(organisations).where(organisations.c.id == bindparam("tenant_id"))
_SETTINGS_FOR_UPDATE = _SETTINGS_ROW.with_for_update()


def purchase_order_of(row: Row) -> PurchaseOrder:
    lines = tuple(
        PurchaseOrderLine(
            line_id=UUID(line["line_id"]),
            line_no=line["line_no"],
            description=line["description"],
            quantity=Decimal(line["quantity"]),
            unit_price=Decimal(line["unit_price"]),
            # Absent from the snapshots of orders written before taxes: untaxed.
            tax_rate=Decimal(line.get("tax_rate", 0)),
        )
        for line in row.lines
    )
    return made_of(PurchaseOrder, row, lines=lines)


class PurchaseOrderRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def find(self, purchase_order_id: UUID, *, for_update: bool = False) -> PurchaseOrder | None:
        """Unscoped. ``for_update`` holds the order's row to the end of the transaction: what its
        invoices claim is then counted by one submission at a time."""
        query = _PURCHASE_ORDER_FOR_UPDATE if for_update else _PURCHASE_ORDER
        row = (await self._session.execute(query, {"purchase_order_id": purchase_order_id})).first()
        return purchase_order_of(row) if row is not None else None

    async def exists(self, purchase_order_id: UUID) -> bool:
        """Whether any snapshot of the order is here, whoever may see it."""
        values = {"purchase_order_id": purchase_order_id}
        return (await self._session.execute(_PURCHASE_ORDER_STORED, values)).first() is not None

    async def document_details(self, purchase_order_id: UUID) -> tuple[str | None, str | None, date | None]:
        """(supplier name, buyer name, delivery date) as the PO's last snapshot carried them."""
        query = select(
            purchase_orders.c.supplier_name, purchase_orders.c.buyer_name, purchase_orders.c.delivery_date
        ).where(purchase_orders.c.id == purchase_order_id)
        row = (await self._session.execute(query)).first()
        return (row.supplier_name, row.buyer_name, row.delivery_date) if row is not None else (None, None, None)

    async def upsert(self, snapshot: PurchaseOrderSnapshot, *, updated_at: datetime) -> bool:
        """Store a snapshot unless a newer revision is already stored; True when it was stored."""
        lines = [line.model_dump(mode="json") for line in snapshot.lines]
        values = values_of(
            purchase_orders.c.keys(), snapshot, id=snapshot.purchase_order_id, lines=lines, updated_at=updated_at
        )
        return await store_if_newer(self._session, purchase_orders, values)


def _settings(row: Row) -> OrganisationSettings:
    return made_of(OrganisationSettings, row, tenant_id=row.id)


def known_supplier_name(supplier_id: Any, tenant_id: Any) -> ScalarSelect[str]:
    """The supplier's name as the directory knows it, NULL until it does: a column of the
    statements that load, save and list invoices, so each answer names its supplier."""
    return (
        select(suppliers.c.name)
        .where(suppliers.c.id == supplier_id, suppliers.c.tenant_id == tenant_id)
        .scalar_subquery()
    )


class SupplierDirectory:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def upsert(self, snapshot: SupplierSnapshot) -> bool:
        values = values_of(suppliers.c.keys(), snapshot, id=snapshot.supplier_id)
        return await store_if_newer(self._session, suppliers, values)

    async def legal_details(self, supplier_id: UUID) -> tuple[str | None, str | None, str | None]:
        """(legal name, address, tax ID) as the supplier last gave them; Nones while unknown."""
        query = select(suppliers.c.legal_name, suppliers.c.address, suppliers.c.tax_id).where(
            suppliers.c.id == supplier_id
        )
        row = (await self._session.execute(query)).first()
        return (row.legal_name, row.address, row.tax_id) if row is not None else (None, None, None)


class OrganisationDirectory:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def find(self, tenant_id: UUID, *, for_update: bool = False) -> OrganisationSettings | None:
        query = _SETTINGS_FOR_UPDATE if for_update else _SETTINGS_ROW
        row = (await self._session.execute(query, {"tenant_id": tenant_id})).first()
        return _settings(row) if row is not None else None

    async def settings_of(self, tenant_id: UUID) -> OrganisationSettings:
        """The tenant's settings, the defaults when unknown.

        FOR SHARE: a command deciding by the portal switch holds the row until it commits, so
        the switch-off (which deletes supplier drafts) waits for it and then sees its draft;
        a command after the switch-off reads the committed "off".
        """
        row = (await self._session.execute(_SETTINGS_FOR_SHARE, {"tenant_id": tenant_id})).first()
        return _settings(row) if row is not None else OrganisationSettings.unknown(tenant_id)

    async def upsert(self, settings: OrganisationSettings) -> bool:
        values = values_of(organisations.c.keys(), settings, id=settings.tenant_id, name=settings.name or "")
        return await store_if_newer(self._session, organisations, values)
