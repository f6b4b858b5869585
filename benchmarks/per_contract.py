"""CPU time of one contract, as a batch makes it: one worker, in this process.

    python -m benchmarks.per_contract CUSTOMER.yml…   # prints JSON

Runs ``export_contracts`` with one worker, which first makes the pages every
customer shares (as the parent of a batch does before forking its workers;
reported apart as ``first_ms``, with the first contract), then renders and writes each contract. ``cpu_ms``
holds the CPU time (user + system of this process, the only one at work) of
each contract, from one progress callback to the next.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str]) -> int:
    from generator.content.project import load_project
    from generator.contracts.export import export_contracts, load_customers

    project = load_project(ROOT)
    customers = load_customers([Path(path) for path in argv], project)
    marks = [time.process_time()]
    with tempfile.TemporaryDirectory(prefix="agreements-bench-") as out:
        export_contracts(project, customers, Path(out), workers=1,
                         progress=lambda _path: marks.append(time.process_time()))
    times = [1000 * (b - a) for a, b in zip(marks, marks[1:])]
    # The first interval also holds making the shared pages.
    print(json.dumps({"first_ms": times[0], "cpu_ms": times[1:]}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
