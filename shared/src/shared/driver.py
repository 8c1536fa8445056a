"""Statements run on the asyncpg connection under a SQLAlchemy session, for those that every event
and request runs (the inbox record, the outbox rows): they are part of the session's transaction,
committed or rolled back with it, without SQLAlchemy's execution path around each (its cache key,
parameters and result: about 0.1 ms of CPU a statement, measured against the same statement
through asyncpg alone).

Parameters go as asyncpg takes them: a ``jsonb`` value as its JSON text (SQLAlchemy's codec on
the connection adds the binary format's prefix), read back as the decoded value. Each statement is
announced to the engine's ``before_cursor_execute`` listeners as SQLAlchemy's own are, so that
what counts or plans a session's statements sees these too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, NoReturn

import asyncpg
from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.sql.expression import Executable


@dataclass(frozen=True)
class _Compiled:
    sql: str
    names: tuple[str, ...]  # the parameters in the order of their $n
    construct: Callable[[Mapping[str, Any]], dict[str, Any]]
    processors: Mapping[str, Callable[[Any], Any]]

    def arguments(self, values: Mapping[str, Any]) -> list[Any]:
        """``values`` (and the values the statement holds) as asyncpg takes them, in order."""
        given = self.construct(values)
        processors = self.processors
        return [processors[name](given[name]) if name in processors else given[name] for name in self.names]


# A statement built once (a module's constant, or cached per shape) compiled once per set of
# parameter names (an ``INSERT`` without values writes the columns it is given), by its id with
# the statement itself (which keeps the id from being reused); None for one that SQLAlchemy runs.
# A statement built on every call would be compiled on every call: the cache is then emptied
# rather than grown without end.
_compiled: dict[tuple[int, tuple[str, ...]], tuple[Executable, _Compiled | None]] = {}
_COMPILED_AT_MOST = 2000


def _compile(statement: Executable, names: tuple[str, ...], dialect: Dialect) -> _Compiled | None:
    key = (id(statement), names)
    found = _compiled.get(key)
    if found is not None and found[0] is statement:
        return found[1]
    compiled = statement.compile(dialect=dialect, column_keys=list(names))  # type: ignore[attr-defined]
    made = None
    # Parameters expanded at execution (an IN list) are left to SQLAlchemy.
    if not (compiled.post_compile_params or compiled.literal_execute_params):
        made = _Compiled(
            sql=compiled.string,
            names=tuple(compiled.positiontup or ()),
            construct=compiled.construct_params,
            processors=dict(compiled._bind_processors),
        )
    if len(_compiled) >= _COMPILED_AT_MOST:
        _compiled.clear()
    _compiled[key] = (statement, made)
    return made


class DriverRow:
    """An asyncpg record read as SQLAlchemy's rows are: a column by attribute, by name or by
    position, and ``_mapping`` for the whole row by name."""

    __slots__ = ("_record",)

    def __init__(self, record: asyncpg.Record) -> None:
        self._record = record

    def __getattr__(self, name: str) -> Any:
        try:
            return self._record[name]
        except KeyError:
            raise AttributeError(name) from None

    def __getitem__(self, key: int | str) -> Any:
        return self._record[key]

    def __len__(self) -> int:
        return len(self._record)

    @property
    def _mapping(self) -> Mapping[str, Any]:
        return dict(self._record.items())


async def driver_rows(session: AsyncSession, statement: Executable, values: Mapping[str, Any]) -> list[Any]:
    """The rows of a SQLAlchemy Core ``statement`` built once, run in ``session``'s transaction
    through its asyncpg connection: compiled once, its parameters converted by their types as
    SQLAlchemy does, its columns as the driver decodes them (no type's result processing; a
    ``jsonb`` column decoded), each row read as SQLAlchemy's are (``DriverRow``). A statement
    whose parameters expand at execution (an ``IN`` list) runs through SQLAlchemy as before."""
    connection = await driver_statements(session)
    compiled = _compile(statement, tuple(values), connection.dialect)
    if compiled is None:
        return list(await session.execute(statement, values))
    found = await connection.fetch(compiled.sql, *compiled.arguments(values))
    return [DriverRow(record) for record in found]


async def driver_first(session: AsyncSession, statement: Executable, values: Mapping[str, Any]) -> Any:
    """The first row of ``driver_rows``, None when there is none."""
    found = await driver_rows(session, statement, values)
    return found[0] if found else None


class DriverStatements:
    """The session's asyncpg connection, its transaction begun (``driver_statements``). A failing
    statement raises what SQLAlchemy raises for it (an ``IntegrityError`` for a broken unique key,
    a ``DBAPIError`` whose connection is invalidated for a lost one): callers cannot tell."""

    def __init__(
        self,
        connection: asyncpg.Connection,
        adapted: Any,
        announced_to: Connection,
        transaction: SessionTransaction | None,
    ) -> None:
        self._connection = connection
        self._adapted = adapted  # SQLAlchemy's adapter of the connection, which translates errors
        self._announced_to = announced_to
        self._transaction = transaction  # the session's transaction they were taken in

    def serve(self, session: Session) -> bool:
        """Whether these are still ``session``'s: taken in the transaction it is in now, which is
        still going on (not committed, rolled back or failed), on a connection neither lost nor
        closed. Such a transaction holds one connection for the session's one database until it
        ends, which is what ``Session.connection`` would find."""
        transaction = session._transaction
        connection = self._announced_to
        return (
            transaction is not None
            and transaction is self._transaction
            and transaction.is_active
            and not (connection.closed or connection.invalidated)
        )

    @property
    def dialect(self) -> Dialect:
        return self._announced_to.dialect

    def _announce(self, statement: str, args: tuple[Any, ...]) -> None:
        sync = self._announced_to
        if sync._has_events or sync.engine._has_events:
            sync.dispatch.before_cursor_execute(sync, None, statement, args, None, False)

    def _failed(self, error: Exception, statement: str, args: tuple[Any, ...]) -> NoReturn:
        try:
            self._adapted._handle_exception(error)  # raises the driver-level error SQLAlchemy's adapter would
        except Exception as translated:
            self._announced_to._handle_dbapi_exception(translated, statement, args, None, None)
        raise error  # not reached: each of the above raises

    async def fetch(self, statement: str, *args: Any) -> list[asyncpg.Record]:
        self._announce(statement, args)
        try:
            found: list[asyncpg.Record] = await self._connection.fetch(statement, *args)
        except Exception as error:
            self._failed(error, statement, args)
        return found

    async def fetchrow(self, statement: str, *args: Any) -> asyncpg.Record | None:
        self._announce(statement, args)
        try:
            row: asyncpg.Record | None = await self._connection.fetchrow(statement, *args)
        except Exception as error:
            self._failed(error, statement, args)
        return row

    async def execute(self, statement: str, *args: Any) -> None:
        self._announce(statement, args)
        try:
            await self._connection.execute(statement, *args)
        except Exception as error:
            self._failed(error, statement, args)


def _checked_out(session: Session) -> tuple[Connection, PoolProxiedConnection]:
    """The session's connection, begun as ``AsyncSession.connection`` begins it, and the pooled
    DB-API connection under it."""
    connection = session.connection()
    return connection, connection.connection


async def driver_statements(session: AsyncSession) -> DriverStatements:
    """``session``'s asyncpg connection, its transaction begun. SQLAlchemy's asyncpg adapter
    begins the transaction at the first statement it runs; a statement run here first would
    otherwise commit on its own, whatever the session does afterwards. The session's connection
    and the pooled one under it are taken in one hop into SQLAlchemy's synchronous side
    (``run_sync``): ``AsyncSession.connection`` and ``AsyncConnection.get_raw_connection`` take one
    each, and wrap the connection in an ``AsyncConnection`` that nothing here uses (together about
    35 µs of CPU a statement). They are kept with the session for the rest of its transaction
    (``DriverStatements.serve``): its later statements take no hop at all."""
    sync = session.sync_session
    statements: DriverStatements | None = sync.info.get(_KEPT)
    if statements is None or not statements.serve(sync):
        connection, pooled = await session.run_sync(_checked_out)
        statements = DriverStatements(pooled.driver_connection, pooled.dbapi_connection, connection, sync._transaction)
        sync.info[_KEPT] = statements
    adapted = statements._adapted
    # The adapter's own lazy begin (``AsyncAdapt_asyncpg_connection``): pinned by the integration
    # tests that roll a session back after these statements alone.
    if adapted._transaction is None:
        await adapted._start_transaction()
    return statements


# Where a session keeps its ``DriverStatements`` (``Session.info``).
_KEPT = "shared.driver.statements"
