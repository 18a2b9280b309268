"""The pytest fixtures downstream projects get from pyperi.testing.plugin."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import pyperi.testing

pytest_plugins = ['pytester']

DOWNSTREAM_TEST = '''
def test_uses_fixtures(fake_periscope, fake_peri):
    assert fake_peri is fake_periscope.peri
    assert fake_peri.get_user_info('376827')['username'] == 'george_clinton'
    fake_periscope.fail_next(1, 503)
    assert fake_peri.get_user_info(username='george_clinton')['id'] == '376827'
'''


@pytest.mark.integration
def test_fixtures__work_in_a_downstream_project(pytester):
    pytester.makepyfile(DOWNSTREAM_TEST)
    # Block the entry point (if pyperi is installed) and load the module by name, so the test
    # passes whether or not the package is installed.
    result = pytester.runpytest_inprocess('-p', 'no:pyperi', '-p', 'pyperi.testing.plugin')
    result.assert_outcomes(passed=1)


def test_plugin__imports_cheaply():
    code = ('import sys, pyperi.testing.plugin; '
            'print("pyperi.testing.fake" in sys.modules)')
    root = Path(pyperi.testing.__file__).resolve().parents[2]
    env = dict(os.environ,
               PYTHONPATH=os.pathsep.join([str(root), os.environ.get('PYTHONPATH', '')]))
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, check=True,
                         env=env)
    assert out.stdout.strip() == 'False'
