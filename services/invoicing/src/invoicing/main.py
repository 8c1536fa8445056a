"""The invoicing service process: ``python -m invoicing.main`` or ``invoicing-api``."""

from invoicing.bootstrap import bootstrap
from invoicing.config import Settings
from shared.serve import serve


def run() -> None:
    settings = Settings()
    serve(bootstrap(settings).app, settings)


if __name__ == "__main__":
    run()
