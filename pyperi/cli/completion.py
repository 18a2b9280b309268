"""The ``completion`` command: a shell completion script generated from the parser by shtab."""
from __future__ import annotations

import argparse
from typing import Callable

from pyperi.cli.command import Command
from pyperi.cli.runtime import CLIError, Runtime

__all__ = ['SHELLS', 'command', 'completion_script']

#: The shells ``pyperi completion`` writes for (shtab's).
SHELLS = ('bash', 'zsh', 'fish', 'tcsh')

_INSTALL = ('shell completion needs the optional package shtab: install it with '
            "pip install shtab (it comes with pyperi's cli and completion extras)")

# Options naming files or folders complete as such; the rest (users, ids) complete nothing.
_PATH_METAVARS = {'PATH': 'file', 'PATH|URL': 'file', 'FILE': 'file', 'DIR': 'directory'}


def completion_script(parser: argparse.ArgumentParser, shell: str) -> str:
    """The completion script of ``parser`` for ``shell``; CLIError without a fitting shtab."""
    try:
        import shtab
    except ImportError:
        raise CLIError(_INSTALL) from None
    if shell not in getattr(shtab, 'SUPPORTED_SHELLS', ()):
        raise CLIError(f'this shtab ({shtab.__version__}) cannot write {shell} completion: '
                       'pip install --upgrade shtab')
    kinds = {'file': shtab.FILE, 'directory': shtab.DIRECTORY}
    parsers = [parser, *getattr(parser, 'subcommands', {}).values()]
    for each in parsers:
        for action in each._actions:
            kind = _PATH_METAVARS.get(str(action.metavar))
            if kind:
                action.complete = kinds[kind]   # read by shtab
    script: str = shtab.complete(parser, shell=shell)
    return script


def command(build_parser: Callable[[], argparse.ArgumentParser]) -> Command:
    """The ``completion`` command for the parser ``build_parser`` makes."""
    def configure(parser: argparse.ArgumentParser) -> None:
        parser.add_argument('shell', choices=SHELLS, help='the shell to complete for')

    def run(args: argparse.Namespace, runtime: Runtime) -> int:
        runtime.stdout.write(completion_script(build_parser(), args.shell))
        return runtime.exit_code

    return Command(
        'completion', 'print a shell completion script (needs shtab)', configure, run,
        output=False, network=False,
        examples=('pyperi completion bash > ~/.local/share/bash-completion/completions/pyperi',
                  'pyperi completion zsh > ~/.zfunc/_pyperi   # a folder in $fpath',
                  'pyperi completion fish > ~/.config/fish/completions/pyperi.fish'))
