"""The chat app's entry point: arguments and settings checked, an early start of the Assistant's process, launch.

    python app.py                      # http://127.0.0.1:7860
    python app.py --port 8080
    RA_AUTH=me:secret python app.py --host 0.0.0.0

The page (webui/) answers at once and the first question waits for the model and index: the Assistant
(model, indexes, answering) loads in a child process started here, before gradio is imported, so it
loads on the other core while the page comes up (RA_EMBEDDING_PROCESS=same: in this process, once the
server is up). --help, a bad argument or setting and a network address without RA_AUTH are answered
before either starts, in a fraction of a second. The chat's answering is also the API endpoint `/ask`:

    Client("http://127.0.0.1:7860").predict(question="What is TSAG instructed to do?", history=[], api_name="/ask")
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import sys
from collections.abc import Sequence

# Before gradio (and anything that may import huggingface_hub or chromadb) is imported: no network.
from assistant.settings import Settings, use_offline_environment
from assistant.worker import AssistantProcess
from corpus.errors import AssistantError

use_offline_environment()

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7860


def is_loopback(host: str) -> bool:
    if host in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def parse_auth(value: str) -> tuple[str, str]:
    user, sep, password = value.partition(":")
    if not sep or not user or not password:
        raise SystemExit("RA_AUTH must look like user:password (both non-empty).")
    return user, password


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Start the Resolution Assistant chat app.")
    parser.add_argument("--host", default=os.environ.get("GRADIO_SERVER_NAME") or DEFAULT_HOST,
                        help="address to bind (default 127.0.0.1, or GRADIO_SERVER_NAME)")
    parser.add_argument("--port", type=_port, default=os.environ.get("GRADIO_SERVER_PORT") or str(DEFAULT_PORT),
                        help="port (default 7860, or GRADIO_SERVER_PORT)")
    parser.add_argument("--no-auth", action="store_true",
                        help="allow a non-loopback address without RA_AUTH (anyone on the network can use the app)")
    return parser.parse_args(argv)


def _port(text: str) -> int:
    """A TCP port number, or a one-line usage error (argparse's) naming the bad value."""
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number from 1 to 65535")
    return int(text)


def checked(args: argparse.Namespace) -> tuple[Settings, tuple[str, str] | None] | int:
    """The settings and the login (RA_AUTH), or the exit code of a refusal it has printed.

    Run before the Assistant's process starts and before gradio is imported: a bad setting or a
    network address without a login is refused in a fraction of a second, with nothing loaded.
    """
    try:
        settings = Settings.from_env()
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    auth = parse_auth(settings.auth) if settings.auth else None
    if not is_loopback(args.host) and auth is None and not args.no_auth:
        print(f"Refusing to listen on {args.host}: it is reachable from other machines. "
              "Set RA_AUTH=user:password to require a login, or pass --no-auth to allow anyone.", file=sys.stderr)
        return 2
    return settings, auth


def start_assistant(settings: Settings) -> AssistantProcess | None:
    """Start the Assistant's own process now; None for RA_EMBEDDING_PROCESS=same.

    Loading the model and the indexes takes ~4 s of CPU that holds the GIL; begun in a child
    before gradio is imported, it runs on the other core while the page comes up.
    """
    return AssistantProcess(settings) if settings.separate_embedding_process else None


EARLY_ASSISTANT: AssistantProcess | None = None
if __name__ == "__main__":
    _PORT = os.environ.get("GRADIO_SERVER_PORT", "")
    if _PORT and not (_PORT.isdigit() and 1 <= int(_PORT) <= 65535):
        sys.exit(f"error: GRADIO_SERVER_PORT={_PORT!r} is not a port number from 1 to 65535")  # gradio's import would crash
    # --help, a bad argument or setting, a network address without a login: answered now, with nothing loaded.
    _CHECKED = checked(parse_args())
    if isinstance(_CHECKED, int):
        sys.exit(_CHECKED)
    EARLY_ASSISTANT = start_assistant(_CHECKED[0])

import atexit  # noqa: E402
import logging  # noqa: E402

from starlette.middleware import Middleware  # noqa: E402

from assistant.core import Assistant  # noqa: E402
from webui.auth import LoginThrottle  # noqa: E402
from webui.handlers import App  # noqa: E402
from webui.layout import build, launch_options  # noqa: E402


def assistant_for(settings: Settings) -> Assistant | AssistantProcess:
    """The Assistant's own process (the one started at import, if its settings still hold), or the Assistant here."""
    early = EARLY_ASSISTANT
    if early is not None and early.settings != settings:
        early.close()
        early = None
    if not settings.separate_embedding_process:
        return Assistant(settings)
    return early or AssistantProcess(settings)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    result = checked(args)
    if isinstance(result, int):
        return result
    settings, auth = result
    try:
        assistant = assistant_for(settings)
        app = App(assistant)
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    atexit.register(app.close)
    demo = build(app)
    try:
        demo.launch(
            server_name=args.host, server_port=args.port, auth=auth, **launch_options(),
            app_kwargs={"middleware": [Middleware(LoginThrottle)]} if auth else None,
            run_history=False, enable_monitoring=False, mcp_server=False, ssr_mode=False, pwa=False,
            allowed_paths=[], max_file_size="1mb", show_error=False, quiet=True, prevent_thread_lock=True,
        )
    except OSError as exc:
        print(f"error: cannot listen on {args.host}:{args.port} ({exc}); check --host, or pass another --port.", file=sys.stderr)
        return 1
    if is_loopback(args.host):
        access = "loopback only"
    elif auth:
        access = "reachable from the network; login required (RA_AUTH), failed logins throttled"
    else:
        access = "reachable from the network WITHOUT a login (--no-auth)"
    print(f"Resolution Assistant on http://{args.host}:{args.port} ({access})", flush=True)
    print(f"Index: {assistant.index.location}", flush=True)
    # After the server is up, not before: in this process (RA_EMBEDDING_PROCESS=same) imports hold the
    # GIL, so loading alongside Gradio's start delays the page by as much as it gains. The Assistant's
    # own process has been loading since the start: this waits for it and says "Ready". It first makes the
    # answering's Runnable here (LangChain's import, ~1 CPU-s), which the page did not wait for.
    app.loader.start()
    demo.block_thread()
    return 0


if __name__ == "__main__":
    sys.exit(main())
