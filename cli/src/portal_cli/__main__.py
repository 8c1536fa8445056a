"""``python -m portal_cli``: the same as the ``portal`` command."""

from portal_cli.main import main

if __name__ == "__main__":
    main()
