"""Regenerate docs/viewer.png: build seeds/ afresh and photograph its graph.html in headless Chromium.

    .venv/bin/python docs/make_screenshot.py [--out docs/viewer.png] [--size 1400,900]

Needs Debian's Chromium and a CJK font (apt-get install chromium fonts-wqy-zenhei): without the
font every Chinese label is an empty box.  Nothing is fetched from the network.
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = ("chromium", "chromium-browser")
# No sandbox (root in containers), no GPU, and no background traffic to hosts it cannot reach.
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--virtual-time-budget=8000"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(ROOT / "docs" / "viewer.png"))
    ap.add_argument("--size", default="1400,900", help="window width,height in pixels")
    a = ap.parse_args(argv)
    browser = next((b for b in map(shutil.which, CHROMIUM) if b), None)
    if browser is None:
        print("make_screenshot: chromium is not installed (apt-get install chromium fonts-wqy-zenhei)",
              file=sys.stderr)
        return 2
    if subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True).stdout.strip() == "":
        print("make_screenshot: no Chinese font (apt-get install fonts-wqy-zenhei)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "build"
        subprocess.run([sys.executable, "-m", "kg.cli", "build", str(ROOT / "seeds"), "-o", str(out), "-q"],
                       check=True, stdout=subprocess.DEVNULL)
        shot = Path(tmp) / "shot.png"
        subprocess.run([browser, *FLAGS, f"--user-data-dir={tmp}/profile", f"--window-size={a.size}",
                        f"--screenshot={shot}", (out / "graph.html").as_uri()],
                       check=True, capture_output=True, timeout=120)
        if not shot.is_file() or shot.stat().st_size == 0:
            print("make_screenshot: chromium wrote no screenshot", file=sys.stderr)
            return 1
        shutil.copyfile(shot, a.out)
    print(f"wrote {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
