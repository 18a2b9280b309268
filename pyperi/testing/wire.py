"""Facts about Periscope's wire format that the fake serves, each written once.

The client (``pyperi.web``, ``pyperi.urls``) keeps its own copy of these facts on purpose: the fake
does not import them, so a test passing against it checks that the client reads what Periscope
served, not merely that both sides share a constant.
"""

from __future__ import annotations

import re

__all__ = [
    'API_PATH', 'CLOUDFRONT_COOKIES', 'CLOUDFRONT_KEY_PAIR_ID', 'HISTORY_TOKEN', 'REFUSED_STATUS',
    'TOKEN_NAMES', 'USERNAME_RE',
]

#: Path of the API under the server's base URL (``{base}/api/v2/<endpoint>``).
API_PATH = '/api/v2'
#: The session token getUserBroadcastsPublic wants as ``session_id``.
HISTORY_TOKEN = 'broadcastHistory'
#: The public session tokens every user page carries, in the order pages list them.
TOKEN_NAMES = (HISTORY_TOKEN, 'serviceToken', 'thumbnailPlaylist')
#: Status of getUserBroadcastsPublic with a missing, unknown, expired or foreign session_id.
REFUSED_STATUS = 401
#: What a username may be (and so what a one-segment page path may name).
USERNAME_RE = re.compile(r'[A-Za-z0-9_]{1,64}')
#: The CloudFront key-pair id in replay cookies and thumbnail URLs.
CLOUDFRONT_KEY_PAIR_ID = 'APKAIHCXHHQVRTVSFRWQ'
#: Names of the signed cookies accessVideoPublic hands out: policy, signature, key-pair id.
CLOUDFRONT_COOKIES = ('CloudFront-Policy', 'CloudFront-Signature', 'CloudFront-Key-Pair-Id')
