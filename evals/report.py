"""Write evaluation results: results.json for machines, report.md and two plots for people.

Plots use matplotlib's object API (`Figure`), which renders PNG with Agg without
touching pyplot's global state or needing a display.
"""

from __future__ import annotations

import json
import subprocess
from importlib import metadata
from pathlib import Path

from matplotlib.figure import Figure

from corpus.errors import AssistantError
from evals.metrics import RANK_CUTOFF, EvalReport, recall_curve

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PRODUCT = "product"
# (aggregate key, column title, show the confidence interval)
_COLUMNS = (
    ("n", "n", False),
    ("citation_f1", "cit. F1", True),
    ("citation_precision", "cit. P", False),
    ("citation_recall", "cit. R", False),
    ("exact_match", "exact", False),
    ("recall_at_1", "R@1", False),
    ("recall_at_3", "R@3", False),
    ("recall_at_5", "R@5", True),
    ("mrr", "MRR@10", False),
    ("ndcg_at_10", "nDCG@10", False),
    ("abstention_accuracy", "abstain acc.", False),
    ("false_abstention_rate", "false abstain", False),
    ("invalid_citation_rate", "invalid cit.", False),
    ("quote_validity", "quotes ok", False),
    ("key_fact_hit_rate", "key facts", False),
    ("pass_rate", "pass", False),
    ("latency_p50_ms", "p50 ms", False),
    ("latency_p95_ms", "p95 ms", False),
)


def write_results(out_dir: str | Path, reports: dict[str, EvalReport], *, meta: dict) -> dict[str, Path]:
    """Write results.json, report.md, recall_at_k.png and precision_recall.png into `out_dir`.

    `meta` carries the dataset hash, model and settings; the code version is added when absent.

    >>> write_results("evals/results", {"product": report}, meta={"dataset": dataset_hash(path), "model": name})
    {'results': PosixPath('evals/results/results.json'), ...}
    """
    if not reports:
        raise AssistantError("no configurations to report; run at least one before writing results")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    meta = {"code_version": meta.get("code_version") or code_version(), **meta}
    paths = {
        "results": out / "results.json",
        "report": out / "report.md",
        "recall_at_k": out / "recall_at_k.png",
        "precision_recall": out / "precision_recall.png",
    }
    results = {"meta": meta, "configurations": {name: report.to_dict() for name, report in reports.items()}}
    paths["results"].write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    paths["report"].write_text(render_markdown(reports, meta=meta), encoding="utf-8")
    _plot_recall(reports, paths["recall_at_k"])
    _plot_precision_recall(reports, paths["precision_recall"])
    return paths


def code_version() -> str:
    """`git describe` of the checkout when there is one, else the installed package version."""
    try:
        done = subprocess.run(
            ["git", "describe", "--always", "--dirty", "--tags"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=5,
        )
        if done.returncode == 0 and done.stdout.strip():
            return "git " + done.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    try:
        return metadata.version("resolution-assistant")
    except metadata.PackageNotFoundError:
        return "unknown"


def render_markdown(reports: dict[str, EvalReport], *, meta: dict) -> str:
    """The human report: configurations × metrics, the product by slice, the first configuration's failures."""
    first = next(iter(reports.values()))
    product = reports.get(PRODUCT, first)
    lines = ["# Evaluation report", ""]
    lines += [f"- {key}: `{_inline(value)}`" for key, value in meta.items()]
    overview = _table("configuration", {name: report.aggregates for name, report in reports.items()}, reports)
    lines += ["", "## Configurations", "", *overview]
    for title, key in (("language", "lang"), ("question type", "type"), ("turns", "turns")):
        lines += ["", f"## {product.name} by {title}", "", *_table(key, product.slices.get(key, {}), {})]
    failures = [case for case in first.cases if not case.passed]
    lines += ["", f"## Failing cases of {first.name} ({len(failures)} of {len(first.cases)})", ""]
    for case in failures:
        gold = "; ".join(first.labels.get(cid, cid) for cid in case.gold) or "(none: should abstain)"
        cited = "; ".join(first.labels.get(cid, cid) for cid in case.cited) or "(nothing)"
        answer = " ".join(case.answer.split())
        lines += [
            f"### {case.case_id} ({case.lang}, {case.type})",
            "",
            *(f"- earlier: {question}" for question in case.history),
            f"- question: {case.question}",
            f"- gold: {gold}",
            f"- cited: {cited}",
            f"- abstained: {'yes' if case.abstained else 'no'}; quotes valid: {'yes' if case.quotes_ok else 'no'}",
            f"- answer: {answer[:400] + ' …' if len(answer) > 400 else answer}",
            "",
        ]
    return "\n".join(lines).rstrip() + "\n"


def _table(first_column: str, rows: dict[str, dict], reports: dict[str, EvalReport]) -> list[str]:
    """A markdown table, one row per entry; a row named in `reports` shows that report's intervals."""
    header = [first_column, *(title for _, title, _ in _COLUMNS)]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for name, values in rows.items():
        ci = reports[name].ci if name in reports else {}
        cells = [_cell(key, values.get(key), ci.get(key) if with_ci else None) for key, _, with_ci in _COLUMNS]
        lines.append("| " + " | ".join([name, *cells]) + " |")
    return lines


def _cell(key: str, value, interval) -> str:
    if value is None:
        return "–"
    if key == "n":
        return str(value)
    if key.endswith("_ms"):
        return f"{value:.1f}"
    return f"{value:.3f} [{interval[0]:.2f}, {interval[1]:.2f}]" if interval else f"{value:.3f}"


def _inline(value) -> str:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else str(value)


def _plot_recall(reports: dict[str, EvalReport], path: Path) -> None:
    figure = Figure(figsize=(6, 4))
    axes = figure.subplots()
    ks = list(range(1, RANK_CUTOFF + 1))
    for name, report in reports.items():
        curve = recall_curve(report.cases, max_k=RANK_CUTOFF)
        axes.plot(ks, [value if value is not None else float("nan") for value in curve], marker="o", label=name)
    axes.set(xlabel="k", ylabel="mean recall@k (answerable cases)", title="Retrieval recall@k", xticks=ks)
    axes.set_ylim(0, 1.05)
    axes.grid(alpha=0.3)
    axes.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=100)


def _plot_precision_recall(reports: dict[str, EvalReport], path: Path) -> None:
    figure = Figure(figsize=(5, 5))
    axes = figure.subplots()
    for name, report in reports.items():
        precision = report.aggregates.get("citation_precision")
        recall = report.aggregates.get("citation_recall")
        if precision is None or recall is None:
            continue
        axes.scatter([recall], [precision], s=60, label=name)
        axes.annotate(name, (recall, precision), textcoords="offset points", xytext=(6, 6))
    axes.set(xlabel="citation recall", ylabel="citation precision", title="Citations by configuration")
    axes.set_xlim(0, 1.1)
    axes.set_ylim(0, 1.1)
    axes.grid(alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
