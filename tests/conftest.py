"""Make tests/helpers.py importable from every test folder, however pytest is started."""

import sys
from pathlib import Path

_TESTS = str(Path(__file__).resolve().parent)
if _TESTS not in sys.path:
    sys.path.insert(0, _TESTS)

# The fast contract path must never give up silently: in the tests, giving up is an error
# (forked workers and CLI subprocesses inherit the setting).
import os  # noqa: E402

os.environ["AGREEMENTS_FAST_PATH"] = "strict"
