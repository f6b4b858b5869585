"""Settings for the whole suite: helpers importable, the engine strict, the checkout untouched."""

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

from helpers import warnings_fail  # noqa: E402
from desk_helpers import desk, desk_client, desk_pki, desk_root, desk_url, party_a_signer  # noqa: E402,F401 - one desk per session


@pytest.fixture(autouse=True)
def engine_warnings_fail(request):
    """The contract engine warns when a faster or smaller path gives up (a contract rendered in
    full, a font HarfBuzz could not subset): in the tests that fails, unless the test is marked
    ``expect_engine_warnings`` because it provokes the warning on purpose."""
    with warnings_fail(request, "generator.contracts", "expect_engine_warnings",
                       "the contract engine gave up a path") as records:
        yield records
