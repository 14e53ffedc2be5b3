import json
import subprocess
from dataclasses import replace

import pytest

from corpus.errors import AssistantError
from evals import report as report_module
from evals.report import code_version, render_markdown, write_results
from evals.runner import run_eval
from tests.evals.helpers import fake_clock

META = {"code_version": "test", "dataset": "sha256:abc", "model": "fake", "settings": {"k": 5}}


@pytest.fixture()
def reports(cases, ask, clauses):
    product = run_eval(cases, ask, clauses, clock=fake_clock())
    lexical = run_eval(cases[:2], ask, clauses, name="lexical-only", clock=fake_clock())
    return {"product": product, "lexical-only": lexical}


def test_write_results_writes_every_file(tmp_path, reports):
    paths = write_results(tmp_path / "out", reports, meta=META)
    assert set(paths) == {"results", "report", "recall_at_k", "precision_recall"}
    assert all(path.exists() and path.parent == tmp_path / "out" for path in paths.values())
    for name in ("recall_at_k", "precision_recall"):
        assert paths[name].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_results_json_holds_meta_aggregates_and_every_case(tmp_path, reports):
    data = json.loads(write_results(tmp_path, reports, meta=META)["results"].read_text(encoding="utf-8"))
    assert data["meta"] == META
    assert list(data["configurations"]) == ["product", "lexical-only"]
    product = data["configurations"]["product"]
    assert product["aggregates"]["n"] == 5 and product["ci"]["citation_f1"] is not None
    invented = next(case for case in product["cases"] if case["case_id"] == "invented")
    assert invented["gold"] == ["doc/resolves/1", "doc/resolves/2"]
    assert invented["cited"] == ["doc/resolves/1", "doc/resolves/99"]
    assert invented["gold_ranks"] == {"doc/resolves/1": 2, "doc/resolves/2": 1}
    assert invented["passed"] is False


def test_report_markdown_has_tables_and_failures(tmp_path, reports):
    text = write_results(tmp_path, reports, meta=META)["report"].read_text(encoding="utf-8")
    assert "| configuration | n | cit. F1 |" in text
    assert "| product | 5 | 0.875 [" in text
    assert "| lexical-only | 2 |" in text
    assert "## product by language" in text and "| zh | 2 |" in text
    assert "## Failing cases of product (2 of 5)" in text
    assert "- gold: Doc, resolves 1; Doc, resolves 2" in text
    assert "- cited: Doc, resolves 1; doc/resolves/99 (not in the corpus)" in text
    assert "### bad-quote (zh, lookup)" in text and "quotes valid: no" in text


def test_long_answers_are_cut_in_the_report(reports):
    product = reports["product"]
    long = replace(product.cases[1], answer="字" * 500)
    text = render_markdown({"product": replace(product, cases=(long,))}, meta={})
    assert "字" * 400 + " …" in text and "字" * 401 not in text


def test_write_results_needs_a_configuration(tmp_path):
    with pytest.raises(AssistantError, match="no configurations"):
        write_results(tmp_path, {}, meta=META)


def test_code_version_falls_back_to_the_package_version(monkeypatch):
    def no_git(*args, **kwargs):
        raise FileNotFoundError("git")

    monkeypatch.setattr(report_module.subprocess, "run", no_git)
    assert code_version() not in ("", None)
    assert not code_version().startswith("git ")


def test_code_version_uses_git_describe_when_it_answers(monkeypatch):
    def describe(command, **kwargs):
        return subprocess.CompletedProcess(command, 0, stdout="v0.1-3-gabc1234-dirty\n", stderr="")

    monkeypatch.setattr(report_module.subprocess, "run", describe)
    assert code_version() == "git v0.1-3-gabc1234-dirty"
