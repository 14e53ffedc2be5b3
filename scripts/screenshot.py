"""Retake the README's picture: the chat with an English question answered and its source open.

    python scripts/screenshot.py                        # starts app.py on a free port, writes docs/screenshot.png
    python scripts/screenshot.py --url http://127.0.0.1:7860 --out /tmp/shot.png

Uses Debian's Chromium (scripts/ensure-chromium installs it with the CJK fonts) through Playwright.
Look at the picture afterwards: Chinese must be glyphs, not boxes.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
QUESTION = "What are ITU-T study groups instructed to do?"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_app(data_dir: str) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = {**os.environ, "RA_DATA_DIR": data_dir, "GRADIO_ANALYTICS_ENABLED": "False", "ANONYMIZED_TELEMETRY": "False",
           "HF_HUB_OFFLINE": "1"}
    proc = subprocess.Popen([sys.executable, str(ROOT / "app.py"), "--port", str(port)], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"app.py exited with {proc.returncode}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("app.py did not answer within 180 s")


def take(url: str, out: Path, question: str) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        page = browser.new_context(viewport={"width": 1400, "height": 950}, locale="en-US").new_page()
        page.goto(url, wait_until="load")
        box = page.locator("#ra-question textarea")
        box.fill(question)
        box.press("Enter")
        page.locator("#ra-chat .ra-answer").wait_for(timeout=180_000)
        page.locator("#ra-chat .ra-answer .ra-citations a.ra-cite-label").last.click()
        page.locator("#ra-sources .ra-source.is-open").wait_for(state="visible")
        page.wait_for_function("document.querySelector('#ra-status .is-ready') !== null", timeout=60_000)
        page.mouse.move(0, 0)
        page.wait_for_timeout(500)
        out.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(out), full_page=True, animations="disabled")
        browser.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a running app (default: start app.py on a free port with a temporary index)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshot.png")
    parser.add_argument("--question", default=QUESTION)
    args = parser.parse_args(argv)
    if args.url:
        take(args.url, args.out, args.question)
    else:
        with tempfile.TemporaryDirectory(prefix="ra-screenshot-") as data:
            proc, url = _start_app(data)
            try:
                take(url, args.out, args.question)
            finally:
                proc.terminate()
                proc.wait(timeout=30)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
