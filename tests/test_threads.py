"""One Peri shared by many threads, against the embedded fake over real HTTP."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from pyperi import Peri
from pyperi.testing import FakePeriscope, GEORGE_CLINTON_ID


@pytest.mark.integration
def test_one_peri_shared_by_16_threads(fake_periscope: FakePeriscope) -> None:
    users = [fake_periscope.add_user(f'thread_user_{i}') for i in range(40)]
    peri: Peri = fake_periscope.peri

    def call(i: int) -> tuple[str, str | None, str | None]:
        user = users[i % len(users)]
        if i % 10 == 0:
            history = peri.get_user_broadcast_history(username=user['username'])
            ok = history == []
            return user['id'], user['id'] if ok else 'bad history', user['id'] if ok else None
        by_id = peri.get_user_info(user['id'])
        by_name = peri.request_api('getUserPublic', username=user['username'])
        return user['id'], by_id and by_id['id'], by_name and by_name['user']['id']

    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(call, range(400)))

    assert len(results) == 400
    for expected, by_id, by_name in results:
        assert by_id == expected
        assert by_name == expected
    gets = [r for r in fake_periscope.requests if r.path.endswith('/getUserPublic')]
    assert len(gets) == 2 * 360


@pytest.mark.integration
def test_threads_see_none_for_missing_users_not_errors(fake_periscope: FakePeriscope) -> None:
    peri = fake_periscope.peri
    ids = [GEORGE_CLINTON_ID, '156816811'] * 50
    with ThreadPoolExecutor(max_workers=16) as pool:
        found = list(pool.map(lambda i: peri.get_user_info(i), ids))
    assert [f and f['id'] for f in found] == [GEORGE_CLINTON_ID, None] * 50
