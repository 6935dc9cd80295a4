"""Open a build's graph.html in headless Chromium and check what a user does first at corpus size.

usage: python bench/viewer_check.py OUT/graph.html [--json]

Checks (issue 7, "the viewer at corpus size"): the page opens offline (no request but the page, no
console error) and settles; the overview holds at most the cap and says how many entities were
left out; search finds an entity outside the overview by its name; opening it draws it with its
neighbours and its side panel shows its sources (source sentences with their article).  Prints
what it saw (page size, entities, overview, time to settle and to open) and exits 1 if a check
fails.  Needs Debian's Chromium (/usr/bin/chromium) and the Python package playwright.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

# The first entity outside the overview that is the subject of a fact (so its panel has sources).
_OUTSIDE = """() => {
    const d = kgView.data;
    const e = d.edges.find(e => e.f >= d.overview && e.ev && e.ev.length);
    return e ? {id: e.f, label: d.nodes[e.f].l} : null;
}"""


def check(browser, html: Path, *, timeout_ms: int = 180_000) -> dict:
    """Run the checks on one page with a Playwright browser; returns what was seen, with
    `failures` (empty when every check passed)."""
    seen: dict = {"page_mib": round(html.stat().st_size / 2**20, 1), "failures": []}
    fail = seen["failures"].append
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    errors, requests = [], []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    url = html.resolve().as_uri()
    t0 = time.perf_counter()
    page.goto(url, timeout=timeout_ms)
    for _ in range(timeout_ms // 100):   # polled: the page's CSP forbids Playwright's eval-based waits
        if page.evaluate("!!(window.kgView && window.kgView.stable === true)"):
            break
        page.wait_for_timeout(100)
    else:
        fail(f"the page did not settle within {timeout_ms} ms")
        return seen
    seen["settle_s"] = round(time.perf_counter() - t0, 1)
    seen["entities"] = page.evaluate("kgView.data.nodes.length")
    seen["overview"] = page.evaluate("kgView.data.overview")
    seen["drawn"] = page.evaluate("kgView.nodesView.length")
    if seen["drawn"] > 2000 or seen["drawn"] != seen["overview"]:
        fail(f"{seen['drawn']} nodes drawn on open, overview {seen['overview']}")
    omitted = seen["entities"] - seen["overview"]
    note = page.inner_text("#omitted") if page.locator("#omitted").count() else ""
    if omitted and str(omitted) not in note.replace(",", ""):
        fail(f"the page does not say that {omitted} entities were left out ({note!r})")
    target = page.evaluate(_OUTSIDE)
    if target is None:
        fail("no entity outside the overview has a fact with a source")
        return seen
    seen["searched"] = target["label"]
    t1 = time.perf_counter()
    page.fill("#search", target["label"])
    hit = page.locator("#search-results button", has_text=target["label"]).first
    try:
        hit.wait_for(timeout=20_000)
    except Exception:
        fail(f"search did not find {target['label']!r}")
        return seen
    if "outside" not in (hit.get_attribute("class") or ""):
        fail("the search result is not marked as outside the overview")
    hit.click()
    if page.evaluate("kgView.selected()") != target["id"]:
        fail("clicking the search result did not open the entity")
    if target["id"] not in page.evaluate("kgView.visibleNodeIds()"):
        fail("the entity is not drawn after opening it")
    panel = page.inner_text("#panel")
    seen["open_s"] = round(time.perf_counter() - t1, 1)
    if target["label"] not in panel:
        fail("the side panel does not show the entity")
    sources = page.locator("#panel li.fact blockquote").count()   # a source sentence with its article
    seen["panel_sources"] = sources
    if not sources:
        fail("the side panel shows no source sentence")
    if errors:
        fail(f"console errors: {errors[:3]}")
    if requests != [url]:
        fail(f"requests besides the page: {[r for r in requests if r != url][:3]}")
    page.close()
    return seen


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("html", type=Path)
    ap.add_argument("--json", action="store_true", help="print what was seen as JSON")
    args = ap.parse_args(argv)
    if not CHROMIUM.exists():
        print(f"{CHROMIUM} not found: apt-get install chromium", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            seen = check(b, args.html)
        finally:
            b.close()
    print(json.dumps(seen, ensure_ascii=False) if args.json else
          "\n".join(f"{k}: {v}" for k, v in seen.items()))
    return 1 if seen["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
