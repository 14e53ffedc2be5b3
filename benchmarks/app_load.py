"""Load on the app's `/ask` API: N concurrent clients, each asking M questions; latency percentiles.

Starts `app.py` on a free port (or uses --url), waits until the model is loaded, then runs
the clients in threads, each with its own gradio_client.Client, and writes a JSON report.

    python -m benchmarks.app_load --clients 16 --questions 10
    python -m benchmarks.app_load --url http://127.0.0.1:7860 --clients 4 --questions 5 --out /tmp/load.json
    python -m benchmarks.app_load --clients 32 --seconds 60    # soak: also the server's memory growth

Every answer must be cited or an abstention; the exit status is 1 when any is not, or errors.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
from gradio_client import Client

from benchmarks.measure import children, status_mb

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "benchmarks" / "out" / "app_load.json"

# (question, earlier questions): both languages, follow-ups, and questions the text does not answer.
QUESTIONS = (
    ("电信标准化顾问组需要做什么？", ()),
    ("What are ITU-T study groups instructed to do?", ()),
    ("What is TSAG instructed to do?", ()),
    ("And the Director of TSB?", ("What is TSAG instructed to do?",)),
    ("本决议请成员国做什么？", ()),
    ("What does the resolution say about developing countries?", ()),
    ("什么是RG-DT？", ()),
    ("What is the budget of the resolution?", ()),
    ("研究组应与谁协调与协作？", ()),
    ("Which resolutions does it recall?", ()),
)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    rank = q * (len(ordered) - 1)
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def _rss_mb(pid: int) -> float:
    """Resident memory of the server and its children (the Assistant's process), in MB."""
    return sum(status_mb(process, "VmRSS") or 0.0 for process in (pid, *children(pid)))


def run_load(url: str, *, clients: int, questions: int, seconds: float = 0.0, pid: int | None = None) -> dict:
    """Each of `clients` threads asks `questions` questions (or keeps asking for `seconds`) at once.

    With the server's `pid`, its resident memory is sampled every second, and the growth
    between the mean of the first and of the last 10 s is reported.
    """
    latencies: list[float] = []
    server_ms: list[float] = []
    problems: list[str] = []
    lock = threading.Lock()
    start_together = threading.Barrier(clients)

    stop_at: list[float] = []
    rss: list[tuple[float, float]] = []
    sampling = threading.Event()

    def sample() -> None:
        while pid and not sampling.wait(1.0):
            rss.append((time.perf_counter(), _rss_mb(pid)))

    def client(index: int) -> None:
        api = Client(url, verbose=False)
        start_together.wait()
        i = 0
        while (i < questions) if not seconds else (time.perf_counter() < stop_at[0]):
            question, history = QUESTIONS[(index + i) % len(QUESTIONS)]
            i += 1
            started = time.perf_counter()
            try:
                result = api.predict(question=question, history=list(history), api_name="/ask")
            except Exception as exc:  # a failed request is a finding, not a crash of the benchmark
                result = {"error": f"{type(exc).__name__}: {exc}"}
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                if result.get("error"):
                    problems.append(f"{question!r}: error {result['error']}")
                elif not result.get("citations") and not result.get("abstained"):
                    problems.append(f"{question!r}: neither cited nor an abstention")
                else:
                    server_ms.append(float(result.get("latency_ms", 0.0)))

    threads = [threading.Thread(target=client, args=(i,), name=f"client-{i}") for i in range(clients)]
    wall_started = time.perf_counter()
    stop_at.append(wall_started + seconds)
    sampler = threading.Thread(target=sample, name="rss", daemon=True)
    sampler.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    sampling.set()
    sampler.join(timeout=5)
    wall = time.perf_counter() - wall_started
    first = [mb for t, mb in rss if t - wall_started <= 10]
    last = [mb for t, mb in rss if t >= wall_started + wall - 10]
    memory = {}
    if first and last:
        memory = {
            "rss_first_10s_mb": round(statistics.fmean(first), 1),
            "rss_last_10s_mb": round(statistics.fmean(last), 1),
            "rss_growth": round(statistics.fmean(last) / statistics.fmean(first) - 1, 4),
        }
    return {
        **memory,
        "seconds": seconds,
        "url": url,
        "clients": clients,
        "questions_per_client": questions,
        "requests": len(latencies),
        "problems": problems,
        "ok": len(latencies) - len(problems),
        "p50_ms": round(_percentile(latencies, 0.50), 1),
        "p95_ms": round(_percentile(latencies, 0.95), 1),
        "max_ms": round(max(latencies, default=0.0), 1),
        "mean_ms": round(statistics.fmean(latencies), 1) if latencies else 0.0,
        "server_p50_ms": round(_percentile(server_ms, 0.50), 1),
        "wall_s": round(wall, 2),
        "requests_per_s": round(len(latencies) / wall, 2) if wall else 0.0,
    }


@contextmanager
def _started_app():
    """`app.py` on a free loopback port with the caller's settings; yields its URL."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = tempfile.NamedTemporaryFile(prefix="app-load-", suffix=".log", delete=False)
    proc = subprocess.Popen([sys.executable, str(ROOT / "app.py"), "--port", str(port)], cwd=ROOT,
                            stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"app.py did not start; its output is in {log.name}")
            try:
                if httpx.get(url, timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        yield url, proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def _measure(url: str, args: argparse.Namespace, pid: int | None = None) -> dict:
    warm = Client(url, verbose=False).predict(question=QUESTIONS[0][0], history=[], api_name="/ask")
    if warm.get("error"):
        raise SystemExit(f"the app cannot answer: {warm['error']}")
    return run_load(url, clients=args.clients, questions=args.questions, seconds=args.seconds, pid=pid)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (threads)")
    parser.add_argument("--questions", type=int, default=10, help="questions per client")
    parser.add_argument("--seconds", type=float, default=0.0, help="soak: keep asking for this long (overrides --questions)")
    parser.add_argument("--url", help="a running app (default: start app.py on a free port)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"JSON report (default {DEFAULT_OUT})")
    args = parser.parse_args(argv)
    if args.url:
        report = _measure(args.url, args)
    else:
        with _started_app() as (url, pid):
            report = _measure(url, args, pid)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(
        f"{report['requests']} requests from {report['clients']} clients: {report['ok']} ok, "
        f"p50 {report['p50_ms']} ms, p95 {report['p95_ms']} ms, {report['requests_per_s']} req/s -> {args.out}"
    )
    if "rss_growth" in report:
        print(f"server memory: {report['rss_first_10s_mb']} MB -> {report['rss_last_10s_mb']} MB ({report['rss_growth']:+.1%})")
    for problem in report["problems"][:10]:
        print(f"  {problem}")
    return 1 if report["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
