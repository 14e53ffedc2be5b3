"""Secrets stay secret: RA_LLM_API_KEY and RA_AUTH never show in settings, CLI output or eval results;
and the CLI opens no file the user did not name, whatever the question says.
"""

from __future__ import annotations

import argparse
import json

import pytest

from assistant.settings import Settings
from embeddings.model import MINILM
from tests.reliability.conftest import ROOT, SECRET, SEED_DIR, audited_cli, cli_env, completion, run_cli

ENV = {
    "RA_LLM_BASE_URL": "http://127.0.0.1:9/v1",
    "RA_LLM_MODEL": "scripted",
    "RA_LLM_API_KEY": SECRET,
    "RA_AUTH": f"admin:{SECRET}",
}


def test_settings_never_show_the_secrets():
    settings = Settings.from_env(ENV)
    assert settings.llm_api_key == SECRET and SECRET in settings.auth
    for shown in (repr(settings), str(settings), json.dumps(settings.describe())):
        assert SECRET not in shown
    assert settings.describe()["answers"] == "LLM scripted at http://127.0.0.1:9/v1"


def test_assistant_status_never_shows_the_secret(llm_assistant):
    assert SECRET not in json.dumps(llm_assistant.status(), ensure_ascii=False, default=str)


@pytest.mark.parametrize("command", [["clauses", "--json"], ["mandates", "--actor", "TSAG", "--json"]])
def test_cli_json_without_a_model_never_shows_the_secret(tmp_path, command):
    result = run_cli(*command, env=cli_env(RA_DATA_DIR=str(tmp_path), **ENV), timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    json.loads(result.stdout)
    assert SECRET not in result.stdout + result.stderr


@pytest.mark.timeout(240)
def test_cli_ask_json_sends_the_key_only_to_the_endpoint_and_opens_no_named_file(tmp_path, model_cache_dir, scripted_llm,
                                                                                  shipped_index):
    """`ask --json` in LLM mode: the key reaches the endpoint only; a path in the history or the question is never opened.

    A question about the paths is one the text does not answer, so the LLM is not asked for it.
    """
    watched = (tmp_path / "watched").resolve()
    watched.mkdir()
    secret_file = watched / "secret.txt"
    secret_file.write_text("not to be read", encoding="utf-8")
    scripted_llm.replies.append(completion("TSAG is to take all necessary measures to strengthen this work [C1]."))
    env = cli_env(
        RA_CORPUS_DIR=str(SEED_DIR),
        RA_DATA_DIR=str(shipped_index(tmp_path / "data", model=MINILM)),
        RA_MODEL_CACHE=str(model_cache_dir),
        RA_EMBEDDING_MODEL=MINILM,
        RA_LLM_BASE_URL=scripted_llm.base_url,
        RA_LLM_MODEL="scripted",
        RA_LLM_API_KEY=SECRET,
    )
    history = f"{secret_file} ../secret.txt"
    result, opened = audited_cli(watched, "ask", "What is TSAG instructed to do?", "--history", history, "--json", env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    answer = json.loads(result.stdout)
    assert answer["notice"] == "LLM answer." and answer["citations"], answer
    assert SECRET not in result.stdout + result.stderr
    assert [r["headers"].get("authorization") for r in scripted_llm.requests] == [f"Bearer {SECRET}"]
    assert opened == set(), opened

    result, opened = audited_cli(watched, "ask", f"{history} What is TSAG instructed to do?", "--json", env=env)
    assert result.returncode == 0 and json.loads(result.stdout)["abstained"], result.stderr[-3000:]
    assert opened == set() and len(scripted_llm.requests) == 1, opened


def test_eval_results_never_show_the_secret(tmp_path, monkeypatch, llm_assistant, capsys):
    import assistant.baselines
    import evals.cli

    dev = (ROOT / "evals" / "dev.jsonl").read_text(encoding="utf-8").splitlines()
    gold = tmp_path / "gold.jsonl"
    gold.write_text("\n".join(dev[:2]) + "\n", encoding="utf-8")
    monkeypatch.setattr(assistant.baselines, "make_pipeline", lambda name, settings, clauses: llm_assistant.ask)
    monkeypatch.setattr(evals.cli, "code_version", lambda: "test")  # no git in tests
    args = argparse.Namespace(gold=str(gold), out=str(tmp_path / "out"), compare=[], thresholds=None, json=True)
    assert evals.cli.run_eval_command(args, llm_assistant.settings) == 0
    printed = capsys.readouterr()
    results = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))
    assert results["meta"]["settings"] == llm_assistant.settings.describe()
    for text in (
        (tmp_path / "out" / "results.json").read_text(encoding="utf-8"),
        (tmp_path / "out" / "report.md").read_text(encoding="utf-8"),
        printed.out + printed.err,
    ):
        assert SECRET not in text
