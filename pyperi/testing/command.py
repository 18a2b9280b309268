"""The fake server's command line: ``python -m pyperi.testing`` (and ``pyperi serve-fake``).

Cheap to import: the server itself is only loaded by :func:`run`, so other command lines can add
these options to their own parsers with :func:`add_arguments` and serve with :func:`run`.
"""

from __future__ import annotations

import argparse
import errno
import math
import sys
from typing import Sequence

__all__ = ['add_arguments', 'main', 'run']

#: Exit status when the fake cannot bind its address (as the ``pyperi`` command's network errors).
EXIT_CANNOT_SERVE = 3


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError('not a whole number: %r' % (text,)) from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError('must be a port number from 0 to 65535: %r' % (text,))
    return value


def _seconds(text: str, *, zero_ok: bool) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError('not a number: %r' % (text,)) from None
    if not math.isfinite(value) or value < 0 or (value == 0 and not zero_ok):
        kind = 'zero or a positive' if zero_ok else 'a positive'
        raise argparse.ArgumentTypeError('must be %s number of seconds: %r' % (kind, text))
    return value


def _lifetime(text: str) -> float:
    return _seconds(text, zero_ok=False)


def _delay(text: str) -> float:
    return _seconds(text, zero_ok=True)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the fake's options to ``parser``: ``--host``, ``--port``, ``--token-ttl``, ``--latency``
    and ``--write-warc``.

    Bad values (a port outside 0-65535, a negative or non-finite number of seconds, a token
    lifetime of 0) are usage errors raised by ``parser``.
    """
    parser.add_argument('--host', default='127.0.0.1', help='address to bind (127.0.0.1)')
    parser.add_argument('--port', type=_port, default=0, help='port to bind (0: a free one)')
    parser.add_argument('--token-ttl', type=_lifetime, default=300.0,
                        help='session token lifetime in seconds (300)')
    parser.add_argument('--latency', type=_delay, default=0.0,
                        help='seconds added to every response, like a distant server (0)')
    parser.add_argument('--write-warc', metavar='FILE', default=None,
                        help='instead of serving, record the fake into a WARC file under the '
                             'real Periscope URLs (.warc or .warc.gz) and exit')


def _problem(prog: str | None, message: str) -> None:
    """Report ``message`` on stderr (as ``PROG: error: message`` when ``prog`` is given)."""
    print(message if prog is None else '%s: error: %s' % (prog, message), file=sys.stderr)


def _cannot_bind(host: str, port: int, exc: OSError) -> str:
    if exc.errno == errno.EADDRINUSE:
        return ('cannot serve on %s:%d: the address is already in use (choose another --port, '
                'or 0 for a free one)' % (host, port))
    return 'cannot serve on %s:%d: %s' % (host, port, exc.strerror or exc)


def run(args: argparse.Namespace, *, prog: str | None = None) -> int:
    """Serve a fake Periscope with the options of :func:`add_arguments` until Ctrl-C.

    Prints the address and the two environment variables that point ``Peri()`` at it. With
    ``write_warc`` set, records the fake into that WARC file instead and returns.

    :param args: parsed options with ``host``, ``port``, ``token_ttl``, ``latency`` and
        (optionally) ``write_warc``.
    :param prog: the command's name, to report problems as ``PROG: error: ...``.
    :returns: 0 after Ctrl-C (or once the WARC is written); 3 (a message on stderr) when the
        address cannot be bound or the WARC cannot be written.
    """
    from pyperi.testing.fake import FakePeriscope   # the server is only loaded to serve

    if getattr(args, 'write_warc', None):
        return _write_warc(args, prog)
    fake = FakePeriscope(args.host, args.port, token_ttl=args.token_ttl)
    fake.latency = args.latency
    try:
        fake.start()
    except OSError as exc:
        _problem(prog, _cannot_bind(args.host, args.port, exc))
        return EXIT_CANNOT_SERVE
    out = sys.stdout
    out.write('Fake Periscope serving at %s\n' % fake.web_base_url)
    out.write('PYPERI_API_BASE_URL=%s\n' % fake.api_base_url)
    out.write('PYPERI_WEB_BASE_URL=%s\n' % fake.web_base_url)
    out.write('Press Ctrl-C to stop.\n')
    out.flush()
    try:
        # Short waits, so Ctrl-C is noticed on every platform.
        while not fake.wait_until_stopped(1.0):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        fake.stop()
    return 0


def _write_warc(args: argparse.Namespace, prog: str | None) -> int:
    """``--write-warc FILE``: record the fake into FILE; 0, or 3 with a message on stderr."""
    from pyperi.testing.fake import FakePeriscope
    from pyperi.testing.warc import write_warc

    try:
        with FakePeriscope(args.host, args.port, token_ttl=args.token_ttl,
                           small_replays=True) as fake:
            records = write_warc(args.write_warc, fake=fake)
    except ImportError as exc:
        _problem(prog, str(exc))
        return EXIT_CANNOT_SERVE
    except OSError as exc:
        _problem(prog, 'cannot write %s: %s' % (args.write_warc, exc))
        return EXIT_CANNOT_SERVE
    sys.stdout.write('Wrote %d WARC records to %s\n' % (records, args.write_warc))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Serve a fake Periscope until Ctrl-C (``python -m pyperi.testing``); the exit status.

    :param argv: the arguments (default: ``sys.argv[1:]``).
    """
    parser = argparse.ArgumentParser(prog='python -m pyperi.testing',
                                     description='Serve a fake Periscope (API, pages, HLS).')
    add_arguments(parser)
    return run(parser.parse_args(argv))
