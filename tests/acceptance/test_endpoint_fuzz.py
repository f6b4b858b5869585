"""Bad input gets a clear 4xx, never a 500 (Hypothesis, a few examples per endpoint), and no
token or secret shows up in the service's logs."""

from __future__ import annotations

import logging
from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from acceptance_support import ADMIN_TOKEN

JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
                    max_leaves=12)
FIELDS = st.fixed_dictionaries({}, optional={
    "version_hash": st.one_of(st.text(max_size=70), st.just("ab" * 32)),
    "presentation_id": st.text(max_size=40), "displayed_clauses": JSON, "explanation_opened": JSON,
    "scrolled_to_end": JSON, "viewport": JSON, "shown_at": st.text(max_size=40), "extra": JSON})
FUZZ = settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None)


@FUZZ
@given(path=st.sampled_from(["/v1/presentations", "/v1/acceptances"]), body=FIELDS | JSON,
       authorized=st.booleans())
def test_posted_bodies_never_cause_a_500(server, path, body, authorized):
    headers = server.auth("acct-fuzz") if authorized else {"Authorization": "Bearer x.y.z"}
    with server.client() as client:
        response = client.post(path, json=body, headers=headers)
    assert 400 <= response.status_code < 500 or response.status_code == 201, response.text


@FUZZ
@given(segment=st.text(min_size=1, max_size=60).filter(lambda s: s not in (".", "..")),
       query=st.text(max_size=30))
def test_odd_paths_and_queries_never_cause_a_500(server, segment, query):
    segment = quote(segment, safe="")  # any characters, as a browser would send them
    with server.client() as client:
        for url in (f"/v1/acceptances/{segment}", f"/v1/accounts/{segment}/status", "/v1/checkpoints/latest"):
            response = client.get(url, params={"from_size": query, "account": query},
                                  headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
            assert response.status_code < 500, (url, response.text)
        response = client.get("/v1/admin/events", params={"account": query, "since": query},
                              headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
        assert response.status_code < 500, response.text


def test_no_token_or_body_reaches_the_logs(server, caplog):
    caplog.set_level(logging.DEBUG)
    headers = server.auth("acct-logs")
    with server.client() as client:
        client.post("/v1/acceptances", json={"version_hash": "zz", "presentation_id": "secret-looking"},
                    headers=headers)
        client.get("/v1/admin/events", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert headers["Authorization"][7:] not in logged and ADMIN_TOKEN not in logged
    assert "secret-looking" not in logged
