"""`kg`: a thin command line over the library.

Exit codes: 0 success; 1 bad input, or some articles could not be read (the rest are built),
or a graph that does not conform (validate); 2 could not run (usage, SHACL engine, server);
3 a broken resource file inside the package.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from .errors import InputError, KGError


class _Bar:
    """The build's progress as a tqdm bar on standard error (the library only calls back)."""

    def __init__(self, enabled: bool):
        self.enabled = enabled and sys.stderr.isatty()
        self.bar = None
        self.stage = None

    def __call__(self, stage: str, done: int, total: int | None) -> None:
        if not self.enabled:
            return
        if stage != self.stage:
            self.close()
            from tqdm import tqdm

            tqdm.monitor_interval = 0   # no monitor thread: the build forks workers
            self.stage = stage
            self.bar = tqdm(total=total, unit="article" if stage == "extracting" else "step",
                            desc=stage, file=sys.stderr, leave=False)
        self.bar.n = done
        self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def _cmd_build(a) -> int:
    from .pipeline import build

    bar = _Bar(not a.quiet)
    try:
        report = build(a.inputs, Path(a.output), workers=a.workers, progress=bar,
                       html=not a.no_html, store=Path(a.store) if a.store else None,
                       article_timeout=a.article_timeout or None, scheduler=a.scheduler,
                       incremental=not a.fresh)
    finally:
        bar.close()
    for f in report.failures:
        print(f"skipped: {f.file} ({f.stage}): {f.reason}", file=sys.stderr)
    out = sys.stdout
    print(f"articles: {report.articles}" + (f" ({len(report.failures)} skipped)" if report.failures else ""), file=out)
    if report.unchanged or report.removed:
        print(f"incremental: {report.extracted} extracted, {report.unchanged} unchanged, "
              f"{report.removed} removed", file=out)
    print("entities: " + ", ".join(f"{t} {n}" for t, n in sorted(report.entities.items())), file=out)
    print("relations: " + ", ".join(f"{p} {n}" for p, n in sorted(report.relations.items())), file=out)
    for p in report.outputs:
        print(f"wrote {p}", file=out)
    return 0 if report.ok else 1


def _cmd_query(a) -> int:
    from .query import format_result, run_query

    if a.file:
        try:
            sparql = Path(a.file).read_text(encoding="utf-8")
        except OSError as e:
            raise KGError(f"{a.file}: cannot read query ({e.strerror})") from None
    elif a.sparql:
        sparql = a.sparql
    else:
        raise KGError("give a query: kg query GRAPH 'SELECT …' or -f FILE.rq")
    result = run_query(Path(a.graph), sparql, allow_federation=a.allow_federation)
    print(format_result(result, a.format))
    return 0


def _cmd_view(a) -> int:
    from .graphio import load_graph
    from .viewer import write_html

    out = write_html(load_graph(a.graph), Path(a.output), title=a.title)
    print(f"wrote {out}")
    return 0


def _cmd_eval(a) -> int:
    from .evaluate import evaluate, evaluate_figures, figures_json, format_figures, format_report, report_json

    gold = Path(a.gold)
    figures_dir = Path(a.figures) if a.figures else None
    only_figures = gold.is_dir() and any(gold.glob("*.figures.json")) and not any(
        f for f in gold.glob("*.json") if not f.name.endswith(".figures.json"))
    if only_figures:   # a folder of *.figures.json: the dates-and-figures layer alone
        figures_dir = gold
    report = None if only_figures else evaluate(gold, Path(a.graph), Path(a.ontology) if a.ontology else _ontology())
    figs = evaluate_figures(figures_dir, Path(a.graph)) if figures_dir else None
    if a.json:
        d = report_json(report) if report else {}
        if figs:
            d["figures"] = figures_json(figs)
        print(json.dumps(d, ensure_ascii=False, indent=1))
    else:
        parts = [format_report(report, detail=a.detail, per_article=a.per_article)] if report else []
        if figs:
            parts.append(format_figures(figs, detail=a.detail))
        print("\n\n".join(parts))
    return 0


def _ontology() -> Path | None:
    from .paths import ontology_file

    p = ontology_file("kg.ttl")
    return p if p.is_file() else None


def _cmd_validate(a) -> int:
    from .validate import validate

    try:
        report = validate(a.graph, Path(a.shapes) if a.shapes else None)
    except InputError as e:  # nothing to validate (a missing, empty or tripleless graph)
        print(f"kg validate: error: {e}", file=sys.stderr)
        return 1
    except KGError as e:   # pySHACL's convention: 2 = the validation could not run
        print(f"kg validate: error: {e}", file=sys.stderr)
        return 2
    print(report.text)
    return 0 if report.conforms else 1


def _cmd_export(a) -> int:
    from .export import export, render

    if a.output:  # a file, written atomically
        out = export(Path(a.graph), a.format, Path(a.output), what=a.what)
        print(f"wrote {out}", file=sys.stderr)
    else:         # standard output, never a file next to the input
        data = render(Path(a.graph), a.format, what=a.what)
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    return 0


def _cmd_serve(a) -> int:
    from .serve import serve

    return serve(Path(a.source), host=a.host, port=a.port, viewer_port=a.viewer_port,
                 read_only=not a.writable, store_dir=Path(a.store) if a.store else None,
                 viewer=not a.no_viewer, query_timeout=a.timeout,
                 max_result_bytes=int(a.max_result_mb * 1024 * 1024),
                 allow_federation=a.allow_federation, out=sys.stdout, err=sys.stderr)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="kg", description="Knowledge graphs of Chinese public-security news.")
    sub = p.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="build the graph of articles (files and folders of .txt)")
    b.add_argument("inputs", nargs="+", help="article files (.txt) or folders")
    b.add_argument("-o", "--output", default="exports", help="output folder (default: exports)")
    b.add_argument("--workers", type=int, default=None, help="processes for extraction (default: all cores)")
    b.add_argument("--store", help="also load the graph into an on-disk Oxigraph store in this folder")
    b.add_argument("--no-html", action="store_true", help="do not write graph.html")
    b.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    b.add_argument("--article-timeout", type=float, default=60.0, metavar="SECONDS",
                   help="wall-clock budget of one article; over it the article is skipped (default 60, 0: none)")
    b.add_argument("--scheduler", metavar="ADDRESS",
                   help="map extraction over a Dask distributed cluster (tcp://host:8786)")
    b.add_argument("--fresh", action="store_true", help="ignore an earlier build in the output folder")
    b.set_defaults(func=_cmd_build)

    q = sub.add_parser("query", help="run a SPARQL query on a graph file or store")
    q.add_argument("graph")
    q.add_argument("sparql", nargs="?", help="the query text")
    q.add_argument("-f", "--file", help="read the query from a .rq file")
    q.add_argument("--format", choices=("table", "csv", "json"), default="table")
    q.add_argument("--allow-federation", action="store_true",
                   help="run SERVICE clauses (requests to other servers); refused by default")
    q.set_defaults(func=_cmd_query)

    v = sub.add_parser("view", help="write the offline HTML viewer of a graph")
    v.add_argument("graph")
    v.add_argument("-o", "--output", default="graph.html")
    v.add_argument("--title", default="gongan-kg")
    v.set_defaults(func=_cmd_view)

    e = sub.add_parser("eval", help="precision/recall/F1 of a graph against gold annotations")
    e.add_argument("gold", help="folder of gold .json files")
    e.add_argument("graph")
    e.add_argument("--ontology", help="ontology file (default: the packaged ontology/kg.ttl)")
    e.add_argument("--detail", action="store_true", help="list missed and false items")
    e.add_argument("--per-article", action="store_true", help="a table per article")
    e.add_argument("--json", action="store_true")
    e.add_argument("--figures", help="also score dates and observations against this folder of *.figures.json "
                                     "(a GOLD folder holding only *.figures.json is scored that way alone)")
    e.set_defaults(func=_cmd_eval)

    va = sub.add_parser("validate", help="check a graph against the SHACL shapes (exit 0/1/2)")
    va.add_argument("graph")
    va.add_argument("--shapes", help="shapes file (default: ontology/shapes.ttl)")
    va.set_defaults(func=_cmd_validate)

    from .export import EXPORTS, all_formats

    x = sub.add_parser("export", help="export a graph as jsonld, nt, nq, trig, ttl or graphml")
    x.add_argument("graph")
    x.add_argument("--format", required=True, choices=all_formats())
    x.add_argument("--what", choices=sorted(EXPORTS), default="graph",
                   help="what to export (default: the graph itself)")
    x.add_argument("-o", "--output", help="output file (default: standard output)")
    x.set_defaults(func=_cmd_export)

    s = sub.add_parser("serve", help="serve a graph over the SPARQL 1.1 Protocol, with the viewer")
    s.add_argument("source", help="graph file or Oxigraph store folder")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=7878)
    s.add_argument("--viewer-port", type=int, default=None)
    s.add_argument("--store", help="keep the loaded store in this folder")
    s.add_argument("--writable", action="store_true", help="accept SPARQL Update (read-only by default)")
    s.add_argument("--no-viewer", action="store_true", help="serve only the SPARQL endpoint")
    s.add_argument("--timeout", type=float, default=30.0, help="seconds per query (default 30)")
    s.add_argument("--max-result-mb", type=float, default=64.0,
                   help="largest result sent, in MiB (default 64)")
    s.add_argument("--allow-federation", action="store_true",
                   help="let queries use SERVICE (requests to other servers); refused by default")
    s.set_defaults(func=_cmd_serve)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except KGError as e:
        print(f"kg {args.command}: error: {e}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print(f"kg {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as e:   # a bug: say so in one line; KG_DEBUG=1 shows the traceback
        if os.environ.get("KG_DEBUG"):
            raise
        print(f"kg {args.command}: internal error: {type(e).__name__}: {e} "
              "(run with KG_DEBUG=1 for the traceback)", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
