"""CPU time of one contract: ``render_pdf`` per customer, one after the other, in this process.

    python -m benchmarks.per_contract CUSTOMER.yml…   # prints JSON

The first contract also makes the pages every customer shares (as the parent
of a batch does before forking its workers); it is reported apart as
``first_ms``. ``cpu_ms`` holds the CPU time (user + system, this process
only: rendering runs in no other) of each following contract.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str]) -> int:
    from generator.content.project import load_project
    from generator.contracts import contract
    from generator.contracts.customers import load_customer

    project = load_project(ROOT)
    customers = [load_customer(Path(path), project) for path in argv]
    times = []
    for customer in customers:
        started = time.process_time()
        contract.render_pdf(project.root, project.config, customer.version, customer)
        times.append(1000 * (time.process_time() - started))
    print(json.dumps({"first_ms": times[0], "cpu_ms": times[1:]}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
