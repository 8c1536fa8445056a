"""The matching service process: ``python -m matching.main`` or ``matching-api``."""

from matching.bootstrap import bootstrap
from matching.config import Settings
from shared.serve import serve


def run() -> None:
    settings = Settings()
    serve(bootstrap(settings).app, settings)


if __name__ == "__main__":
    run()
