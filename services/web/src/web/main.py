"""The web portal process: ``python -m web.main`` or ``web``."""

from shared.serve import serve
from web.bootstrap import bootstrap
from web.config import Settings


def run() -> None:
    settings = Settings()
    serve(bootstrap(settings), settings)


if __name__ == "__main__":
    run()
