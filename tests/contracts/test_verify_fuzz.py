"""Random byte flips in signed and unsigned contracts: never "genuine", never a traceback.

Random on a developer's machine, to keep finding new cases; a fixed sequence
in CI (CI=true), as the other fuzz tests do.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from helpers import examples

import tamper

pytestmark = pytest.mark.slow  # many verifications; make test runs it, with the ci profile


class Contracts(dict):
    """The PDFs to flip bytes in, and the project (a short repr: Hypothesis prints its arguments)."""

    def __init__(self, project, **pdfs: bytes) -> None:
        super().__init__(pdfs)
        self.project = project

    def __repr__(self) -> str:
        return f"<contracts {sorted(self)}>"


@pytest.fixture(scope="module")
def contracts(project, example_pdf, signed_run) -> Contracts:
    return Contracts(project, unsigned=example_pdf, signed=signed_run[0].read_bytes())


@pytest.fixture(scope="module")
def scratch():
    with tempfile.TemporaryDirectory() as folder:
        yield Path(folder)


def _offset(data: bytes, region: str, where: float) -> int:
    """A byte in the whole file, in its last revision, or in the last signature's /Contents."""
    if region == "last revision":
        start = max(0, data.rfind(b"%%EOF", 0, len(data) - 8))
    elif region == "signature" and b"/ByteRange" in data:
        start = data.rindex(b"/Contents <")
        return start + int(where * (data.index(b">", start) - start + 1))
    else:
        start = 0
    return start + int(where * (len(data) - start))


@settings(max_examples=examples(200), deadline=None, database=None, derandomize=bool(os.environ.get("CI")),
          phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure prints its input
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(which=st.sampled_from(["unsigned", "signed"]),
       region=st.sampled_from(["anywhere", "last revision", "signature"]),
       where=st.floats(0, 1, exclude_max=True), mask=st.integers(1, 255))
# Found by a random run: the signer of the CMS cannot be found, and the revocation check's
# reading of the carried certificates raised pyHanko's CMSExtractionError.
@example(which="signed", region="signature", where=0.5, mask=1)
def test_a_flipped_byte_is_never_genuine(contracts, scratch, which, region, where, mask):
    """What `agreements verify` runs, minus loading the project for every example: any exception but
    AgreementsError (which the CLI prints as one line) fails the test."""
    from generator.contracts.verify import Verdict, verify_contract
    from generator.errors import AgreementsError

    data = contracts[which]
    offset = _offset(data, region, where)
    path = scratch / "flipped.pdf"
    path.write_bytes(tamper.flip_byte(data, offset, mask))
    try:
        report = verify_contract(path, contracts.project)
    except AgreementsError:
        return  # the CLI exits 2: nothing decided
    text = report.to_text()
    json.dumps(report.to_json(), ensure_ascii=False)
    assert report.verdict is not Verdict.GENUINE, f"{which}, byte {offset} ^ {mask:#04x}:\n{text}"
