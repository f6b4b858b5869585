"""Settings for the whole suite: helpers importable, the engine strict, the checkout untouched."""

import logging
import os
import sys
import tempfile
from pathlib import Path

_TESTS = str(Path(__file__).resolve().parent)
if _TESTS not in sys.path:
    sys.path.insert(0, _TESTS)

# The fast contract path must never give up silently: in the tests, giving up is an error
# (forked workers and CLI subprocesses inherit the setting).
os.environ["AGREEMENTS_FAST_PATH"] = "strict"

# No test writes into the checkout, Hypothesis's own cache (its Unicode tables) included.
from hypothesis.configuration import set_hypothesis_home_dir  # noqa: E402

set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "agreements-hypothesis")


import pytest  # noqa: E402


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(autouse=True)
def engine_warnings_fail(request):
    """The contract engine warns when a faster or smaller path gives up (a contract rendered in
    full, a font HarfBuzz could not subset): in the tests that fails, unless the test is marked
    ``expect_engine_warnings`` because it provokes the warning on purpose."""
    records = _Records()
    logger = logging.getLogger("generator.contracts")
    logger.addHandler(records)
    try:
        yield records
    finally:
        logger.removeHandler(records)
    if records.records and "expect_engine_warnings" not in request.keywords:
        pytest.fail("the contract engine gave up a path: "
                    + "; ".join(r.getMessage() for r in records.records), pytrace=False)
