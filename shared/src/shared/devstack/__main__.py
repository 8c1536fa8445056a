"""``python -m shared.devstack [up]``: run the whole system on the embedded servers."""

import sys

from shared.devstack.stack import main

if __name__ == "__main__":
    sys.exit(main())
