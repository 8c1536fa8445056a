"""``python -m portal_dev [up]``: run the whole system on the embedded servers."""

import sys

from portal_dev.stack import main

if __name__ == "__main__":
    sys.exit(main())
