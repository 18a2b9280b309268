"""The loopback guard of conftest.py itself."""
from __future__ import annotations

import socket

import pytest
import requests

from pyperi import Peri, PyPeriConnectionError


def test_guard_refuses_other_hosts() -> None:
    with pytest.raises(OSError, match='loopback'):
        socket.getaddrinfo('api.periscope.tv', 443)


def test_guard_lets_loopback_through() -> None:
    assert socket.getaddrinfo('127.0.0.1', 80)


def test_unmocked_real_address_never_leaves_the_machine() -> None:
    with Peri(retries=0) as peri, pytest.raises(PyPeriConnectionError):
        peri.get_user_info('376827')
    assert issubclass(PyPeriConnectionError, requests.ConnectionError)
