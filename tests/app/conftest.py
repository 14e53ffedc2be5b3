"""One real app server for the app tests: `python app.py --port FREE` on a temporary index."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 120
# Settings that would make the run depend on the developer's machine.
_FOREIGN_ENV = ("RA_AUTH", "RA_CHROMA_URL", "RA_LLM_BASE_URL", "RA_CORPUS_DIR", "RA_EMBEDDING_MODEL",
                "RA_EMBEDDING_PROCESS", "RA_EMBEDDING_NICENESS", "RA_EMBEDDING_BACKEND", "GRADIO_SERVER_NAME", "GRADIO_SERVER_PORT")


@dataclass(frozen=True)
class Server:
    url: str
    port: int
    log: Path
    startup_seconds: float  # from process start to the first HTTP 200
    log_at_first_response: str  # what the server had printed by then


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def app_env(data_dir: Path, model_cache: Path, **extra: str) -> dict:
    """The environment of a test app process: its own index, the shared model cache, no network."""
    env = {k: v for k, v in os.environ.items() if k not in _FOREIGN_ENV}
    env.update(
        RA_DATA_DIR=str(data_dir),
        RA_MODEL_CACHE=str(model_cache),
        GRADIO_ANALYTICS_ENABLED="False",
        ANONYMIZED_TELEMETRY="False",
        HF_HUB_OFFLINE="1",
        PYTHONUNBUFFERED="1",
        **extra,
    )
    return env


def wait_for_http(url: str, proc: subprocess.Popen, log: Path, timeout: float = START_TIMEOUT_S) -> float:
    """Seconds until `url` answered 200; fails with the server log if the process dies or times out."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if proc.poll() is not None:
            pytest.fail(f"app.py exited with {proc.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return time.monotonic() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    proc.kill()
    pytest.fail(f"app.py did not answer within {timeout:.0f} s:\n{log.read_text(errors='replace')[-3000:]}")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


@pytest.fixture(scope="session")
def output_dir(tmp_path_factory) -> Path:
    """Where the app tests leave screenshots and logs (printed at the end of the run)."""
    return tmp_path_factory.mktemp("app-output")


@pytest.fixture(scope="session")
def app_server(tmp_path_factory, model_cache_dir, output_dir) -> Server:
    """The app on a free port, with its own index and the session's model cache (tests/conftest.py).

    Its Assistant's process runs at the tests' priority, not RA_EMBEDDING_NICENESS's default 10 below: no test
    here checks that priority (tests/assistant/test_worker.py does), and beside the other xdist worker a child
    at niceness 10 got so little CPU that building its index held up the first question by minutes."""
    port = free_port()
    log = output_dir / "server.log"
    with log.open("wb") as sink:
        proc = subprocess.Popen(
            [sys.executable, str(ROOT / "app.py"), "--port", str(port)],
            cwd=ROOT,
            env=app_env(tmp_path_factory.mktemp("app-data"), model_cache_dir, RA_EMBEDDING_NICENESS="0"),
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        seconds = wait_for_http(url + "/", proc, log)
        yield Server(url=url, port=port, log=log, startup_seconds=seconds, log_at_first_response=log.read_text())
    finally:
        stop(proc)
