"""evals.fusion: re-fusing stored signal ranks under other weights, and choosing weights by top-1."""

from evals.fusion import Fusion, Ranked, best, first, gold_first, grid, main, top1


def _question(lang, gold, *candidates):
    return Ranked("set.jsonl", lang, frozenset(gold), tuple(candidates))


def test_the_weights_decide_which_clause_comes_first():
    question = _question("en", {"b"}, ("a", {"dense": 0, "version-dense": 3}, (0,)), ("b", {"dense": 2, "version-dense": 0}, (1,)))
    assert first(question, {"dense": 1.0, "version-dense": 0.25}) == "a"
    assert first(question, {"dense": 1.0, "version-dense": 3.0}) == "b"
    # Equal scores fall to the tie-break key, as in the search (stronger lexical match first).
    tied = _question("zh", {"b"}, ("a", {"dense": 0}, (0.0,)), ("b", {"dense": 0}, (-1.0,)))
    assert first(tied, {"dense": 1.0}) == "b"


def test_the_best_weights_put_the_most_gold_clauses_first():
    english = _question("en", {"b"}, ("a", {"dense": 0, "version-dense": 3}, (0,)), ("b", {"dense": 2, "version-dense": 0}, (1,)))
    chinese = _question("zh", {"a"}, ("a", {"dense": 0, "lexical": 0}, (0,)), ("b", {"dense": 1}, (1,)))
    chosen = best([english, chinese], grid())
    assert top1([english, chinese], chosen.weights, k=chosen.k) == {"en": 1, "zh": 1}
    assert chosen.weights["version-dense"] >= 1.0  # below ~0.68 the English version cannot outvote the Chinese one


def test_the_fusion_k_decides_between_one_first_place_and_many_near_ones():
    # "a" is first in two signals; "b" third in three. A small k rewards the first places.
    question = _question("en", {"a"}, ("a", {"dense": 0, "lexical": 0}, (0,)),
                         ("b", {"dense": 2, "lexical": 2, "version": 2}, (1,)))
    weights = {"dense": 1.0, "lexical": 1.0, "version": 1.0, "dictionary": 1.0}
    assert first(question, weights, k=60) == "b"
    assert first(question, weights, k=1) == "a"


def test_the_stacked_table_agrees_with_first_for_every_fusion():
    questions = [
        _question("en", {"b"}, ("a", {"dense": 0, "version-dense": 3}, (0,)), ("b", {"dense": 2, "version-dense": 0}, (1,))),
        _question("zh", {"a"}, ("a", {"dense": 1, "lexical": 0}, (0,)), ("b", {"dense": 0, "version": 2}, (1,))),
        # equal scores: the tie-break key decides, in the table as in `first`
        _question("zh", {"b"}, ("a", {"dense": 0}, (0.0,)), ("b", {"dense": 0}, (-1.0,))),
    ]
    candidates = [*grid(), Fusion({"dense": 1.0}, 3)]
    table = gold_first(questions, candidates)
    for row, fusion in zip(table, candidates):
        assert row.tolist() == [first(q, fusion.weights, k=fusion.k) in q.gold for q in questions]


def test_a_missing_gold_file_is_one_line(capsys):
    assert main(["no/such/file.jsonl"]) == 2
    assert capsys.readouterr().err.strip() == "error: no such gold file: no/such/file.jsonl"


def test_other_weights_must_name_signals_and_give_numbers(capsys):
    import pytest

    for bad in ('{"version-dense": "two"}', '{"no-such-signal": 1}', "[1, 2]", "not json"):
        with pytest.raises(SystemExit) as stopped:
            main(["evals/dev.jsonl", "--weights", bad])
        assert stopped.value.code == 2 and "--weights" in capsys.readouterr().err
