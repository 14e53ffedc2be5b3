"""The Assistant in a process of its own, for the app.

Loading the Assistant takes ~4 s of CPU that holds the GIL: the model (onnxruntime, the tokenizer,
the checksums), chromadb's import, jieba's dictionary, the English-Chinese word list. In the app's
process it adds to Gradio's own start, and a thread would not help (the GIL); a child process,
started before gradio is imported, spends it on the other core while the page comes up.

`AssistantProcess` is what the app's process holds instead of an `Assistant`: the methods the web
layer calls (`as_runnable`, `mandates`, `documents`, `status`, `ready`, `load`, `warm_up`,
`index.location`), each a call to the child. Results come back pickled: they are the frozen
dataclasses of assistant/types.py, equal to what the Assistant gives in-process.

    python -m assistant.worker NICENESS   # the child: Settings, then (id, method, args) on stdin; (id, kind, value) on stdout

Calls run side by side in the child (an LLM answer waiting on the network does not hold up the next
question or the status line). The child exits when the parent closes the pipe or dies. If it dies
first, the calls that notice raise `AssistantProcessError`, and the next call starts a new child.
"""

from __future__ import annotations

import atexit
import itertools
import logging
import os
import pickle
import queue
import signal
import subprocess
import sys
import threading
import weakref
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING

from corpus.errors import AssistantError
from assistant.settings import Settings

if TYPE_CHECKING:  # not imported here: app.py imports this module before it starts the child
    from assistant.types import Answer, Document, Mandate, Status

log = logging.getLogger("resolution-assistant.worker")

_ROOT = Path(__file__).resolve().parent.parent
STREAMED = frozenset({"answers"})  # methods whose items come back one by one ("item"), then "ok"
CALL_THREADS = 8  # calls the child runs at once: more than the app's queue lets through (4), plus status and mandates


class AssistantProcessError(AssistantError):
    """The Assistant's process stopped; the next call starts it afresh."""


@dataclass(frozen=True)
class IndexView:
    """Where the child's index lives, for the app's start-up line (what `Assistant.index.location` says)."""

    location: str


class AssistantProcess:
    """The Assistant in a child process, started at construction; the web layer uses it like an Assistant.

    >>> assistant = AssistantProcess(Settings.from_env())  # the child starts loading now
    >>> assistant.as_runnable().invoke({"question": "What is TSAG instructed to do?"}).citations[0].clause_id
    'wtsa-res106-2024/resolves-to-instruct-tsag/1'
    """

    def __init__(self, settings: Settings):
        self.settings = settings
        self._lock = threading.Lock()  # the child, the sending end of the pipe and the calls waiting for replies
        self._proc: subprocess.Popen | None = None
        self._send: Connection | None = None
        self._pending: dict[int, queue.SimpleQueue] = {}
        self._ids = itertools.count(1)
        self._unreported: int | None = None  # the exit code of a child that stopped while no call waited
        self._ready = False
        self._status: Status | None = None  # the last one the child gave
        self._index: IndexView | None = None
        with self._lock:
            self._start()
        atexit.register(_close_at_exit, weakref.ref(self))

    # -- what the web layer calls

    @property
    def ready(self) -> bool:
        """True once the child has loaded; False while it loads or is down (asking never starts one)."""
        if not self._running():
            # Down, even before the reader thread has noticed (a killed child's pipe closes a moment later).
            return False
        if not self._ready:
            try:
                self._ready = self._call("ready")
            except AssistantError:  # it stopped meanwhile, or cannot make an Assistant: the calls that need one say so
                return False
        return self._ready

    def load(self, *, progress: bool = False) -> None:
        """Wait until the child has loaded the model and index (it began at its start); raises what went wrong."""
        self._call("load", progress)
        self._ready = True

    def warm_up(self) -> None:
        """Read what only some questions need, in the child (see `Assistant.warm_up`)."""
        self._call("warm_up")

    def status(self) -> Status:
        """What the status line shows; while the child is down, the last status it gave, not ready."""
        if self._running() or self._status is None:
            self._status = self._call("status")
            return self._status
        return replace(self._status, ready=False)

    def documents(self) -> tuple[Document, ...]:
        return self._call("documents")

    def mandates(self, actor: str | None = None) -> list[Mandate]:
        return self._call("mandates", actor)

    @property
    def index(self) -> IndexView:
        if self._index is None:
            self._index = IndexView(self._call("location"))
        return self._index

    def as_runnable(self):
        """Answering as a LangChain Runnable in this process, the answer made in the child (assistant.runnable)."""
        from assistant.runnable import ProcessRunnable

        return ProcessRunnable(self)

    def answer(self, request: dict) -> Answer:
        """The child's `Assistant.as_runnable().invoke(request)`."""
        return self._call("answer", request)

    def answers(self, request: dict) -> Iterator[Answer]:
        """The child's `Assistant.as_runnable().stream(request)`: with an LLM its drafts, then the answer."""
        return self._stream("answers", request)

    @property
    def pid(self) -> int | None:
        """The child's process id, while it runs."""
        proc = self._proc
        return proc.pid if proc is not None and proc.poll() is None else None

    def close(self) -> None:
        """Stop the child (it also stops by itself when this process exits)."""
        with self._lock:
            proc, pending = self._detach()
        _fail(pending, None)
        if proc is not None:
            try:
                proc.wait(timeout=5)  # it exits on the closed pipe
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    # -- the child

    def _running(self) -> bool:
        return self.pid is not None

    def _call(self, method: str, *args):
        replies = self._submit(method, args)
        kind, value = replies.get()
        if kind == "ok":
            return value
        raise value

    def _stream(self, method: str, *args) -> Iterator:
        replies = self._submit(method, args)
        while True:
            kind, value = replies.get()
            if kind == "item":
                yield value
            elif kind == "ok":
                return
            else:
                raise value

    def _submit(self, method: str, args: tuple) -> queue.SimpleQueue:
        """Send a call to the child (started afresh if it stopped and that was reported); its replies come on the queue."""
        with self._lock:
            if self._unreported is not None:
                code, self._unreported = self._unreported, None
                raise _stopped(code)
            if self._proc is None:
                self._start()
            call, replies = next(self._ids), queue.SimpleQueue()
            message = pickle.dumps((call, method, args))  # here, so an argument that cannot cross fails alone
            self._pending[call] = replies
            try:
                self._send.send_bytes(message)
            except OSError:
                pass  # the child has gone: the reader puts the error on the queue
        return replies

    def _start(self) -> None:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(_ROOT), env.get("PYTHONPATH", "")) if p)
        try:
            proc = subprocess.Popen(
                [sys.executable, "-m", "assistant.worker", str(self.settings.embedding_niceness)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, cwd=_ROOT,
            )
        except OSError as exc:
            raise AssistantProcessError(f"Could not start the assistant's process: {exc}") from exc
        send = Connection(os.dup(proc.stdin.fileno()), readable=False)
        receive = Connection(os.dup(proc.stdout.fileno()), writable=False)
        proc.stdin.close()
        proc.stdout.close()
        self._proc, self._send, self._ready = proc, send, False
        try:
            send.send(self.settings)  # the child's first message: what to load
        except OSError:
            pass  # it has gone already: the reader says so to the first call
        threading.Thread(target=self._read, args=(proc, receive), name="ra-worker-replies", daemon=True).start()

    def _read(self, proc: subprocess.Popen, receive: Connection) -> None:
        """Hand each reply to the call waiting for it; when the child has gone, fail the calls still waiting."""
        while True:
            try:
                call, kind, value = receive.recv()
            except (EOFError, OSError):
                break
            except Exception:  # a reply that cannot be read: the child is no longer to be trusted
                log.exception("reading a reply of the assistant's process failed")
                proc.kill()
                break
            with self._lock:
                replies = self._pending.get(call) if kind == "item" else self._pending.pop(call, None)
            if replies is not None:
                replies.put((kind, value))
        receive.close()
        code = proc.wait()
        with self._lock:
            if self._proc is not proc:  # closed or replaced on purpose
                return
            _, pending = self._detach()
            if not pending:
                self._unreported = code  # the next call says so; the one after starts a new child
        _fail(pending, code)

    def _detach(self) -> tuple[subprocess.Popen | None, list[queue.SimpleQueue]]:
        """Forget the child and close our end of its pipe (it exits on that); under self._lock."""
        proc, pending = self._proc, list(self._pending.values())
        if self._send is not None:
            self._send.close()
        self._proc, self._send, self._pending, self._ready = None, None, {}, False
        return proc, pending

    def __del__(self) -> None:
        if getattr(self, "_proc", None) is not None:
            self.close()


def _stopped(code: int | None) -> AssistantProcessError:
    if code is None:
        return AssistantProcessError("The assistant's process was closed.", zh="助手的进程已关闭。")
    return AssistantProcessError(
        f"The assistant's process stopped (exit code {code}; its messages are in the app's log). "
        "Ask again: the next question starts it afresh.",
        zh=f"助手的进程已停止（退出码 {code}，详情见应用日志）。请再问一次：下一个问题会重新启动它。",
    )


def _fail(pending: Sequence[queue.SimpleQueue], code: int | None) -> None:
    for replies in pending:
        replies.put(("error", _stopped(code)))  # one error each: they are raised in different threads


def _close_at_exit(ref: weakref.ref) -> None:
    process = ref()
    if process is not None:
        process.close()


# -- the child


class _Served:
    """The child's side of each call: the Assistant's methods by name, its load begun at once."""

    def __init__(self, settings: Settings, pool: ThreadPoolExecutor):
        from assistant.core import Assistant

        self.assistant = Assistant(settings)
        self._runnable = None
        self._making = threading.Lock()
        self._early: Future | None = pool.submit(self._begin)

    def _begin(self) -> None:
        """The load, then LangChain's import (~1 CPU-s): after the load, not before it, so the load begins that
        much sooner and the parent's first calls (documents, mandates: its page) do not wait for it. In this
        thread, not beside the load: two threads importing at once can deadlock on the modules they share."""
        self.assistant.load(progress=True)
        self._answering()

    def _answering(self):
        """The Assistant's Runnable, made once (a failure is raised here, and the next call tries again)."""
        with self._making:
            if self._runnable is None:
                self._runnable = self.assistant.as_runnable()
            return self._runnable

    def load(self, progress: bool) -> None:
        early, self._early = self._early, None
        if early is not None:
            early.result()  # the load begun at the start: its failure is reported once, and the next call loads afresh
        self.assistant.load(progress=progress)  # nothing to do once loaded

    def ready(self) -> bool:
        return self.assistant.ready

    def warm_up(self) -> None:
        self.assistant.warm_up()

    def status(self) -> Status:
        return self.assistant.status()

    def documents(self) -> tuple[Document, ...]:
        return self.assistant.documents()

    def mandates(self, actor: str | None):
        return self.assistant.mandates(actor)

    def location(self) -> str:
        return self.assistant.index.location

    def answer(self, request: dict) -> Answer:
        return self._answering().invoke(request)

    def answers(self, request: dict):
        return self._answering().stream(request)


def serve(requests: Connection, replies: Connection) -> int:
    """The child's loop: read the Settings, begin loading, then run each call on a thread of its own.

    Returns when the parent closes its end (or has gone away).
    """
    sending = threading.Lock()

    def reply(message: tuple) -> None:
        with sending:
            try:
                replies.send(message)
            except OSError:  # the parent has gone: the loop below ends on its closed pipe
                pass

    def run(call: int, method: str, args: tuple) -> None:
        try:
            if served is None:
                raise failure
            if method.startswith("_") or not hasattr(served, method):
                raise AttributeError(f"the assistant's process has no method {method!r}")
            result = getattr(served, method)(*args)
            if method in STREAMED:
                for item in result:
                    reply((call, "item", item))
                result = None
            reply((call, "ok", result))
        except BaseException as exc:  # a Rust panic in the index is a BaseException: report it, never hang
            if not isinstance(exc, AssistantError):
                log.error("%s failed in the assistant's process", method, exc_info=exc)
            reply((call, "error", _portable(exc)))

    try:
        settings = requests.recv()
    except (EOFError, OSError):
        return 0
    pool = ThreadPoolExecutor(CALL_THREADS, thread_name_prefix="ra-call")
    served, failure = None, None
    try:
        served = _Served(settings, pool)
    except Exception as exc:  # every call says so, the app's first (documents) included
        failure = exc
    while True:
        try:
            call, method, args = requests.recv()
        except (EOFError, OSError):
            return 0
        pool.submit(run, call, method, args)


def _portable(exc: BaseException) -> BaseException:
    """The exception itself when it survives pickling (AssistantErrors do, with their Chinese), else one line of it."""
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        first = (str(exc).strip().splitlines() or [""])[0][:200]
        return RuntimeError(f"{type(exc).__name__} in the assistant's process: {first}")
    return exc


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1 or not args[0].isdigit():
        print("usage: python -m assistant.worker NICENESS (started by the app, not by hand)", file=sys.stderr)
        return 2
    # Ctrl-C in the terminal reaches the whole process group: the parent decides, and the
    # child ends when the parent closes the pipe.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # The page comes first: at equal priority the child's load can hold it past 6 s on a busy
    # 2-core machine. The price shows when many clients saturate the cores (README, performance).
    os.nice(int(args[0]))
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    # The replies get stdout's pipe to themselves; anything a library prints goes to stderr.
    replies = Connection(os.dup(1), readable=False)
    os.dup2(2, 1)
    requests = Connection(os.dup(0), writable=False)
    code = serve(requests, replies)
    sys.stdout.flush()
    sys.stderr.flush()
    # Calls still running are abandoned: their caller has gone. Tearing torch down (backend
    # torch) would take ~1.5 s that the parent waits for on its way out.
    os._exit(code)


if __name__ == "__main__":
    sys.exit(main())
