"""kg.viewer in headless Chromium (Debian's /usr/bin/chromium driven by Playwright)."""
from __future__ import annotations

from pathlib import Path

import pytest
import rdflib

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (Python package) not installed")

from kg.viewer import write_html  # noqa: E402
from graphs import synthetic_graph  # noqa: E402

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


class Page:
    """A page with console errors, requests and dialogs recorded."""

    def __init__(self, browser, path: Path):
        self.url = path.resolve().as_uri()
        self.page = browser.new_page(viewport={"width": 1200, "height": 800})
        self.errors, self.requests, self.dialogs = [], [], []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.goto(self.url)
        self.wait_stable(timeout_ms=90_000)

    def wait_stable(self, timeout_ms: int) -> None:
        # Polled from Python: the page's CSP forbids the eval Playwright's wait_for_function uses.
        for _ in range(timeout_ms // 100):
            if self.page.evaluate("!!(window.kgView && window.kgView.stable === true)"):
                return
            self.page.wait_for_timeout(100)
        raise AssertionError(f"the page did not reach a stable state within {timeout_ms} ms")

    def js(self, expr, arg=None):
        return self.page.evaluate(expr, arg)

    def visible(self) -> list[str]:
        return self.js("kgView.visibleNodeIds().map(id => kgView.data.nodes[id].l)")

    def visible_types(self) -> set[str]:
        return set(self.js("kgView.visibleNodeIds().map(id => kgView.data.types[kgView.data.nodes[id].t].name)"))


@pytest.fixture(scope="module")
def mini_page(browser, mini_graph_path, tmp_path_factory):
    out = tmp_path_factory.mktemp("viewer") / "mini.html"
    write_html(rdflib.Graph().parse(mini_graph_path, format="turtle"), out)
    page = Page(browser, out)
    yield page
    page.page.close()


def test_loads_offline_without_errors(mini_page):
    assert mini_page.requests == [mini_page.url]
    assert mini_page.errors == []
    assert mini_page.js("kgView.nodesView.length") == 12
    assert len(mini_page.visible()) == 12
    assert mini_page.js("kgView.edgesView.length") == 10
    # Physics settled and was switched off.
    assert mini_page.js("kgView.network.physics.physicsEnabled") is False


def test_canvas_is_drawn(mini_page):
    painted = mini_page.js("""() => {
        const c = document.querySelector('#graph canvas');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
        return n;
    }""")
    assert painted > 2000


def test_type_filters_list_counts(mini_page):
    text = mini_page.page.inner_text("#type-filters")
    assert "公安机关 / Bureau" in text and "4" in text
    assert mini_page.page.locator("#type-filters input[type=checkbox]").count() == 8


def test_search_selects_and_panel_shows_positions_and_sources(mini_page):
    pg = mini_page.page
    pg.fill("#search", "双全")
    hits = pg.locator("#search-results button")
    assert hits.count() == 1 and hits.first.inner_text().strip() == "王双全"
    hits.first.click()
    wsq = mini_page.js("kgView.data.nodes.findIndex(n => n.l === '王双全')")
    assert mini_page.js("kgView.selected()") == wsq
    assert mini_page.js("kgView.network.getSelectedNodes()") == [wsq]
    panel = pg.locator("#panel")
    assert panel.is_visible()
    assert pg.inner_text("#panel h2") == "王双全"
    text = panel.inner_text()
    assert "副省长" in text and "省公安厅厅长" in text
    assert "受到副省长、省公安厅厅长王双全批示肯定" in text       # a source sentence
    assert "《永康公安全力打造平安高地》" in text                  # with its article
    assert "批示肯定 / endorsed" in text and "永康市公安局" in text  # a fact
    # A position's own sources are collapsed; opening them shows the sentence.
    position = pg.locator("#panel li.position", has_text="副省长")
    assert "王双全批示肯定" not in position.inner_text()
    position.locator("summary").click()
    assert "受到副省长、省公安厅厅长王双全批示肯定" in position.inner_text()


def test_search_by_alias(mini_page):
    pg = mini_page.page
    pg.fill("#search", "永康公安")
    labels = pg.locator("#search-results button").all_inner_texts()
    assert any(t.startswith("永康市公安局") for t in labels)
    pg.fill("#search", "")
    assert pg.locator("#search-results li").count() == 0
    pg.fill("#search", "芝英")
    pg.press("#search", "Enter")
    assert pg.inner_text("#panel h2") == "芝英派出所"
    # A fact's other end is a link to that node.
    pg.locator("#panel li.fact button.link", has_text="枫桥式公安派出所").click()
    assert pg.inner_text("#panel h2") == "枫桥式公安派出所"
    assert "芝英派出所 —获得 / received→ 枫桥式公安派出所" in pg.inner_text("#panel")
    pg.fill("#search", "不存在的名字")
    assert pg.inner_text("#search-results") == "无结果 / no match"


def test_type_filter_hides_bureaus(mini_page):
    pg = mini_page.page
    assert "Bureau" in mini_page.visible_types()
    pg.uncheck("#type-Bureau")
    assert "Bureau" not in mini_page.visible_types()
    assert len(mini_page.visible()) == 12 - 4
    pg.check("#type-Bureau")
    assert len(mini_page.visible()) == 12


def test_neighbourhood_focus(mini_page):
    pg = mini_page.page
    mini_page.js("kgView.selectNode(kgView.data.nodes.findIndex(n => n.l === '王双全'))")
    pg.select_option("#hops", "1")
    assert sorted(mini_page.visible()) == sorted(["王双全", "永康市公安局", "浙江省公安厅", "浙江省人民政府"])
    pg.select_option("#hops", "2")
    two = mini_page.visible()
    assert 4 < len(two) < 12 and "金华市公安局" in two and "俞亮波" not in two
    pg.select_option("#hops", "all")
    assert len(mini_page.visible()) == 12


def test_hostile_label_is_text(mini_page):
    pg = mini_page.page
    # Click the node on the canvas, as a user would.
    nid = mini_page.js("kgView.data.nodes.findIndex(n => n.l.startsWith('<img'))")
    # The layout may still be settling when the page reports ready: re-aim and click until the
    # node is hit (a few tries, bounded).
    for _ in range(10):
        pos = mini_page.js("""(id) => {
            const net = kgView.network, p = net.getPositions([id])[id];
            net.moveTo({position: p, scale: 1.0});
            const d = net.canvasToDOM(p), r = document.querySelector('#graph').getBoundingClientRect();
            return {x: r.left + d.x, y: r.top + d.y};
        }""", nid)
        pg.mouse.click(pos["x"], pos["y"])
        if mini_page.js("kgView.selected()") == nid:
            break
        pg.wait_for_timeout(300)
    assert mini_page.js("kgView.selected()") == nid
    assert pg.locator("#panel h2").text_content() == HOSTILE
    assert pg.locator("#panel img, #search-results img, body img").count() == 0
    pg.fill("#search", "<img")
    assert pg.locator("#search-results button").first.inner_text().strip() == HOSTILE
    pg.wait_for_timeout(200)
    assert mini_page.dialogs == []
    assert mini_page.errors == []
    assert mini_page.requests == [mini_page.url]


def test_panel_close(mini_page):
    pg = mini_page.page
    mini_page.js("kgView.selectNode(0)")
    assert pg.locator("#panel").is_visible()
    pg.click("#panel-close")
    assert not pg.locator("#panel").is_visible()
    assert mini_page.js("kgView.selected()") is None


def test_5000_nodes_reach_a_stable_state(browser, tmp_path):
    out = write_html(synthetic_graph(5000, 10000), tmp_path / "big.html")
    page = Page(browser, out)   # waits for kgView.stable (physics never on)
    try:
        assert page.js("kgView.nodesView.length") == 5000
        assert page.js("kgView.network.physics.physicsEnabled") is False
        page.page.fill("#search", "节点4999号")
        page.page.locator("#search-results button").first.click()
        page.page.select_option("#hops", "1")
        assert 1 < len(page.visible()) < 5000
        assert page.errors == [] and page.requests == [page.url]
    finally:
        page.page.close()
