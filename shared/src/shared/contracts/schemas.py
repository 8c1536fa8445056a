"""JSON Schemas of every topic version, and the published snapshot subscribers rely on.

Schemas are pydantic's *serialization* schemas: subscribers receive what ``model_dump(mode="json")``
writes (money as a decimal string, not the number-or-string a model would accept on input).

    python -m shared.contracts.schemas --write docs/events/schemas   # refresh the snapshot
    python -m shared.contracts.schemas --check docs/events/schemas   # fail on a breaking change
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from shared.contracts.compatibility import topic_breaking_changes
from shared.contracts.envelope import Envelope
from shared.contracts.topics import TOPICS

SNAPSHOT_DIR = Path("docs/events/schemas")
REFRESH_COMMAND = f"python -m shared.contracts.schemas --write {SNAPSHOT_DIR}"


def topic_schema(topic: str) -> dict[str, Any]:
    """The envelope's schema and the schema of every event type carried on ``topic``."""
    return {
        "topic": topic,
        "envelope": Envelope.model_json_schema(mode="serialization"),
        "events": {
            event_type: model.model_json_schema(mode="serialization")
            for event_type, model in sorted(TOPICS[topic].events.items())
        },
    }


def all_topic_schemas() -> dict[str, dict[str, Any]]:
    return {topic: topic_schema(topic) for topic in sorted(TOPICS)}


def render(schema: dict[str, Any]) -> str:
    """Deterministic text: sorted keys, two-space indent, trailing newline."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_snapshot(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for topic, schema in all_topic_schemas().items():
        path = directory / f"{topic}.json"
        path.write_text(render(schema), encoding="utf-8")
        written.append(path)
    return written


def check_snapshot(directory: Path) -> tuple[list[str], list[str]]:
    """``(breaking, stale)``: breaking changes against the snapshot, and snapshot files out of date."""
    breaking: list[str] = []
    stale: list[str] = []
    current = all_topic_schemas()
    published = {path.stem: path for path in sorted(directory.glob("*.json"))}
    for topic, path in published.items():
        if topic not in current:
            breaking.append(f"{topic}: topic version removed")
            continue
        old = json.loads(path.read_text(encoding="utf-8"))
        breaking.extend(f"{topic} {p}" for p in topic_breaking_changes(old, current[topic]))
        if path.read_text(encoding="utf-8") != render(current[topic]):
            stale.append(topic)
    stale.extend(f"{topic} (not published yet)" for topic in current if topic not in published)
    return breaking, stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m shared.contracts.schemas", description=__doc__.splitlines()[0])
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--write", type=Path, metavar="DIR", help="write one JSON Schema file per topic version")
    action.add_argument("--check", type=Path, metavar="DIR", help="compare the contracts with the snapshot in DIR")
    args = parser.parse_args(argv)
    if args.write:
        for path in write_snapshot(args.write):
            print(path)
        return 0
    breaking, stale = check_snapshot(args.check)
    for problem in breaking:
        print(f"breaking: {problem}", file=sys.stderr)
    if breaking:
        print("A breaking change needs a new topic version (.vN); see docs/events/schemas/README.md.", file=sys.stderr)
        return 1
    if stale:
        refresh = f"python -m shared.contracts.schemas --write {args.check}"
        print(f"snapshot out of date for: {', '.join(stale)}; run: {refresh}", file=sys.stderr)
        return 1
    print("snapshot up to date")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
