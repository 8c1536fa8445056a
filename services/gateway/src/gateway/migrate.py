"""Apply the gateway's migrations, make sure the first buyer organisation and its admin exist, and
announce every organisation's settings again (``announce_organisations``: read models that lack one).

``python -m gateway.migrate``: when ``PORTAL_ADMIN_PASSWORD`` is unset, a random password is
generated and printed here, once; it is stored only as an argon2 hash.
"""

from __future__ import annotations

import asyncio
import secrets
from pathlib import Path

from gateway.config import Settings
from gateway.service.organisations import announce_organisations, bootstrap_admin
from gateway.service.unit_of_work import UnitOfWork
from shared.db import make_engine, make_session_factory
from shared.migrate import upgrade_head

SERVICE_ROOT = Path(__file__).resolve().parents[2]


async def ensure_admin(settings: Settings) -> str:
    engine = make_engine(settings.database_url, pool_size=1)
    try:
        password = settings.admin_password or secrets.token_urlsafe(12)
        uow = UnitOfWork(make_session_factory(engine), settings.service_name)
        user, created = await bootstrap_admin(
            uow, email=settings.admin_email, password=password, organisation_name=settings.organisation_name
        )
        if not created:  # a first start has published its one organisation just now
            await announce_organisations(uow)
    finally:
        await engine.dispose()
    if not created:
        return f"{user.email} (existing account; password unchanged)"
    if settings.admin_password:
        return f"{user.email} / password from PORTAL_ADMIN_PASSWORD"
    return f"{user.email} / {password}   (generated; shown only this once)"


def main() -> None:
    settings = Settings()
    upgrade_head(SERVICE_ROOT, settings.database_url)
    print(asyncio.run(ensure_admin(settings)), flush=True)


if __name__ == "__main__":
    main()
