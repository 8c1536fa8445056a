"""The orders service process: ``python -m orders.main`` or ``orders-api``."""

from orders.bootstrap import bootstrap
from orders.config import Settings
from shared.serve import serve


def run() -> None:
    settings = Settings()
    serve(bootstrap(settings).app, settings)


if __name__ == "__main__":
    run()
