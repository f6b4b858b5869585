"""Settings for the whole suite: helpers importable, the fast path strict, the checkout untouched."""

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
