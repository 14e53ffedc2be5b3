"""What a question asks for: its intent and slots, decided in this one place.

The intent comes from labelled example questions (`data/intent_examples.jsonl`): a small
logistic regression over the multilingual embedding the search already computes, so unseen
phrasings in either language land with the examples that mean the same. The slots (section, item, actor,
resolution number) come from `routing.route_question`, which reads the corpus tables.

>>> classifier = IntentClassifier.build(embedder, cache_dir=tmp_path)
>>> classifier.classify("Give me the gist of it", embedder.embed_query("Give me the gist of it"), route).name
'overview'
"""

from __future__ import annotations

import hashlib
import json
import re
import tempfile
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Collection, Sequence

import numpy as np

from corpus.errors import AssistantError
from assistant import calibration as cal
from assistant.understanding.routing import Route, names_a_part
from assistant.text import CJK, content_terms, normalize, stem

EXAMPLES = Path(__file__).parent.parent / "data" / "intent_examples.jsonl"

# Intents the classifier chooses between. "lookup" is every question about particular
# clauses; its final name (clause, section, actor, topic) comes from the slots.
LEARNED = ("lookup", "who-acts", "overview", "document", "references", "footnote", "purpose", "role", "out-of-scope")
INTENTS = ("clause", "section", "actor", "topic", *LEARNED[1:])


@dataclass(frozen=True)
class Example:
    """One labelled example question."""

    question: str
    intent: str


@dataclass(frozen=True)
class Intent:
    """The decided intent of one question, with its slots and how sure the vote was.

    >>> Intent("actor", Route(actors=("tsag",))).name
    'actor'
    """

    name: str
    route: Route
    confidence: float = 1.0  # the classifier's probability for the learned label
    reason: str = ""  # why a rule decided, when one did


@dataclass(frozen=True)
class Wording:
    """What a question's words alone say, read against the corpus (`assistant.understanding.wording.read_wording`);
    `IntentClassifier.classify` decides what each settles."""

    pasted: bool = False  # pasted code or markup, the words outside it naming nothing of the text
    why_of_subject: bool = False  # asks why, naming no topic but the text's own subject (its title's words)
    operative_part: bool = False  # names the operative part and no topic the text holds
    other_body: bool = False  # names a body other than the one that adopted the text ("the WTDC resolution")
    addressing: bool = False  # names an addressing verb ("instructed", 请), not set aside
    asks_who: bool = False  # asks who is tasked ("who is expected to…", "谁负责…"), whatever the verb
    # After earlier turns: the topic may be theirs ("what happens to it going forward?"), so the words of
    # this one alone do not show that it names none.
    in_conversation: bool = False
    asker: bool = True  # speaks of the asker ("my company", 我国)
    # The words naming a topic other than the text's own subject (its title's words); None when not read.
    topics: tuple[str, ...] | None = None


def load_examples(path: Path = EXAMPLES) -> tuple[Example, ...]:
    """The labelled example questions, checked: every intent known, no blank question."""
    examples = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        data = json.loads(line)
        if data.get("intent") not in LEARNED or not str(data.get("question", "")).strip():
            raise AssistantError(f"{path}:{number}: an example needs a question and an intent among {', '.join(LEARNED)}")
        examples.append(Example(data["question"], data["intent"]))
    return tuple(examples)


@lru_cache(maxsize=None)
def asking_terms(intent: str, path: Path = EXAMPLES) -> frozenset[str]:
    """The words the example questions of an intent ask with ("理由", "制定", "rationale"): how such a
    question is put, so a question using only them names no topic of its own.

    >>> "rationale" in asking_terms("purpose")
    True
    """
    return frozenset(term for e in load_examples(path) if e.intent == intent for term in content_terms(e.question))


def word_features(questions: Sequence[str]) -> np.ndarray:
    """Unit-length hashed presence of each question's words and word pairs (English stemmed, Chinese characters).

    The embedding says what a question is about; these say how it asks ("sum up", "谁", "哪些决议").

    >>> word_features(["Summarize it"]).shape
    (1, 2048)
    """
    rows = np.zeros((len(questions), cal.INTENT_HASH_DIM))
    for row, question in enumerate(questions):
        norm = normalize(question)
        words = [stem(w) for w in re.findall(r"[a-z]+", norm)]
        chars = CJK.findall(norm)
        for gram in (*words, *map(" ".join, zip(words, words[1:])), *chars, *map("".join, zip(chars, chars[1:]))):
            rows[row, zlib.crc32(gram.encode("utf-8")) % cal.INTENT_HASH_DIM] = 1.0
    lengths = np.linalg.norm(rows, axis=1, keepdims=True)
    return rows / np.where(lengths == 0, 1.0, lengths)




def fit_softmax(features: np.ndarray, labels: Sequence[int], *, classes: int, l2: float, steps: int) -> np.ndarray:
    """Weights (with a bias row) of a multinomial logistic regression, by full-batch gradient descent.

    Plain numpy: a few hundred examples train in milliseconds, and the answering process
    needs no machine-learning library.

    >>> w = fit_softmax(np.array([[1.0, 0.0], [0.0, 1.0]]), [0, 1], classes=2, l2=1e-3, steps=200)
    >>> predict_softmax(w, np.array([[1.0, 0.0]])).argmax()
    0
    """
    x = np.hstack([features, np.ones((len(features), 1), dtype=features.dtype)])
    target = np.eye(classes)[list(labels)]
    weights = np.zeros((x.shape[1], classes))
    for _ in range(steps):
        gradient = x.T @ (_softmax(x @ weights) - target) / len(x)
        gradient[:-1] += l2 * weights[:-1]
        weights -= cal.INTENT_LEARNING_RATE * gradient
    return weights


def predict_softmax(weights: np.ndarray, features: np.ndarray) -> np.ndarray:
    """Class probabilities for each row of `features`."""
    x = np.hstack([features, np.ones((len(features), 1), dtype=features.dtype)])
    return _softmax(x @ weights)


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


class IntentClassifier:
    """Decides intents from example questions embedded once (cached beside the model).

    >>> classifier = IntentClassifier(load_examples(), vectors)
    """

    def __init__(self, examples: Sequence[Example], vectors: np.ndarray, weights: np.ndarray | None = None):
        if len(examples) != len(vectors):
            raise ValueError("one vector per example")
        self.examples = tuple(examples)
        self.vectors = np.asarray(vectors, dtype=np.float64)
        # Every multilingual-e5 vector shares a large common direction; without it the
        # examples' differences (what is asked, not what about) carry the classification.
        self.center = self.vectors.mean(axis=0)
        self.classes = tuple(name for name in LEARNED if any(e.intent == name for e in self.examples))
        shape = (self.vectors.shape[1] + cal.INTENT_HASH_DIM + 1, len(self.classes))
        if weights is None or np.shape(weights) != shape:
            weights = fit_softmax(
                self.features(self.vectors, [e.question for e in self.examples]),
                [self.classes.index(e.intent) for e in self.examples],
                classes=len(self.classes), l2=cal.INTENT_L2, steps=cal.INTENT_STEPS,
            )
        self.weights = np.asarray(weights, dtype=np.float64)

    def features(self, vectors: np.ndarray, questions: Sequence[str]) -> np.ndarray:
        """Centered query vectors of length `INTENT_SCALE`, beside the questions' hashed word features."""
        centered = np.atleast_2d(vectors) - self.center
        dense = cal.INTENT_SCALE * centered / np.maximum(np.linalg.norm(centered, axis=1, keepdims=True), 1e-12)
        return np.hstack([dense, cal.INTENT_LEXICAL_SCALE * word_features(questions)])

    def probabilities(self, question: str, vector: np.ndarray) -> dict[str, float]:
        """Each learned intent's probability for a question and its query vector."""
        return dict(zip(self.classes, predict_softmax(self.weights, self.features(vector, [question]))[0].tolist()))

    @classmethod
    def build(cls, embedder, *, cache_dir: Path | None = None, path: Path = EXAMPLES) -> IntentClassifier:
        """Embed the examples with the product's model and fit the regression, both reused from a
        cached copy for the same model, file and settings (fitting alone takes ~0.8 s at start-up)."""
        examples = load_examples(path)
        settings = [cal.INTENT_SCALE, cal.INTENT_LEXICAL_SCALE, cal.INTENT_HASH_DIM, cal.INTENT_L2, cal.INTENT_STEPS,
                    cal.INTENT_LEARNING_RATE]
        # This module's own source is part of the key: a change to the features makes old weights meaningless.
        code = Path(__file__).read_bytes().hex()
        key = hashlib.sha256(f"{embedder.model_id}\n{path.read_bytes().hex()}\n{settings}\n{code}".encode()).hexdigest()[:16]
        cached = Path(cache_dir) / f"intent-examples-{key}.npz" if cache_dir else None
        if cached is not None and cached.is_file():
            try:
                with np.load(cached) as saved:
                    vectors, weights = saved["vectors"], saved["weights"]
                if vectors.shape[0] == len(examples):
                    return cls(examples, vectors, weights)
            except (OSError, ValueError, KeyError):
                pass  # a damaged cache is rebuilt below
        vectors = embedder.embed_queries([e.question for e in examples])
        classifier = cls(examples, vectors)
        if cached is not None:
            try:
                cached.parent.mkdir(parents=True, exist_ok=True)
                # A name of its own, so two processes building at once never write one file.
                with tempfile.NamedTemporaryFile(dir=cached.parent, prefix=cached.stem, suffix=".tmp.npz", delete=False) as partial:
                    np.savez(partial, vectors=vectors, weights=classifier.weights)
                Path(partial.name).replace(cached)
            except OSError:
                pass  # a read-only cache only costs the embedding and the fit next time
        return classifier

    def classify(
        self, question: str, vector: np.ndarray, route: Route, *, relevance: float = 1.0, held: Collection[str] = (),
        wording: Wording = Wording(),
    ) -> Intent:
        """The intent of a question whose query embedding is `vector`.

        `relevance` is its best clause similarity; `held` the numbers of the resolutions the
        library holds (a question naming one of them is about it, not about a clause citing it);
        `wording` what its words alone say of the text.
        """
        probabilities = self.probabilities(question, vector)
        label = max(probabilities, key=probabilities.get)
        share = probabilities[label]
        if route.items and (route.sections or route.actors or route.context):
            # A paragraph named by its number is exact structure; a similarity cannot tell
            # "resolves 3" from "resolves 2", so the slots decide.
            return Intent("clause", route, 1.0, "names a paragraph")
        if wording.pasted:
            # Pasted code or markup, alone or asked about in words that name nothing of the text: the
            # words it holds are markup, not a question, however near the text their vector sits
            # ("[[Category:Standards bodies]]": lookup 0.79; "<script>…</script> what does this output").
            return Intent("out-of-scope", route, share, "pasted code or markup, no question about the text")
        if relevance < cal.RELEVANCE_FLOOR:
            return Intent("out-of-scope", route, share, "no clause is close to the question")
        if label == "out-of-scope" and route.sections and names_a_part(question):
            # "Give me the foreword", "讲讲前言": naming a part of the text is asking about the text,
            # however far a short request's vector lies from the labelled questions about it.
            label = "lookup"
        if (label in _WEIGHED_WITHOUT_LOOKUP and wording.topics is not None and not wording.in_conversation
                and not _topics_beyond(wording.topics, label)):
            # A lookup needs a topic to look up: "新来的，不太懂，能给个概述吗" names none the text holds
            # (overview 0.59, out-of-scope 0.35), "决议里明确“责成”的是哪几方？" none but how who-acts
            # questions ask (who-acts 0.58, lookup 0.31), so the share is weighed among the answers it can have.
            share /= max(1.0 - probabilities.get("lookup", 0.0), 1e-9)
        floor = cal.OUT_OF_SCOPE_MIN_SHARE if label == "out-of-scope" else cal.INTENT_MIN_SHARE
        if label != "lookup" and share < floor and not (
            label in WHOLE_DOCUMENT and self._between_whole_document(probabilities)
        ):
            label = "lookup"
        if wording.operative_part and label in ("lookup", "who-acts") and not (route.actors or route.items or route.context):
            # "What's in the operative part?", "执行部分都要求了些什么" ask for its operative clauses, an
            # overview, and "…everything resolved, instructed and invited" names its sections on the way.
            # A rule, because the part's name pulls the embedding to lookups and its asking verbs to who
            # acts (lookup 0.53, overview 0.34; who-acts 0.85, overview 0.12).
            return Intent("overview", route, share, "names the operative part as a whole")
        if label == "lookup" and wording.why_of_subject:
            # "Why should ITU-T bother with digital transformation standards?" asks why the text on
            # standardization for digital transformation was adopted. A rule, because the subject's
            # words pull the embedding to lookups (lookup 0.82, purpose 0.16).
            label = "purpose"
        if label == "document" and wording.other_body:
            # "关于数字化转型的WTDC决议是哪个，在哪通过的？" asks where the resolution it cites was
            # adopted, not this text: the clause citing it answers.
            label = "lookup"
        if label in WHOLE_DOCUMENT and (route.sections or route.items or route.context or set(route.references) - set(held)):
            # The slots narrow a whole-document question: "what does the resolution bear in mind"
            # is its bearing-in-mind section, "决议第1条要整合哪些东西" its first paragraphs,
            # a follow-up leans on the clauses just discussed,
            # and "where was Resolution 89 adopted" or "what is Resolution 73 about" asks about
            # the clause citing it, not this text.
            label = "lookup"
        if (label == "lookup" and (wording.addressing or wording.asks_who) and wording.topics is not None
                and not _topics_beyond(wording.topics, "who-acts") and not wording.in_conversation
                and not (route.actors or route.sections or route.items)):
            # "Which bodies does the assembly instruct (not just invite or encourage)?" names an addressing
            # verb and nothing to look up, no actor, section or topic: it asks who is addressed so, and so does
            # "Who is expected to take action on sustainable digital transformation under this text?", whose
            # only other words are the text's subject and how who-acts questions ask ("take action"). A rule,
            # because the verbs set aside and the subject's words pull the embedding to lookups (lookup 0.75,
            # who-acts 0.24; lookup 0.75, who-acts 0.14).
            label = "who-acts"
        if route.excluded and not route.actors and not route.sections:
            # "除了TSAG，还有谁要采取行动？": setting an actor aside and naming no other asks who
            # else acts. A rule, because the set-aside actor's name pulls the embedding to its lookup.
            label = "who-acts"
        if label == "role" and not wording.asker and route.actors:
            # A role question is the asker's own ("what should my company do?"); "What is asked of Sector
            # Members and Associates?" names the actor and asks what it is to do (role 0.71).
            label = "lookup"
        if label in _NARROWED_BY_ACTOR and route.actors and route.addressed:
            # "决议请成员国做些什么？", "TSB主任在这个决议里的任务是啥": naming who asks what that
            # actor is to do, not who acts or what the whole text says.
            label = "lookup"
        if label == "lookup":
            return Intent(_lookup_name(route), route, share)
        return Intent(label, route, share)

    def _between_whole_document(self, probabilities: dict[str, float]) -> bool:
        """Whether the doubt is only which whole-document answer fits, not whether it is a lookup or off-topic.

        "What's the title of Resolution 106?" reads as document facts 0.57 and overview 0.37,
        lookup 0.03: unsure between two answers about the text as a whole, sure it is one.
        """
        whole = sum(probabilities.get(name, 0.0) for name in WHOLE_DOCUMENT)
        other = sum(p for name, p in probabilities.items() if name not in WHOLE_DOCUMENT)  # lookup, role, off-topic…
        return whole >= cal.INTENT_MIN_SHARE and other < cal.INTENT_LOOKUP_DOUBT


# Intents answered from the whole resolution rather than from the clauses a search finds.
WHOLE_DOCUMENT = ("who-acts", "overview", "document", "purpose", "references")
# Those a question naming no topic cannot be a lookup instead of. Not purpose: a why-question's paraphrase
# ("why does it matter that standards get made quickly and match what people actually need?", a dev case)
# can share no word the text holds and still ask about one clause; weighed this way it became the purpose answer.
_WEIGHED_WITHOUT_LOOKUP = ("who-acts", "overview", "document", "references")
# Whole-document intents that a named, addressed actor turns into that actor's lookup ("成员国在这个决议里
# 被请求做些什么？" reads as purpose 0.38, who-acts 0.36: it asks what the members are to do).
_NARROWED_BY_ACTOR = ("who-acts", "overview", "purpose")


def _topics_beyond(topics: Sequence[str], intent: str) -> list[str]:
    """The topic words that are not words the intent's example questions ask with ("gist", "落实")."""
    asking = asking_terms(intent)
    return [t for t in topics if t not in asking and stem(t) not in asking]


def _lookup_name(route: Route) -> str:
    if route.actors and route.addressed:
        return "actor"
    if route.sections:
        return "section"
    return "topic"
