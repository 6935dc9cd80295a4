"""kg.viewer in headless Chromium (Debian's /usr/bin/chromium driven by Playwright).

Without Chromium or Playwright every test here is reported as skipped, one by one."""
from __future__ import annotations

import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from kg.vocab import ENTITY_TYPES
from kg.viewer import write_html, write_html_from_store
from graphs import synthetic_graph

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    try:
        from playwright import sync_api
    except ImportError:
        pytest.skip("playwright (Python package) not installed")
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

    def wait_for(self, expr: str, timeout_ms: int = 20_000, arg=None):
        for _ in range(timeout_ms // 100):
            value = self.page.evaluate(expr, arg)
            if value:
                return value
            self.page.wait_for_timeout(100)
        raise AssertionError(f"{expr} still false after {timeout_ms} ms")

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
    out = write_html(synthetic_graph(5000, 10000), tmp_path / "big.html", max_nodes=5000)
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



# ----------------------------------------------------------------------------- beyond the overview

@pytest.fixture(scope="module")
def big_page(browser, tmp_path_factory):
    """300 entities with sources, 50 in the overview."""
    out = tmp_path_factory.mktemp("viewer") / "big.html"
    write_html(synthetic_graph(300, 500, sources=True), out, max_nodes=50)
    page = Page(browser, out)
    yield page
    page.page.close()


def outside_with_facts(page: Page) -> dict:
    """The first entity outside the overview that has outgoing facts and no overview hub."""
    return page.js("""() => {
        const d = kgView.data, i = d.edges.find(e => e.f >= d.overview).f;
        return {id: i, label: d.nodes[i].l};
    }""")


def test_overview_is_capped_and_says_how_many_were_left_out(big_page):
    assert big_page.js("kgView.nodesView.length") == 50
    assert big_page.js("kgView.data.nodes.length") == 300
    text = big_page.page.inner_text("#omitted")
    assert "50" in text and "250" in text and "left out" in text
    assert big_page.errors == [] and big_page.requests == [big_page.url]


def test_search_finds_an_entity_outside_the_overview_and_shows_its_sources(big_page):
    pg, target = big_page.page, outside_with_facts(big_page)
    assert target["id"] >= 50 and target["id"] not in big_page.js("kgView.drawnNodeIds()")
    pg.fill("#search", target["label"])
    hit = pg.locator("#search-results button", has_text=target["label"]).first
    assert "outside" in hit.get_attribute("class")
    hit.click()
    assert big_page.js("kgView.selected()") == target["id"]
    assert target["id"] in big_page.js("kgView.visibleNodeIds()")   # drawn with its neighbours
    facts = big_page.js("(id) => kgView.data.edges.filter(e => e.f === id || e.to === id)"
                        ".map(e => e.f === id ? e.to : e.f)", target["id"])
    assert set(facts) <= set(big_page.js("kgView.visibleNodeIds()"))
    assert pg.inner_text("#panel h2") == target["label"]
    panel = pg.inner_text("#panel")
    assert "not in the overview" in panel
    k = int(target["label"][2:-1])
    assert f"{target['label']}出现在这里。" in panel            # a source sentence
    assert f"《第{k // 10}篇文章》" in panel and f"a{k // 10:04d}.txt" in panel
    assert pg.locator("#panel li.fact").count() == len(facts)
    assert big_page.errors == [] and big_page.requests == [big_page.url]


def test_fit_reset_and_refit_after_filtering(big_page):
    pg = big_page.page
    big_page.js("kgView.selectNode(kgView.data.nodes.length - 1)")
    assert len(big_page.js("kgView.drawnNodeIds()")) > 50
    big_page.js("kgView.network.moveTo({scale: 8, position: {x: 5000, y: 5000}})")

    def all_in_view():
        return big_page.js("""() => {
            const net = kgView.network, ids = kgView.visibleNodeIds(), c = document.querySelector('#graph canvas');
            const pos = net.getPositions(ids);
            return ids.every(id => { const p = net.canvasToDOM(pos[id]);
                return p.x >= -2 && p.y >= -2 && p.x <= c.clientWidth + 2 && p.y <= c.clientHeight + 2; });
        }""")
    assert not all_in_view()
    pg.click("#fit")
    pg.wait_for_timeout(500)
    assert all_in_view()
    big_page.js("kgView.network.moveTo({scale: 8, position: {x: 5000, y: 5000}})")
    pg.uncheck("#type-Place")
    pg.wait_for_timeout(500)
    assert all_in_view()                    # re-fitted after filtering
    pg.click("#reset")
    assert big_page.js("kgView.drawnNodeIds().length") == 50
    assert big_page.js("kgView.nodesView.length") == 50 and big_page.js("kgView.selected()") is None
    assert pg.is_checked("#type-Place") and not pg.locator("#panel").is_visible()
    assert all_in_view()


def test_labels_stay_readable_when_zoomed_out(big_page):
    big_page.js("kgView.network.fit()")
    big_page.js("kgView.network.moveTo({scale: 0.05})")
    big_page.page.wait_for_timeout(200)
    labels = big_page.js("kgView.overlayLabels")
    assert 0 < len(labels) <= 60
    # The best-connected visible node is among them.
    hub = big_page.js("""() => { const d = kgView.data, deg = {};
        kgView.edgesView.get().forEach(e => { deg[e.from] = (deg[e.from] || 0) + 1; deg[e.to] = (deg[e.to] || 0) + 1; });
        return Number(Object.keys(deg).sort((a, b) => deg[b] - deg[a] || a - b)[0]); }""")
    assert hub in labels
    big_page.js("kgView.network.moveTo({scale: 1.5})")
    big_page.page.wait_for_timeout(200)
    assert big_page.js("kgView.overlayLabels") == []   # vis draws them itself at this zoom


# ----------------------------------------------------------------------------- with an endpoint

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def endpoint(browser, seeds_graph, tmp_path_factory):
    """The seeds graph in an on-disk store, served by Oxigraph's server (CORS on)."""
    from kg.serve import find_oxigraph

    d = tmp_path_factory.mktemp("endpoint")
    store = ox.Store(str(d / "store"))
    store.bulk_load(seeds_graph.serialize(format="nt").encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)
    page = d / "graph.html"
    port = _free_port()
    url = f"http://127.0.0.1:{port}/query"
    write_html_from_store(store, page, max_nodes=50, endpoint=url)
    del store
    proc = subprocess.Popen([str(find_oxigraph()), "serve-read-only", "--location", str(d / "store"),
                             "--bind", f"127.0.0.1:{port}", "--cors"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(url + "?query=ASK%7B%7D", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        yield page, url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _facts(g: rdflib.Graph, x) -> set:
    """kg: triples between x and another entity (what the panel lists as facts)."""
    kg = "https://w3id.org/gongan-kg/ontology#"
    types = {rdflib.URIRef(kg + t) for t in ENTITY_TYPES}

    def entity(n):
        return any(t in types for t in g.objects(n, rdflib.RDF.type))
    return {(s, p, o) for s, p, o in list(g.triples((x, None, None))) + list(g.triples((None, None, x)))
            if str(p).startswith(kg) and entity(s) and entity(o)}


def test_endpoint_page_fetches_the_neighbourhood_and_sources(browser, endpoint, seeds_graph):
    path, url = endpoint
    page = Page(browser, path)
    try:
        pg = page.page
        assert page.js("kgView.nodesView.length") == 50 and page.js("kgView.data.endpoint") == url
        # An entity outside the overview with facts that are not in the page.
        outside = page.js("""() => { const d = kgView.data, out = [];
            for (let i = d.overview; i < d.nodes.length; i++)
                out.push({id: i, label: d.nodes[i].l, iri: d.nodes[i].iri, q: d.nodes[i].q,
                          embedded: d.edges.filter(e => e.f === i || e.to === i).length});
            return out; }""")
        assert all(n["q"] == 1 for n in outside)
        target = next(n for n in outside if len(_facts(seeds_graph, rdflib.URIRef(n["iri"]))) > n["embedded"]
                      and page.js("(l) => kgView.data.nodes.filter(n => n.l === l).length", n["label"]) == 1)
        pg.fill("#search", target["label"])
        pg.locator("#search-results button", has_text=target["label"]).first.click()
        page.wait_for("kgView.loading === 0 && kgView.data.nodes[%d].q === 0" % target["id"])
        assert page.js("kgView.selected()") == target["id"]
        assert pg.inner_text("#panel h2") == target["label"]
        facts = page.js("(id) => kgView.data.edges.filter(e => e.f === id || e.to === id).length", target["id"])
        assert facts == len(_facts(seeds_graph, rdflib.URIRef(target["iri"]))) >= 1
        panel = pg.inner_text("#panel")
        assert "关系 / Facts" in panel and "《" in panel       # a fact with its source article
        assert pg.locator("#panel li.fact blockquote").count() >= 1
        assert pg.locator("#panel li.article").count() >= 1
        assert target["id"] in page.js("kgView.visibleNodeIds()")
        # An overview entity: its panel comes from the endpoint too.
        hub = page.js("kgView.data.nodes.findIndex(n => n.l === '永康市公安局')")
        assert 0 <= hub < 50 and page.js("kgView.data.nodes[%d].q" % hub) == 1
        page.js("kgView.selectNode(%d)" % hub)
        page.wait_for("kgView.loading === 0 && kgView.data.nodes[%d].q === 0" % hub)
        assert pg.inner_text("#panel h2") == "永康市公安局"
        n = len(_facts(seeds_graph, rdflib.URIRef(page.js("kgView.data.nodes[%d].iri" % hub))))
        assert page.js("(id) => kgView.data.edges.filter(e => e.f === id || e.to === id).length", hub) == n > 50
        assert pg.locator("#panel li.fact").count() == 50 and f"show all {n}" in pg.inner_text("#panel")
        assert "原文提及 / Mentions" in pg.inner_text("#panel")
        assert page.errors == []
        assert all(r == page.url or r == url for r in page.requests) and url in page.requests
    finally:
        page.page.close()


def test_a_builds_own_page_passes_the_corpus_size_checks(browser, seeds_build, tmp_path):
    """The page a build draws from its work store, with an overview smaller than the graph, passes
    bench/viewer_check.py (what the bench runs on the 2,000-article graph): opens offline, says how
    many entities were left out, search finds one outside the overview, its panel shows sources."""
    import sys

    from kg.viewer import write_html_from_workstore
    from kg.workstore import WorkStore

    sys.path.insert(0, str(Path(__file__).parent.parent / "bench"))
    from viewer_check import check

    ws = WorkStore.reader(seeds_build / ".kg" / "cache.sqlite")
    try:
        page = write_html_from_workstore(ws, tmp_path / "g.html", max_nodes=40)
    finally:
        ws.close()
    seen = check(browser, page)
    assert seen["failures"] == [], seen
    assert seen["overview"] == seen["drawn"] == 40 and seen["entities"] > 40 and seen["panel_sources"] >= 1
