/* The site's search: a small lookup over the version's prebuilt index (search/index.json,
 * written by generator/site/search_index.py with jieba's words and the legal team's
 * synonyms). The same lookup, line for line, is generator/site/search_query.py; the tests
 * run both. Without scripts the search box stays hidden and the pages read as they are.
 * Runs in the browser and, for the tests, in Node (module.exports). */
(function (root) {
  "use strict";

  var LONGEST_WORD = 8, SYNONYM_BOOST = 100;
  var CITATION = /^(附录[一二])?(?:「([^」]+)」)?第?(\d+(?:\.\d+)*)\.?[条款项段]?$/;

  function normalize(text) {
    return text.normalize("NFKC").replace(/\s+/g, "").toLowerCase();
  }

  function citationKey(q) {
    var m = CITATION.exec(q);
    if (!m) return null;
    if (m[1]) return m[1] + m[3];
    return m[2] ? "「" + m[2] + "」" + m[3] : m[3];
  }

  function has(map, key) { return Object.prototype.hasOwnProperty.call(map, key); }

  function segment(index, q) {
    var stop = new Set(index.stop), found = [], i = 0;
    var chars = Array.from(q);
    while (i < chars.length) {
      var matched = false;
      for (var j = Math.min(chars.length, i + LONGEST_WORD); j > i; j--) {
        var word = chars.slice(i, j).join("");
        if (has(index.terms, word) || has(index.synonyms, word) || stop.has(word)) {
          found.push(word); i = j; matched = true; break;
        }
      }
      if (!matched) i += 1;
    }
    // A single character alone (号 of 账号) matches too much to count as a word.
    return found.filter(function (w) {
      return !stop.has(w) && (Array.from(w).length > 1 || has(index.synonyms, w));
    });
  }

  function tokenScores(index, token) {
    var meaning = has(index.synonyms, token) ? index.synonyms[token] : { means: [], clauses: [] };
    var best = new Map();
    [token].concat(meaning.means).forEach(function (word) {
      (has(index.terms, word) ? index.terms[word] : []).forEach(function (pair) {
        best.set(pair[0], Math.max(best.has(pair[0]) ? best.get(pair[0]) : 0, pair[1]));
      });
    });
    meaning.clauses.forEach(function (doc, rank) {
      best.set(doc, (best.has(doc) ? best.get(doc) : 0) + SYNONYM_BOOST - rank);
    });
    return best;
  }

  function byWords(index, q) {
    var tokens = segment(index, q);
    if (!tokens.length) return [];
    var hits = new Map(), score = new Map();
    tokens.forEach(function (token) {
      tokenScores(index, token).forEach(function (weight, doc) {
        hits.set(doc, (hits.get(doc) || 0) + 1);
        score.set(doc, (score.get(doc) || 0) + weight);
      });
    });
    var needed = tokens.length < 3 ? tokens.length : tokens.length - 1;
    // A clause the synonym list names for one of the words is an answer by itself.
    var kept = Array.from(hits.keys()).filter(function (doc) {
      return hits.get(doc) >= needed || score.get(doc) >= SYNONYM_BOOST / 2;
    });
    return kept.sort(function (a, b) { return score.get(b) - score.get(a) || a - b; });
  }

  function find(index, query) {
    var q = normalize(query);
    if (!q) return { docs: [], cited: false };
    var key = citationKey(q);
    var cited = has(index.cites, q) ? index.cites[q] : (key !== null && has(index.cites, key) ? index.cites[key] : null);
    if (cited) return { docs: cited.slice(), cited: true };
    return { docs: byWords(index, q), cited: false };
  }

  var api = { find: find, segment: segment, normalize: normalize };
  if (typeof module !== "undefined" && module.exports) { module.exports = api; }
  root.agreementsSearch = api;
})(typeof window !== "undefined" ? window : globalThis);
