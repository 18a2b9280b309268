"""``python -m pyperi``: the ``pyperi`` command."""
from pyperi.cli import main

if __name__ == '__main__':
    raise SystemExit(main())
