"""The site's search (generator/site/search_index.py, search_query.py, assets/search.js).

The questions in tests/fixtures/search-questions.yml must each find their clause first,
in Python and in the site's own script (run by Node over the same index).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from generator.content.project import load_project
from generator.errors import ValidationFailed
from generator.site import pages
from generator.site.search_query import find
from generator.content.synonyms import load_synonyms
from helpers import FIXTURES, ROOT, copy_site_project

QUESTIONS = yaml.safe_load((FIXTURES / "search-questions.yml").read_text(encoding="utf-8"))
SCRIPT = ROOT / "templates" / "site" / "assets" / "search.js"


@pytest.fixture(scope="module")
def index(tmp_path_factory) -> dict:
    project = load_project(ROOT)
    docs = tmp_path_factory.mktemp("pages")
    pages.write_pages(project, project.latest_published, docs, lambda project, version: ())
    return json.loads((docs / pages.SEARCH_INDEX).read_text(encoding="utf-8"))


def test_there_are_at_least_30_questions():
    assert len(QUESTIONS["questions"]) >= 30


@pytest.mark.parametrize("question", QUESTIONS["questions"], ids=lambda q: q["q"])
def test_every_question_finds_its_clause_first(index, question):
    found = find(index, question["q"])
    assert found.docs, f"nothing found for {question['q']}"
    assert index["docs"][found.docs[0]]["url"] == question["first"]


@pytest.mark.parametrize("query", QUESTIONS["uncovered"])
def test_a_query_the_agreement_does_not_cover_finds_nothing(index, query):
    assert find(index, query).docs == []


def test_second_clause_of_every_section_is_listed_for_a_bare_number(index):
    project = load_project(ROOT)
    seconds = [f"#{c.id}" for s in project.latest_published.agreement.sections for c in s.clauses if c.number == "2"]
    found = find(index, "第2条")
    assert found.cited and [index["docs"][d]["url"] for d in found.docs] == seconds


def test_an_appendix_lands_on_itself_then_its_items(index):
    urls = [index["docs"][d]["url"] for d in find(index, "附录一").docs]
    assert urls[0] == "consent/" and all(u.startswith("consent/") for u in urls)


def test_results_are_titled_with_the_clause_citation(index):
    [doc] = find(index, "4.2.5").docs
    assert index["docs"][doc]["title"].startswith("「用户的权利与义务」第4.2.5条")


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
def test_the_site_script_finds_what_python_finds(index, tmp_path):
    queries = [q["q"] for q in QUESTIONS["questions"]] + QUESTIONS["uncovered"] + ["用户", "短信 接口", "API"]
    (tmp_path / "index.json").write_text(json.dumps(index, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "queries.json").write_text(json.dumps(queries, ensure_ascii=False), encoding="utf-8")
    runner = ("const s = require(process.argv[1]); const fs = require('fs');"
              "const index = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));"
              "const queries = JSON.parse(fs.readFileSync(process.argv[3], 'utf8'));"
              "console.log(JSON.stringify(queries.map(q => s.find(index, q))));")
    out = subprocess.run(["node", "-e", runner, str(SCRIPT), str(tmp_path / "index.json"),
                          str(tmp_path / "queries.json")], capture_output=True, text=True, check=True).stdout
    in_script = json.loads(out)
    in_python = [find(index, q) for q in queries]
    assert [(r["docs"], r["cited"]) for r in in_script] == [(r.docs, r.cited) for r in in_python]


def test_synonyms_name_existing_clauses(tmp_path, monkeypatch):
    monkeypatch.setenv("LANGUAGE", "en")
    root = copy_site_project(tmp_path / "p")
    path = root / "content" / "search-synonyms.yml"
    path.write_text("synonyms:\n  - words: [发票]\n    clauses: [payment.invoice]\n  - words: [税]\n",
                    encoding="utf-8")
    project = load_project(root)
    with pytest.raises(ValidationFailed) as raised:
        load_synonyms(root, project.latest_published)
    message = str(raised.value)
    assert "search-synonyms.yml:3: clauses: no clause 'payment.invoice'" in message
    assert "search-synonyms.yml:4: words: a group needs `means` or `clauses`" in message
