"""The fake's command line (`python -m pyperi.testing`), whose parts `pyperi serve-fake` reuses."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests

import pyperi.testing
from pyperi.testing import FakePeriscope, command

ROOT = Path(pyperi.testing.__file__).resolve().parents[2]
ENV = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get('PYTHONPATH', '')]))


def parse(*argv):
    parser = argparse.ArgumentParser()
    command.add_arguments(parser)
    return parser.parse_args(argv)


def test_add_arguments__defaults():
    assert vars(parse()) == {'host': '127.0.0.1', 'port': 0, 'token_ttl': 300.0, 'latency': 0.0,
                             'write_warc': None}


def test_add_arguments__values():
    args = parse('--host', '0.0.0.0', '--port', '8080', '--token-ttl', '5', '--latency', '0.25')
    assert vars(args) == {'host': '0.0.0.0', 'port': 8080, 'token_ttl': 5.0, 'latency': 0.25,
                          'write_warc': None}


@pytest.mark.parametrize('argv', [
    ['--port', '-1'], ['--port', '65536'], ['--port', 'http'],
    ['--token-ttl', '0'], ['--token-ttl', '-5'], ['--token-ttl', 'inf'], ['--token-ttl', 'soon'],
    ['--latency', '-0.1'], ['--latency', 'nan'],
])
def test_add_arguments__bad_values_are_usage_errors(argv, capsys):
    with pytest.raises(SystemExit) as info:
        parse(*argv)
    assert info.value.code == 2
    assert argv[0] in capsys.readouterr().err


def test_main__is_the_packages_main():
    assert pyperi.testing.main is command.main


def test_main__help_lists_the_options(capsys):
    with pytest.raises(SystemExit) as info:
        pyperi.testing.main(['--help'])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith('usage: python -m pyperi.testing')
    for option in ('--host', '--port', '--token-ttl', '--latency'):
        assert option in out


def test_command__imports_no_server():
    code = ('import sys, pyperi.testing.command; '
            'print(sorted(m for m in ("pyperi.testing.fake", "pyperi.testing.server", '
            '"http.server") if m in sys.modules))')
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                         check=True, env=ENV)
    assert out.stdout.strip() == '[]'


@pytest.mark.integration
def test_run__serves_with_the_options_until_ctrl_c(monkeypatch, capsys):
    seen = []

    def interrupted(fake, timeout=None):
        response = requests.get(fake.api_base_url + '/getUserPublic',
                                params={'user_id': '376827'}, timeout=5)
        seen.append((fake.running, fake.token_ttl, fake.latency, response.status_code))
        raise KeyboardInterrupt

    monkeypatch.setattr(FakePeriscope, 'wait_until_stopped', interrupted)
    assert command.run(parse('--token-ttl', '7', '--latency', '0.01')) == 0
    assert seen == [(True, 7.0, 0.01, 200)]
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith('Fake Periscope serving at http://127.0.0.1:')
    assert lines[-1] == 'Press Ctrl-C to stop.'


@pytest.mark.integration
def test_main__serves_until_interrupted():
    # A run started in the background of a non-interactive shell inherits SIGINT ignored, and
    # Python then installs no KeyboardInterrupt handler: give the child the default back.
    proc = subprocess.Popen([sys.executable, '-m', 'pyperi.testing', '--port', '0'],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        first = proc.stdout.readline()
        assert first.startswith('Fake Periscope serving at http://127.0.0.1:')
        base = first.split()[-1]
        api = proc.stdout.readline().strip()
        assert api == 'PYPERI_API_BASE_URL=%s/api/v2' % base
        response = requests.get(base + '/api/v2/getUserPublic',
                                params={'username': 'george_clinton'}, timeout=5)
        assert response.json()['user']['id'] == '376827'
        proc.send_signal(signal.SIGINT)
        assert proc.wait(10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()


@pytest.mark.integration
def test_main__reports_a_port_in_use(capsys):
    with FakePeriscope() as fake:
        assert pyperi.testing.main(['--port', str(fake.port)]) == 3
    assert 'cannot serve' in capsys.readouterr().err
