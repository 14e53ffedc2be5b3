"""`python -m evals.changes`: the changed answers between two eval runs, counted and scored."""

import json

import pytest

from evals.changes import main


def _run(folder, cases):
    folder.mkdir(parents=True)
    rows = [
        {"case_id": cid, "question": f"question {cid}", "cited": cited, "abstained": not cited,
         "scores": {"citation_f1": f1}}
        for cid, cited, f1 in cases
    ]
    (folder / "results.json").write_text(json.dumps({"configurations": {"product": {"cases": rows}}}), encoding="utf-8")


def test_counts_changed_answers_better_and_worse_per_gold_file(tmp_path, capsys):
    # a: now cites the right clause; b: loses one; c: an unanswerable question now abstains; d: unchanged.
    _run(tmp_path / "before" / "dev", [("a", ["x"], 0.0), ("b", ["y", "z"], 1.0), ("c", ["y"], None), ("d", ["z"], 1.0)])
    _run(tmp_path / "after" / "dev", [("a", ["y"], 1.0), ("b", ["y"], 0.67), ("c", [], None), ("d", ["z"], 1.0)])
    _run(tmp_path / "after" / "only-after", [("e", ["y"], 1.0)])  # no "before" run: not compared
    assert main([str(tmp_path / "before"), str(tmp_path / "after")]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == ["dev: 3 of 4 changed, 2 better, 1 worse", "total: 3 changed, 2 better, 1 worse"]


def test_lists_the_cases_only_when_asked(tmp_path, capsys):
    _run(tmp_path / "before", [("a", ["x"], 0.0)])
    _run(tmp_path / "after", [("a", ["y"], 1.0)])
    main([str(tmp_path / "before"), str(tmp_path / "after")])
    assert "question a" not in capsys.readouterr().out
    main([str(tmp_path / "before"), str(tmp_path / "after"), "--cases"])
    assert "  a 0.00 -> 1.00  question a" in capsys.readouterr().out


def test_a_folder_without_runs_is_a_one_line_error(tmp_path):
    (tmp_path / "after").mkdir()
    (tmp_path / "before" / "dev").mkdir(parents=True)
    (tmp_path / "before" / "dev" / "results.json").write_text("not json", encoding="utf-8")
    with pytest.raises(SystemExit, match="no run of the same gold file"):
        main([str(tmp_path / "before"), str(tmp_path / "after")])
    (tmp_path / "after" / "dev").mkdir()
    (tmp_path / "after" / "dev" / "results.json").write_text("{}", encoding="utf-8")
    with pytest.raises(SystemExit, match="is not the results.json of an eval run"):
        main([str(tmp_path / "before"), str(tmp_path / "after")])
