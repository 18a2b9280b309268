"""Where pyperi.archive sits: optional, below the client, and never importing it or the CLI."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pyperi.archive

ARCHIVE = Path(pyperi.archive.__file__).parent


def test_importing_pyperi_loads_no_warc_reader() -> None:
    code = ('import sys, pyperi; from pyperi import Peri; '
            'print(sorted(m for m in sys.modules if "warc" in m or m == "pyperi.archive"))')
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == '[]'


def test_archive_never_imports_the_client_or_the_cli() -> None:
    for module in ARCHIVE.glob('*.py'):
        tree = ast.parse(module.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ''] + [alias.name for alias in node.names]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            assert not any(name.split('.')[-1] in ('client', 'cli') or 'pyperi.cli' in name
                           or name == 'pyperi' for name in names), (module.name, names)
