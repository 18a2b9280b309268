"""Fuzz of the public surface: hostile arguments give only documented outcomes (issue 11).

Every public function of the library modules (each module's ``__all__``), ``Peri(...)``
and every public ``Peri`` method is called with values hypothesis draws for each
parameter: hostile ones (wrong types, NaN, infinities, huge numbers, lone surrogates,
nesting deeper than the recursion limit, ``datetime.max``...), plausible ones (by the
parameter's name and type hint) and its default. HTTP is answered by ``responses`` (like
Periscope, 404, 500 or garbage), each call runs in a fresh empty working directory, and a
stand-in ``sleep`` keeps anything from waiting. The property:

* the call returns (None included) or raises a ``PyPeriError``, or a ``TypeError`` /
  ``ValueError`` that pyperi raised on purpose (a ``raise`` statement in pyperi's code, or
  Python's own check of the call's arguments); anything else is a leak;
* for such an argument error, no request was sent and nothing was written.

The default profile tries 10 examples per target; ``--hypothesis-profile=ci`` (run by
``.ci/run``) 100 (profiles in tests/conftest.py). Targets on ``PENDING`` have known leaks
their owners are fixing: they are expected to fail. ``tools/fuzz_report.py`` counts leaks
by function instead of stopping at the first. See the Fuzzing section of docs/security.rst.
"""
from __future__ import annotations

import inspect
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import fuzz_surface as fuzz
from pyperi import PyPeriResponseError, urls

TARGETS = fuzz.public_surface()
STRATEGIES = {target.name: fuzz.arguments_strategy(target) for target in TARGETS}
GUARDED = [target for target in TARGETS if target.name not in fuzz.PENDING]
PENDING = [pytest.param(target, id=target.name, marks=pytest.mark.xfail(
    reason=f'known leaks: {fuzz.PENDING[target.name]}', strict=False))
    for target in TARGETS if target.name in fuzz.PENDING]
HEALTH = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large,
          HealthCheck.filter_too_much, HealthCheck.large_base_example]


def check_one_call(target: fuzz.Target, data: st.DataObject) -> None:
    args, kwargs = data.draw(STRATEGIES[target.name], label='arguments')
    reply = data.draw(st.sampled_from(fuzz.REPLIES), label='server')
    garbage = data.draw(st.integers(0, 6), label='garbage') if reply == 'garbage' else 0
    outcome = fuzz.call_target(target, args, kwargs, reply=reply, garbage=garbage)
    assert outcome.problem is None, outcome.problem


@pytest.mark.parametrize('target', GUARDED, ids=[target.name for target in GUARDED])
@settings(deadline=None, suppress_health_check=HEALTH)
@given(data=st.data())
def test_public_surface__only_documented_outcomes(target: fuzz.Target, data: st.DataObject) -> None:
    check_one_call(target, data)


@pytest.mark.parametrize('target', PENDING)
@settings(deadline=None, suppress_health_check=HEALTH,
          phases=[Phase.explicit, Phase.reuse, Phase.generate])   # no shrinking: expected
@given(data=st.data())
def test_public_surface__pending_known_leaks(target: fuzz.Target, data: st.DataObject) -> None:
    check_one_call(target, data)


# -- the fuzz's own machinery -------------------------------------------------------------

def test_public_surface__covers_every_kind_of_target() -> None:
    names = {target.name for target in TARGETS}
    assert {'Peri', 'Peri.get_user_info', 'Peri.download_broadcast', 'pyperi.urls.user_url',
            'pyperi.timeutil.parse_span', 'pyperi.hls.parse_playlist', 'pyperi.stats.summarize',
            'pyperi.formatting.render', 'pyperi.exceptions.parse_retry_after',
            'pyperi.web.extract_data_store', 'pyperi.histories.fetch_histories',
            'pyperi.replay.download_broadcast', 'pyperi.replay.watch'} <= names
    assert not any(name.split('.')[:2] in (['pyperi', 'cli'], ['pyperi', 'testing'])
                   for name in names)


def test_skip_and_pending__name_only_functions_that_exist() -> None:
    every = {f'{module}.{name}' for module in fuzz.library_modules()
             for name in getattr(__import__(module, fromlist=['__all__']), '__all__', ())}
    every |= {f'Peri.{name}' for name in dir(fuzz.Peri) if not name.startswith('_')}
    every.add('Peri')
    assert set(fuzz.SKIP) <= every
    assert set(fuzz.PENDING) <= every


def test_leak_of__accepts_pyperi_errors_and_its_own_checks() -> None:
    with pytest.raises(ValueError) as raised:
        urls.validate_user_id('x')
    assert fuzz.leak_of(raised.value) is None
    assert fuzz.leak_of(PyPeriResponseError('bad body')) is None
    with pytest.raises(TypeError) as binding:
        urls.validate_user_id(nonsense=1)  # type: ignore[call-arg]
    assert fuzz.leak_of(binding.value) is None


def test_leak_of__flags_errors_pyperi_did_not_raise_on_purpose() -> None:
    with pytest.raises(ValueError) as from_int:
        int('not a number')
    assert 'not by pyperi on purpose' in str(fuzz.leak_of(from_int.value))
    assert 'never a documented outcome' in str(fuzz.leak_of(AttributeError('x')))
    assert 'never a documented outcome' in str(fuzz.leak_of(RecursionError()))


def test_outcome__flags_requests_and_files_before_an_argument_error() -> None:
    with pytest.raises(ValueError) as raised:
        urls.validate_username('')
    outcome = fuzz.Outcome('f', raised.value, requests=1, written=[])
    assert 'request(s) sent before the argument error' in str(outcome.problem)
    written = fuzz.Outcome('f', raised.value, requests=0, written=['x.ts'])
    assert "wrote ['x.ts']" in str(written.problem)


def test_call_target__runs_in_an_empty_directory_with_mocked_http() -> None:
    seen: dict[str, Any] = {}

    def look(peri: Any, args: list[Any], kwargs: dict[str, Any]) -> None:
        seen['cwd'] = os.getcwd()
        seen['files'] = os.listdir('.')
        seen['user'] = peri.get_user_info(user_id='376827')
        open('left.txt', 'w').close()

    target = fuzz.Target('look', (), look)
    outcome = fuzz.call_target(target, [], {}, reply='periscope')
    assert outcome.error is None and outcome.requests == 1
    assert outcome.written == ['left.txt']
    assert seen['files'] == [] and seen['cwd'] != os.getcwd()
    assert os.listdir(seen['cwd']) == []   # emptied for the next call
    assert seen['user']['username'] == 'george_clinton'


def test_fake_time__sleep_checks_like_time_sleep_and_ends_loops() -> None:
    fake = fuzz.FakeTime()
    with pytest.raises(ValueError):
        fake.sleep(-5)
    with pytest.raises(OverflowError):
        fake.sleep(1e300)
    with pytest.raises(fuzz.FuzzStop):
        for _ in range(fake.WAITS + 1):
            fake.sleep(1)


def test_call_target__cuts_off_a_hang() -> None:
    def spin(peri: Any, args: list[Any], kwargs: dict[str, Any]) -> None:
        while True:
            pass

    target = fuzz.Target('spin', (), spin)
    old = fuzz.TIME_LIMIT
    fuzz.TIME_LIMIT = 0.2
    try:
        outcome = fuzz.call_target(target, [], {}, reply='not_found')
    finally:
        fuzz.TIME_LIMIT = old
    assert isinstance(outcome.error, fuzz.FuzzHang)
    assert 'FuzzHang' in str(outcome.problem)


def test_values_for__file_parameters_get_only_harmless_names() -> None:
    parameter = inspect.Parameter('directory', inspect.Parameter.KEYWORD_ONLY, annotation='str')
    assert fuzz.names_a_file(parameter)
    strategy = fuzz.values_for(parameter)

    @given(strategy)
    @settings(max_examples=200, database=None)
    def check(value: Any) -> None:
        if isinstance(value, str):
            assert not value.startswith('/') and '..' not in value.split('/')

    check()
