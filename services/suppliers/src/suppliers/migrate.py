"""Apply the suppliers database migrations: ``python -m suppliers.migrate``."""

from pathlib import Path

from shared.migrate import upgrade_head
from suppliers.config import Settings

SERVICE_ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    upgrade_head(SERVICE_ROOT, Settings().database_url)


if __name__ == "__main__":
    main()
