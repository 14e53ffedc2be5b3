"""How things are measured: percentiles, child processes' wall time and peak memory, machine load.

psutil is not a dependency, so memory comes from the kernel: /proc/PID/status VmHWM,
the peak RSS of a running process, polled until it exits.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np


def percentiles(values_ms: Sequence[float]) -> dict:
    """p50/p95/p99/mean/max of a sample in milliseconds, rounded for reports."""
    values = np.asarray(values_ms, dtype=float)
    if values.size == 0:
        return {"n": 0}
    p50, p95, p99 = np.percentile(values, [50, 95, 99])
    return {
        "n": int(values.size),
        "p50": round(float(p50), 2),
        "p95": round(float(p95), 2),
        "p99": round(float(p99), 2),
        "mean": round(float(values.mean()), 2),
        "max": round(float(values.max()), 2),
    }


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    """numerator / denominator rounded, or None when either is missing or the denominator is 0."""
    if numerator is None or not denominator:
        return None
    return round(numerator / denominator, 3)


def load_average() -> float:
    """The 1-minute load average: other work on the machine inflates every timing."""
    return round(os.getloadavg()[0], 2)


@dataclass(frozen=True)
class ProcessRun:
    """A finished child process: wall time, peak RSS, exit status and output."""

    seconds: float
    peak_rss_mb: float
    returncode: int
    stdout: str
    stderr: str


def run_process(argv: Sequence[str], *, env: dict, cwd: Path, timeout: float = 300) -> ProcessRun:
    """Run a command to the end, polling its VmHWM, which is its own peak RSS.

    (wait4's ru_maxrss would not do: a child forked from a large parent inherits the
    parent's high-water mark, so every child of this process would report ~2 GB.)
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(list(argv), cwd=cwd, env=env, stdout=out, stderr=err)
        peak = 0.0
        while proc.poll() is None:
            peak = max(peak, peak_rss_mb(proc.pid) or 0.0)
            if time.perf_counter() - started > timeout:
                proc.kill()
            time.sleep(0.02)
        seconds = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        return ProcessRun(
            seconds=round(seconds, 3),
            peak_rss_mb=peak,
            returncode=proc.returncode,
            stdout=out.read().decode("utf-8", "replace"),
            stderr=err.read().decode("utf-8", "replace"),
        )


def peak_rss_mb(pid: int) -> float | None:
    """Peak RSS (VmHWM) of a running process, or None when it has gone."""
    return status_mb(pid, "VmHWM")


def status_mb(pid: int, field: str) -> float | None:
    """A memory field of /proc/PID/status ("VmHWM", "VmRSS") in MB, or None when the process has gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def children(pid: int) -> list[int]:
    """The running child processes of `pid`, from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return found


def tree_peak_rss_mb(pid: int) -> dict[int, float]:
    """Peak RSS (VmHWM) of `pid` and of each of its descendants, by process id.

    Their sum bounds the tree's peak from above (the peaks need not coincide); the app's
    tree is the app and the Assistant's process.
    """
    peaks, todo = {}, [pid]
    while todo:
        current = todo.pop()
        peak = peak_rss_mb(current)
        if peak is not None:
            peaks[current] = peak
            todo.extend(children(current))
    return peaks
