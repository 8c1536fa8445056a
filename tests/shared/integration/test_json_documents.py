"""The JSON that PostgreSQL writes for a page is the JSON the pydantic response models write."""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from pydantic import BaseModel, TypeAdapter
from sqlalchemy import Column, DateTime, Integer, MetaData, Numeric, String, Table, Text, cast, select
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.ext.asyncio import AsyncEngine

from portal_dev.testing import Servers
from shared.contracts.base import DecimalStr
from shared.db import make_engine
from shared.json_documents import decimal, instant, json_object, money, stored
from shared.money import MINOR_UNITS, round_money

metadata = MetaData()
values = Table(
    "json_document_values",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime(timezone=True)),
    Column("amount", Numeric),
    Column("currency", String(3)),
    Column("document", JSONB),
)


class Part(BaseModel):
    code: str
    quantity: DecimalStr | None
    flags: list[bool]
    # Added after documents were stored: older ones read as the default.
    checked: bool = False


class Stored(BaseModel):
    """What a service stores: more fields than the answer shows, nested models."""

    id: uuid.UUID
    kind: str
    total: DecimalStr
    parts: list[Part]
    main: Part | None
    reasons: list[str]
    at: datetime
    count: int


class Shown(BaseModel):
    """The answer: a subset of the stored fields, in another order."""

    count: int
    parts: list[Part]
    id: uuid.UUID
    main: Part | None
    at: datetime
    reasons: list[str]
    total: DecimalStr


class Row(BaseModel):
    id: int
    at: datetime | None
    amount: DecimalStr | None


@pytest.fixture
async def engine(servers: Servers) -> AsyncIterator[AsyncEngine]:
    url = await servers.create_database("json_documents")
    created = make_engine(url)
    async with created.begin() as conn:
        await conn.run_sync(metadata.create_all)
    yield created
    await created.dispose()


async def stored_rows(engine: AsyncEngine, rows: list[dict[str, Any]]) -> None:
    async with engine.begin() as conn:
        await conn.execute(insert(values), rows)


async def selected(engine: AsyncEngine, expression: Any) -> dict[int, Any]:
    async with engine.connect() as conn:
        return dict((await conn.execute(select(values.c.id, expression).order_by(values.c.id))).all())


def pydantic_text(value: Any, annotation: Any) -> Any:
    return json.loads(TypeAdapter(annotation).dump_json(value))


async def test_instants_are_written_as_pydantic_writes_aware_datetimes(engine: AsyncEngine) -> None:
    rng = random.Random(7)
    base = datetime(2026, 1, 1, tzinfo=UTC)
    samples = [
        base,
        base.replace(microsecond=1),
        base.replace(microsecond=100_000),
        base.replace(microsecond=999_999),
        datetime(2024, 2, 29, 23, 59, 59, 500_000, tzinfo=timezone(timedelta(hours=-5))),
        datetime(1999, 12, 31, 23, 0, tzinfo=timezone(timedelta(hours=14))),
        None,
    ]
    samples += [base + timedelta(microseconds=rng.randrange(-(10**16), 10**16)) for _ in range(400)]
    samples += [base + timedelta(seconds=rng.randrange(-(10**9), 10**9)) for _ in range(100)]
    await stored_rows(engine, [{"id": n, "at": at} for n, at in enumerate(samples)])

    written = await selected(engine, instant(values.c.at))

    for n, at in enumerate(samples):
        assert written[n] == pydantic_text(at.astimezone(UTC) if at else None, datetime | None), at


async def test_decimals_keep_the_text_a_decimal_read_back_has(engine: AsyncEngine) -> None:
    rng = random.Random(11)
    samples = [Decimal("0"), Decimal("10"), Decimal("50.00"), Decimal("0.000001"), Decimal("-3.5"), None]
    samples += [Decimal(rng.randrange(-(10**12), 10**12)).scaleb(-rng.randrange(0, 7)) for _ in range(500)]
    await stored_rows(engine, [{"id": n, "amount": amount} for n, amount in enumerate(samples)])

    written = await selected(engine, decimal(values.c.amount))
    async with engine.connect() as conn:
        read_back = dict((await conn.execute(select(values.c.id, values.c.amount))).all())

    for n in range(len(samples)):
        assert written[n] == pydantic_text(read_back[n], DecimalStr | None)


async def test_money_is_rounded_half_up_to_the_currencys_minor_unit(engine: AsyncEngine) -> None:
    rng = random.Random(13)
    currencies = ["EUR", "usd", "XXX", *MINOR_UNITS]
    samples = [(Decimal("0"), "EUR"), (Decimal("0.005"), "EUR"), (Decimal("-0.005"), "EUR"), (Decimal("2.5"), "JPY")]
    samples += [(Decimal("12.0005"), "BHD"), (Decimal("100"), "EUR"), (Decimal("1.995"), "usd")]
    samples += [
        (Decimal(rng.randrange(-(10**9), 10**9)).scaleb(-rng.randrange(0, 6)), rng.choice(currencies))
        for _ in range(500)
    ]
    rows = [{"id": n, "amount": amount, "currency": currency} for n, (amount, currency) in enumerate(samples)]
    await stored_rows(engine, rows)

    written = await selected(engine, money(values.c.amount, values.c.currency))

    for n, (amount, currency) in enumerate(samples):
        assert written[n] == str(round_money(amount, currency)), (amount, currency)


async def test_a_stored_model_is_shown_with_the_answers_fields_in_its_order(engine: AsyncEngine) -> None:
    part = Part(code='a "quoted"\nname ✓', quantity=Decimal("1.50"), flags=[True, False])
    full = Stored(
        id=uuid.uuid4(),
        kind="verdict",
        total=Decimal("100.10"),
        parts=[part, Part(code="b", quantity=None, flags=[])],
        main=part,
        reasons=["over_tolerance", "new_items"],
        at=datetime(2026, 5, 6, 7, 8, 9, 123, tzinfo=UTC),
        count=3,
    )
    empty = full.model_copy(update={"parts": [], "main": None, "reasons": []})
    documents = [full.model_dump(mode="json"), empty.model_dump(mode="json"), None]
    await stored_rows(engine, [{"id": n, "document": document} for n, document in enumerate(documents)])

    written = await selected(engine, cast(stored(Shown, values.c.document), Text))

    for n, model in enumerate((full, empty)):
        expected = Shown.model_validate(model.model_dump()).model_dump_json()
        assert json.loads(written[n], object_pairs_hook=list) == json.loads(expected, object_pairs_hook=list)
    assert written[2] is None


async def test_a_field_added_after_a_document_was_stored_reads_as_its_default(engine: AsyncEngine) -> None:
    older = {"code": "a", "quantity": "1", "flags": []}  # written before "checked" existed
    await stored_rows(engine, [{"id": 0, "document": older}])

    written = await selected(engine, cast(stored(Part, values.c.document), Text))

    assert json.loads(written[0]) == Part.model_validate(older).model_dump(mode="json")
    assert json.loads(written[0])["checked"] is False


async def test_a_row_document_has_the_models_fields_in_its_order(engine: AsyncEngine) -> None:
    at = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
    await stored_rows(engine, [{"id": 1, "at": at, "amount": Decimal("7.10")}, {"id": 2, "at": None, "amount": None}])
    document = json_object(Row, {"amount": decimal(values.c.amount), "id": values.c.id, "at": instant(values.c.at)})

    written = await selected(engine, cast(document, Text))

    for n, row in ((1, Row(id=1, at=at, amount=Decimal("7.10"))), (2, Row(id=2, at=None, amount=None))):
        expected = row.model_dump_json()
        assert json.loads(written[n], object_pairs_hook=list) == json.loads(expected, object_pairs_hook=list)
