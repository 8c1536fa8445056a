"""Every statement the notifier's adapters build once and keep is compiled once: each has a cache
key, so SQLAlchemy reuses its compiled form at every execution. A statement without one (a
``VALUES`` list of literal rows, a ``text`` with inline values) is compiled again each time it
runs, which costs more CPU than the round trip it sends."""

from __future__ import annotations

import importlib
import pkgutil

from sqlalchemy.sql.base import Executable
from sqlalchemy.sql.elements import ClauseElement

import notifier.adapters


def kept_statements() -> dict[str, ClauseElement]:
    found: dict[str, ClauseElement] = {}
    for module_info in pkgutil.iter_modules(notifier.adapters.__path__):
        module = importlib.import_module(f"notifier.adapters.{module_info.name}")
        for name, value in vars(module).items():
            if isinstance(value, Executable) and isinstance(value, ClauseElement):
                found[f"{module_info.name}.{name}"] = value
    return found


def test_the_adapters_keep_their_statements_built() -> None:
    assert {"repository._CLAIM_DUE", "repository._SAVE", "reminders._TRACK"} <= set(kept_statements())


def test_every_statement_kept_by_the_adapters_is_compiled_once() -> None:
    uncached = [name for name, statement in kept_statements().items() if statement._generate_cache_key() is None]
    assert uncached == []
