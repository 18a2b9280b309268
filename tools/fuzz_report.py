"""Count the fuzz's leaks by function, instead of stopping at the first as the test does.

    python tools/fuzz_report.py [--examples N] [--only SUBSTRING] [--seed S]

Runs the machinery of tests/test_fuzz.py (tests/fuzz_surface.py) over the whole public
surface, N examples per function (default 100, as ``--hypothesis-profile=ci``), and prints
per function the examples run, the problems found (leaked exceptions, requests or files
before an argument error) and where they came from. Exit status 1 if any were found.
"""
from __future__ import annotations

import argparse
import collections
import logging
import sys
import time
import warnings
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / 'tests'))

import fuzz_surface as fuzz  # noqa: E402


def survey(target: fuzz.Target, examples: int, seed: int) -> tuple[int, collections.Counter[str]]:
    """Examples run and problems found (by kind and place) for one target."""
    problems: collections.Counter[str] = collections.Counter()
    count = 0
    strategy = fuzz.arguments_strategy(target)

    @settings(max_examples=examples, database=None, deadline=None, derandomize=seed == 0,
              phases=[Phase.generate], suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        nonlocal count
        args, kwargs = data.draw(strategy)
        reply = data.draw(st.sampled_from(fuzz.REPLIES))
        garbage = data.draw(st.integers(0, 6)) if reply == 'garbage' else 0
        outcome = fuzz.call_target(target, args, kwargs, reply=reply, garbage=garbage)
        count += 1
        if outcome.problem is not None and outcome.error is not None:
            error = outcome.error
            leak = fuzz.leak_of(error, target.documented)
            kind = f'{type(error).__name__} at {fuzz.where(error)}' if leak else \
                outcome.problem.split(': ', 1)[1].split(' before')[0] + ' before argument error'
            problems[kind] += 1

    run()
    return count, problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--examples', type=int, default=100)
    parser.add_argument('--only', default='')
    parser.add_argument('--seed', type=int, default=0, help='0: the derandomized run of CI')
    options = parser.parse_args(argv)
    logging.disable(logging.CRITICAL)
    warnings.simplefilter('ignore')
    total_examples = total_problems = 0
    started = time.monotonic()
    for target in fuzz.public_surface():
        if options.only not in target.name:
            continue
        count, problems = survey(target, options.examples, options.seed)
        total_examples += count
        found = sum(problems.values())
        total_problems += found
        print(f'{target.name:48} {count:5} examples {found:5} problems')
        for kind, n in problems.most_common():
            print(f'    {n:5}  {kind}')
    print(f'total: {total_examples} examples, {total_problems} problems, '
          f'{time.monotonic() - started:.0f} s')
    return 1 if total_problems else 0


if __name__ == '__main__':
    sys.exit(main())
