"""The gateway process: ``python -m gateway.main`` or ``gateway-api``."""

from gateway.bootstrap import bootstrap
from gateway.config import Settings
from shared.serve import serve


def run() -> None:
    settings = Settings()
    serve(bootstrap(settings).app, settings)


if __name__ == "__main__":
    run()
