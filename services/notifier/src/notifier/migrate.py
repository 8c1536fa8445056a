"""Apply the notifier database migrations: ``python -m notifier.migrate``."""

from pathlib import Path

from notifier.config import Settings
from shared.migrate import upgrade_head

SERVICE_ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    upgrade_head(SERVICE_ROOT, Settings().database_url)


if __name__ == "__main__":
    main()
