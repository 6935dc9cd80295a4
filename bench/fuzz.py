"""Fuzz the whole per-article pipeline with mutated articles, in one process (issue 9).

usage: python bench/fuzz.py [--inputs 10000] [--seed N] [--corpus DIR ...] [--save DIR]

Each input is an article (seeds/*.txt and any --corpus folder) with random mutations: lines
shuffled; quotes, brackets, control, zero-width and RTL characters, emoji, titles inserted;
stretches repeated up to 40 times; truncated anywhere; and written in UTF-8, GB18030 or UTF-16.
Every input goes through the map step of a build as bytes (kg.pipeline.process_article: decode,
split, extract, its share of the graph); its Turtle and the viewer's N-Triples must parse with
Oxigraph, and every 200 inputs the merged graph of the last 200 (kg.pipeline.graph_bytes) must
parse with rdflib and Oxigraph.  Counts exceptions (by place in the code; with --save the first
input of each kind is written there), articles reported as failures (an input that is empty or
binary is a fair failure; anything else in the extract or graph stage is counted as an error),
outputs that do not parse, and the CPU time per input: mean, 99th percentile and the worst, per
1,000 characters.  Exit status 1 if any input raised, failed outside reading, or did not parse.
"""
from __future__ import annotations

import argparse
import random
import sys
import time
import traceback
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pyoxigraph as ox  # noqa: E402
import rdflib  # noqa: E402

from kg import rdf  # noqa: E402
from kg.extract import extract_document, warm_up  # noqa: E402
from kg.ingest import decode_bytes, document_from_text  # noqa: E402
from kg.model import Failure  # noqa: E402
from kg.pipeline import graph_bytes, process_article  # noqa: E402
from kg.workstore import unpack_turtle  # noqa: E402

INSERTS = ['"', "'", "“", "”", "《", "》", "（", "）", "(", ")", "【", "】", "\x00", "\x01", "\x1b[31m",
           "\u200b", "\u200d", "\u202e", "\ufeff", "😀", "👮‍♂️", "\n", "\n\n", "\r", "\u2028", "\x85", "。",
           "，", "、", "：", "·", "—", " ", "\t", "\u3000", "某", "局长", "公安局", "派出所", "专项行动",
           "记者", "三等功", "“7·12”案"]


def mutate(text: str, rng: random.Random) -> str:
    if rng.random() < 0.2:
        lines = text.split("\n")
        rng.shuffle(lines)
        text = "\n".join(lines)
    for _ in range(rng.randrange(1, 8)):
        k = rng.randrange(len(text) + 1)
        r = rng.random()
        if r < 0.6:
            text = text[:k] + rng.choice(INSERTS) * rng.choice([1, 1, 2, 5, 50]) + text[k:]
        elif r < 0.75:
            text = text[:k]
        else:
            j = min(len(text), k + rng.randrange(1, 30))
            text = text[:k] + text[k:j] * rng.randrange(2, 40) + text[j:]
    return text or "。"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--inputs", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=9)
    ap.add_argument("--corpus", type=Path, nargs="*", default=[], help="more articles to mutate")
    ap.add_argument("--save", type=Path, help="write the first input of each failure here")
    args = ap.parse_args(argv)
    files = sorted((ROOT / "seeds").glob("*.txt")) + [f for d in args.corpus for f in sorted(d.glob("*.txt"))]
    articles = [f.read_text(encoding="utf-8", errors="replace") for f in files]
    rng = random.Random(args.seed)
    warm_up()
    errors: Counter = Counter()
    failures: Counter = Counter()
    unparsed = 0
    per_kchar: list[float] = []
    batch: list = []

    def record(key: str, text: str) -> None:
        if key not in errors and args.save:
            args.save.mkdir(parents=True, exist_ok=True)
            (args.save / f"failure_{len(errors)}.txt").write_text(text, encoding="utf-8", errors="surrogatepass")
        errors[key] += 1

    for n in range(args.inputs):
        text = mutate(rng.choice(articles), rng)
        enc = rng.choice(["utf-8", "utf-8", "utf-8", "gb18030", "utf-16-le", "utf-16"])
        data = text.encode(enc, errors="replace")
        t0 = time.process_time()
        try:
            part = process_article(data, f"fuzz{n}.txt", f"fuzz{n}")
        except Exception as e:  # noqa: BLE001 - process_article must never raise: count it
            tb = traceback.extract_tb(e.__traceback__)[-1]
            record(f"{type(e).__name__} at {Path(tb.filename).name}:{tb.lineno}", text)
            continue
        per_kchar.append(1000 * (time.process_time() - t0) / max(1, len(text)) * 1000)
        if isinstance(part, Failure):
            failures[part.stage] += 1
            if part.stage != "read":
                record(f"{part.stage}: {part.reason[:80]}", text)
            continue
        try:
            list(ox.parse(rdf.HEADER + unpack_turtle(part), format=ox.RdfFormat.TURTLE))
        except SyntaxError:
            unparsed += 1
            record("output does not parse", text)
        try:
            batch.append(extract_document(document_from_text(decode_bytes(data, "x")[0], doc_id=f"fuzz{n}")))
        except Exception:  # noqa: BLE001 - already counted above if it raises
            pass
        if len(batch) >= 200 or n == args.inputs - 1:
            ttl, trig = graph_bytes(batch)
            try:
                rdflib.Graph().parse(data=ttl, format="turtle")
                rdflib.Dataset().parse(data=trig, format="trig")
                list(ox.parse(trig, format=ox.RdfFormat.TRIG))
            except Exception:  # noqa: BLE001
                unparsed += 1
                record("merged output does not parse", "")
            batch = []
    per_kchar.sort()
    mean = sum(per_kchar) / len(per_kchar)
    p99 = per_kchar[int(0.99 * (len(per_kchar) - 1))]
    print(f"inputs: {args.inputs}, errors: {sum(errors.values())}, unparsed outputs: {unparsed}, "
          f"articles reported as failures: {dict(sorted(failures.items()))}")
    for key, count in errors.most_common():
        print(f"  {count:6d}  {key}")
    print(f"CPU per 1,000 characters: mean {mean:.1f} ms, p99 {p99:.1f} ms, worst {per_kchar[-1]:.1f} ms")
    return 1 if errors or unparsed else 0


if __name__ == "__main__":
    sys.exit(main())
