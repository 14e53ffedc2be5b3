"""Hybrid clause search: dense (Chroma), lexical (BM25) and structure routes, fused by RRF."""

from __future__ import annotations

import heapq
import time
from typing import Mapping, Sequence

from corpus.clause import Clause
from corpus.lines import footnote_mark
from corpus.mandates import list_mandates
from embeddings.index import GIST_PREFIX, DenseHit, index_entries
from assistant import calibration, dictionary
from assistant.abbreviations import letters_of, phrases, spells
from assistant.glossary import expand_query, formal_terms, leftover
from assistant.lexical import BM25Index, index_passages_and_texts
from assistant.understanding.routing import IN_CONTEXT, LAST_ITEM, NEXT_ITEM, Route
from assistant.text import detect_language, normalize, stemmed_terms
from assistant.types import Hit

# The fusion's k: 1/(k + rank). With ~40 clauses a document, k = 60 (the usual value for long
# result lists) made a clause found by more signals beat one that several put first; k and the
# weights below were chosen together by `python -m evals.fusion` over the seventeen dev gold files
# (lookup, paraphrase and purpose questions, first clause a gold one): English 171 -> 179 of 221,
# Chinese 187 either way; chosen on all files but one and scored on that one, k = 10 won in 15 of
# the 17 folds (English 174, Chinese 186). End to end on the dev files: 7 answers better, 2 worse.
RRF_K = 10
# Routes come from the question's own words ("resolves 3", "TSAG"), so they outweigh similarity.
# "dictionary" ranks clauses by the CC-CEDICT translations of an English question's words.
# "version" ranks clauses by BM25 over a language version's own words, "version-dense" by the
# question's embedding against that version's text.
# "gist" and "gist-dense" do the same over the clauses' plain-language descriptions (corpus.gists).
WEIGHTS = {"dense": 1.0, "lexical": 1.0, "route": 2.0, "dictionary": 0.5, "version": 0.5, "version-dense": 2.0,
           "gist": 0.5, "gist-dense": 0.5}
# An English question has only a rendering's words and everyday paraphrase to go on, and the gists
# say what a clause means in such words; a Chinese one meets the original. Chosen per language with
# `python -m evals.fusion` over the 21 dev files (gist weights and version-dense on a grid, the rest as
# above): first clause a gold one, English 204 -> 222 of 269 (219 leave-one-file-out), Chinese 219 -> 224
# of 272 (224). Without gists in the question's language the weights above apply unchanged.
WEIGHTS_WITH_GISTS = {"en": {**WEIGHTS, "version-dense": 1.0, "gist": 2.0, "gist-dense": 2.0}}
# Without a version in the question's language the dictionary is the only bridge from its words
# to the text, and keeps a full weight (Chinese-only corpus, dev set: English F1 0.938 at 1, 0.920 at 0.25).
WEIGHTS_UNTRANSLATED = {**WEIGHTS, "dictionary": 1.0}
SIGNALS = tuple(WEIGHTS)
MAX_ROUTED = 64
# How much of the text before a footnote mark names the marked term (发展中国家¹).
ANCHOR_CHARS = 8


def _where(held: set[str], language: str | None) -> dict | None:
    """The Chroma filter for a dense query: the documents a question names, the entries of one language."""
    conditions = [{"document": {"$in": sorted(held)}}] if held else []
    if language:
        conditions.append({"language": language})
    if len(conditions) > 1:
        return {"$and": conditions}
    return conditions[0] if conditions else None


def reciprocal_rank_fusion(
    rankings: Mapping[str, Sequence[str]], *, k: int = RRF_K, weights: Mapping[str, float] | None = None
) -> dict[str, float]:
    """Fused score per id: the sum over rankings of weight / (k + rank), rank from 1."""
    fused: dict[str, float] = {}
    for name, ids in rankings.items():
        weight = (weights or {}).get(name, 1.0)
        for rank, cid in enumerate(ids, start=1):
            fused[cid] = fused.get(cid, 0.0) + weight / (k + rank)
    return fused


class StructureIndex:
    """Clause ids by section, item and actor, built once so routing never scans the corpus."""

    def __init__(self, clauses: Sequence[Clause]):
        self.by_section: dict[str, list[str]] = {}
        self.by_actor: dict[str, list[str]] = {}
        self.by_section_item: dict[tuple[str, str], list[Clause]] = {}
        self.by_actor_item: dict[tuple[str, str], list[Clause]] = {}
        self.by_reference: dict[str, list[str]] = {}
        self.linked: dict[str, set[str]] = {}  # clause id <-> footnote ids, both ways
        self.resolutions = {c.resolution for c in clauses}
        self.documents_of: dict[str, set[str]] = {}
        for c in clauses:
            self.documents_of.setdefault(c.resolution, set()).add(c.document)
        self.following: dict[str, str] = {}  # clause id -> next clause id in the same section
        last: dict[str, Clause] = {}
        for c in clauses:
            if c.section in last and last[c.section].document == c.document:
                self.following[last[c.section].id] = c.id
            for note in c.footnotes:
                self.linked.setdefault(c.id, set()).add(note)
                self.linked.setdefault(note, set()).add(c.id)
            last[c.section] = c
            for ref in c.refs:
                self.by_reference.setdefault(ref.number, []).append(c.id)
            self.by_section.setdefault(c.section, []).append(c.id)
            if c.actor:
                self.by_actor.setdefault(c.actor, []).append(c.id)
            self._add_item(c, c.item)
        for c in last.values():
            self._add_item(c, LAST_ITEM)
        # A plain "resolves" paragraph can address someone too ("4 to encourage members…"): the
        # mandates table says whom, as it does for the Mandates view.
        for mandate in list_mandates(clauses):
            if mandate.clause_id not in self.by_actor.get(mandate.actor, []):
                self.by_actor.setdefault(mandate.actor, []).append(mandate.clause_id)

    def _add_item(self, clause: Clause, item: str) -> None:
        self.by_section_item.setdefault((clause.section, item), []).append(clause)
        if clause.actor:
            self.by_actor_item.setdefault((clause.actor, item), []).append(clause)

    def _section_item(self, section: str, item: str) -> Sequence[Clause]:
        """A section's paragraph by its label; in a lettered section, a number counts the letters
        ("忆及第三项", "the 3rd recital" is recalling c)."""
        found = self.by_section_item.get((section, item), ())
        if not found and item.isdigit() and 1 <= int(item) <= 26:
            found = self.by_section_item.get((section, chr(ord("a") + int(item) - 1)), ())
        return found

    def named(self, route: Route) -> list[str]:
        """Clauses the route names by item, narrowed by its actors, sections and resolutions."""
        if NEXT_ITEM in route.items:
            return [self.following[cid] for cid in route.context if cid in self.following]
        counted = [int(item[len(IN_CONTEXT):]) for item in route.items if item.startswith(IN_CONTEXT)]
        if counted:  # "the second one" is context[1], "the last one" (-1) context[-1]
            indexes = [n - 1 if n > 0 else n for n in counted]
            return [route.context[i] for i in indexes if -len(route.context) <= i < len(route.context)]
        by_actor = [
            # "研究组……（第1项）": an actor's paragraph, whether or not the question speaks of its tasks.
            c for actor in (route.actors if route.addressed or not route.sections else ()) for item in route.items
            for c in self.by_actor_item.get((actor, item), ())
        ]
        by_section = [c for s in route.sections for item in route.items for c in self._section_item(s, item)]
        matched = by_actor or by_section
        if route.references:
            matched = [c for c in matched if c.resolution in route.references] or matched
        return list(dict.fromkeys(c.id for c in matched))

    def knows_resolution(self, number: str) -> bool:
        """Whether the corpus holds or cites a resolution with this number."""
        return number in self.by_reference or number in self.resolutions

    def held_documents(self, numbers: Sequence[str]) -> set[str]:
        """The documents of the corpus that are the resolutions with these numbers."""
        return {document for number in numbers for document in self.documents_of.get(number, ())}

    def grouped(self, route: Route) -> set[str]:
        """Every clause of a named section or addressed to a named actor."""
        chosen: set[str] = set()
        for section in route.sections:
            chosen.update(self.by_section.get(section, ()))
        for actor in route.actors if route.addressed else ():
            chosen.update(self.by_actor.get(actor, ()))
        referenced = {cid for number in route.references for cid in self.by_reference.get(number, ())}
        if referenced:
            # "忆及的第73号决议" names one clause, not the whole recalling section.
            return referenced
        for cid in route.context:
            chosen.add(cid)
            chosen.update(self.linked.get(cid, ()))
        return chosen


def route_ranking(route: Route, structure: StructureIndex, order_hint: Sequence[str]) -> list[str]:
    """Clauses the question names by structure, best first.

    Named items win outright; otherwise clauses of a named section or addressed to a
    named actor, in the order of `order_hint` (the dense ranking).
    """
    if route.items:
        # A named clause that does not exist ("resolves 9") must not become its whole section.
        return structure.named(route)
    chosen = structure.grouped(route)
    position = {cid: i for i, cid in enumerate(order_hint)}
    if len(chosen) > MAX_ROUTED:
        # In a library, "resolves" spans thousands of clauses: keep the ones the other
        # signals found rather than sorting them all on every question.
        chosen = {cid for cid in chosen if cid in position}
    return sorted(chosen, key=lambda cid: (position.get(cid, len(position)), cid))


class HybridSearch:
    """Ranks clauses for a question; pure logic around an index and an embedder.

    >>> search = HybridSearch(clauses, index=index, embedder=embedder)
    >>> search.search("What is TSAG instructed to do?", route)[0].clause.id
    'wtsa-res106-2024/resolves-to-instruct-tsag/1'
    """

    def __init__(
        self,
        clauses: Sequence[Clause],
        *,
        index,
        embedder,
        text_of,
        signals: Sequence[str] = SIGNALS,
        dense_k: int = 30,
        lexical_k: int = 30,
    ):
        self.clauses = list(clauses)
        self.signals = tuple(signals)
        self.by_id = {c.id: c for c in self.clauses}
        self.index = index
        self.embedder = embedder
        self.dense_k = dense_k
        self._small_store = True  # until a search finds the store holds more than one call returns
        self.lexical_k = lexical_k
        # Each clause's text is tokenized once for both: the passage index reuses its terms.
        self.bm25, self.wording = index_passages_and_texts(
            [text_of(c) for c in self.clauses], [c.text for c in self.clauses]
        )
        # Each language version has its own BM25, over words of its own language: an English
        # question meets the English rendering's words, stemmed, with no dictionary in between.
        # The version entries are those the vector index holds, read the same way (`text_of`).
        row_of = {c.id: i for i, c in enumerate(self.clauses)}
        entries: dict[str, list[Clause]] = {}
        for entry in index_entries(self.clauses):
            if entry.id not in row_of:
                entries.setdefault(entry.language, []).append(entry)
        indexes: dict[str, tuple[BM25Index, list[int]]] = {
            language: (
                BM25Index([text_of(e) for e in group], tokenizer=stemmed_terms),
                [row_of[DenseHit.of_entry(e.id, 0.0).clause_id] for e in group],
            )
            for language, group in sorted(entries.items())
        }
        # The gists (plain-language descriptions) are searched like a version, by language, but are
        # not the text: what a word of the text is, or which version a question meets, they never say.
        self.versions = {lang: found for lang, found in indexes.items() if not lang.startswith(GIST_PREFIX)}
        self.gists = {lang[len(GIST_PREFIX):]: found for lang, found in indexes.items() if lang.startswith(GIST_PREFIX)}
        self.structure = StructureIndex(self.clauses)
        self._titles = {c.id for c in self.clauses if c.kind == "title"}
        self._position = {c.id: i for i, c in enumerate(self.clauses)}  # corpus order: document, then clause
        self._by_document: dict[str, list[Clause]] = {}  # a whole-document answer reads one, not the corpus
        for clause in self.clauses:
            self._by_document.setdefault(clause.document, []).append(clause)
        languages = {c.language for c in self.clauses}
        # The originals' entries, when their language can be told from the versions' ("zh" here).
        self._original_language = next(iter(languages)) if len(languages) == 1 and self.versions else None
        # The English words, read on first use: each stretch's word lists from each start, by initial.
        self._phrases: dict[str, list[tuple[list[str], int]]] | None = None
        self._mentions: dict[tuple, list[Clause]] = {}  # the corpus is fixed: answers to "who mentions X" too
        self._citing: dict[str, list[Clause]] = {}
        self._anchors: list[tuple[str, Clause]] = []
        for clause in self.clauses:
            for footnote_id in clause.footnotes:
                footnote = self.by_id.get(footnote_id)
                if footnote is None:
                    continue
                self._citing.setdefault(footnote_id, []).append(clause)
                at = clause.text.find(footnote_mark(footnote.item))
                if at > 0:
                    self._anchors.append((normalize(clause.text[max(0, at - ANCHOR_CHARS):at]), footnote))

    def search(self, question: str, route: Route, *, k: int = 10, timings: dict | None = None) -> list[Hit]:
        """The k best clauses for the question, fused from every signal."""
        timings = timings if timings is not None else {}
        started = time.perf_counter()
        english = detect_language(question) == "en"
        language = "en" if english else "zh"
        held = self.structure.held_documents(route.references)
        translated = self.dictionary_terms(question) if english and "dictionary" in self.signals else []
        expanded = expand_query(question)  # the dense query of an English question and the lexical one
        by_language: dict[str, list[str]] = {}
        similarity: dict[str, float] = {}
        if "dense" in self.signals:
            # English questions carry the glossary's Chinese terms into the embedding of the
            # Chinese text (dev set: English recall@1 0.49 -> 0.76 with the lexical signal); an
            # English version is met by the question as asked, in its own ranking. The dictionary's
            # translations join them only when there is no English version: beside one they changed
            # no answer on the 20 dev files, and without them the query embeds faster; without one,
            # leaving them out cost English dev F1 0.938 -> 0.920 (Chinese-only corpus).
            if english:
                dense_query = " ".join([expanded, *(translated if language not in self.versions else ())])
            else:
                dense_query = " ".join([question, *formal_terms(question)])
            # The question as asked is embedded beside its expansion: the reader's language
            # version is searched with it, and intents are classified by it (assistant.core).
            texts = [dense_query, question] if language in self.versions or dense_query != question else [dense_query]
            vectors = self.embedder.embed_each_query(texts)  # the new ones side by side
            queries = {"dense": (vectors[0], self._original_language)}
            if language in self.versions:
                queries[f"dense:{language}"] = (vectors[1], language)
            if language in self.gists and "gist-dense" in self.signals:
                queries["dense:gist"] = (vectors[-1], f"{GIST_PREFIX}{language}")  # the question as asked
            timings["embed_ms"] = (time.perf_counter() - started) * 1000
            started = time.perf_counter()
            for name, found in self._dense_hits(queries, held).items():
                found = [h for h in found if h.clause_id in self.by_id]
                # Identical clauses (one text in two resolutions) come back from the vector store in
                # no fixed order; document and clause order decide, so answers are reproducible.
                found.sort(key=lambda h: (-round(h.similarity, 6), self._position[h.clause_id]))
                by_language[name] = list(dict.fromkeys(h.clause_id for h in found))
                if name == "dense:gist":
                    continue  # a similarity to the text, calibrated as such, not to words written about it
                for hit in found:
                    similarity[hit.clause_id] = max(similarity.get(hit.clause_id, 0.0), hit.similarity)
        lexical, keyword_rankings = self._lexical_rankings(question, expanded, language, translated)
        # Each language's dense ranking is fused like any other signal: a hit is still one clause.
        rankings = {
            "dense": by_language.get("dense", []),
            "version-dense": by_language.get(f"dense:{language}", []),  # the reader's language version, if any
            "gist-dense": by_language.get("dense:gist", []),  # the gists in the reader's language, if any
            "lexical": list(lexical),
            **keyword_rankings,
        }
        if "route" in self.signals:
            rankings["route"] = route_ranking(route, self.structure, rankings["dense"] or rankings["lexical"])
        weights = WEIGHTS if language in self.versions else WEIGHTS_UNTRANSLATED
        if language in self.gists and language in self.versions:
            weights = WEIGHTS_WITH_GISTS.get(language, weights)
        fused = reciprocal_rank_fusion(rankings, weights=weights)
        if held:
            # "What does Resolution 108 instruct TSAG to do?": a resolution the library holds
            # is the only place to look; one it does not hold is left to selection (it abstains).
            fused = {cid: score for cid, score in fused.items() if self.by_id[cid].document in held}
        for cid in self._titles:
            # A title block answers only questions about the document itself (intents decide
            # those); among ranked clauses it would crowd out the paragraph that answers.
            fused.pop(cid, None)
        # Equal fused scores (ranks 1+2 vs 2+1) are common on a small corpus: the stronger
        # lexical match, then the closer vector, decides (not the id).
        ordered = heapq.nsmallest(
            k, fused,
            key=lambda cid: (-round(fused[cid], 12), -lexical.get(cid, 0.0), -similarity.get(cid, 0.0), self._position[cid]),
        )
        positions = {name: {cid: i for i, cid in enumerate(ids)} for name, ids in rankings.items()}
        hits = [
            Hit(
                clause=self.by_id[cid],
                score=fused[cid],
                ranks={name: pos[cid] for name, pos in positions.items() if cid in pos},
                similarity=similarity.get(cid, 0.0),
                lexical=lexical.get(cid, 0.0),
            )
            for cid in ordered
        ]
        timings["retrieve_ms"] = (time.perf_counter() - started) * 1000
        return hits

    def _lexical_rankings(
        self, question: str, expanded: str, language: str, translated: list[str]
    ) -> tuple[dict[str, float], dict]:
        """BM25 scores by clause (for the question with its glossary terms, `expanded`), and the rankings
        of the reader's language version and of the dictionary."""
        lexical, rankings = {}, {}
        if "lexical" in self.signals:
            lexical = {self.clauses[row].id: score for row, score in self.bm25.top(expanded, self.lexical_k)}
            if language in self.versions:
                version_index, rows = self.versions[language]
                rankings["version"] = [self.clauses[rows[row]].id for row, _ in version_index.top(question, self.lexical_k)]
        if language in self.gists and "gist" in self.signals:
            gist_index, rows = self.gists[language]
            rankings["gist"] = [self.clauses[rows[row]].id for row, _ in gist_index.top(question, self.lexical_k)]
        if translated:
            rankings["dictionary"] = [self.clauses[row].id for row, _ in self.bm25.top(" ".join(translated), self.lexical_k)]
        return lexical, rankings

    def _dense_hits(self, queries: dict[str, tuple], held: set[str]) -> dict[str, list[DenseHit]]:
        """Each query's dense_k nearest entries of its language.

        The queries go to the store in one call without a language filter, each keeping its own
        language's entries: the same hits with one call less (and no filter, which costs a single
        query ~0.3 ms more), exactly when the store answers with fewer entries than asked for (it
        gave all it has, and a filter only leaves some out). A larger store is asked per language.
        """
        if self._original_language and self._small_store:
            k = self.dense_k * (1 + len(self.versions) + len(self.gists))  # room for every language's dense_k entries
            # One vector often serves two languages (the question as asked meets the reader's version
            # and the gists): it is sent once, and each language keeps its entries from the same hits.
            vectors = list({id(vector): vector for vector, _ in queries.values()}.values())
            found = dict(zip(map(id, vectors), self.index.search_each(vectors, k=k, where=_where(held, None))))
            if all(len(hits) < k for hits in found.values()):
                return {
                    name: [h for h in found[id(vector)] if h.version == ("" if language == self._original_language else language)][: self.dense_k]
                    for name, (vector, language) in queries.items()
                }
            self._small_store = False
        return {
            name: self.index.search(vector, k=self.dense_k, where=_where(held, language))
            for name, (vector, language) in queries.items()
        }

    def dictionary_terms(self, question: str) -> list[str]:
        """Chinese words of the corpus that translate the English question's everyday words.

        Glossary terms are cut out first (the glossary translates them better), and a
        translation common to many clauses is left out: it cannot tell them apart.
        """
        limit = max(1.0, calibration.DICTIONARY_MAX_SHARE * self.bm25.size)

        def specific(term: str) -> bool:
            return 0 < self.bm25.document_frequency(term) <= limit

        return dictionary.chinese_terms(
            leftover(question), specific,
            per_word=calibration.DICTIONARY_PER_WORD, max_senses=calibration.DICTIONARY_MAX_SENSES,
        )

    def document_clauses(self, document: str) -> list[Clause]:
        """Every clause of one document, in document order."""
        return list(self._by_document.get(document, ()))

    def footnote_anchors(self) -> list[tuple[str, Clause]]:
        """(the words just before a footnote mark, the footnote) for every mark in the corpus."""
        return self._anchors

    def citing(self, footnote_id: str) -> list[Clause]:
        """The clauses that mark this footnote, in document order."""
        return list(self._citing.get(footnote_id, ()))

    def knows(self, term: str) -> bool:
        """Whether a term occurs in some clause's text or heading."""
        return self.bm25.knows(term) or bool(self.bm25.containing(term))

    def addresses(self, actor: str) -> bool:
        """Whether some clause gives this actor a task (its heading or the mandates table says so)."""
        return actor in self.structure.by_actor

    def knows_word(self, word: str) -> bool:
        """Whether a question's word occurs in the text or in one of its language versions ("platforms")."""
        if self.knows(word):
            return True
        stems = [t for t in stemmed_terms(word) if t]
        return bool(stems) and any(all(index.knows(t) for t in stems) for index, _ in self.versions.values())

    def abbreviates(self, acronym: str) -> bool | None:
        """Whether consecutive English words of the corpus spell the abbreviation ("least developed
        countries" for LDCs, "landlocked developing countries" for LLDC); None with no English words.

        An abbreviation is rarely written out in a resolution; its words are.
        """
        if self._phrases is None:
            self._phrases = {}
            for words in phrases(c.text_in("en") for c in self.clauses if c.language == "en" or "en" in c.versions):
                for start, word in enumerate(words):
                    self._phrases.setdefault(word[0], []).append((words, start))
        if not self._phrases:
            return None
        letters = letters_of(acronym)
        if not letters:
            return True  # no letters to spell: any words do
        # Only a start whose word has the first letter can spell it: the others are never scanned.
        return any(spells(letters, words[start:]) for words, start in self._phrases.get(letters[0], ()))

    def knows_resolution(self, number: str) -> bool:
        """Whether the corpus holds or cites a resolution with this number."""
        return self.structure.knows_resolution(number)

    def holds_resolution(self, number: str) -> bool:
        """Whether the corpus holds the resolution with this number (not only cites it)."""
        return bool(self.structure.held_documents([number]))

    def mentioning(self, concepts: Sequence[Sequence[str]]) -> list[Clause]:
        """Clauses whose own words name every concept (any one form of each), in document order."""
        key = tuple(tuple(forms) for forms in concepts)
        if key not in self._mentions:
            if len(self._mentions) > 4096:
                self._mentions.clear()
            self._mentions[key] = self._find_mentions(key)
        return self._mentions[key]

    def _find_mentions(self, concepts: tuple[tuple[str, ...], ...]) -> list[Clause]:
        rows: set[int] | None = None
        for forms in concepts:
            found = {row for form in forms for row in self.wording.containing(form)}
            rows = found if rows is None else rows & found
            if not rows:
                return []
        return [self.clauses[r] for r in sorted(rows or ()) if self.clauses[r].id not in self._titles]
