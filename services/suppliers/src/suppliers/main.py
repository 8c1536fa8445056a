"""The suppliers service process: ``python -m suppliers.main`` or ``suppliers-api``."""

from shared.serve import serve
from suppliers.bootstrap import bootstrap
from suppliers.config import Settings


def run() -> None:
    settings = Settings()
    serve(bootstrap(settings).app, settings)


if __name__ == "__main__":
    run()
