"""The embedding model in a process of its own, for the app.

Loading the model takes CPU that holds the GIL: about 6 s on torch (mostly its imports),
about 2 s on onnx (the tokenizer, the checksums, the session). In the app's process that
time adds to Gradio's own start; a child process spends it on the other core while the
page comes up. On torch the first answer comes seconds sooner; on onnx the two are within
noise of each other (benchmarks/RESULTS.md, app starts), and the child stays the default.

`WorkerEmbedder` is a `TextEmbedder` like `Embedder` (what `ClauseIndex` and `HybridSearch`
use); the child runs an ordinary `Embedder` or `OnnxEmbedder` (`backend`), so the vectors are
the same (tested to 1e-6 on torch, 1e-5 on onnx).

    python -m embeddings.worker MODEL CACHE_DIR NICENESS BACKEND   # the child; pickled tuples on stdin/stdout

The child exits when the parent closes the pipe or dies. If it dies first, the call that
notices raises `ModelError`, and the next call starts a new child.
"""

from __future__ import annotations

import atexit
import os
import signal
import subprocess
import sys
import threading
import weakref
from collections.abc import Sequence
from multiprocessing.connection import Connection
from pathlib import Path

import numpy as np

from corpus.errors import ModelError
from embeddings.model import TextEmbedder
from embeddings.onnx_model import BACKENDS, DEFAULT_BACKEND

_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_NICENESS = 10  # see main()


class WorkerEmbedder(TextEmbedder):
    """An embedder whose model lives in a child process, started at construction.

    >>> embedder = WorkerEmbedder(DEFAULT_MODEL, cache_dir=cache)  # the child starts loading now
    >>> embedder.embed_query("What is TSAG instructed to do?").shape
    (384,)
    """

    def __init__(
        self,
        model_name: str,
        *,
        cache_dir: Path,
        niceness: int = DEFAULT_NICENESS,
        backend: str = DEFAULT_BACKEND,
        query_cache_size: int = 1024,
    ):
        super().__init__(query_cache_size=query_cache_size)
        self._model_name = model_name
        self._backend = backend
        self._cache_dir = Path(cache_dir).expanduser()
        self._niceness = niceness
        self._lock = threading.Lock()
        self._proc: subprocess.Popen | None = None
        self._send: Connection | None = None
        self._recv: Connection | None = None
        self._dimension: int | None = None
        with self._lock:
            self._start()
        atexit.register(_close_at_exit, weakref.ref(self))

    @property
    def model_id(self) -> str:
        return self._model_name

    @property
    def backend(self) -> str:
        """"onnx" or "torch": what the child runs the model on."""
        return self._backend

    @property
    def dimension(self) -> int:
        with self._lock:
            return self._ready()

    @property
    def pid(self) -> int | None:
        """The child's process id, while it runs."""
        return self._proc.pid if self._proc is not None and self._proc.poll() is None else None

    def load(self) -> None:
        """Wait until the child has loaded the model; raises ModelError if it could not."""
        with self._lock:
            self._ready()

    def close(self) -> None:
        """Stop the child (it also stops by itself when this process exits)."""
        with self._lock:
            self._stop()

    def _encode(self, texts: list[str], *, query: bool, batch_size: int = 32, progress: bool = False) -> np.ndarray:
        with self._lock:
            dimension = self._ready()
            if not texts:
                return np.zeros((0, dimension), dtype=np.float32)
            return self._call("queries" if query else "documents", texts, (batch_size, progress))

    # -- the child, under self._lock

    def _start(self) -> None:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(_ROOT), env.get("PYTHONPATH", "")) if p)
        try:
            proc = subprocess.Popen(
                [sys.executable, "-m", "embeddings.worker", self._model_name, str(self._cache_dir), str(self._niceness),
                 self._backend],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, cwd=_ROOT,
            )
        except OSError as exc:
            raise ModelError(f"Could not start the embedding process: {exc}") from exc
        self._proc = proc
        self._send = Connection(os.dup(proc.stdin.fileno()), readable=False)
        self._recv = Connection(os.dup(proc.stdout.fileno()), writable=False)
        proc.stdin.close()
        proc.stdout.close()
        self._dimension = None

    def _ready(self) -> int:
        if self._proc is None:
            self._start()
        if self._dimension is None:
            self._dimension = int(self._reply())
        return self._dimension

    def _call(self, op: str, texts: list[str], options: tuple[int, bool]) -> np.ndarray:
        try:
            self._send.send((op, texts, options))
        except OSError:
            self._reply()  # the child has gone: says how, and why if it could
        return np.asarray(self._reply(), dtype=np.float32)

    def _reply(self):
        try:
            status, value = self._recv.recv()
        except (EOFError, OSError):
            code = self._proc.wait() if self._proc is not None else None
            self._stop()
            raise ModelError(
                f"The embedding model's process stopped (exit code {code}; its messages are in the app's log). "
                "Ask again: the next question starts it afresh.",
                zh=f"嵌入模型的进程已停止（退出码 {code}，详情见应用日志）。请再问一次：下一个问题会重新启动它。",
            ) from None
        if status == "error":
            if self._dimension is None:  # it could not load the model: the next call tries afresh
                self._stop()
            raise ModelError(value)
        return value

    def _stop(self) -> None:
        for conn in (self._send, self._recv):
            if conn is not None:
                conn.close()
        self._send = self._recv = None
        if self._proc is not None:
            if self._dimension is None:
                self._proc.kill()  # still importing or loading: nothing to finish
            try:
                self._proc.wait(timeout=5)  # it exits on the closed pipe
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        self._proc = None
        self._dimension = None

    def __del__(self) -> None:
        if getattr(self, "_proc", None) is not None:
            self._stop()


def _close_at_exit(ref: weakref.ref) -> None:
    embedder = ref()
    if embedder is not None:
        embedder.close()


def serve(model_name: str, cache_dir: Path, backend: str, requests: Connection, replies: Connection) -> int:
    """The child's loop: load, say ("ready", dimension), then answer ("ok", vectors) per request.

    Returns when the parent closes its end (or has gone away).
    """
    from embeddings.onnx_model import make_embedder

    try:
        embedder = make_embedder(model_name, cache_dir=cache_dir, backend=backend, query_cache_size=1)
        embedder.load()
        embedder.embed_queries(["warm-up 预热"])  # a first pass is slow: not on the first question
        dimension = embedder.dimension
    except Exception as exc:  # the parent raises it as a ModelError with this message
        _send(replies, ("error", _message(exc)))
        return 1
    if not _send(replies, ("ready", dimension)):
        return 0
    while True:
        try:
            op, texts, (batch_size, progress) = requests.recv()
        except (EOFError, OSError):
            return 0
        try:
            if op == "queries":
                reply = ("ok", embedder.embed_queries(texts))
            else:
                reply = ("ok", embedder.embed_documents(texts, batch_size=batch_size, progress=progress))
        except Exception as exc:
            reply = ("error", _message(exc))
        if not _send(replies, reply):
            return 0


def _send(replies: Connection, reply: tuple) -> bool:
    try:
        replies.send(reply)
    except OSError:  # the parent has gone
        return False
    return True


def _message(exc: Exception) -> str:
    return str(exc) if isinstance(exc, ModelError) else f"{type(exc).__name__}: {exc}"


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 4 or not args[2].isdigit() or args[3] not in BACKENDS:
        print("usage: python -m embeddings.worker MODEL CACHE_DIR NICENESS BACKEND (started by the app, not by hand)",
              file=sys.stderr)
        return 2
    # Ctrl-C in the terminal reaches the whole process group: the parent decides, and the
    # child ends when the parent closes the pipe.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # The page comes first: at equal priority the child's imports can hold it past 6 s on a
    # busy 2-core machine; at nice 10 (the default) the page does not wait for them. The
    # price shows when many clients saturate the cores (README, performance).
    os.nice(int(args[2]))
    # The replies get stdout's pipe to themselves; anything a library prints goes to stderr.
    replies = Connection(os.dup(1), readable=False)
    os.dup2(2, 1)
    requests = Connection(os.dup(0), writable=False)
    code = serve(args[0], Path(args[1]), args[3], requests, replies)
    sys.stderr.flush()
    # Nothing is left to clean up, and tearing torch down takes ~1.5 s that the parent would
    # wait for on its way out.
    os._exit(code)


if __name__ == "__main__":
    sys.exit(main())
