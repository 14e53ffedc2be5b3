"""Question understanding, in one place: what a question asks, and of what.

- `intents`: the intent (who-acts, overview, document facts, references, footnote, purpose,
  role, out of scope, or a lookup), learned from labelled example questions over the query's
  embedding; the only place an intent is decided.
- `routing`: the slots (section, item, actor, resolution number), read from the corpus tables
  in `corpus/` (sections, actors, verbs, assemblies), never from a list of its own.
- `asks`: how a question narrows its answer ("why", "going forward", "does it mention",
  a deadline or a budget), and the words that name its topic.
- `wording`: what the words name of the text, read against the corpus, for the classifier.
- `conversation`: a follow-up read with the turns before it ("and the second?", "那TSB呢？").

Selection and framing (`assistant.answer`) and the search (`assistant.search`) take what these
decide; neither reads a question's phrasing itself.
"""
