"""Apply the matching database migrations: ``python -m matching.migrate``."""

from pathlib import Path

from matching.config import Settings
from shared.migrate import upgrade_head

SERVICE_ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    upgrade_head(SERVICE_ROOT, Settings().database_url)


if __name__ == "__main__":
    main()
