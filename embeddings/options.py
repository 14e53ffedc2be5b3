"""What the settings name in embeddings/, without numpy, the model or chromadb: `resolution-assistant --help`,
`clauses` and a refused setting read these alone (importing embeddings.index or embeddings.onnx_model
costs numpy, ~0.1 CPU-s)."""

from __future__ import annotations

from urllib.parse import urlparse

BACKENDS = ("onnx", "torch")
DEFAULT_BACKEND = "onnx"
CHROMA_URL_EXAMPLE = "http://127.0.0.1:8000"


def url_complaint(name: str, url: str, example: str) -> str:
    """Why `url`, the value of setting `name`, is no http(s) URL with a host and a valid port ("" when it is one).

    >>> url_complaint("RA_CHROMA_URL", "http://[::1", CHROMA_URL_EXAMPLE)
    "RA_CHROMA_URL='http://[::1' is not a URL like http://127.0.0.1:8000 (Invalid IPv6 URL)"
    """
    try:
        parsed = urlparse(url)
        parsed.port  # noqa: B018 -- raises ValueError when the port is not a number from 0 to 65535
    except ValueError as exc:  # "http://[::1", "http://host:99999"
        return f"{name}={url!r} is not a URL like {example} ({exc})"
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        return f"{name}={url!r} is not a URL like {example}"
    return ""
