"""Print the structure figures the maintainers track: module sizes, longest functions, complexity.

Run from the repository root: ``python tools/structure_report.py`` (``radon`` is needed for the
complexity table: ``pip install radon``).
"""
from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path


def module_sizes(root: Path) -> list[tuple[int, str]]:
    """(lines, path) of every module under ``root``, largest first."""
    sizes = [(len(p.read_text(encoding='utf-8').splitlines()), str(p))
             for p in sorted(root.rglob('*.py'))]
    return sorted(sizes, reverse=True)


def longest_functions(root: Path, count: int = 10) -> list[tuple[int, str]]:
    """(lines, 'path:line name') of the ``count`` longest functions and methods."""
    found = []
    for path in sorted(root.rglob('*.py')):
        for node in ast.walk(ast.parse(path.read_text(encoding='utf-8'))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                found.append((length, f'{path}:{node.lineno} {node.name}'))
    return sorted(found, reverse=True)[:count]


def main() -> int:
    root = Path('pyperi')
    print('## module sizes (lines)')
    for lines, path in module_sizes(root):
        print(f'{lines:6d}  {path}')
    print('\n## ten longest functions (lines)')
    for lines, where in longest_functions(root):
        print(f'{lines:6d}  {where}')
    print('\n## radon cc -n C (complexity C or worse)')
    if shutil.which('radon') is None:
        print('(radon is not installed)')
        return 0
    result = subprocess.run(['radon', 'cc', '-n', 'C', '-s', str(root)],
                            capture_output=True, text=True, check=False)
    print(result.stdout.rstrip() or '(none)')
    return result.returncode


if __name__ == '__main__':
    sys.exit(main())
