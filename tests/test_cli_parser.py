"""Tests for the command line's parser: usage errors, common options in both places,
``--help`` examples, shell completion, ``-q/--quiet`` and ``--array``."""
from __future__ import annotations

import io
import json
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pyperi import cli
from pyperi.cli import completion, main
from pyperi.testing import FakePeriscope
from pyperi.testing.dataset import (
    DOCUMENTED_BROADCAST_ID, GEORGE_CLINTON_USERNAME, MISSING_USERNAMES,
)
from helpers import usage_error

COMMAND_NAMES = [command.name for command in cli.COMMANDS]


def run(periscope: FakePeriscope, capsys: Any, *argv: str) -> tuple[int, str, str]:
    """Run the command in-process against ``periscope``; (exit code, stdout, stderr)."""
    code = main(['--api-base-url', periscope.api_base_url, '--web-base-url', periscope.web_base_url,
                 '--retries', '0', *argv])
    out, err = capsys.readouterr()
    return code, out, err


def run_argv(capsys: Any, *argv: str) -> tuple[int, str, str]:
    """Run the command in-process with ``argv`` as given; (exit code, stdout, stderr)."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


class Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


# -- usage errors: the usage of the command concerned, then one line, exit 2 ----------------


@pytest.mark.parametrize('argv, command, message', [
    (['user', 'x', '--bogus'], 'user', 'unrecognized arguments: --bogus'),
    (['--bogus', 'user', 'x'], 'user', 'unrecognized arguments: --bogus'),
    (['tokens', 'a', 'b'], 'tokens', 'unrecognized arguments: b'),
    (['user', 'x', '-f', 'yaml'], 'user',
     "argument -f/--format: invalid choice: 'yaml' (choose from ..."),   # (quoting varies)
    (['history', 'x', '--limit', '-1'], 'history', "argument --limit: must be 0 or more: '-1'"),
    (['user', 'x', '--retries', 'many'], 'user', "argument --retries: not a whole number: 'many'"),
    (['--retries', 'many', 'user', 'x'], None, "argument --retries: not a whole number: 'many'"),
    (['user'], 'user', 'the following arguments are required: USER'),
    ([], None, 'the following arguments are required: COMMAND'),
    (['completion'], 'completion', 'the following arguments are required: shell'),
    (['--offline', '--api-base-url', 'http://127.0.0.1:9/api/v2', 'user', 'x'], 'user',
     '--offline cannot be combined with --api-base-url/--web-base-url'),
    (['user', 'x', '--offline', '--web-base-url', 'http://127.0.0.1:9'], 'user',
     '--offline cannot be combined with --api-base-url/--web-base-url'),
    (['--offline', 'user', 'x', '--api-base-url', 'http://127.0.0.1:9/api/v2'], 'user',
     '--offline cannot be combined with --api-base-url/--web-base-url'),
    (['-f', 'csv', 'serve-fake'], 'serve-fake', 'serve-fake does not take --format'),
    (['--array', 'watch', 'x'], 'watch', 'watch does not take --array'),
    (['--offline', 'completion', 'bash'], 'completion', 'completion does not take --offline'),
    (['--retries', '1', 'serve-fake'], 'serve-fake', 'serve-fake does not take --retries'),
    (['url'], 'url', 'give at least one USER or --broadcast BROADCAST'),   # found when running
    (['download', DOCUMENTED_BROADCAST_ID, '--since', '7d'], 'download',
     '--since works with --user only'),
], ids=['unknown-option-after', 'unknown-option-before', 'extra-argument', 'bad-choice',
        'bad-number-after-command', 'bad-common-value-after', 'bad-common-value-before',
        'missing-argument', 'missing-command', 'missing-shell', 'offline-and-base-before',
        'offline-and-base-after', 'offline-and-base-both-sides', 'output-option-not-taken',
        'array-not-taken', 'network-option-not-taken', 'retries-not-taken', 'run-time-check',
        'run-time-combination'])
def test_usage_error__usage_then_one_line_exit_2(capsys, argv, command, message):
    code, out, err = run_argv(capsys, *argv)
    assert (code, out) == (2, '')
    if message.endswith('...'):
        assert usage_error(err, command).startswith(message[:-3])
    else:
        assert usage_error(err, command) == message
    assert 'Traceback' not in err


@pytest.mark.parametrize('argv, usage', [
    (['download', '--jobs', '0'], 'usage: pyperi download [options] [BROADCAST]'),
    (['user', '-f', 'xml'], 'usage: pyperi user [options] USER [USER ...]'),
    (['serve-fake', '--port', '80000'], 'usage: pyperi serve-fake [options]'),
    (['histroy'], 'usage: pyperi [options] COMMAND ...'),
])
def test_usage_error__usage_line_names_the_arguments_and_leaves_options_to_help(
        capsys, argv, usage):
    code, _, err = run_argv(capsys, *argv)
    assert code == 2 and err.splitlines()[0] == usage


@pytest.mark.parametrize('argv, prefix', [
    (['histroy'], 'pyperi: error:'), (['user', '--bogus', 'x'], 'pyperi user: error:'),
    (['url'], 'pyperi url: error:'),
], ids=['parsing-top-level', 'parsing-subcommand', 'running'])
@pytest.mark.parametrize('no_color', [None, '1'], ids=['terminal', 'NO_COLOR'])
def test_usage_error__prefix_coloured_like_other_errors_on_a_terminal(monkeypatch, argv, prefix,
                                                                      no_color):
    from pyperi.cli import terminal
    monkeypatch.delenv('TERM', raising=False)
    if no_color:
        monkeypatch.setenv('NO_COLOR', no_color)
    else:
        monkeypatch.delenv('NO_COLOR', raising=False)
    stderr = Terminal()
    monkeypatch.setattr(sys, 'stderr', stderr)
    assert main(argv) == 2
    line = stderr.getvalue().splitlines()[1]
    coloured = f'{terminal.BOLD}{terminal.RED}{prefix}{terminal.RESET} '
    assert line.startswith(prefix + ' ' if no_color else coloured)


@pytest.mark.parametrize('typed, suggested', [
    ('histroy', "'history'"), ('usr', "'user' or 'url'"), ('brodcast', "'broadcast'"),
    ('serve_fake', "'serve-fake'"), ('complete', "'completion'"), ('stat', "'stats'"),
])
def test_unknown_command__suggests_the_closest(capsys, typed, suggested):
    code, out, err = run_argv(capsys, typed, 'george_clinton')
    assert (code, out) == (2, '')
    assert usage_error(err) == f'unknown command {typed!r} (did you mean {suggested}?)'


def test_unknown_command__no_suggestion_when_nothing_is_close(capsys):
    code, _, err = run_argv(capsys, 'xyzzy')
    assert code == 2 and usage_error(err) == "unknown command 'xyzzy'"


def test_unknown_command_message__two_close_commands():
    assert cli.command.unknown_command_message('user', ['users', 'user_', 'stats']) == \
        "unknown command 'user' (did you mean 'users' or 'user_'?)"


# -- common options before and after the command --------------------------------------------


COMMON = [
    ('format', ['-f', 'csv'], 'csv'),
    ('format', ['--format', 'jsonl'], 'jsonl'),
    ('fields', ['--fields', 'id,username'], ['id', 'username']),
    ('array', ['--array'], True),
    ('verbose', ['-v'], True),
    ('quiet', ['-q'], True),
    ('quiet', ['--quiet'], True),
    ('offline', ['--offline'], True),
    ('api_base_url', ['--api-base-url', 'http://127.0.0.1:9/api/v2'], 'http://127.0.0.1:9/api/v2'),
    ('web_base_url', ['--web-base-url', 'http://127.0.0.1:9'], 'http://127.0.0.1:9'),
    ('archive', ['--archive', 'a.warc'], ['a.warc']),
    ('at', ['--at', '2019'], '2019'),
    ('timeout', ['--timeout', '5'], 5.0),
    ('deadline', ['--deadline', '9'], 9.0),
    ('retries', ['--retries', '1'], 1),
]


def parse(*argv: str) -> Any:
    return cli.build_parser().parse_command_line(list(argv))


@pytest.mark.parametrize('dest, option, value', COMMON, ids=[' '.join(c[1]) for c in COMMON])
def test_common_option__same_before_and_after_the_command(dest, option, value):
    before = parse(*option, 'user', 'x')
    after = parse('user', 'x', *option)
    assert getattr(before, dest) == getattr(after, dest) == value


@pytest.mark.parametrize('dest, option, value', COMMON, ids=[' '.join(c[1]) for c in COMMON])
def test_common_option__given_before_is_kept_when_not_repeated_after(dest, option, value):
    assert getattr(parse('user', 'x'), dest) != value
    # Other common options after the command must not reset it to its default.
    others = [words for name, words, _ in COMMON if name != dest]
    for after in others:
        assert getattr(parse(*option, 'user', 'x', *after), dest) == value, after


@pytest.mark.parametrize('before, after, dest, expected', [
    (['-f', 'csv'], ['-f', 'json'], 'format', 'json'),
    (['--fields', 'id'], ['--fields', 'username'], 'fields', ['username']),
    (['--retries', '1'], ['--retries', '2'], 'retries', 2),
    (['--archive', 'a.warc'], ['--archive', 'b.warc'], 'archive', ['b.warc']),
])
def test_common_option__after_wins_when_given_in_both_places(before, after, dest, expected):
    assert getattr(parse(*before, 'user', 'x', *after), dest) == expected


def test_common_option__defaults_when_given_nowhere():
    args = parse('user', 'x')
    assert (args.format, args.fields, args.array, args.verbose, args.quiet, args.offline) == \
        (None, None, False, False, False, False)


def test_common_option__groups_are_known_to_the_parser():
    parser = cli.build_parser()
    assert set(parser.output_options) == {'format', 'fields', 'array'}
    assert {'offline', 'api_base_url', 'web_base_url', 'archive', 'at', 'timeout', 'deadline',
            'retries'} <= set(parser.network_options)
    assert 'verbose' not in parser.network_options + parser.output_options


def test_common_option__serve_fake_takes_v_and_q_only(capsys):
    args = parse('-q', 'serve-fake', '-v', '--port', '0')
    assert args.quiet and args.verbose


@pytest.mark.integration
def test_common_option__format_before_and_after_print_the_same(fake_periscope, capsys):
    outputs = []
    for argv in (['-f', 'csv', 'user', GEORGE_CLINTON_USERNAME],
                 ['user', GEORGE_CLINTON_USERNAME, '-f', 'csv'],
                 ['-f', 'json', 'user', GEORGE_CLINTON_USERNAME, '--format', 'csv']):
        code, out, err = run(fake_periscope, capsys, *argv)
        assert (code, err) == (0, '')
        outputs.append(out)
    assert outputs[0].startswith('id,username,') and len(set(outputs)) == 1


@pytest.mark.integration
def test_common_option__connection_options_after_the_command(fake_periscope, capsys):
    code = main(['user', GEORGE_CLINTON_USERNAME, '--api-base-url', fake_periscope.api_base_url,
                 '--web-base-url', fake_periscope.web_base_url, '--fields', 'username',
                 '-f', 'csv'])
    assert (code, capsys.readouterr()) == (0, ('username\r\ngeorge_clinton\r\n', ''))


# -- --help: examples ------------------------------------------------------------------------


@pytest.mark.parametrize('name', COMMAND_NAMES)
def test_help__each_command_shows_two_or_three_examples(capsys, name):
    spec = next(command for command in cli.COMMANDS if command.name == name)
    assert 2 <= len(spec.examples) <= 3
    assert main([name, '--help']) == 0
    out = capsys.readouterr().out
    assert out.startswith(f'usage: pyperi {name} [options]')
    examples = out[out.index('\nexamples:\n'):].splitlines()[2:]
    assert examples == [f'  {example}' for example in spec.examples]


def _example_argv(example: str) -> list[str]:
    words = shlex.split(example, comments=True)
    assert words[0] == 'pyperi'
    return words[1:words.index('>')] if '>' in words else words[1:]


@pytest.mark.parametrize('example', [example for command in cli.COMMANDS
                                     for example in command.examples])
def test_help__every_example_is_a_valid_command_line(example):
    args = parse(*_example_argv(example))
    assert args.command in COMMAND_NAMES
    assert cli._combination_error(cli.build_parser(), args) is None


def test_help__top_level_has_examples_and_exit_statuses(capsys):
    assert main(['--help']) == 0
    out = capsys.readouterr().out
    assert '\nexamples:\n  pyperi --offline stats george_clinton --since 4w\n' in out
    assert 'exit status: 0 ok, 1 not found, 2 usage error' in out


# -- shell completion ------------------------------------------------------------------------


def test_completion__bash_mentions_every_command_and_option(capsys):
    pytest.importorskip('shtab')
    assert main(['completion', 'bash']) == 0
    out, err = capsys.readouterr()
    assert err == '' and out.rstrip().endswith('complete -o bashdefault -F _shtab_pyperi pyperi')
    for name in COMMAND_NAMES:
        assert name in out
    for option in ('--offline', '--array', '--quiet', '--since', '--no-resume', '--by'):
        assert option in out


@pytest.mark.parametrize('shell', completion.SHELLS)
def test_completion__each_shell_gets_a_script_naming_the_commands(capsys, shell):
    pytest.importorskip('shtab')
    assert main(['completion', shell]) == 0
    out = capsys.readouterr().out
    assert 'pyperi' in out and 'history' in out and 'serve-fake' in out


def test_completion__paths_complete_as_files(capsys):
    shtab = pytest.importorskip('shtab')
    main(['completion', 'bash'])
    out = capsys.readouterr().out
    assert shtab.FILE['bash'] in out   # -o PATH, --archive PATH|URL, --write-warc FILE


@pytest.mark.parametrize('words, expected', [
    (['pyperi', 'hist'], ['history']),
    (['pyperi', 'stats', '--b'], ['--by']),
    (['pyperi', 'stats', '--by', ''], ['day', 'week', 'month']),
    (['pyperi', '--of'], ['--offline']),
    (['pyperi', 'user', 'x', '--arr'], ['--array']),
    (['pyperi', 'completion', 'f'], ['fish']),
])
def test_completion__bash_script_completes_in_bash(capsys, tmp_path, words, expected):
    pytest.importorskip('shtab')
    bash = shutil.which('bash')
    if bash is None:
        pytest.skip('no bash here')
    main(['completion', 'bash'])
    script = tmp_path / 'pyperi.bash'
    script.write_text(capsys.readouterr().out)
    program = (f'source {shlex.quote(str(script))}; '
               f'COMP_WORDS=({" ".join(shlex.quote(w) for w in words)}); '
               f'COMP_CWORD={len(words) - 1}; _shtab_pyperi; printf "%s\\n" "${{COMPREPLY[@]}}"')
    done = subprocess.run([bash, '--norc', '-c', program], capture_output=True, text=True,
                          timeout=60, check=True)
    assert done.stdout.split() == expected


def test_completion__unknown_shell_is_a_usage_error(capsys):
    code, out, err = run_argv(capsys, 'completion', 'cmd.exe')
    assert (code, out) == (2, '')
    assert usage_error(err, 'completion').startswith("argument shell: invalid choice: 'cmd.exe'")


def test_completion__without_shtab_one_line_naming_the_extra_exit_3(capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, 'shtab', None)   # import shtab now raises ImportError
    code, out, err = run_argv(capsys, 'completion', 'bash')
    assert (code, out) == (3, '')
    assert err.count('\n') == 1 and err.startswith('pyperi: error: ')
    assert 'pip install shtab' in err and 'cli and completion extras' in err


# -- -q/--quiet --------------------------------------------------------------------------------


@pytest.fixture
def replay_user(fake_periscope: FakePeriscope) -> str:
    return str(fake_periscope.add_user('cli_quiet_user')['id'])


@pytest.mark.integration
@pytest.mark.parametrize('flags, drawn', [
    ([], True), (['-q'], False), (['--quiet'], False), (['-q', 'BEFORE'], False),
], ids=['bar', 'q', 'quiet', 'q-before-the-command'])
def test_quiet__download_draws_no_progress(fake_periscope, replay_user, capsys, tmp_path,
                                           monkeypatch, flags, drawn):
    broadcast = fake_periscope.add_broadcast(replay_user, segments=3)
    stderr = Terminal()
    monkeypatch.setattr(sys, 'stderr', stderr)
    before = ['-q'] if 'BEFORE' in flags else []
    after = [] if 'BEFORE' in flags else flags
    code = main(['--api-base-url', fake_periscope.api_base_url, '--web-base-url',
                 fake_periscope.web_base_url, *before, 'download', broadcast['id'],
                 '-o', str(tmp_path), '-f', 'json', *after])
    assert code == 0
    assert json.loads(capsys.readouterr().out)['status'] == 'downloaded'
    assert ('3/3 segments' in stderr.getvalue()) is drawn
    if not drawn:
        assert stderr.getvalue() == ''


def _interrupt_downloads(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the command's downloads press Ctrl-C after the first segment."""
    real_download = cli.runtime.Peri.download_broadcast

    def interrupt(done: int, expected: Any, segments: int, total: Any) -> None:
        if segments >= 1:
            raise KeyboardInterrupt

    def download(self: Any, *args: Any, **kwargs: Any) -> Path:
        kwargs['progress'] = interrupt
        return real_download(self, *args, **kwargs)

    monkeypatch.setattr(cli.runtime.Peri, 'download_broadcast', download)


@pytest.mark.integration
@pytest.mark.parametrize('quiet', [False, True], ids=['default', 'quiet'])
def test_quiet__download_interrupted_says_nothing_on_stderr(fake_periscope, replay_user, capsys,
                                                            tmp_path, monkeypatch, quiet):
    broadcast = fake_periscope.add_broadcast(replay_user, segments=4)
    _interrupt_downloads(monkeypatch)
    code, out, err = run(fake_periscope, capsys, *(['-q'] if quiet else []), 'download',
                         broadcast['id'], '-o', str(tmp_path))
    assert (code, out) == (130, '')   # the exit status still says it was interrupted
    if quiet:
        assert err == ''
    else:
        assert err.startswith(f'pyperi: download of {broadcast["id"]} interrupted')
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        f'.{broadcast["id"]}.ts.journal', f'.{broadcast["id"]}.ts.part']


@pytest.mark.integration
def test_quiet__download_errors_still_print(fake_periscope, capsys, tmp_path):
    code, out, err = run(fake_periscope, capsys, 'download', 'NoSuchBroadcast1', '-q',
                         '-o', str(tmp_path))
    assert (code, out) == (1, '')
    assert err.startswith('pyperi: error: ') and err.count('\n') == 1


@pytest.mark.integration
def test_quiet__stats_same_output_and_errors_still_print(fake_periscope, capsys):
    argv = ['stats', GEORGE_CLINTON_USERNAME, MISSING_USERNAMES[0], '--by', 'month',
            '--state', 'ENDED', '-f', 'csv']   # ENDED: a live broadcast's duration grows
    code, out, err = run(fake_periscope, capsys, *argv)
    quiet_code, quiet_out, quiet_err = run(fake_periscope, capsys, '-q', *argv)
    assert (quiet_code, quiet_out, quiet_err) == (code, out, err) == (
        1, out, f"pyperi: error: user '{MISSING_USERNAMES[0]}' not found\n")
    assert out.startswith('user,user_id,username,period,')


@pytest.mark.integration
def test_quiet__usage_errors_still_print(capsys):
    code, _, err = run_argv(capsys, '-q', 'stats', 'x', '--since', 'someday')
    assert code == 2 and usage_error(err, 'stats').startswith('argument --since:')


# -- JSON shape: an object for one argument, an array for several, or --array -----------------


@pytest.mark.integration
@pytest.mark.parametrize('argv, kind', [
    (['user', GEORGE_CLINTON_USERNAME], dict),
    (['user', GEORGE_CLINTON_USERNAME, '--array'], list),
    (['--array', 'user', GEORGE_CLINTON_USERNAME], list),
    (['user', GEORGE_CLINTON_USERNAME, GEORGE_CLINTON_USERNAME], list),
    (['user', GEORGE_CLINTON_USERNAME, GEORGE_CLINTON_USERNAME, '--array'], list),
    (['broadcast', DOCUMENTED_BROADCAST_ID], dict),
    (['broadcast', DOCUMENTED_BROADCAST_ID, '--array'], list),
    (['tokens', GEORGE_CLINTON_USERNAME], dict),
    (['tokens', GEORGE_CLINTON_USERNAME, '--array'], list),   # (fresh tokens each time)
    (['parse', 'https://www.periscope.tv/george_clinton'], dict),
    (['parse', 'https://www.periscope.tv/george_clinton', '--array'], list),
    (['url', GEORGE_CLINTON_USERNAME], list),
    (['history', GEORGE_CLINTON_USERNAME, '--limit', '1'], list),
])
def test_json_shape__object_for_one_argument_array_for_several_or_with_array(
        fake_periscope, capsys, argv, kind):
    code, out, err = run(fake_periscope, capsys, *argv, '-f', 'json')
    assert (code, err) == (0, '')
    document = json.loads(out)
    assert type(document) is kind
    if argv[0] in ('user', 'broadcast') and argv[2:] == ['--array']:
        one = json.loads(run(fake_periscope, capsys, *argv[:2], '-f', 'json')[1])
        assert document == [one]   # the same record, in an array


@pytest.mark.integration
def test_json_shape__array_with_fields(fake_periscope, capsys):
    code, out, _ = run(fake_periscope, capsys, 'user', GEORGE_CLINTON_USERNAME, '--array',
                       '--fields', 'username', '-f', 'json')
    assert code == 0 and json.loads(out) == [{'username': GEORGE_CLINTON_USERNAME}]


@pytest.mark.integration
def test_json_shape__array_changes_json_only(fake_periscope, capsys):
    for fmt in ('table', 'csv', 'jsonl'):
        plain = run(fake_periscope, capsys, 'user', GEORGE_CLINTON_USERNAME, '-f', fmt)
        assert run(fake_periscope, capsys, 'user', GEORGE_CLINTON_USERNAME, '-f', fmt,
                   '--array') == plain


@pytest.mark.integration
def test_json_shape__stats_is_one_document_either_way(fake_periscope, capsys):
    one = json.loads(run(fake_periscope, capsys, 'stats', GEORGE_CLINTON_USERNAME, '-f', 'json',
                         '--array')[1])
    assert isinstance(one, dict) and [u['user'] for u in one['users']] == ['george_clinton']
