"""Any two versions: the redline rejects to the old one and accepts to the new one, text and look.

Hypothesis draws pairs of small versions that share some clause ids and not
others (so clauses are kept, reworded, reordered, added, removed, gain or lose
a title or bold), including changes at the very end of the document.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import docx_reader as dr
from helpers import ROOT, examples

pytestmark = pytest.mark.slow  # many redlines; make test runs it, with the ci profile

WORDS = ["用户", "静觅科技", "同意", "本协议", "服务", "API", "，", "。", "数据", "不得", "接口", " "]
SETTINGS = settings(max_examples=examples(40), deadline=None, database=None,
                    derandomize=bool(os.environ.get("CI")),
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@st.composite
def runs(draw):
    from generator.content.inline import Run

    pieces = draw(st.lists(st.tuples(st.sampled_from(WORDS), st.booleans()), min_size=1, max_size=6))
    merged: list[Run] = []
    for text, bold in pieces:
        if merged and merged[-1].bold == bold:
            merged[-1] = Run("text", merged[-1].value + text, bold)
        else:
            merged.append(Run("text", text, bold))
    if not "".join(r.value for r in merged).strip():
        merged.append(Run("text", "条款"))
    return tuple(merged)


@st.composite
def versions(draw, date: str):
    from generator.content.model import Agreement, Appendix, Clause, Section, Version

    ids = draw(st.permutations([f"c{n}" for n in range(7)]))[: draw(st.integers(0, 7))]
    cuts = sorted(draw(st.lists(st.integers(0, len(ids)), min_size=2, max_size=2)))
    groups = [ids[: cuts[0]], ids[cuts[0] : cuts[1]], ids[cuts[1] :]]
    section_ids = draw(st.permutations(["s0", "s1", "s2"]))
    clauses, sections = {}, []
    for section_id, group in zip(section_ids, groups):
        built = []
        for position, clause_id in enumerate(group, start=1):
            title = draw(st.none() | runs())
            paragraphs = tuple(draw(st.lists(runs(), min_size=1, max_size=2)))
            built.append(Clause(clause_id, str(position), f"{position}.", 1, title, paragraphs))
            clauses[clause_id] = built[-1]
        sections.append(Section(section_id, draw(st.sampled_from(["范围", "义务", "附则"])), tuple(built)))
    items = draw(st.permutations([f"p{n}" for n in range(4)]))[: draw(st.integers(1, 4))]
    listed = tuple(Clause(item, str(n), f"{n}、", 1, None, (draw(runs()),), separator="")
                   for n, item in enumerate(items, start=1))
    clauses.update({c.id: c for c in listed})
    agreement = Agreement("测试协议", tuple(draw(st.lists(runs(), min_size=1, max_size=2))),
                          tuple(sections), draw(runs()))
    consent = Appendix("consent", "附录一", "授权", (Clause("consent.a", "", "", 1, None, (draw(runs()),)),))
    prohibited = Appendix("prohibited", "附录二", "禁止的内容", listed)
    return Version(date, "draft", Path("."), agreement, consent, prohibited, "0" * 64, clauses)


def _config():
    from generator.content.config import load_config

    return load_config(ROOT)


@SETTINGS
@given(old=versions("2030-01-01"), new=versions("2030-06-01"))
def test_any_redline_rejects_to_old_and_accepts_to_new(old, new):
    from generator.content.text import version_text
    from generator.contracts.word.body import version_docx
    from generator.contracts.word.redline import redline_docx

    config = _config()
    redline = redline_docx(config, old, new)
    for view, version in (("reject", old), ("accept", new)):
        assert dr.texts(redline, view) == version_text(version).rstrip("\n").split("\n\n"), view
        got, plain = dr.paragraphs(redline, view), dr.paragraphs(version_docx(config, version))
        assert [(p.style, p.bold_spans()) for p in got] == [(p.style, p.bold_spans()) for p in plain], view
