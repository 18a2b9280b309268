"""``python -m pyperi.testing``: serve a fake Periscope until Ctrl-C."""

from __future__ import annotations

import sys

from pyperi.testing.command import main

if __name__ == '__main__':
    sys.exit(main())
