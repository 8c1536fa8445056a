"""``portal dlq``: the dead letters per topic, and replaying them (``portal_cli.dead_letters``)."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.table import Table

from portal_cli import dead_letters, output
from shared.kafka import KafkaClientSecurity, client_security
from shared.settings import KafkaSecuritySettings

dlq_app = typer.Typer(help="Dead letters: messages a consumer gave up on, and replaying them.", no_args_is_help=True)

BootstrapOption = Annotated[
    str | None,
    typer.Option(envvar="KAFKA_BOOTSTRAP_SERVERS", help="The Kafka bootstrap servers (default: the endpoints file's)."),
]
TopicPrefixOption = Annotated[
    str | None,
    typer.Option(
        envvar="KAFKA_TOPIC_PREFIX",
        help="What the portal's topic names start with on the cluster (default: the endpoints file's).",
    ),
]


def _security() -> KafkaClientSecurity:
    """TLS and SASL as the ``KAFKA_SECURITY_PROTOCOL``, ``KAFKA_SASL_*`` and ``KAFKA_SSL_*``
    variables say, as for the services; none set, a plain connection (the embedded broker)."""
    try:
        return client_security(KafkaSecuritySettings())
    except ValidationError as exc:
        problems = "; ".join(str(error["msg"]) for error in exc.errors())
        raise output.fail(f"the Kafka security settings: {problems}", 2) from None


def _read(bootstrap: str, names: list[str]) -> dict[str, dead_letters.DeadLetterTopic]:
    security = _security()
    try:
        return asyncio.run(dead_letters.read_dead_letter_topics(bootstrap, names, security=security))
    except Exception as exc:  # aiokafka's errors do not share a base class worth naming
        raise output.fail(f"cannot read the dead-letter topics from {bootstrap}: {output.reason(exc)}") from None


def _topics(ctx: typer.Context, topic: str | None, prefix: str | None) -> list[str]:
    """The dead-letter topics asked for, as the cluster names them."""
    from shared.contracts.topics import TOPICS, dlq_topic

    try:
        names = [dead_letters.dead_letter_topic(topic)] if topic else [dlq_topic(name) for name in TOPICS]
    except dead_letters.UnknownTopic as exc:
        raise output.fail(str(exc), 2) from None
    prefix = output.endpoints(ctx).kafka_topic_prefix if prefix is None else prefix
    return [prefix + name for name in names]


def dead_letter_table(topic: dead_letters.DeadLetterTopic, shown: list[dead_letters.DeadLetter]) -> Table:
    table = Table(title=topic.name, title_justify="left")
    for column in ("offset", "dead-lettered", "key", "consumer", "tries", "error", "replayed"):
        table.add_column(column, overflow="fold")
    for d in shown:
        replayed = topic.replayed.get(d.position)
        table.add_row(
            str(d.offset) if d.partition == 0 else f"{d.partition}:{d.offset}",
            d.when,
            d.key_text(),
            d.header("dlq.consumer") or "–",
            d.header("dlq.attempts") or "–",
            d.error_summary(),
            f"[green]{replayed}[/green]" if replayed else "[yellow]no[/yellow]",
        )
    return table


@dlq_app.command("list")
def dlq_list(
    ctx: typer.Context,
    topic: Annotated[str | None, typer.Option(help="One topic (or its .dlq topic); default: every topic.")] = None,
    limit: Annotated[int, typer.Option(min=0, help="How many of the latest dead letters to show per topic.")] = 10,
    bootstrap_servers: BootstrapOption = None,
    topic_prefix: TopicPrefixOption = None,
) -> None:
    """Count the dead letters of each topic and show the latest, with their output.errors.

    The error columns come from the headers the consumer added (dlq.error, dlq.error_type,
    dlq.consumer, dlq.attempts); "replayed" says when `portal dlq replay` published one again.
    """
    bootstrap = bootstrap_servers or output.endpoints(ctx).kafka_bootstrap_servers
    found = _read(bootstrap, _topics(ctx, topic, topic_prefix))
    summary = Table(title=f"Dead letters on {bootstrap}", title_justify="left")
    for column in ("topic", "dead letters", "replayed", "waiting"):
        summary.add_column(column, justify="left" if column == "topic" else "right")
    for name, dlq in sorted(found.items()):
        waiting = len(dlq.waiting())
        summary.add_row(
            name,
            str(len(dlq.dead_letters)),
            str(len(dlq.dead_letters) - waiting),
            f"[red]{waiting}[/red]" if waiting else "[green]0[/green]",
        )
    output.console.print(summary)
    for _, dlq in sorted(found.items()):
        if dlq.dead_letters and limit:
            output.console.print(dead_letter_table(dlq, dlq.dead_letters[-limit:]))


@dlq_app.command("replay")
def dlq_replay(
    ctx: typer.Context,
    topic: Annotated[str, typer.Option(help="The topic whose dead letters to replay (or its .dlq topic).")],
    every: Annotated[bool, typer.Option("--all", help="Every dead letter of the topic not replayed yet.")] = False,
    offset: Annotated[
        list[str] | None, typer.Option(help="Offset of a dead letter in the .dlq topic (repeatable; N or PARTITION:N).")
    ] = None,
    again: Annotated[bool, typer.Option("--again", help="Replay those already replayed too.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would be replayed; publish nothing.")] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    bootstrap_servers: BootstrapOption = None,
    topic_prefix: TopicPrefixOption = None,
) -> None:
    """Publish dead letters again to the topic they came from (acks=all).

    Each keeps its original key (so the same partition and order per key) and headers (without
    the dlq.* ones; dlq.replayed_from added).

    Fix the cause first (a new release, a missing read model): a message that fails again is
    dead-lettered again, as a new dead letter. Each replay is recorded on the .dlq topic (a
    record with header dlq.replay_of), so a second replay of the same messages publishes nothing
    unless --again is given. A message delivered twice (a crash between publishing and recording)
    is harmless: every consumer records the events it handled (its inbox) and skips a duplicate.
    """
    if not every and not offset:
        raise output.fail("choose what to replay: --all or --offset N (see --dry-run)", 2)
    try:
        positions = dead_letters.parse_positions(offset or [])
    except ValueError as exc:
        raise output.fail(str(exc), 2) from None
    [name] = _topics(ctx, topic, topic_prefix)
    bootstrap = bootstrap_servers or output.endpoints(ctx).kafka_bootstrap_servers
    dlq = _read(bootstrap, [name]).get(name)
    if dlq is None:
        raise output.fail(f"the broker at {bootstrap} has no topic {name}")
    chosen = dead_letters.select(dlq, every=every, positions=positions, again=again)
    if chosen.not_dead_letters:
        missing = ", ".join(f"{p}:{o}" for p, o in chosen.not_dead_letters)
        raise output.fail(f"no dead letter at {missing} on {name} (see `portal dlq list --topic {topic}`)", 2)
    for d in chosen.already_replayed:
        replayed = dlq.replayed[d.position]
        output.console.print(f"offset {d.offset}: already replayed ({replayed}); skipped (--again replays it)")
    if not chosen.replay:
        output.console.print("Nothing to replay.")
        return
    output.console.print(dead_letter_table(dlq, chosen.replay))
    targets = sorted({d.replay_topic for d in chosen.replay})
    if dry_run:
        output.console.print(f"Dry run: {len(chosen.replay)} message(s) would be published to {', '.join(targets)}.")
        return
    if not yes and not typer.confirm(f"Publish {len(chosen.replay)} message(s) to {', '.join(targets)}?"):
        raise typer.Exit(1)
    try:
        done = asyncio.run(dead_letters.replay(bootstrap, chosen.replay, security=_security()))
    except Exception as exc:
        why = output.reason(exc)
        raise output.fail(f"replay stopped: {why}; what it recorded as replayed is not replayed again") from None
    output.console.print(f"[green]Replayed {done} message(s)[/green] to {', '.join(targets)}.")
