"""`resolution-assistant`: the command line of Resolution Assistant.

Each command's docstring is its --help. Errors print one line to stderr and exit
non-zero; only this module and the app turn AssistantError into user messages.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import textwrap
from pathlib import Path

from corpus.errors import AssistantError
from assistant.settings import ENVIRONMENT, Settings, use_offline_environment

use_offline_environment()

EXIT_ERROR = 1
EXIT_USAGE = 2
_STRICT = "fail on any bad file in the corpus folder instead of skipping it (for CI of a corpus)"


def _print_json(data) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=None))


def _load_library(settings: Settings, paths: list[str], *, strict: bool):
    """The corpus folder's library (each skipped file named on stderr), or that of the files given."""
    from corpus.library import load_files, load_library

    if paths:
        return load_files(paths)  # a file the user names must load: any error is fatal
    library = load_library(settings.corpus_dir, strict=strict)
    for skipped in library.skipped:
        print(f"skipped: {skipped.error}", file=sys.stderr)  # the error names the file
    return library


def _load_clauses(settings: Settings, paths: list[str], *, strict: bool = False):
    return list(_load_library(settings, paths, strict=strict).clauses)


def cmd_clauses(args, settings: Settings) -> int:
    """List the clause records of the shipped corpus, or of the files given.

    Each clause is one citable paragraph, with a stable id in the resolution's own
    numbering and labels in Chinese and English; "versions" holds its text in other
    languages. A bad file in the corpus folder is skipped and named on stderr
    (--strict: any bad file is an error); a file given by name must load.

    example:
      resolution-assistant clauses
      resolution-assistant clauses my-resolution.docx --json
      resolution-assistant clauses res106.zh.txt res106.en.docx --json
    """
    clauses = _load_clauses(settings, args.paths, strict=args.strict)
    if args.json:
        _print_json([c.to_dict() for c in clauses])
        return 0
    for c in clauses:
        label = c.label("zh" if c.language == "zh" else "en")
        print(f"{c.id}\n  {label}\n  {textwrap.shorten(c.text, 110, placeholder=' …')}")
    print(f"\n{len(clauses)} clauses in {len({c.document for c in clauses})} document(s).")
    return 0


def cmd_mandates(args, settings: Settings) -> int:
    """Show who is instructed, invited or encouraged to do what, clause by clause.

    --actor matches in either language: TSAG, 电信标准化顾问组, "study groups", 研究组,
    "Director of TSB", 电信标准化局主任, "Member States", academia, ...

    example:
      resolution-assistant mandates --actor TSAG
      resolution-assistant mandates --actor 研究组 --json
    """
    from corpus.mandates import list_mandates

    mandates = list_mandates(_load_clauses(settings, args.paths), actor=args.actor)
    if args.json:
        _print_json([m.to_dict() for m in mandates])
        return 0
    current = None
    for m in mandates:
        if m.actor != current:
            current = m.actor
            print(f"\n{m.actor_names['en']} / {m.actor_names['zh']}")
        print(f"  {m.labels.get('en', m.clause_id)}\n    {m.text}")
    if not mandates:
        print("No operative clause is addressed to that actor.")
    return 0


def cmd_index(args, settings: Settings) -> int:
    """Build or update the clause index (embeds only new or changed clauses).

    Uses the embedding model from RA_EMBEDDING_MODEL (default: the bundled
    multilingual-e5-small) and an embedded Chroma in RA_DATA_DIR, or the Chroma
    server at RA_CHROMA_URL. A build that was interrupted is completed. A bad file in
    the corpus folder is skipped and named on stderr (--strict: any bad file is an error).

    example:
      resolution-assistant index
      resolution-assistant index --rebuild --json
    """
    library = _load_library(settings, [], strict=args.strict)  # a bad file with --strict: refused before the Assistant loads
    from assistant.core import Assistant

    assistant = Assistant(settings, clauses=library.clauses)
    report = assistant.build_index(rebuild=args.rebuild, progress=not args.json)
    if args.json:
        _print_json({**report.to_dict(), "skipped": [skipped.to_dict() for skipped in library.skipped]})
        return 0
    verbs = {
        "unchanged": "Index up to date: nothing to embed.",
        "updated": "Index updated.",
        "rebuilt": "Index rebuilt from scratch.",
        "completed": "An interrupted build was found and completed.",
    }
    print(verbs[report.action])
    print(
        f"model {report.model}: {report.added} added, {report.updated} updated, {report.removed} removed, "
        f"{report.total} clauses in {assistant.index.location} ({report.seconds:.1f} s)"
    )
    return 0


def _read_batch(path: str) -> list[dict]:
    source = sys.stdin if path == "-" else open(path, encoding="utf-8")
    try:
        lines = list(source)
    except UnicodeDecodeError as exc:
        raise AssistantError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start}); save it as UTF-8 JSON Lines") from None
    finally:
        if source is not sys.stdin:
            source.close()
    rows = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise AssistantError(f"{path}, line {number}: not JSON ({exc.msg})") from None
        if not isinstance(row, dict) or not isinstance(row.get("question"), str):
            raise AssistantError(f'{path}, line {number}: expected {{"question": "...", "history": [...]}}')
        history = row.get("history", [])
        if not isinstance(history, list) or not all(isinstance(h, str) for h in history):
            raise AssistantError(f"{path}, line {number}: history must be a list of earlier questions")
        rows.append(row)
    return rows


def _print_answer(answer) -> None:
    print(answer.text)
    if answer.citations:
        print()
        for c in answer.citations:
            print(f"[{c.marker}] {c.label}  ({c.clause_id})")
    if answer.notice:
        print(f"\n({answer.notice})")


def cmd_ask(args, settings: Settings) -> int:
    """Ask a question in Chinese or English; the answer cites the exact clauses.

    Follow-ups: pass the earlier questions with --history, oldest first.
    Batch: --batch FILE.jsonl reads one {"question": ..., "history": [...]} a line
    (FILE "-" is standard input) and prints one answer object a line, in order.

    example:
      resolution-assistant ask "What is TSAG instructed to do?"
      resolution-assistant ask "那成员国呢？" --history "研究组的任务是什么？"
      resolution-assistant ask --batch questions.jsonl --json
    """
    if (args.question is None) == (args.batch is None):
        raise AssistantError('Give one question, e.g. ask "What is TSAG instructed to do?", or --batch FILE.jsonl')
    # A bad question or batch file is refused at once, before seconds of loading.
    if args.question is not None:
        from assistant.text import validate_question

        validate_question(args.question)
    rows = _read_batch(args.batch) if args.batch else None
    library = _load_library(settings, [], strict=args.strict)
    from assistant.core import Assistant

    assistant = Assistant(settings, clauses=library.clauses)
    answering = assistant.as_runnable()  # the same LangChain Runnable the app and its /ask API use
    if rows is not None:
        assistant.load()
        for row in rows:
            try:
                data = answering.invoke({"question": row["question"], "history": row.get("history", [])}).to_dict()
            except AssistantError as exc:
                data = {"error": str(exc), "answer": "", "abstained": True, "citations": []}
            print(json.dumps(data, ensure_ascii=False), flush=True)
        return 0
    answer = answering.invoke({"question": args.question, "history": args.history or []})
    if args.json:
        _print_json(answer.to_dict())
    else:
        _print_answer(answer)
    return 0


def cmd_serve(args, settings: Settings) -> int:
    """Start the chat app (Gradio) on http://127.0.0.1:7860, building the index first if needed.

    GRADIO_SERVER_NAME / GRADIO_SERVER_PORT or --host / --port change the address.
    Binding to anything but loopback needs RA_AUTH=user:password or --no-auth.

    example:
      resolution-assistant serve
      resolution-assistant serve --port 8080
    """
    argv = [sys.executable, str(Path(__file__).resolve().parent.parent / "app.py")]
    if args.host:
        argv += ["--host", args.host]
    if args.port:
        argv += ["--port", str(args.port)]
    if args.no_auth:
        argv.append("--no-auth")
    os.execv(sys.executable, argv)
    return 0


def build_parser() -> argparse.ArgumentParser:
    env_help = "\n".join(f"  {name:<20} {text}" for name, text in ENVIRONMENT.items())
    parser = argparse.ArgumentParser(
        prog="resolution-assistant",
        description="Ask ITU resolutions questions in Chinese or English; every answer cites the exact clause.",
        epilog=f"environment variables:\n{env_help}\n\nstart with: resolution-assistant ask \"What is TSAG instructed to do?\"",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def add(name, func, summary):
        p = sub.add_parser(
            name, help=summary, description=textwrap.dedent(func.__doc__), formatter_class=argparse.RawDescriptionHelpFormatter
        )
        p.add_argument("--json", action="store_true", help="machine-readable output")
        p.set_defaults(func=func)
        return p

    p = add("clauses", cmd_clauses, "list clause records")
    p.add_argument("paths", nargs="*", metavar="PATH", help=".txt or .docx resolution files (default: the shipped corpus)")
    p.add_argument("--strict", action="store_true", help=_STRICT)
    p = add("mandates", cmd_mandates, "who is instructed or invited to do what")
    p.add_argument("--actor", help="only this actor, in either language (TSAG, 研究组, ...)")
    p.add_argument("paths", nargs="*", metavar="PATH", help=".txt or .docx resolution files (default: the shipped corpus)")
    p = add("index", cmd_index, "build or update the clause index")
    p.add_argument("--rebuild", action="store_true", help="drop the index and embed everything again")
    p.add_argument("--strict", action="store_true", help=_STRICT)
    p = add("ask", cmd_ask, "ask a question")
    p.add_argument("question", nargs="?", help="the question, in Chinese or English")
    p.add_argument("--history", action="append", metavar="QUESTION", help="an earlier question (repeat, oldest first)")
    p.add_argument("--batch", metavar="FILE.jsonl", help="answer every question of a JSONL file")
    p.add_argument("--strict", action="store_true", help=_STRICT)
    sub.add_parser("eval", help="measure citation accuracy (see: resolution-assistant eval --help)", add_help=False)
    p = add("serve", cmd_serve, "start the chat app")
    p.add_argument("--host", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (default 7860)")
    p.add_argument("--no-auth", action="store_true", help="allow a non-loopback address without RA_AUTH")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["eval"]:
        # The eval suite is its own program: the product never imports evals/.
        os.execv(sys.executable, [sys.executable, "-m", "evals", *argv[1:]])
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        settings = Settings.from_env()
        return args.func(args, settings)
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except OSError as exc:
        print(f"error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
