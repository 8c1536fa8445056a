"""Backward compatibility of event contracts: a pure comparison of two JSON Schemas.

A topic version (``invoicing.invoice.v1``) is a promise to its subscribers and to every message
the topic still retains. Within one version a contract may only grow: a new optional field or a
new event type. Removing or retyping a field, making a field required, removing an event type or
an enum value breaks either the subscribers that read the field or the decoding of retained
messages, and needs a new ``.vN`` topic.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Schema = Mapping[str, Any]


def breaking_changes(old: Schema, new: Schema) -> list[str]:
    """Every way ``new`` breaks readers and messages of ``old``; empty when ``new`` only adds.

    Both are root JSON Schemas (as pydantic writes them): ``$ref`` is resolved against each
    root's own ``$defs``, ``anyOf``/``oneOf`` are compared alternative by alternative (so
    ``X | None`` is a different type from ``X``), annotations (titles, descriptions, defaults)
    are ignored.
    """
    problems: list[str] = []
    _compare(_Walk(old), old, _Walk(new), new, "", problems, set())
    return problems


def topic_breaking_changes(old: Schema, new: Schema) -> list[str]:
    """Compare two topic snapshots: ``{"envelope": schema, "events": {event_type: schema}}``."""
    problems = [f"envelope: {p}" for p in breaking_changes(old["envelope"], new["envelope"])]
    for event_type, old_schema in sorted(old["events"].items()):
        new_schema = new["events"].get(event_type)
        if new_schema is None:
            problems.append(f"{event_type}: event type removed")
            continue
        problems.extend(f"{event_type}: {p}" for p in breaking_changes(old_schema, new_schema))
    return problems


class _Walk:
    def __init__(self, root: Schema) -> None:
        self.defs: Mapping[str, Any] = root.get("$defs", {})

    def resolve(self, node: Schema) -> tuple[Schema, str | None]:
        ref = node.get("$ref")
        if ref is None:
            return node, None
        prefix = "#/$defs/"
        if not ref.startswith(prefix) or ref[len(prefix) :] not in self.defs:
            raise ValueError(f"unresolvable $ref {ref!r}")
        return self.resolve(self.defs[ref[len(prefix) :]])[0], ref


def _alternatives(walk: _Walk, node: Schema) -> list[Schema]:
    node, _ = walk.resolve(node)
    alternatives = node.get("anyOf") or node.get("oneOf")
    if alternatives is None:
        return [node]
    return [alt for sub in alternatives for alt in _alternatives(walk, sub)]


def _kind(node: Schema) -> tuple[str, ...]:
    if "enum" in node or "const" in node:
        return ("enum", str(node.get("type", "")))
    if node.get("type") == "object" or "properties" in node:
        return ("object",)
    if node.get("type") == "array":
        return ("array",)
    if "type" in node:
        return ("type", str(node["type"]), str(node.get("format", "")))
    return ("any",)


def _describe(kind: tuple[str, ...]) -> str:
    if kind[0] == "type":
        return kind[1] + (f" ({kind[2]})" if kind[2] else "")
    return kind[0] if kind[0] != "enum" else f"enum of {kind[1] or 'values'}"


def _compare(
    ow: _Walk, old: Schema, nw: _Walk, new: Schema, path: str, problems: list[str], seen: set[tuple[str, str]]
) -> None:
    old_node, old_ref = ow.resolve(old)
    new_node, new_ref = nw.resolve(new)
    if old_ref is not None and new_ref is not None:
        visit = (old_ref, new_ref)
        if visit in seen:  # a recursive model: an enclosing level already compares this pair
            return
        seen = seen | {visit}
    where = path or "(root)"
    old_alts = {_kind(alt): alt for alt in _alternatives(ow, old_node)}
    new_alts = {_kind(alt): alt for alt in _alternatives(nw, new_node)}
    if old_alts.keys() != new_alts.keys():
        was = " | ".join(sorted(_describe(k) for k in old_alts))
        now = " | ".join(sorted(_describe(k) for k in new_alts))
        problems.append(f"{where}: retyped from {was} to {now}")
        return
    for kind, old_alt in old_alts.items():
        new_alt = new_alts[kind]
        if kind[0] == "enum":
            removed = _values(old_alt) - _values(new_alt)
            if removed:
                problems.append(f"{where}: enum values removed: {', '.join(sorted(map(repr, removed)))}")
        elif kind[0] == "object":
            _compare_objects(ow, old_alt, nw, new_alt, path, problems, seen)
        elif kind[0] == "array" and "items" in old_alt:
            _compare(ow, old_alt["items"], nw, new_alt.get("items", {}), f"{path}[]", problems, seen)


def _values(node: Schema) -> set[Any]:
    return set(node["enum"]) if "enum" in node else {node["const"]}


def _compare_objects(
    ow: _Walk, old: Schema, nw: _Walk, new: Schema, path: str, problems: list[str], seen: set[tuple[str, str]]
) -> None:
    prefix = f"{path}." if path else ""
    old_props: Mapping[str, Any] = old.get("properties", {})
    new_props: Mapping[str, Any] = new.get("properties", {})
    for name, old_prop in old_props.items():
        if name not in new_props:
            problems.append(f"{prefix}{name}: field removed")
        else:
            _compare(ow, old_prop, nw, new_props[name], f"{prefix}{name}", problems, seen)
    for name in sorted(set(new.get("required", [])) - set(old.get("required", []))):
        problems.append(f"{prefix}{name}: " + ("became required" if name in old_props else "new required field"))
    old_extra, new_extra = old.get("additionalProperties"), new.get("additionalProperties")
    if isinstance(old_extra, Mapping) and isinstance(new_extra, Mapping):
        _compare(ow, old_extra, nw, new_extra, f"{prefix}*", problems, seen)
