"""The inbox records and the outbox rows go through the session's asyncpg connection
(``shared.driver``) on real PostgreSQL: still inside the session's transaction when they are its
first statements, rolled back and committed with it, and seen by what counts a session's
statements."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Column, DateTime, Integer, Numeric, String, Table, Uuid, bindparam, func, insert, select, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.exc import IntegrityError, PendingRollbackError
from sqlalchemy.ext.asyncio import engine as async_engine_module
from sqlalchemy.ext.asyncio import session as async_session_module

from portal_dev.testing import Servers, create_tables, statements_sent
from shared.contracts import Envelope
from shared.db import SqlUnitOfWork, make_engine, make_session_factory, new_metadata, shared_transaction, upsert
from shared.driver import driver_rows, driver_statements
from shared.inbox import Inbox, inbox_table, record_all
from shared.outbox import outbox_table, write_rows
from tests.shared.integration.test_outbox_relay import revision_event

metadata = new_metadata()
inbox = inbox_table(metadata)
outbox = outbox_table(metadata)


async def _counts(engine: Any) -> tuple[int, int]:
    async with engine.connect() as conn:
        inboxed = (await conn.execute(select(func.count()).select_from(inbox))).scalar_one()
        queued = (await conn.execute(select(func.count()).select_from(outbox))).scalar_one()
    return inboxed, queued


async def test_inbox_and_outbox_statements_run_first_in_a_session_are_rolled_back_with_it(servers: Servers) -> None:
    url = await servers.create_database("driver_rollback")
    await create_tables(url, metadata)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    payload = revision_event(uuid.uuid4(), 1)
    try:
        async with sessions() as session:  # nothing else ran in it: the driver's statement begins it
            assert await Inbox(session).first_time("driver", uuid.uuid4())
            await session.rollback()
        async with sessions() as session:
            await record_all(session, "driver", [uuid.uuid4(), uuid.uuid4()])
            await session.rollback()
        async with SqlUnitOfWork(sessions, "test") as uow:
            uow.outbox.add(payload, tenant_id=payload.tenant_id)
            await write_rows(uow.session, uow.outbox.rows())
            await uow.rollback()
        assert await _counts(engine) == (0, 0)

        async with sessions() as session:
            records = await record_all(session, "driver", [first := uuid.uuid4(), second := uuid.uuid4()])
            assert records.answer("driver", first) is True
            await session.commit()
        async with sessions() as session:
            again = await record_all(session, "driver", [first, third := uuid.uuid4()])
            assert (again.answer("driver", first), again.answer("driver", third)) == (False, True)
            assert not await Inbox(session).first_time("driver", second)
            await session.commit()
        assert (await _counts(engine))[0] == 3
    finally:
        await engine.dispose()


async def test_outbox_rows_keep_their_order_values_and_headers_and_are_counted_as_one_statement(
    servers: Servers,
) -> None:
    url = await servers.create_database("driver_outbox")
    await create_tables(url, metadata)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    events = [revision_event(uuid.uuid4(), n) for n in range(1, 4)]
    try:
        with statements_sent(engine) as sent:
            async with shared_transaction(sessions) as transaction:
                for payload in events:
                    async with SqlUnitOfWork(sessions, "test") as uow:
                        uow.outbox.add(payload, tenant_id=payload.tenant_id)
                        await uow.commit()
                await transaction.commit()
        assert [statement.split(" (")[0] for statement in sent] == ["INSERT INTO outbox"]
        async with engine.connect() as conn:
            rows = (await conn.execute(text("SELECT * FROM outbox ORDER BY id"))).mappings().all()
        assert [row["key"] for row in rows] == [payload.key() for payload in events]
        for row, payload in zip(rows, events, strict=True):
            envelope = Envelope.model_validate_json(row["value"])
            assert envelope.payload() == payload
            assert (row["event_id"], row["event_type"], row["topic"]) == (envelope.id, envelope.type, payload.topic)
            assert envelope.headers().items() <= row["headers"].items()
            assert row["created_at"].tzinfo is not None
            assert row["sent_at"] is None
    finally:
        await engine.dispose()


things = Table(
    "things",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("name", String, nullable=False),
    Column("amount", Numeric(14, 2), nullable=True),
    Column("document", JSONB, nullable=True),
    Column("at", DateTime(timezone=True), nullable=True),
    Column("revision", Integer, nullable=False, server_default="0"),
)
_BY_ID = select(things).where(things.c.id == bindparam("id"))
_NAMED_IN = select(things.c.name).where(things.c.name.in_(bindparam("names", expanding=True))).order_by(things.c.name)
_ALL_NAMES = select(things.c.name)


async def test_core_statements_run_on_the_driver_read_as_sqlalchemys_rows_in_the_sessions_transaction(
    servers: Servers,
) -> None:
    """An upsert without values writes only the columns it is given (its defaults and stored
    values stay), parameters are converted by their types (a JSON document), and each row reads
    as SQLAlchemy's would, column by column; an IN list runs through SQLAlchemy."""
    url = await servers.create_database("driver_rows")
    await create_tables(url, metadata)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    first, second = uuid.uuid4(), uuid.uuid4()
    document = {"lines": [{"quantity": "1.50", "id": str(first)}], "empty": None}
    at = datetime(2026, 12, 7, 11, 0, tzinfo=UTC)
    try:
        async with sessions() as session:
            full = {"id": first, "name": "first", "amount": Decimal("12.50"), "document": document, "at": at}
            assert await driver_rows(session, upsert(things, tuple(full), returning=True), full) != []
            given = {"id": second, "name": "second"}  # the others keep their defaults
            await driver_rows(session, upsert(things, tuple(given)), given)
            await driver_rows(session, upsert(things, tuple(given)), {"id": first, "name": "renamed"})  # the rest stays
            await session.commit()
        async with sessions() as session:
            fast = [await driver_rows(session, _BY_ID, {"id": key}) for key in (first, second, uuid.uuid4())]
            slow = [(await session.execute(_BY_ID, {"id": key})).all() for key in (first, second, uuid.uuid4())]
            assert [len(found) for found in fast] == [1, 1, 0]
            for driver_row, row in ((fast[0][0], slow[0][0]), (fast[1][0], slow[1][0])):
                assert driver_row._mapping == dict(row._mapping)
                assert [driver_row[i] for i in range(len(driver_row))] == list(row)
                assert (driver_row.name, driver_row["amount"]) == (row.name, row.amount)
            assert fast[0][0].name == "renamed" and fast[0][0].document == document and fast[0][0].at == at
            assert (fast[1][0].amount, fast[1][0].document, fast[1][0].revision) == (None, None, 0)
            named = await driver_rows(session, _NAMED_IN, {"names": ["renamed", "second", "none"]})
            assert [row.name for row in named] == ["renamed", "second"]
            await session.rollback()
    finally:
        await engine.dispose()


async def test_a_driver_statement_that_breaks_a_key_raises_what_sqlalchemy_raises(servers: Servers) -> None:
    url = await servers.create_database("driver_errors")
    await create_tables(url, metadata)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    key = uuid.uuid4()
    insert_thing = insert(things)
    try:
        async with sessions() as session:
            await driver_rows(session, insert_thing, {"id": key, "name": "once"})
            with pytest.raises(IntegrityError) as refused:
                await driver_rows(session, insert_thing, {"id": key, "name": "twice"})
            assert "pk_things" in str(refused.value.orig)
            await session.rollback()
        async with sessions() as session:  # the connection went back to the pool usable
            await driver_rows(session, insert_thing, {"id": key, "name": "again"})
            await session.commit()
        async with sessions() as session:
            assert [row.name for row in await driver_rows(session, _BY_ID, {"id": key})] == ["again"]
    finally:
        await engine.dispose()


async def test_driver_statements_take_one_hop_into_sqlalchemy_a_transaction_and_a_committed_unit_none_to_roll_back(
    servers: Servers, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every hop of the asyncio session into SQLAlchemy's synchronous side (``greenlet_spawn``:
    a greenlet made and switched to, and back) is counted over a unit of work of three driver
    statements that commits: one for the first statement (its connection and the pooled one under
    it together, kept for the rest of the transaction) and the commit; none for a rollback or a
    close after the commit (the session holds no connection then). A unit that goes on after its
    commit is closed, which rolls that back; a unit left without commit still rolls back."""
    url = await servers.create_database("driver_hops")
    await create_tables(url, metadata)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    hops: list[str] = []

    def counted(spawn: Any) -> Any:
        async def spawn_counted(fn: Any, *args: Any, **kwargs: Any) -> Any:
            hops.append(getattr(fn, "__name__", repr(fn)))
            return await spawn(fn, *args, **kwargs)

        return spawn_counted

    for module in (async_session_module, async_engine_module):
        monkeypatch.setattr(module, "greenlet_spawn", counted(module.greenlet_spawn))
    first, second = uuid.uuid4(), uuid.uuid4()
    try:
        async with SqlUnitOfWork(sessions, "test") as uow:  # a connection already in the pool
            await driver_rows(uow.session, _BY_ID, {"id": first})
            await uow.commit()
        hops.clear()
        async with SqlUnitOfWork(sessions, "test") as uow:
            await driver_rows(uow.session, insert(things), {"id": first, "name": "kept"})
            await driver_rows(uow.session, insert(things), {"id": second, "name": "kept too"})
            assert len(await driver_rows(uow.session, _BY_ID, {"id": first})) == 1
            await uow.commit()
        assert hops == ["_checked_out", "commit"]

        async with SqlUnitOfWork(sessions, "test") as uow:
            await uow.commit()
            await driver_rows(uow.session, insert(things), {"id": uuid.uuid4(), "name": "after the commit"})

        async with SqlUnitOfWork(sessions, "test") as uow:
            await driver_rows(uow.session, insert(things), {"id": uuid.uuid4(), "name": "rolled back"})
        async with sessions() as session:
            names = [row.name for row in await driver_rows(session, _ALL_NAMES, {})]
        assert sorted(names) == ["kept", "kept too"]
    finally:
        await engine.dispose()


async def test_driver_statements_are_kept_for_the_rest_of_a_transaction_and_taken_again_once_it_ends(
    servers: Servers,
) -> None:
    """The driver's side of a session serves every statement of one transaction; once the session
    commits or rolls back, the next statement begins a new transaction on a connection taken
    again, so what it writes goes with that transaction alone; a lost connection is taken again."""
    url = await servers.create_database("driver_kept")
    await create_tables(url, metadata)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    try:
        async with sessions() as session:
            await driver_rows(session, insert(things), {"id": uuid.uuid4(), "name": "first"})
            kept = await driver_statements(session)
            await driver_rows(session, insert(things), {"id": uuid.uuid4(), "name": "second"})
            assert await driver_statements(session) is kept
            await session.commit()

            await driver_rows(session, insert(things), {"id": uuid.uuid4(), "name": "rolled back"})
            after_commit = await driver_statements(session)
            assert after_commit is not kept
            await session.rollback()

            await driver_rows(session, insert(things), {"id": uuid.uuid4(), "name": "third"})
            assert await driver_statements(session) is not after_commit
            await session.commit()

            await driver_rows(session, _ALL_NAMES, {})
            lost = await driver_statements(session)
            await (await session.connection()).invalidate()
            with pytest.raises(PendingRollbackError):  # as SQLAlchemy answers its own statements
                await driver_rows(session, _ALL_NAMES, {})
            await session.rollback()
            assert sorted(row.name for row in await driver_rows(session, _ALL_NAMES, {})) == [
                "first",
                "second",
                "third",
            ]
            assert await driver_statements(session) is not lost
    finally:
        await engine.dispose()
