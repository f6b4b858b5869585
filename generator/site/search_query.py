"""What a query finds in a version's index: the lookup templates/site/assets/search.js does.

Kept line for line alike with the script (the tests run both on the same
queries), so the questions in tests/site/search_questions.yml check what
readers get:

1. a citation in any common form (4.2.5, 第4.2.5条, 第2条, 附录二第3条,
   「附则」第2条, 附录一, a section title) → the entries it names, in order;
2. otherwise the query is cut into the index's words (longest first, as
   Material did) and its stop words dropped; a reader's word from the synonym
   list also searches the agreement's words and puts its clauses first;
3. an entry must hold every word (all but one when there are three or more),
   or be a clause the synonym list names for one of them; none does → nothing,
   and the page says the agreement does not cover it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from generator.site.search_index import normalize

LONGEST_WORD = 8
SYNONYM_BOOST = 100.0
_CITATION = re.compile(r"^(附录[一二])?(?:「([^」]+)」)?第?(\d+(?:\.\d+)*)\.?[条款项段]?$")


@dataclass(frozen=True)
class Found:
    docs: list[int]  # entries, best first
    cited: bool  # the query was a citation


def find(index: dict, query: str) -> Found:
    q = normalize(query)
    if not q:
        return Found([], False)
    cited = index["cites"].get(q) or index["cites"].get(_citation_key(q) or "")
    if cited:
        return Found(list(cited), True)
    return Found(_by_words(index, q), False)


def _citation_key(q: str) -> str | None:
    """第4.2.5条 → 4.2.5; 附录二第3条 → 附录二3; 「附则」第2条 → 「附则」2."""
    m = _CITATION.match(q)
    if not m:
        return None
    appendix, section, number = m.groups()
    if appendix:
        return appendix + number
    return f"「{section}」{number}" if section else number


def segment(index: dict, q: str) -> list[str]:
    """Longest known word first, left to right; unknown characters are skipped."""
    known, found, i = index["terms"], [], 0
    synonyms, stop = index["synonyms"], set(index["stop"])
    while i < len(q):
        for j in range(min(len(q), i + LONGEST_WORD), i, -1):
            if q[i:j] in known or q[i:j] in synonyms or q[i:j] in stop:
                found.append(q[i:j])
                i = j
                break
        else:
            i += 1
    # A single character alone (号 of 账号) matches too much to count as a word.
    return [w for w in found if w not in stop and (len(w) > 1 or w in synonyms)]


def _by_words(index: dict, q: str) -> list[int]:
    tokens = segment(index, q)
    if not tokens:
        return []
    hits: dict[int, int] = {}
    score: dict[int, float] = {}
    for token in tokens:
        best = _token_scores(index, token)
        for doc, weight in best.items():
            hits[doc] = hits.get(doc, 0) + 1
            score[doc] = score.get(doc, 0.0) + weight
    needed = len(tokens) if len(tokens) < 3 else len(tokens) - 1
    # A clause the synonym list names for one of the words is an answer by itself.
    kept = [doc for doc in hits if hits[doc] >= needed or score[doc] >= SYNONYM_BOOST / 2]
    return sorted(kept, key=lambda doc: (-score[doc], doc))


def _token_scores(index: dict, token: str) -> dict[int, float]:
    """Each entry's best weight for ``token`` or what the synonym list says it means."""
    meaning = index["synonyms"].get(token, {"means": [], "clauses": []})
    best: dict[int, float] = {}
    for word in [token, *meaning["means"]]:
        for doc, weight in index["terms"].get(word, []):
            best[doc] = max(best.get(doc, 0.0), weight)
    for rank, doc in enumerate(meaning["clauses"]):
        best[doc] = best.get(doc, 0.0) + SYNONYM_BOOST - rank
    return best
