"""Database plumbing: engines, a naming convention for every ``MetaData``, the unit of work base,
and what counts as "the database is unavailable" (answered 503 over HTTP, retried by consumers)."""

from __future__ import annotations

import functools
import hashlib
import time
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from types import TracebackType
from typing import Any, Self
from uuid import UUID

import asyncpg
from sqlalchemy import MetaData, Table, any_, bindparam, event, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.sql.expression import Executable

from shared.auth import SCOPE_SUPPLIERS, SCOPE_TENANT
from shared.driver import driver_rows
from shared.inbox import BatchRecords, Inbox, record_all
from shared.outbox import Outbox, write_rows

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_metadata() -> MetaData:
    return MetaData(naming_convention=NAMING_CONVENTION)


STATEMENT_CACHE_SIZE = 1000


def make_engine(url: str, *, pool_size: int = 10, max_overflow: int | None = None) -> AsyncEngine:
    """``pool_size`` connections are kept once opened; ``max_overflow`` more (as many again when
    not given) are opened for one checkout each and closed after it: a new backend, a new session
    and every statement prepared again, so a service's pool is sized for the requests it serves
    at once (``DATABASE_POOL_SIZE``) rather than left to its overflow."""
    engine = create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size if max_overflow is None else max_overflow,
        pool_timeout=5,
        # The connection checked in last is the next one out: at a low rate the same few stay in
        # use, under the idle time that gets a connection pinged (``PING_AFTER_IDLE_S``), and the
        # rest idle together instead of each taking its turn.
        pool_use_lifo=True,
        # Fail fast when the database is down, so requests answer 503 instead of hanging.
        connect_args={
            "timeout": 5,
            "command_timeout": 30,
            # Statements asyncpg keeps prepared per connection (SQLAlchemy's default: 100). A
            # service's statements are a few hundred shapes; at 100 the cache turned over, each
            # statement it pushed out prepared again (a round trip, parsed by the server) and the
            # evicted ones closed (another).
            "prepared_statement_cache_size": STATEMENT_CACHE_SIZE,
        },
    )
    # A pooled connection that the server closed (a database restart) is replaced on checkout
    # instead of failing the request that drew it. SQLAlchemy's own ``pool_pre_ping`` does the
    # same in three round trips on asyncpg (BEGIN, the ping, ROLLBACK) on every checkout; here a
    # connection the server hung up on is known without a round trip, and only one that sat idle
    # for a while is pinged (one round trip), so that a busy service pays nothing.
    event.listen(engine.sync_engine.pool, "checkout", _checked_out)
    event.listen(engine.sync_engine.pool, "checkin", _checked_in)
    return engine


# A connection back in the pool for longer than this is pinged before it is used again.
PING_AFTER_IDLE_S = 1.0


def _checked_in(dbapi_connection: Any, record: Any) -> None:
    record.info["checked_in_at"] = time.monotonic()


def _checked_out(dbapi_connection: Any, record: Any, proxy: Any) -> None:
    # The server's goodbye (a restart, a terminated backend) reached the idle connection's socket.
    if dbapi_connection.driver_connection.is_closed():
        raise sa_exc.DisconnectionError("pooled connection closed by the server")
    checked_in_at = record.info.get("checked_in_at")  # none yet: the connection was just made
    if checked_in_at is None or time.monotonic() - checked_in_at < PING_AFTER_IDLE_S:
        return
    try:
        dbapi_connection.run_async(lambda connection: connection.fetchrow(";"))
    except Exception as exc:
        # The pool drops this connection and checks out a new one (a new connection's own
        # failure, the server being down, goes to the caller as usual).
        raise sa_exc.DisconnectionError(f"pooled connection lost: {exc!r}") from exc


# The driver's own errors for "not now": the server is starting up or shutting down, has no
# connection slot left, or the connection was lost. Raised unwrapped when a new connection fails.
_UNAVAILABLE_DRIVER_ERRORS: tuple[type[BaseException], ...] = (
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.CrashShutdownError,
    asyncpg.exceptions.PostgresConnectionError,  # ConnectionDoesNotExistError, ConnectionFailureError...
    asyncpg.exceptions.TooManyConnectionsError,
)
_UNAVAILABLE_ERRORS: tuple[type[BaseException], ...] = (
    sa_exc.OperationalError,
    sa_exc.InterfaceError,  # the connection is closed
    sa_exc.TimeoutError,  # no pooled connection came free in time
    OSError,  # refused, reset, timed out while connecting
    *_UNAVAILABLE_DRIVER_ERRORS,
)


def database_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` says the database cannot serve us right now rather than that the request
    or the code is wrong: a retry later can succeed. The cause chain is searched, since
    SQLAlchemy wraps the driver's error and the driver wraps the socket's."""
    seen: set[int] = set()
    error: BaseException | None = exc
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated:
            return True
        if isinstance(error, _UNAVAILABLE_ERRORS):
            return True
        error = error.__cause__
    return False


def bound(name: str, values: Mapping[str, Any] | None, *, expanding: bool = False, type_: Any = None) -> Any:
    """The parameter ``name`` of a condition, with its value from ``values``, or left to bind at
    execution when ``values`` is None (a statement built once and kept). One definition of a
    condition serves both: a value given here is extracted at execution like any other, so the
    compiled statement is the same. (Binding a built condition afterwards with ``params()`` is
    deprecated below statement level since SQLAlchemy 2.1, and copies the whole expression.)

    A parameter with its value is unique, renamed when compiled: a statement holding the same
    condition twice with two values keeps both, where one name would silently take the last."""
    if values is None:
        return bindparam(name, expanding=expanding, type_=type_)
    return bindparam(name, values[name], expanding=expanding, unique=True, type_=type_)


# The escape character of ``contains_pattern``'s patterns (``column.ilike(pattern, escape=LIKE_ESCAPE)``).
LIKE_ESCAPE = "\\"


def contains_pattern(text: str) -> str:
    """The ``ILIKE`` pattern of values holding ``text`` as a person typed it: its ``%`` and ``_``
    (and the escape character) match themselves, not any text or any character."""
    escaped = text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2).replace("%", LIKE_ESCAPE + "%").replace("_", LIKE_ESCAPE + "_")
    return f"%{escaped}%"


def one_of(column: Any, name: str, values: Mapping[str, Any] | None = None) -> Any:
    """``column`` among the list ``name`` (bound now from ``values``, or at execution), as one
    array parameter (``= ANY``): one statement for any length of the list, where an ``IN`` list
    makes a statement per length, compiled again by SQLAlchemy for each and run through it alone
    (``shared.driver``). For a condition on rows found otherwise (by their key): a scan that the
    list drives keeps ``IN``, which PostgreSQL 16 reads from an index in its order, and
    ``= ANY`` of a parameter not."""
    return column == any_(bound(name, values, type_=ARRAY(column.type)))


def member_of(column: Any, name: str, values: Mapping[str, Any] | None = None, *, one_row: bool = False) -> Any:
    """``column`` among the list ``name``: ``one_of`` for a row found by its key (``one_row``), an
    ``IN`` list otherwise (a scan that the list drives)."""
    if one_row:
        return one_of(column, name, values)
    return column.in_(bound(name, values, expanding=True))


def caller_scope(
    tenant_column: Any,
    supplier_column: Any,
    *,
    buyer: bool,
    values: Mapping[str, Any] | None = None,
    one_row: bool = False,
) -> Any:
    """The rows a caller may see: a buyer its tenant's (``SCOPE_TENANT``), a supplier user its
    suppliers' (``SCOPE_SUPPLIERS``), with the caller's ``values`` (``shared.auth.scope_values``)
    or, without, the caller left to bind: statements built once. ``one_row``: the condition checks
    a row found by its key (``one_of``)."""
    if buyer:
        return tenant_column == bound(SCOPE_TENANT, values)
    return member_of(supplier_column, SCOPE_SUPPLIERS, values, one_row=one_row)


@functools.cache
def upsert(
    table: Table,
    columns: tuple[str, ...],
    *,
    key: tuple[str, ...] = ("id",),
    keep: tuple[str, ...] = (),
    newer: str | None = None,
    or_equal: bool = False,
    returning: bool = False,
) -> Executable:
    """``INSERT … ON CONFLICT (key) DO UPDATE`` of ``columns`` but the key and ``keep``, built once
    per shape; execute it with the row (or rows) as parameters. ``newer`` names a version column:
    the stored row is replaced only by a higher version (or an equal one, ``or_equal``).
    ``returning`` returns the key of a row inserted or replaced, nothing when a newer one stayed.

    Built on every call instead (the ``excluded`` alias's columns, then the statement's cache
    key), it was among the largest Python costs of the consumers, which upsert on every event."""
    statement = insert(table)
    excluded = statement.excluded
    condition = None
    if newer is not None:
        stored, incoming = table.c[newer], excluded[newer]
        condition = stored <= incoming if or_equal else stored < incoming
    built = statement.on_conflict_do_update(
        index_elements=[table.c[name] for name in key],
        set_={name: excluded[name] for name in columns if name not in key and name not in keep},
        where=condition,
    )
    return built.returning(*(table.c[name] for name in key)) if returning else built


async def store_if_newer(session: AsyncSession, table: Table, values: dict[str, Any], *, key: str = "id") -> bool:
    """Store a whole-state copy unless one of the same or a higher ``revision`` is there (a
    snapshot delivered twice, or late); True when it was stored."""
    statement = upsert(table, tuple(values), key=(key,), newer="revision", returning=True)
    return bool(await driver_rows(session, statement, values))


def make_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


# The keys in the order given: a function scan returns an array's elements in order.
_ADVISORY_LOCKS = text("SELECT pg_advisory_xact_lock(k) FROM unnest(CAST(:keys AS bigint[])) AS k")


def _advisory_key(key: str) -> int:
    """``key`` as PostgreSQL's advisory lock id: a signed 64-bit hash, the same in every process."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big", signed=True)


class SharedTransaction:
    """One database transaction that the units of work started inside it join (see
    ``shared_transaction``); its owner commits it, unless a unit spoiled it."""

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self.session_factory = session_factory
        self.session = session_factory()
        # A unit of work left it without committing (it failed, rolled back or just returned):
        # what that unit did may be in the transaction, which must then be rolled back whole.
        self.spoiled = False
        self.inbox_records: BatchRecords | None = None
        # The outbox rows of the units that committed, in their order: written with one
        # statement at the commit.
        self.outbox_rows: list[dict[str, Any]] = []
        self.committed = False

    async def serialise(self, keys: Iterable[str]) -> None:
        """Take, for the rest of the transaction, a lock on each of ``keys`` (the things its units
        of work will lock rows of, e.g. ``purchase_order:<id>``), in one order that every
        transaction shares. Two transactions that each lock several rows, in the order their
        events came, wait for each other instead of deadlocking (PostgreSQL detects a deadlock
        only after ``deadlock_timeout``, a second by default, and then undoes one side). One key
        needs no lock: a transaction that waits for one row at most closes no cycle."""
        ordered = sorted({_advisory_key(key) for key in keys})
        if len(ordered) > 1:
            await driver_rows(self.session, _ADVISORY_LOCKS, {"keys": ordered})

    async def record_inbox(self, consumer: str, event_ids: Sequence[UUID]) -> None:
        """Write the inbox records of ``event_ids`` for ``consumer`` now, in one statement; the
        units of work joining the transaction find theirs there (``Inbox.first_time``). Every
        event recorded so must be handled in this transaction, or the transaction rolled back:
        its record would otherwise say it was handled."""
        self.inbox_records = await record_all(self.session, consumer, event_ids)

    async def commit(self) -> None:
        if self.spoiled:
            raise RuntimeError("a unit of work spoiled the shared transaction: roll it back and handle its units again")
        await write_rows(self.session, self.outbox_rows)
        self.outbox_rows = []
        await self.session.commit()
        self.committed = True


_shared: ContextVar[SharedTransaction | None] = ContextVar("shared_transaction", default=None)


async def _end(session: AsyncSession, *, committed: bool) -> None:
    """The end of a unit's (or a shared transaction's) session: what it did rolled back unless
    it committed, and its connection back in the pool. A session that committed and began
    nothing since holds no connection, and its statements load no objects (no ORM mapping): there
    is nothing to roll back or close, and each would be a hop into SQLAlchemy's synchronous side
    (a greenlet made and switched to and back, about 30 µs of CPU). One that went on after its
    commit is closed, which rolls that back."""
    if committed and not session.in_transaction():
        return
    try:
        if not committed:
            await session.rollback()
    finally:
        await session.close()


@asynccontextmanager
async def shared_transaction(session_factory: async_sessionmaker[AsyncSession]) -> AsyncIterator[SharedTransaction]:
    """Run several units of work in one transaction: a consumer handles a polled batch of events
    with one commit instead of one per event.

    Every unit of work on the same ``session_factory`` started inside the block (in this task)
    works in the shared transaction itself, without a savepoint of its own (a savepoint costs two
    round trips per unit): its ``commit`` keeps what it did for ``SharedTransaction.commit``. A
    unit that leaves without its commit (an exception, a ``rollback``, a plain return) *spoils*
    the transaction: its owner cannot commit it, rolls it back whole and handles the units again
    (those before the spoiler together, the spoiler on its own, where it is undone alone). Leaving
    the block without that commit rolls everything back.
    """
    shared = SharedTransaction(session_factory)
    token = _shared.set(shared)
    try:
        yield shared
    finally:
        _shared.reset(token)
        await _end(shared.session, committed=shared.committed)


class SqlUnitOfWork:
    """One business transaction: the session, the outbox written with it, and the inbox.

    Inside ``shared_transaction`` it works in that transaction instead, and spoils it when it
    leaves without committing (a unit of work commits once: what it does after its ``commit``
    stays with the shared transaction). Services subclass it to add their repositories in ``_start``.
    """

    def __init__(self, session_factory: async_sessionmaker[AsyncSession], producer: str) -> None:
        self._session_factory = session_factory
        self._producer = producer
        self._shared: SharedTransaction | None = None
        self._committed = False

    @property
    def _joined(self) -> bool:
        return self._shared is not None

    async def __aenter__(self) -> Self:
        shared = _shared.get()
        if shared is not None and shared.session_factory is self._session_factory:
            self._shared = shared
            self.session = shared.session
        else:
            self.session = self._session_factory()
        self._build()
        return self

    def _build(self) -> None:
        self.outbox = Outbox(self.session, self._producer)
        self.inbox = Inbox(self.session, self._shared.inbox_records if self._shared is not None else None)
        self._start()

    def _start(self) -> None:
        """Build repositories on ``self.session``; built again after a ``rollback``, so that
        nothing a repository remembers of rows (what it loaded or saved) outlives it."""

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._shared is not None:
            if not self._committed:
                self._shared.spoiled = True
            return
        await _end(self.session, committed=self._committed)

    async def commit(self) -> None:
        if self._shared is None:
            await self.outbox.flush()
            await self.session.commit()
        else:
            self._shared.outbox_rows.extend(self.outbox.rows())
        self._committed = True

    async def rollback(self) -> None:
        """Undo everything the unit did so far, the events it queued in the outbox included; the
        unit may go on from a clean start. Inside a shared transaction the undoing is the
        owner's: the transaction is spoiled, and the unit is handled again on its own."""
        if self._shared is None:
            await self.session.rollback()
        else:
            self._shared.spoiled = True
        self._committed = False
        self._build()
