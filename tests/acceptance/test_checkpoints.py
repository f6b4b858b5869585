"""Checkpoints at an interval: the loop calls its action again and again, and a failing round is
logged and retried, not fatal."""

from __future__ import annotations

import logging
import threading

from generator.acceptance.checkpoints import run_every


def test_the_interval_loop_survives_a_failing_round(caplog):
    rounds: list[int] = []
    done, stop = threading.Event(), threading.Event()

    def action() -> None:
        rounds.append(len(rounds))
        if len(rounds) == 1:
            raise OSError("the TSA did not answer")
        if len(rounds) == 3:
            done.set()

    caplog.set_level(logging.WARNING, logger="generator.acceptance.checkpoints")
    thread = run_every(0.01, action, stop)
    assert done.wait(30)
    stop.set()
    thread.join(5)
    assert len(rounds) >= 3 and not thread.is_alive()
    assert any("TSA did not answer" in r.getMessage() for r in caplog.records)
