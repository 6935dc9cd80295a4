/* gongan-kg viewer.  Every piece of text from the graph goes into the page through
   textContent / createTextNode (or vis' plain-string tooltips, set with innerText):
   article text is data, never markup. */
(function () {
  "use strict";
  var DATA = JSON.parse(document.getElementById("data").textContent);
  var T = DATA.types, P = DATA.preds, N = DATA.nodes, E = DATA.edges;
  var S = DATA.sentences, A = DATA.articles;
  var FONT = '"Noto Sans CJK SC", "WenQuanYi Zen Hei", "PingFang SC", "Microsoft YaHei", sans-serif';
  var LIST_CAP = 50;

  // ---------------------------------------------------------------- helpers
  function el(tag, cls, children) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    (children || []).forEach(function (c) {
      if (c === null || c === undefined) return;
      e.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return e;
  }
  function swatch(t) {
    var s = el("span", "swatch");
    s.style.background = T[t].colour;
    return s;
  }
  function typeName(t) { return T[t].zh + " / " + T[t].name; }
  function predName(p) { return P[p].zh + " / " + P[p].name; }
  function shade(hex, f) {
    var n = parseInt(hex.slice(1), 16), r = (n >> 16) & 255, g = (n >> 8) & 255, b = n & 255;
    function c(v) { return Math.max(0, Math.min(255, Math.round(v * f))); }
    return "rgb(" + c(r) + "," + c(g) + "," + c(b) + ")";
  }

  // ---------------------------------------------------------------- graph structure
  var adj = N.map(function () { return []; });
  var outE = N.map(function () { return []; });
  var inE = N.map(function () { return []; });
  E.forEach(function (e) {
    adj[e.f].push(e.to); adj[e.to].push(e.f);
    outE[e.f].push(e); inE[e.to].push(e);
  });
  var typeOn = T.map(function () { return true; });
  var selected = null, hops = "all", focusSet = null;

  var nodes = new vis.DataSet(N.map(function (n) {
    var c = T[n.t].colour, deg = adj[n.id].length;
    var tip = typeName(n.t) + "\n" + n.l;
    if (n.a && n.a.length) tip += "\n别名 / aliases: " + n.a.join("、");
    return {
      id: n.id, label: n.l, title: tip, x: n.x, y: n.y,
      size: 9 + Math.min(18, 3 * Math.sqrt(deg)),
      // Hubs get larger labels, so they stay readable when the whole graph is in view.
      font: { size: Math.round(14 + Math.min(30, 3 * Math.sqrt(Math.max(0, deg - 2)))) },
      color: { background: c, border: shade(c, 0.7),
               highlight: { background: c, border: "#111" }, hover: { background: c, border: "#111" } }
    };
  }));
  var edges = new vis.DataSet(E.map(function (e) {
    var p = P[e.p];
    return {
      id: e.id, from: e.f, to: e.to,
      label: DATA.edgeLabels ? p.zh + "\n" + p.name : undefined,
      title: N[e.f].l + " —" + predName(e.p) + "→ " + N[e.to].l
    };
  }));
  function visible(id) { return typeOn[N[id].t] && (!focusSet || focusSet.has(id)); }
  var nodesView = new vis.DataView(nodes, { filter: function (n) { return visible(n.id); } });
  var edgesView = new vis.DataView(edges, {
    filter: function (e) { return visible(e.from) && visible(e.to); } });

  var options = {
    autoResize: true,
    nodes: { shape: "dot", borderWidth: 1.5,
             font: { face: FONT, size: 14, color: "#222", strokeWidth: 3, strokeColor: "#ffffff" } },
    edges: { width: 1, arrows: { to: { enabled: true, scaleFactor: 0.5 } },
             color: { color: "#a3adbb", highlight: "#333333", hover: "#555555" },
             font: { face: FONT, size: 9, color: "#666", strokeWidth: 3, strokeColor: "#ffffff",
                     align: "horizontal", multi: false },
             smooth: DATA.static ? false : { enabled: true, type: "continuous", roundness: 0.4 } },
    interaction: { hover: true, tooltipDelay: 120, hideEdgesOnDrag: DATA.static,
                   hideEdgesOnZoom: DATA.static, keyboard: false },
    layout: { randomSeed: 7, improvedLayout: false },
    physics: DATA.static ? { enabled: false } : {
      enabled: true, solver: "forceAtlas2Based",
      forceAtlas2Based: { gravitationalConstant: -90, centralGravity: 0.01, springLength: 120,
                          springConstant: 0.06, damping: 0.5, avoidOverlap: 0.6 },
      maxVelocity: 60, minVelocity: 1,
      stabilization: { enabled: true, iterations: 400, updateInterval: 25, fit: true }
    }
  };
  var container = document.getElementById("graph");
  var network = new vis.Network(container, { nodes: nodesView, edges: edgesView }, options);
  var status = document.getElementById("status");

  var kgView = window.kgView = {
    network: network, nodes: nodes, edges: edges, nodesView: nodesView, edgesView: edgesView,
    data: DATA, stable: false,
    visibleNodeIds: function () { return network.body.nodeIndices.slice(); },
    selected: function () { return selected; },
    selectNode: function (id) { selectNode(id, true); }
  };
  function markStable() {
    if (kgView.stable) return;
    kgView.stable = true;
    document.body.setAttribute("data-stable", "1");
    status.textContent = "";
  }
  if (DATA.static || !N.length) {
    network.once("afterDrawing", markStable);
    if (!N.length) markStable();
  } else {
    status.textContent = "布局中 / Laying out…";
    network.on("stabilizationProgress", function (p) {
      status.textContent = "布局中 / Laying out… " + Math.round(100 * p.iterations / p.total) + "%";
    });
    network.once("stabilizationIterationsDone", function () {
      network.setOptions({ physics: false });
      storePositions();
      network.fit();
      markStable();
    });
  }
  // network.storePositions() fails when a DataView hides nodes: keep positions ourselves.
  function storePositions() {
    var pos = network.getPositions(network.body.nodeIndices), upd = [];
    Object.keys(pos).forEach(function (id) {
      var n = nodes.get(Number(id)), x = Math.round(pos[id].x), y = Math.round(pos[id].y);
      if (n && (n.x !== x || n.y !== y)) upd.push({ id: Number(id), x: x, y: y });
    });
    if (upd.length) nodes.update(upd);
  }
  network.on("dragEnd", function (p) { if (p.nodes.length) storePositions(); });

  // ---------------------------------------------------------------- filters and focus
  var stats = document.getElementById("stats");
  function updateStats() {
    var shown = nodesView.length;
    var text = N.length + " 节点 / nodes · " + E.length + " 关系 / edges";
    if (shown !== N.length) text += "\n显示 / showing " + shown;
    stats.textContent = text;
  }
  function refresh() {
    if (kgView.stable) storePositions();
    nodesView.refresh();
    edgesView.refresh();
    updateStats();
  }
  function recomputeFocus() {
    if (hops === "all" || selected === null) { focusSet = null; return; }
    var max = parseInt(hops, 10), seen = new Set([selected]), frontier = [selected];
    for (var d = 0; d < max && frontier.length; d++) {
      var next = [];
      frontier.forEach(function (u) {
        adj[u].forEach(function (v) { if (!seen.has(v)) { seen.add(v); next.push(v); } });
      });
      frontier = next;
    }
    focusSet = seen;
  }
  function fitVisible() {
    var ids = network.body.nodeIndices.slice();
    if (ids.length) network.fit({ nodes: ids, animation: { duration: 300 } });
  }

  var filters = document.getElementById("type-filters");
  T.forEach(function (t, i) {
    var box = el("input");
    box.type = "checkbox"; box.checked = true; box.id = "type-" + t.name;
    box.setAttribute("data-type", t.name);
    box.addEventListener("change", function () {
      typeOn[i] = box.checked;
      if (selected !== null && !typeOn[N[selected].t]) clearSelection();
      else refresh();
    });
    var label = el("label", t.count ? "" : "empty",
                   [box, swatch(i), t.zh + " / " + t.name, el("span", "count", [String(t.count)])]);
    label.htmlFor = box.id;
    filters.appendChild(label);
  });
  var hopsBox = document.getElementById("hops");
  hopsBox.addEventListener("change", function () {
    hops = hopsBox.value;
    recomputeFocus();
    refresh();
    if (selected !== null) { network.selectNodes([selected]); fitVisible(); }
  });

  // ---------------------------------------------------------------- selection and panel
  var panel = document.getElementById("panel"), body = document.getElementById("panel-body");
  function selectNode(id, zoom) {
    id = Number(id);
    if (!(id >= 0 && id < N.length)) return;
    var t = N[id].t;
    if (!typeOn[t]) { typeOn[t] = true; document.getElementById("type-" + T[t].name).checked = true; }
    selected = id;
    recomputeFocus();
    refresh();
    network.selectNodes([id]);
    showPanel(id, false);   // first: opening the panel narrows the canvas
    if (zoom) {
      network.redraw();
      if (focusSet) fitVisible();
      else network.focus(id, { scale: Math.max(network.getScale(), 1.1), animation: { duration: 400 } });
    }
  }
  function clearSelection() {
    selected = null;
    recomputeFocus();
    refresh();
    network.unselectAll();
    panel.hidden = true;
  }
  document.getElementById("panel-close").addEventListener("click", clearSelection);
  network.on("click", function (p) {
    if (p.nodes.length) selectNode(p.nodes[0], false);
    else if (!p.edges.length) clearSelection();
  });

  function nodeLink(id) {
    var b = el("button", "link", [N[id].l]);
    b.type = "button";
    b.title = typeName(N[id].t);
    b.addEventListener("click", function () { selectNode(id, true); });
    return b;
  }
  function sentence(si) {
    var s = S[si], q = el("blockquote", null, [s.text]);
    q.appendChild(source(s.a, s.i));
    return q;
  }
  function source(ai, index) {
    var parts = [];
    if (ai >= 0) {
      parts.push("《" + A[ai].title + "》");
      if (A[ai].date) parts.push(A[ai].date);
      if (A[ai].file) parts.push(A[ai].file);
    }
    if (index >= 0) parts.push("句\u00a0#" + index);
    return el("span", "src", [parts.join(" · ")]);
  }
  function section(title, items, render, all, redraw) {
    if (!items.length) return;
    body.appendChild(el("h3", null, [title + " (" + items.length + ")"]));
    var ul = el("ul");
    (all ? items : items.slice(0, LIST_CAP)).forEach(function (x) { ul.appendChild(render(x)); });
    body.appendChild(ul);
    if (!all && items.length > LIST_CAP) {
      var more = el("button", "link more", ["显示全部 / show all " + items.length]);
      more.type = "button";
      more.addEventListener("click", redraw);
      body.appendChild(more);
    }
  }
  function showPanel(id, all) {
    var n = N[id];
    while (body.firstChild) body.removeChild(body.firstChild);
    body.appendChild(el("h2", null, [n.l]));
    body.appendChild(el("div", "type", [swatch(n.t), typeName(n.t)]));
    var redraw = function () { showPanel(id, true); };
    if (n.a && n.a.length) {
      body.appendChild(el("h3", null, ["别名 / Aliases"]));
      body.appendChild(el("p", "aliases", [n.a.join("、")]));
    }
    section("职务 / Positions", n.p || [], function (p) {
      var li = el("li", "position", [p[0]]);
      if (p[1].length) {   // collapsed: the same sentences usually back the facts below
        var d = el("details", null, [el("summary", null, ["来源 / sources (" + p[1].length + ")"])]);
        p[1].forEach(function (si) { d.appendChild(sentence(si)); });
        li.appendChild(d);
      }
      return li;
    }, all, redraw);
    var facts = outE[id].map(function (e) { return [e, true]; })
      .concat(inE[id].map(function (e) { return [e, false]; }));
    section("关系 / Facts", facts, function (x) {
      var e = x[0], pred = el("span", "pred", [" —" + predName(e.p) + "→ "]);
      var li = el("li", "fact", e.f === id && e.to === id ? [el("b", null, [n.l]), pred, el("b", null, [n.l])]
        : x[1] ? [el("b", null, [n.l]), pred, nodeLink(e.to)] : [nodeLink(e.f), pred, el("b", null, [n.l])]);
      e.ev.forEach(function (si) { li.appendChild(sentence(si)); });
      return li;
    }, all, redraw);
    section("原文提及 / Mentions", n.m || [], function (m) {
      var li = el("li", "mention", ["「" + m[0] + "」"]);
      if (m[1] >= 0) li.appendChild(sentence(m[1]));
      else li.appendChild(source(m[2], -1));
      return li;
    }, all, redraw);
    section("文章 / Articles", n.ar || [], function (ai) {
      return el("li", "article", ["《" + A[ai].title + "》" + (A[ai].date ? " " + A[ai].date : "")
                                  + (A[ai].file ? " " + A[ai].file : "")]);
    }, all, redraw);
    body.appendChild(el("div", "iri", [n.iri]));
    panel.hidden = false;
    panel.scrollTop = 0;
  }

  // ---------------------------------------------------------------- search
  var search = document.getElementById("search"), results = document.getElementById("search-results");
  var keys = N.map(function (n) {
    return [n.l.toLowerCase()].concat((n.a || []).map(function (a) { return a.toLowerCase(); }));
  });
  function find(q) {
    var hits = [];
    keys.forEach(function (k, id) {
      var best = -1, alias = null;
      k.forEach(function (s, j) {
        var i = s.indexOf(q);
        if (i < 0) return;
        var r = (s === q ? 0 : i === 0 ? 2 : 4) + (j ? 1 : 0);
        if (best < 0 || r < best) { best = r; alias = j ? N[id].a[j - 1] : null; }
      });
      if (best >= 0) hits.push({ id: id, rank: best, alias: alias });
    });
    hits.sort(function (a, b) {
      return a.rank - b.rank || N[a.id].l.length - N[b.id].l.length || a.id - b.id;
    });
    return hits;
  }
  var lastHits = [];
  function showHits() {
    var q = search.value.trim().toLowerCase();
    while (results.firstChild) results.removeChild(results.firstChild);
    lastHits = q ? find(q) : [];
    if (!q) return;
    if (!lastHits.length) { results.appendChild(el("li", "none", ["无结果 / no match"])); return; }
    lastHits.slice(0, LIST_CAP).forEach(function (h) {
      var n = N[h.id];
      var b = el("button", null, [swatch(n.t), n.l,
        h.alias ? el("span", "alias", ["(" + h.alias + ")"]) : null]);
      b.type = "button";
      b.title = typeName(n.t);
      b.setAttribute("data-id", String(h.id));
      b.addEventListener("click", function () { selectNode(h.id, true); });
      results.appendChild(el("li", null, [b]));
    });
    if (lastHits.length > LIST_CAP)
      results.appendChild(el("li", "none", ["… 共 / total " + lastHits.length]));
  }
  search.addEventListener("input", showHits);
  search.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && lastHits.length) { ev.preventDefault(); selectNode(lastHits[0].id, true); }
  });

  updateStats();
})();
