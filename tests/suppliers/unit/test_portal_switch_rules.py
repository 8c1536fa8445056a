"""The per-supplier portal toggle follows the buyer's organisation-wide switch; the suppliers
service hears of that switch on ``gateway.organisation.v1`` with a consumer group of its own."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from portal_dev.testing import Tokens
from shared.contracts.identity import OrganisationSettingsChanged
from suppliers.bootstrap import bootstrap
from suppliers.config import Settings
from suppliers.domain.errors import SupplierPortalSwitchedOff
from suppliers.domain.read_models import OrganisationSettings, ensure_may_activate_portals

TENANT = uuid.uuid4()


def test_portals_are_activated_while_the_buyer_has_the_supplier_portal_on_or_unknown() -> None:
    ensure_may_activate_portals(OrganisationSettings(TENANT, supplier_portal_enabled=True, revision=3))
    ensure_may_activate_portals(OrganisationSettings.unknown(TENANT))


def test_no_portal_is_activated_while_the_buyer_has_the_supplier_portal_off() -> None:
    with pytest.raises(SupplierPortalSwitchedOff, match="switch it on in the settings first") as refused:
        ensure_may_activate_portals(OrganisationSettings(TENANT, supplier_portal_enabled=False, revision=4))
    assert refused.value.status == 409


def test_suppliers_consumes_the_organisation_settings_with_its_own_group(tmp_path: Path) -> None:
    tokens = Tokens(tmp_path)
    runtime = bootstrap(Settings(jwt_public_key_file=tokens.public_key_file, log_format="console"))
    assert {(c.topic, c.group) for c in runtime.consumers} == {("gateway.organisation.v1", "suppliers.organisations")}
    [consumer] = runtime.consumers
    assert OrganisationSettingsChanged in consumer.handlers
