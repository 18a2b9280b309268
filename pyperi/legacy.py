"""PyPeri 0.2.0 compatibility: methods that work on the class and on an instance, and 0.2.0's
underscore names that scripts and 0.2.0's own tests called, as thin aliases.

Everything here delegates to :mod:`pyperi.urls` and :mod:`pyperi.web`; nothing here imports
:mod:`pyperi.client` (the client imports this module).
"""
from __future__ import annotations

import functools
import types
from typing import Any, Callable, Concatenate, Generic, Mapping, ParamSpec, Protocol, TypeVar

import requests

from . import urls, web

__all__ = ['class_or_instance_method', 'web_base_of', 'api_base_of']

P = ParamSpec('P')
R = TypeVar('R')


class class_or_instance_method(Generic[P, R]):   # noqa: N801 - named like classmethod
    """Like ``classmethod``, but bound to the instance when looked up on one.

    PyPeri 0.2.0 made ``create_user_url`` and ``parse_periscope_url`` classmethods,
    so scripts call ``Peri.parse_periscope_url(url)``; pyperi's instances have their
    own base URLs, which calls on an instance must use. The function receives the
    class or the instance first; :func:`web_base_of` and :func:`api_base_of` read the
    right base URL from either.
    """

    def __init__(self, function: Callable[Concatenate[Any, P], R]) -> None:
        self.function = function
        functools.update_wrapper(self, function)  # type: ignore[arg-type]

    def __get__(self, instance: object, owner: type | None = None) -> Callable[P, R]:
        target = owner if instance is None else instance
        bound: Callable[P, R] = types.MethodType(self.function, target)
        return bound


def _base_of(target: Any, name: str) -> str:
    value = getattr(target, name, None)
    if not isinstance(value, str):
        raise TypeError(f'target must be a Peri or a Peri class (with a str {name}), '
                        f'not {type(target).__name__}')
    return value.rstrip('/')


def web_base_of(target: Any) -> str:
    """The web base URL of a Peri instance, or of the class (``PERISCOPE_WEB_BASE_URL``).

    :raises TypeError: ``target`` has no such URL.
    """
    return _base_of(target, 'PERISCOPE_WEB_BASE_URL' if isinstance(target, type)
                    else 'web_base_url')


def api_base_of(target: Any) -> str:
    """The API base URL of a Peri instance, or of the class (``PERISCOPE_API_BASE_URL``).

    :raises TypeError: ``target`` has no such URL.
    """
    return _base_of(target, 'PERISCOPE_API_BASE_URL' if isinstance(target, type)
                    else 'api_base_url')


class _PageFetcher(Protocol):
    def http_get(self, url: str, **kwargs: Any) -> requests.Response | None: ...


def _keep(found: Mapping[str, str | None], *keys: str) -> dict[str, str | None]:
    """The three-key result with only ``keys`` kept, or all None unless every one was found."""
    kept = {name: found.get(name) if name in keys else None
            for name in ('broadcast_id', 'user_id', 'username')}
    return kept if all(kept[key] for key in keys) else dict.fromkeys(kept)


@class_or_instance_method
def create_api_request_url(target: Any, /, endpoint: str, **params: Any) -> str:
    """The URL :meth:`~pyperi.Peri.request_api` fetches (0.2.0's ``_create_api_request_url``).

    Params are sorted, ``None`` values dropped; unlike 0.2.0 there is no trailing ``?``
    when there are no params.
    """
    return urls.api_url(api_base_of(target), endpoint, params)


def get_web_data_store(peri: _PageFetcher, url: str) -> dict[str, Any] | None:
    """The decoded ``data-store`` of the page at ``url`` (0.2.0's ``_get_web_data_store``).

    None when the page is a 404 (0.2.0 raised); PyPeriResponseError when the page has
    no readable data-store.
    """
    response = peri.http_get(url)
    if response is None:
        return None
    return web.extract_data_store(web.body_text(response))


@class_or_instance_method
def parse_w_url(target: Any, /, url: str) -> dict[str, str | None]:
    """``broadcast_id`` of a ``/w/<broadcast_id>`` URL (0.2.0's ``_parse_periscope_w_url``)."""
    found = urls.parse_periscope_url(url, web_base_of(target))
    return _keep(found if found['username'] is None else {}, 'broadcast_id')


@class_or_instance_method
def parse_u_url(target: Any, /, url: str) -> dict[str, str | None]:
    """``user_id`` of a ``/u/<user_id>`` URL (0.2.0's ``_parse_periscope_u_url``)."""
    return _keep(urls.parse_periscope_url(url, web_base_of(target)), 'user_id')


@class_or_instance_method
def parse_username_url(target: Any, /, url: str) -> dict[str, str | None]:
    """``username`` of a ``/<username>`` URL (0.2.0's ``_parse_periscope_username_url``)."""
    return _keep(urls.parse_periscope_url(url, web_base_of(target)), 'username')


@class_or_instance_method
def parse_username_broadcast_id_url(target: Any, /, url: str) -> dict[str, str | None]:
    """``username`` and ``broadcast_id`` of a ``/<username>/<broadcast_id>`` URL
    (0.2.0's ``_parse_periscope_username_broadcast_id_url``)."""
    return _keep(urls.parse_periscope_url(url, web_base_of(target)), 'username', 'broadcast_id')
