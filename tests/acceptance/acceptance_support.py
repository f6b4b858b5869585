"""The helpers of tests/acceptance/conftest.py, importable by the test modules.

``from conftest import …`` finds whichever conftest.py pytest imported first under that
name (another folder's, in a whole-suite run), so the test modules import from here: a
copy of this folder's conftest loaded by its path.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

_spec = importlib.util.spec_from_file_location("acceptance_conftest", Path(__file__).with_name("conftest.py"))
_conftest = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = _conftest  # its dataclasses look their module up by name
_spec.loader.exec_module(_conftest)

ADMIN_TOKEN = _conftest.ADMIN_TOKEN
free_port = _conftest.free_port
token = _conftest.token
new_database = _conftest.new_database
start_service = _conftest.start_service
_serving = _conftest._serving
