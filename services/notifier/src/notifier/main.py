"""The notifier service process: ``python -m notifier.main`` or ``notifier-api``."""

from notifier.bootstrap import bootstrap
from notifier.config import Settings
from shared.serve import serve


def run() -> None:
    settings = Settings()
    serve(bootstrap(settings).app, settings)


if __name__ == "__main__":
    run()
