"""Sessions on real PostgreSQL, in the web portal's own migrated database: kept by the digest of
the browser's key, a chosen buyer remembered, ended ones purged, one removed at sign-out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from portal_dev.testing import Servers, migrate
from web import migrate as web_migrate
from web.adapters.session_store import SessionStore
from web.domain.sessions import WebSession, key_digest, new_secret

pytestmark = pytest.mark.integration


def a_session(now: datetime, *, last_seen: timedelta = timedelta(0)) -> WebSession:
    return WebSession(
        digest=key_digest(new_secret()),
        access_token="header.payload.signature",
        csrf_token=new_secret(),
        user_id=uuid4(),
        email="clerk@supplier.example",
        name="Clerk",
        role="supplier",
        created_at=now - last_seen,
        last_seen_at=now - last_seen,
        expires_at=now + timedelta(hours=1),
        organisations=[{"supplier_id": str(uuid4()), "buyer_name": "Buyer"}],
    )


async def test_sessions_are_kept_chosen_ended_and_purged(servers: Servers) -> None:
    url = await servers.create_database("web")
    await migrate(web_migrate.main, {"WEB_DATABASE_URL": url})
    store = await SessionStore.connect(url)
    now = datetime.now(UTC)
    try:
        kept = a_session(now)
        await store.add(kept)
        found = await store.get(kept.digest)
        assert found == kept

        supplier_id = uuid4()
        await store.choose_supplier(kept.digest, supplier_id, "narrowed.token.here")
        chosen = await store.get(kept.digest)
        assert chosen is not None and chosen.supplier_id == supplier_id and chosen.api_token == "narrowed.token.here"

        idle = a_session(now, last_seen=timedelta(hours=2))
        expired = a_session(now)
        expired.expires_at = now - timedelta(seconds=1)
        for session in (idle, expired):
            await store.add(session)
        assert await store.purge_ended(now, timedelta(minutes=30)) == 2
        assert await store.get(idle.digest) is None and await store.get(expired.digest) is None
        assert await store.get(kept.digest) is not None

        await store.remove(kept.digest)
        assert await store.get(kept.digest) is None
    finally:
        await store.close()
