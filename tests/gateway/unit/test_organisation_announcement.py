"""An organisation announced again: its settings as they stand, revision unchanged; one that was
never published gets its first revision."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from gateway.domain.model import Organisation

EARLIER = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def test_an_announced_organisation_repeats_its_state_without_a_new_revision() -> None:
    organisation = Organisation(id=uuid.uuid4(), name="Globex Buying", revision=3, updated_at=EARLIER)
    organisation.announce(NOW)
    [event] = organisation.events
    assert (event.tenant_id, event.name, event.revision, event.updated_at) == (
        organisation.id,
        "Globex Buying",
        3,
        EARLIER,
    )
    assert (organisation.revision, organisation.updated_at) == (3, EARLIER)


def test_an_organisation_never_published_is_announced_as_its_first_revision() -> None:
    organisation = Organisation(id=uuid.uuid4(), name="Initech")
    organisation.announce(NOW)
    [event] = organisation.events
    assert (event.name, event.revision, event.updated_at) == ("Initech", 1, NOW)
    assert organisation.revision == 1
