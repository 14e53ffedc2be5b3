"""How the LLM answer check separates honest sentences from misplaced ones: the figures behind LLM_MIN_OVERLAP.

    python -m benchmarks.support

Over tests/reliability/support_sentences.jsonl (an honest paraphrase of each clause in each language, and
invented sentences): the lowest overlap of an honest sentence with its own clause, how many honest sentences
cited for any other clause the check still keeps, and how many invented ones it keeps, per language.
"""

from __future__ import annotations

import json
from pathlib import Path

from assistant.settings import Settings, use_offline_environment

use_offline_environment()

from assistant import dictionary  # noqa: E402
from assistant.llm import check_support  # noqa: E402
from corpus.library import load_corpus  # noqa: E402

SENTENCES = Path(__file__).resolve().parent.parent / "tests" / "reliability" / "support_sentences.jsonl"


def main() -> None:
    settings = Settings.from_env()
    dictionary.load(settings.model_cache)
    by_id = {c.id: c for c in load_corpus(settings.corpus_dir) if c.kind != "title"}
    rows = [json.loads(line) for line in SENTENCES.read_text(encoding="utf-8").splitlines() if line.strip()]
    for lang in ("en", "zh"):
        honest = [r for r in rows if r["lang"] == lang and not r.get("invented")]
        invented = [r for r in rows if r["lang"] == lang and r.get("invented")]
        lowest = min(check_support(r["sentence"], [by_id[r["clause_id"]]]).overlap for r in honest)
        pairs = [(r, other) for r in honest for other in by_id if other != r["clause_id"]]
        kept = sum(check_support(r["sentence"], [by_id[other]]).holds for r, other in pairs)
        made_up = sum(check_support(r["sentence"], [by_id[r["clause_id"]]]).holds for r in invented)
        print(f"{lang}: lowest honest overlap {lowest:.2f}; misplaced kept {kept}/{len(pairs)}; invented kept {made_up}/{len(invented)}")


if __name__ == "__main__":
    main()
