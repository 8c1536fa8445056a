"""Apply the web portal's database migrations (its sessions): ``python -m web.migrate``."""

from pathlib import Path

from shared.migrate import upgrade_head
from web.config import Settings

SERVICE_ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    upgrade_head(SERVICE_ROOT, Settings().database_url)


if __name__ == "__main__":
    main()
