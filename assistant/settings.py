"""Settings, read from the environment once at the edge (CLI, app) and passed down."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from corpus.errors import AssistantError
from embeddings.options import BACKENDS, CHROMA_URL_EXAMPLE, DEFAULT_BACKEND, url_complaint

DEFAULT_MODEL = "intfloat/multilingual-e5-small"

# Nothing may need the internet at run time: telemetry, analytics and hub look-ups off.
OFFLINE_ENVIRONMENT = {
    "ANONYMIZED_TELEMETRY": "False",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "TOKENIZERS_PARALLELISM": "false",
}


def use_offline_environment() -> None:
    """Set the offline defaults (a user's own values win); call before importing chromadb or gradio."""
    for name, value in OFFLINE_ENVIRONMENT.items():
        os.environ.setdefault(name, value)


PROJECT_ROOT = Path(__file__).resolve().parent.parent

ENVIRONMENT = {
    "RA_CORPUS_DIR": "folder of resolution texts and manifest.json (default: corpus/texts)",
    "RA_DATA_DIR": "where the embedded Chroma index lives (default: .data/ in the project)",
    "RA_MODEL_CACHE": "where models are materialized (default: ~/.cache/resolution-assistant/models)",
    "RA_EMBEDDING_MODEL": f"sentence-transformers model name or path (default: {DEFAULT_MODEL}, bundled)",
    "RA_EMBEDDING_BACKEND": f"what runs that model: {' or '.join(BACKENDS)} (default: {DEFAULT_BACKEND}; "
    "exported once into RA_MODEL_CACHE, torch if that fails)",
    "RA_CHROMA_URL": "use a Chroma server, e.g. http://127.0.0.1:8000 (default: embedded)",
    "RA_LLM_BASE_URL": "OpenAI-compatible endpoint for LLM answers (default: none, extractive)",
    "RA_LLM_MODEL": "model name at that endpoint",
    "RA_LLM_API_KEY": "API key for that endpoint (never logged or shown)",
    "RA_LLM_TIMEOUT": "seconds before falling back to the extractive answer (default: 20)",
    "RA_AUTH": "user:password required by the app when bound to a non-loopback address",
    "RA_EMBEDDING_PROCESS": "app only: 'separate' runs the assistant (model, index, answering) in a child process "
    "that loads while the page starts (default), 'same' in the app's own process",
    "RA_EMBEDDING_NICENESS": "app only: CPU niceness of that child process, 0-19 (default: 10, the page first)",
}


@dataclass(frozen=True)
class Settings:
    """Everything configurable, with defaults that work offline."""

    corpus_dir: Path = PROJECT_ROOT / "corpus" / "texts"
    data_dir: Path = PROJECT_ROOT / ".data"
    model_cache: Path = Path.home() / ".cache" / "resolution-assistant" / "models"
    embedding_model: str = DEFAULT_MODEL
    embedding_backend: str = DEFAULT_BACKEND
    chroma_url: str = ""
    llm_base_url: str = ""
    llm_model: str = ""
    llm_api_key: str = field(default="", repr=False)
    llm_timeout: float = 20.0
    auth: str = field(default="", repr=False)
    separate_embedding_process: bool = True
    embedding_niceness: int = 10

    @classmethod
    def from_env(cls, environ: dict | None = None) -> Settings:
        env = os.environ if environ is None else environ
        base = cls()
        timeout = env.get("RA_LLM_TIMEOUT", "").strip()
        try:
            llm_timeout = float(timeout) if timeout else base.llm_timeout
        except ValueError:
            llm_timeout = math.nan  # "soon": refused below, with "-3", "0", "nan" and "inf"
        if not 0 < llm_timeout < math.inf:
            raise AssistantError(f"RA_LLM_TIMEOUT={timeout!r} is not a number of seconds above 0; set e.g. RA_LLM_TIMEOUT=20")
        process = env.get("RA_EMBEDDING_PROCESS", "").strip().lower() or "separate"
        if process not in ("separate", "same"):
            raise AssistantError(f"RA_EMBEDDING_PROCESS={process!r} must be 'separate' (default) or 'same'")
        backend = env.get("RA_EMBEDDING_BACKEND", "").strip().lower() or base.embedding_backend
        if backend not in BACKENDS:
            raise AssistantError(f"RA_EMBEDDING_BACKEND={backend!r} must be one of: {', '.join(BACKENDS)} (default {DEFAULT_BACKEND})")
        niceness = env.get("RA_EMBEDDING_NICENESS", "").strip() or str(base.embedding_niceness)
        if not niceness.isdigit() or int(niceness) > 19:
            raise AssistantError(f"RA_EMBEDDING_NICENESS={niceness!r} must be a whole number from 0 to 19 (default 10)")
        return replace(
            base,
            corpus_dir=_folder(env["RA_CORPUS_DIR"]) if env.get("RA_CORPUS_DIR") else base.corpus_dir,
            data_dir=_folder(env["RA_DATA_DIR"]) if env.get("RA_DATA_DIR") else base.data_dir,
            model_cache=_folder(env["RA_MODEL_CACHE"]) if env.get("RA_MODEL_CACHE") else base.model_cache,
            embedding_model=env.get("RA_EMBEDDING_MODEL") or base.embedding_model,
            embedding_backend=backend,
            chroma_url=_url("RA_CHROMA_URL", env.get("RA_CHROMA_URL", ""), CHROMA_URL_EXAMPLE),
            llm_base_url=_url("RA_LLM_BASE_URL", env.get("RA_LLM_BASE_URL", ""), "http://127.0.0.1:8080/v1"),
            llm_model=env.get("RA_LLM_MODEL", "").strip(),
            llm_api_key=env.get("RA_LLM_API_KEY", ""),
            llm_timeout=llm_timeout,
            auth=env.get("RA_AUTH", ""),
            separate_embedding_process=process == "separate",
            embedding_niceness=int(niceness),
        )

    def describe(self) -> dict:
        """A secret-free summary for status displays and result files."""
        return {
            "embedding_model": self.embedding_model,
            "index": self.chroma_url or f"embedded ({self.data_dir})",
            "corpus_dir": str(self.corpus_dir),
            "answers": f"LLM {self.llm_model} at {self.llm_base_url}" if self.llm_base_url else "extractive",
        }


def _folder(value: str) -> Path:
    """A folder named in the environment, as an absolute path: "~/x" and ".data" work as in a shell, and a
    relative name still means the same folder when a child process starts elsewhere."""
    return Path(value).expanduser().absolute()


def _url(name: str, value: str, example: str) -> str:
    """An http(s) URL from the environment, or "" when unset; one line naming the setting when it cannot work."""
    value = value.strip()
    complaint = url_complaint(name, value, example) if value else ""
    if complaint:
        raise AssistantError(complaint)
    return value
