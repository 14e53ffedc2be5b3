"""How well intents are learned, and where the relevance floor sits: the figures behind assistant/calibration.py.

    python -m benchmarks.intents            # 5-fold cross-validation over the example questions, dev similarities

Prints the cross-validated accuracy of the shipped classifier (embedding and word features) and of the
embedding alone, and the lowest best-clause similarity among answerable dev questions (RELEVANCE_FLOOR
sits just under it). Reads the dev set, never evals/blind.jsonl.
"""

from __future__ import annotations

import argparse
import tempfile
from dataclasses import replace
from pathlib import Path

import numpy as np

from assistant.settings import Settings, use_offline_environment

use_offline_environment()

from assistant import calibration as cal  # noqa: E402
from assistant.core import Assistant  # noqa: E402
from assistant.understanding.intents import IntentClassifier, fit_softmax, predict_softmax, word_features  # noqa: E402
from evals.gold import load_gold  # noqa: E402

DEV_SET = Path(__file__).resolve().parent.parent / "evals" / "dev.jsonl"


def cross_validated_accuracy(classifier: IntentClassifier, *, words: bool, folds: int = 5) -> float:
    """Share of example questions whose intent a classifier trained on the other folds gets right."""
    questions = [e.question for e in classifier.examples]
    labels = np.array([classifier.classes.index(e.intent) for e in classifier.examples])
    features = classifier.features(classifier.vectors, questions)
    if not words:
        features = features[:, : -word_features([""]).shape[1]]
    fold = np.arange(len(labels)) % folds
    right = 0
    for k in range(folds):
        train = fold != k
        weights = fit_softmax(features[train], labels[train], classes=len(classifier.classes), l2=cal.INTENT_L2,
                              steps=cal.INTENT_STEPS)
        probabilities = predict_softmax(weights, features[~train])
        predicted = probabilities.argmax(axis=1)
        lookup = classifier.classes.index("lookup")
        predicted[(probabilities.max(axis=1) < cal.INTENT_MIN_SHARE) & (predicted != lookup)] = lookup
        right += int((predicted == labels[~train]).sum())
    return right / len(labels)


def main(argv: list[str] | None = None) -> int:
    argparse.ArgumentParser(description=__doc__.split("\n\n")[0]).parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ra-bench-intents-") as work:
        assistant = Assistant(replace(Settings.from_env(), data_dir=Path(work), chroma_url="", llm_base_url=""))
        assistant.load()
        classifier = IntentClassifier.build(assistant.embedder, cache_dir=assistant.settings.model_cache)
        print(f"{len(classifier.examples)} example questions, {len(classifier.classes)} intents")
        print(f"5-fold accuracy, embedding + words (shipped): {cross_validated_accuracy(classifier, words=True):.3f}")
        print(f"5-fold accuracy, embedding alone:            {cross_validated_accuracy(classifier, words=False):.3f}")
        best = []
        for case in load_gold(DEV_SET, assistant.clauses):
            if case.answerable and not case.history:
                hits = assistant.ask(case.question).hits
                best.append(max((h.similarity for h in hits if h.similarity), default=0.0))
        print(f"lowest best-clause similarity of an answerable dev question: {min(best):.3f} "
              f"(RELEVANCE_FLOOR = {cal.RELEVANCE_FLOOR})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
