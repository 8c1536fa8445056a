"""Apply the orders database migrations: ``python -m orders.migrate``."""

from pathlib import Path

from orders.config import Settings
from shared.migrate import upgrade_head

SERVICE_ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    upgrade_head(SERVICE_ROOT, Settings().database_url)


if __name__ == "__main__":
    main()
