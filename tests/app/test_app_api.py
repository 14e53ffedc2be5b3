"""The app's `/ask` API, its safety defaults and its behaviour under concurrent clients."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from gradio_client import Client

from benchmarks.measure import children
from tests.app.conftest import ROOT, app_env, free_port, stop, wait_for_http

ANSWER_KEYS = {"answer", "abstained", "language", "citations", "notice", "latency_ms", "timings_ms"}
CITATION_KEYS = {"marker", "clause_id", "label", "labels", "quote", "text", "versions"}
LOAD_QUESTIONS = 10  # per client: 160 requests
FAST_LOAD_QUESTIONS = 3  # the fast loop's 48 requests still ask each of app_load's ten questions, from 16 clients at once


@pytest.fixture(scope="module")
def client(app_server) -> Client:
    return Client(app_server.url, verbose=False)


def ask(client: Client, question, history=()) -> dict:
    return client.predict(question=question, history=list(history), api_name="/ask")


def test_page_answers_before_the_model_is_loaded(app_server):
    # Wall-clock limits are flaky on a shared machine; what keeps the start fast is this order.
    assert "Ready in" not in app_server.log_at_first_response, (
        f"the page answered only after the model loaded ({app_server.startup_seconds:.1f} s)"
    )


def test_ask_returns_the_answer_dict_with_citations(client):
    result = ask(client, "What is TSAG instructed to do?")
    assert set(result) == ANSWER_KEYS
    assert result["abstained"] is False and result["language"] == "en"
    first = result["citations"][0]
    assert set(first) == CITATION_KEYS
    assert first["clause_id"] == "wtsa-res106-2024/resolves-to-instruct-tsag/1"
    assert first["label"] == "Resolution 106 (New Delhi, 2024), resolves to instruct TSAG"
    assert first["quote"] in first["text"]
    assert "[1]" in result["answer"]


def test_a_chinese_question_gets_a_chinese_answer(client):
    result = ask(client, "电信标准化顾问组需要做什么？")
    assert result["language"] == "zh"
    assert result["citations"][0]["label"].startswith("第106号决议（2024年，新德里）")


def test_history_carries_the_conversation(client):
    result = ask(client, "And the Director of TSB?", history=["What is TSAG instructed to do?"])
    assert result["citations"][0]["clause_id"] == "wtsa-res106-2024/resolves-to-instruct-tsb-director/1"


@pytest.mark.parametrize(
    ("question", "history", "says"),
    [
        ("", [], "empty"),
        ("   ", [], "empty"),
        ("x" * 2001, [], "2,000"),
        ("What is TSAG instructed to do?", "not a list", "history"),
        ("What is TSAG instructed to do?", [1, 2], "history"),
    ],
)
def test_bad_requests_get_an_error_dict_not_a_traceback(client, question, history, says):
    result = client.predict(question=question, history=history, api_name="/ask")
    assert result["answer"] == "" and result["abstained"] is True and result["citations"] == []
    assert says in result["error"]
    assert "Traceback" not in result["error"]


def test_only_ask_is_exposed(client):
    assert list(client.view_api(return_format="dict", print_info=False)["named_endpoints"]) == ["/ask"]


@pytest.mark.parametrize("path", ["app.py", "corpus/texts/manifest.json", "/etc/passwd"])
def test_no_request_reads_files(app_server, path):
    target = path if path.startswith("/") else str(ROOT / path)
    for route in ("/gradio_api/file=", "/file="):
        response = httpx.get(f"{app_server.url}{route}{target}", timeout=5)
        assert response.status_code in (403, 404), f"{route}{target} -> {response.status_code}"


def test_sixteen_concurrent_clients_get_cited_answers(app_server, tmp_path, fast_loop):
    out = tmp_path / "app_load.json"
    questions = FAST_LOAD_QUESTIONS if fast_loop else LOAD_QUESTIONS
    run = subprocess.run(
        [sys.executable, "-m", "benchmarks.app_load", "--url", app_server.url, "--clients", "16", "--questions",
         str(questions), "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["requests"] == 16 * questions
    assert report["problems"] == [] and report["ok"] == 16 * questions


def test_a_network_address_needs_a_login(tmp_path, model_cache_dir):
    env = app_env(tmp_path / "data", model_cache_dir)
    run = subprocess.run(
        [sys.executable, str(ROOT / "app.py"), "--host", "0.0.0.0", "--port", str(free_port())],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert run.returncode == 2
    assert "RA_AUTH" in run.stderr and "--no-auth" in run.stderr


# `python app.py ARGS` as run by runpy, printing at its end what it had started and imported.
_AUDITED_APP = """
import json, runpy, sys
spawned = []
sys.addaudithook(lambda event, args: spawned.append(repr(args[1])) if event == "subprocess.Popen" else None)
path, sys.argv = sys.argv[1], sys.argv[1:]
try:
    runpy.run_path(path, run_name="__main__")
finally:
    print(json.dumps({"spawned": spawned, "gradio": "gradio" in sys.modules, "assistant": "assistant.core" in sys.modules}))
"""


@pytest.mark.parametrize(
    ("args", "env", "code", "says"),
    [
        pytest.param(["--host", "0.0.0.0"], {}, 2, "RA_AUTH", id="network-without-login"),
        pytest.param(["--host", "0.0.0.0"], {"RA_AUTH": "nopassword"}, 1, "user:password", id="bad-ra-auth"),
        pytest.param([], {"RA_LLM_TIMEOUT": "-3"}, 1, "RA_LLM_TIMEOUT", id="bad-setting"),
        pytest.param(["--help"], {}, 0, "", id="help"),
    ],
)
def test_what_the_app_refuses_it_refuses_before_loading_anything(tmp_path, model_cache_dir, args, env, code, says):
    # Neither the Assistant's process nor gradio: a refusal takes a fraction of a second, not a start's ~6 s.
    run = subprocess.run(
        [sys.executable, "-c", _AUDITED_APP, str(ROOT / "app.py"), *args, "--port", str(free_port())],
        cwd=ROOT, env=app_env(tmp_path / "data", model_cache_dir, **env), capture_output=True, text=True, timeout=120,
    )
    assert run.returncode == code, run.stderr
    assert says in run.stderr
    assert json.loads(run.stdout.splitlines()[-1]) == {"spawned": [], "gradio": False, "assistant": False}


def test_ra_auth_makes_the_app_ask_for_a_login(tmp_path, model_cache_dir, shipped_index):
    port = free_port()
    log = tmp_path / "server.log"
    env = app_env(shipped_index(tmp_path / "data"), model_cache_dir, RA_AUTH="tester:s3cret")
    with log.open("wb") as sink:
        proc = subprocess.Popen(
            [sys.executable, str(ROOT / "app.py"), "--host", "0.0.0.0", "--port", str(port)],
            cwd=ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(url + "/", proc, log)
        assert httpx.get(url + "/config", timeout=5).status_code == 401
        login = httpx.post(url + "/login", data={"username": "tester", "password": "s3cret"}, timeout=5)
        assert login.status_code == 200
        assert httpx.get(url + "/config", cookies=login.cookies, timeout=5).status_code == 200
        wrong = [httpx.post(url + "/login", data={"username": "tester", "password": f"guess{i}"}, timeout=5).status_code
                 for i in range(6)]
        assert wrong == [400] * 5 + [429]  # from the fifth failure on, this address waits (1 s, then 2 s, ...)
        retry = httpx.post(url + "/login", data={"username": "tester", "password": "s3cret"}, timeout=5)
        assert retry.status_code == 429 and "try again" in retry.text
        deadline = time.monotonic() + 10
        while "login required" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert "login required" in log.read_text()
    finally:
        stop(proc)


def test_the_assistant_loads_in_its_own_process_which_ends_with_the_app(tmp_path, model_cache_dir, shipped_index):
    port = free_port()
    log = tmp_path / "server.log"
    with log.open("wb") as sink:
        proc = subprocess.Popen(
            [sys.executable, str(ROOT / "app.py"), "--port", str(port)],
            cwd=ROOT, env=app_env(shipped_index(tmp_path / "data"), model_cache_dir, RA_EMBEDDING_NICENESS="0"),
            stdout=sink, stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(url + "/", proc, log)
        commands = {pid: Path(f"/proc/{pid}/cmdline").read_bytes() for pid in children(proc.pid)}
        workers = [pid for pid, command in commands.items() if b"assistant.worker" in command]
        assert len(workers) == 1, commands
        answer = ask(Client(url, verbose=False), "What is TSAG instructed to do?")
        assert answer["citations"][0]["clause_id"] == "wtsa-res106-2024/resolves-to-instruct-tsag/1"
        app_maps, child_maps = (Path(f"/proc/{pid}/maps").read_text() for pid in (proc.pid, workers[0]))
        # Shared libraries: torch's, the model's runtime and chromadb's live only where they are used.
        assert [lib for lib in ("torch", "onnxruntime", "chromadb") if lib in app_maps] == [], "the app's own process loaded them"
        assert "onnxruntime" in child_maps and "chromadb" in child_maps and "libtorch" not in child_maps
    finally:
        stop(proc)
    deadline = time.monotonic() + 10
    while Path(f"/proc/{workers[0]}").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not Path(f"/proc/{workers[0]}").exists(), "the assistant's process outlived the app"
    assert "Traceback" not in log.read_text()
