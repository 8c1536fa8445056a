"""One object made of another's values of the same names: a domain object of a row a query read,
a response model of a domain object, a read model of an event. The fields that differ (converted,
read apart, named otherwise) are given; the rest are not written out a second time."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

T = TypeVar("T")


@functools.cache
def _parameters(made: Callable[..., Any]) -> tuple[str, ...]:
    return tuple(inspect.signature(made).parameters)


def made_of(made: Callable[..., T], source: Any, **given: Any) -> T:
    """``made`` (a class) of ``source``'s values named like its parameters: a row's columns, or an
    object's attributes; ``given`` are the values ``source`` holds otherwise or not at all. A
    parameter ``source`` has no value for keeps its default."""
    row = getattr(source, "_mapping", None)
    values: dict[str, Any] = {}
    for name in _parameters(made):
        if name in given:
            continue
        if row is not None:
            if name in row:
                values[name] = row[name]
        elif hasattr(source, name):
            values[name] = getattr(source, name)
    return made(**values, **given)


def values_of(names: Iterable[str], source: Any, **given: Any) -> dict[str, Any]:
    """The values to write of ``names`` (a table's columns: ``table.c.keys()``): ``source``'s
    attributes of those names, and ``given`` for the ones it holds otherwise; a name ``source``
    has no attribute of is left out (the column keeps its default or stored value)."""
    values = {name: getattr(source, name) for name in names if name not in given and hasattr(source, name)}
    values.update(given)
    return values
