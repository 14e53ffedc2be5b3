import json

import pytest

from corpus.errors import AssistantError
from evals.gold import EvalCase, dataset_hash, load_gold, resolve_quote


def write(tmp_path, *rows, name="gold.jsonl"):
    path = tmp_path / name
    path.write_text("\n".join(row if isinstance(row, str) else json.dumps(row, ensure_ascii=False) for row in rows) + "\n", encoding="utf-8")
    return path


def case(**fields):
    return {"id": "c1", "lang": "zh", "type": "lookup", "question": "什么？", "gold_ids": ["doc/resolves/1"], **fields}


def test_load_gold_resolves_ids_and_quotes_in_order(tmp_path, clauses):
    path = write(tmp_path, case(gold_ids=["doc/resolves/3"], gold_quotes=["鼓励成员参与", "开展能力建设"], key_facts=["成员"]))
    [loaded] = load_gold(path, clauses)
    assert loaded.gold == ("doc/resolves/3", "doc/resolves/1")
    assert loaded.gold_quotes == ("鼓励成员参与", "开展能力建设")
    assert loaded.key_facts == ("成员",)
    assert loaded.answerable and not loaded.multi_turn


def test_load_gold_reads_history_and_skips_blank_lines(tmp_path, clauses):
    path = write(tmp_path, "", case(history=["第一问"], type="followup"), "  ")
    [loaded] = load_gold(path, clauses)
    assert loaded.history == ("第一问",) and loaded.multi_turn


def test_unanswerable_case_loads_without_gold(tmp_path, clauses):
    path = write(tmp_path, {"id": "u", "lang": "en", "type": "unanswerable", "question": "Budget?", "answerable": False})
    [loaded] = load_gold(path, clauses)
    assert loaded.gold == () and not loaded.answerable


def test_a_case_without_a_type_loads_as_other(tmp_path, clauses):
    # The README's format marks "type" optional: an evaluator's own file need not sort its questions.
    path = write(tmp_path, {"id": "u", "lang": "en", "question": "Budget?", "answerable": False},
                 {"id": "a", "lang": "zh", "question": "什么？", "gold_ids": ["doc/resolves/1"]})
    assert [c.type for c in load_gold(path, clauses)] == ["other", "other"]


def test_case_round_trips_through_dict():
    original = EvalCase(id="x", lang="en", type="list", question="q", history=("h",), gold_ids=("a",), gold=("a", "b"), key_facts=("k",))
    data = original.to_dict()
    assert data["gold"] == ["a", "b"]
    assert EvalCase.from_dict(json.loads(json.dumps(data))) == original


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ('{"id": "c1", "lang": ', r"gold\.jsonl:2 \(case id unknown\): bad JSON \(Expecting value at column \d+\)"),
        ("[1, 2]", r"gold\.jsonl:2 \(case id unknown\): the line is not a JSON object"),
        ({"lang": "zh", "type": "lookup", "question": "q"}, r'gold\.jsonl:2 \(case id unknown\): missing "id"'),
        (case(id="c2", question="  "), r"gold\.jsonl:2 \(case 'c2'\): missing \"question\""),
        (case(id="c2", lang="fr"), r"gold\.jsonl:2 \(case 'c2'\): lang 'fr' is not one of zh, en"),
        (case(id="c2", type="lookpu"), r"gold\.jsonl:2 \(case 'c2'\): type 'lookpu' is not one of lookup, "),
        (case(id="c2", gold_id=["doc/resolves/1"]), r"\(case 'c2'\): unknown field 'gold_id'"),
        (case(id="c2", answerable="yes"), r"\(case 'c2'\): answerable 'yes' is not true or false"),
        (case(id="c2", gold_ids="doc/resolves/1"), r"\(case 'c2'\): \"gold_ids\" must be a list of strings"),
        (case(id="c2", gold_ids=["doc/resolves/9"]), r"\(case 'c2'\): unknown gold id 'doc/resolves/9'; use a clause id"),
        (case(id="c2", gold_quotes=["不存在的话"]), r"\(case 'c2'\): quote '不存在的话' matches no clause"),
        (case(id="c2", gold_quotes=[""]), r"\(case 'c2'\): quote '' matches no clause"),
        (
            case(id="c2", gold_ids=[], gold_quotes=["，"]),
            r"\(case 'c2'\): quote '，' matches 2 clauses \(doc/resolves/2, doc/resolves/3\); quote a longer passage",
        ),
        (case(id="c2", gold_ids=[]), r"\(case 'c2'\): an answerable case has no gold; add gold_ids or gold_quotes"),
        (case(id="c2", answerable=False), r"\(case 'c2'\): an unanswerable case has gold clauses"),
        (case(), r"gold\.jsonl:2 \(case 'c1'\): duplicate case id \(first used on line 1\)"),
    ],
)
def test_load_gold_errors_name_file_line_and_case(tmp_path, clauses, row, message):
    path = write(tmp_path, case(), row)
    with pytest.raises(AssistantError, match=message):
        load_gold(path, clauses)


def test_missing_and_empty_files_are_clear_errors(tmp_path, clauses):
    with pytest.raises(AssistantError, match="cannot read gold set .*missing.jsonl"):
        load_gold(tmp_path / "missing.jsonl", clauses)
    with pytest.raises(AssistantError, match="holds no cases"):
        load_gold(write(tmp_path, ""), clauses)


def test_resolve_quote_exact_then_whitespace_normalized(clauses):
    assert resolve_quote("开展能力建设", clauses) == ["doc/resolves/3"]
    assert resolve_quote("促进 合作", clauses) == ["doc/resolves/2"]  # exact, with the clause's own space
    assert resolve_quote("促进合作与协作", clauses) == ["doc/resolves/2"]  # the clause has a space the quote lacks
    assert resolve_quote("实施 导则,", clauses) == []
    assert resolve_quote("制定实施\n导则", clauses) == ["doc/resolves/3"]
    assert resolve_quote("国家", clauses) == ["doc/footnotes/1"]
    assert resolve_quote("，", clauses) == ["doc/resolves/2", "doc/resolves/3"]


def test_dataset_hash_follows_content(tmp_path):
    first = write(tmp_path, case(), name="a.jsonl")
    same = write(tmp_path, case(), name="b.jsonl")
    other = write(tmp_path, case(id="c9"), name="c.jsonl")
    assert dataset_hash(first) == dataset_hash(same)
    assert dataset_hash(first) != dataset_hash(other)
    assert dataset_hash(first).startswith("sha256:") and len(dataset_hash(first)) == len("sha256:") + 64
    with pytest.raises(AssistantError, match="cannot read gold set"):
        dataset_hash(tmp_path / "nope.jsonl")


def test_a_quoted_heading_names_the_clauses_under_it(clauses):
    from dataclasses import replace

    invited = replace(clauses[0], heading="请成员国、部门成员")
    others = [replace(c, heading="做出决议") for c in clauses[1:3]]
    assert resolve_quote("请成员国、部门成员", [invited, *others]) == ["doc/resolves/1"]
    assert resolve_quote("做出决议", [invited, *others]) == ["doc/resolves/2", "doc/resolves/3"]  # the caller refuses it
    assert resolve_quote("开展能力建设", [invited, *others]) == ["doc/resolves/3"]  # the text comes first
