"""What the notifier's sessions say to PostgreSQL: each transaction's ``BEGIN``, ``COMMIT`` or
``ROLLBACK`` and the first word of each statement, as an engine's events report them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from notifier.service.unit_of_work import UnitOfWork
from shared.db import make_session_factory


class StatementLog:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.factory: async_sessionmaker[AsyncSession] = make_session_factory(engine)
        self.said: list[str] = []
        sync = engine.sync_engine
        event.listen(sync, "begin", lambda conn: self.said.append("BEGIN"))
        event.listen(sync, "commit", lambda conn: self.said.append("COMMIT"))
        event.listen(sync, "rollback", lambda conn: self.said.append("ROLLBACK"))
        event.listen(sync, "before_cursor_execute", self._statement)

    def _statement(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        self.said.append(statement.split(None, 1)[0].upper())

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.factory, "notifier")
