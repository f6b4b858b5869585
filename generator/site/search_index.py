"""The search index of one version: written at build time, read by assets/search.js.

Everything that needs a dictionary or the agreement's structure is done here,
in Python, once per build, so the reader's script only looks things up
(:mod:`generator.site.search_query` is the same lookup in Python, for tests):

- ``docs``: the entries of :mod:`generator.site.search`, in reading order;
- ``cites``: every way a reader writes a citation, normalized, to the entries
  it names — 4.2.5, 第4.2.5条, 「用户的权利与义务」第4.2.5条, 第2条 (each
  section's 2.), 附录二第3条, 附录一 (the appendix itself first), section titles;
- ``terms``: jieba's words (search mode, so 知识产权 is also 知识 and 产权)
  to the entries holding them, weighted (title words count triple, rarer words more);
- ``synonyms``: content/search-synonyms.yml, a reader's word to the agreement's
  words and to the clauses found first;
- ``stop``: words that carry no meaning in a question (怎么, 如何, 吗 …).
"""

from __future__ import annotations

import logging
import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Sequence

from generator.content.citation import Citation
from generator.site.search import SearchEntry
from generator.content.synonyms import SynonymGroup

INDEX_FORMAT = 1
TITLE_WEIGHT = 3
STOP_WORDS = ("怎么办", "怎么", "如何", "什么", "是否", "可以", "能否", "能不能", "吗", "呢", "吧", "的", "了",
              "我", "我们", "你们", "贵司", "需要", "要", "有", "没有", "会", "哪些", "哪里", "谁", "时",
              "是", "在", "和", "与", "及", "被", "对", "把", "给", "请问", "规定", "条款")
_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[a-z0-9]+(?:\.[0-9]+)*|[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def normalize(text: str) -> str:
    """NFKC (full-width digits and brackets → ASCII), lower case, no spaces; as search.js does."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()


def words(text: str) -> list[str]:
    """jieba's words of ``text`` (search mode), ASCII words whole; punctuation dropped."""
    import jieba

    jieba.setLogLevel(logging.WARNING)  # not "Building prefix dict ..." on every build
    found = []
    for run in _WORD.findall(normalize(text)):
        if _HAN.fullmatch(run):
            found += [w for w in jieba.cut_for_search(run) if w.strip()]
        else:
            found.append(run)
    return found


def build_index(entries: Sequence[SearchEntry], cited: dict[str, Citation], sections: Sequence[tuple[str, str]],
                appendices: Sequence[tuple[str, str]], synonyms: Sequence[SynonymGroup]) -> dict:
    """The index of ``entries``. ``cited`` maps clause id → citation; ``sections`` lists
    (section id, title) and ``appendices`` (label, page URL) in reading order."""
    position = {entry.location: i for i, entry in enumerate(entries)}
    by_anchor = {entry.anchor: i for i, entry in enumerate(entries) if entry.anchor}
    return {
        "format": INDEX_FORMAT,
        "docs": [{"url": e.location, "title": e.title, "text": list(e.paragraphs)} for e in entries],
        "cites": _cites(cited, by_anchor, sections, appendices, position),
        "terms": _terms(entries),
        "synonyms": _synonyms(synonyms, by_anchor),
        "stop": list(STOP_WORDS),
    }


def _cites(cited: dict[str, Citation], by_anchor: dict[str, int], sections: Sequence[tuple[str, str]],
           appendices: Sequence[tuple[str, str]], position: dict[str, int]) -> dict[str, list[int]]:
    keys: dict[str, list[int]] = defaultdict(list)
    for label, url in appendices:  # 附录一 lands on the appendix itself
        keys[normalize(label)].append(position[url])
    for section_id, title in sections:
        keys[normalize(title)].append(by_anchor[section_id])
    for clause_id, citation in cited.items():
        doc = by_anchor[clause_id]
        keys[normalize(citation.text)].append(doc)
        if citation.is_appendix:
            keys[normalize(f"{citation.scope}{citation.number}")].append(doc)
            keys[normalize(citation.scope)].append(doc)
        elif citation.unit == "条":  # 4.2.5 and 第4.2.5条 name one clause per section
            keys[citation.number].append(doc)
            keys[normalize(f"「{citation.scope}」{citation.number}")].append(doc)
    return {key: list(dict.fromkeys(docs)) for key, docs in keys.items()}


def _terms(entries: Sequence[SearchEntry]) -> dict[str, list[list[float]]]:
    counts: list[Counter] = []
    for entry in entries:
        count = Counter({w: TITLE_WEIGHT * n for w, n in Counter(words(entry.title)).items()})
        count.update(words(" ".join(entry.paragraphs)))
        counts.append(count)
    frequency = Counter(w for count in counts for w in count)
    total = len(entries)
    terms: dict[str, list[list[float]]] = defaultdict(list)
    for doc, count in enumerate(counts):
        for word, n in count.items():
            weight = (1 + math.log(n)) * math.log(1 + total / frequency[word])
            terms[word].append([doc, round(weight, 3)])
    return dict(sorted(terms.items()))


def _synonyms(groups: Sequence[SynonymGroup], by_anchor: dict[str, int]) -> dict[str, dict]:
    found: dict[str, dict] = {}
    for group in groups:
        meaning = {"means": [normalize(w) for w in group.means],
                   "clauses": [by_anchor[c] for c in group.clauses if c in by_anchor]}
        for word in group.words:
            found[normalize(word)] = meaning
    return found
