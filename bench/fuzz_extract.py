"""Fuzz reading and extraction with mutated articles, in one process (issue 9).

usage: python bench/fuzz_extract.py [--inputs 10000] [--seed N] [--corpus DIR ...] [--save DIR]

Each input is an article (seeds/*.txt and any --corpus folder) with random mutations: lines
shuffled; quotes, brackets, control, zero-width and RTL characters, emoji, titles inserted;
stretches repeated up to 40 times; truncated anywhere.  Every input goes through
kg.ingest.document_from_text and kg.extract.extract_document.  Prints the number of exceptions
(by place in the code; with --save the first input of each kind is written there) and the CPU
time per input: mean, 99th percentile and the worst, per 1,000 characters.
Exit status 1 if any input raised.
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

from kg.extract import extract_document, warm_up  # noqa: E402
from kg.ingest import document_from_text  # noqa: E402

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
    per_kchar: list[float] = []
    for n in range(args.inputs):
        text = mutate(rng.choice(articles), rng)
        t0 = time.process_time()
        try:
            extract_document(document_from_text(text, doc_id="fuzz"))
        except Exception as e:  # noqa: BLE001 - counting every failure is the point
            tb = traceback.extract_tb(e.__traceback__)[-1]
            key = f"{type(e).__name__} at {Path(tb.filename).name}:{tb.lineno}"
            if key not in errors and args.save:
                args.save.mkdir(parents=True, exist_ok=True)
                (args.save / f"failure_{len(errors)}.txt").write_text(text, encoding="utf-8", errors="surrogatepass")
            errors[key] += 1
        per_kchar.append(1000 * (time.process_time() - t0) / max(1, len(text)) * 1000)
    per_kchar.sort()
    mean = sum(per_kchar) / len(per_kchar)
    p99 = per_kchar[int(0.99 * (len(per_kchar) - 1))]
    print(f"inputs: {args.inputs}, exceptions: {sum(errors.values())}")
    for key, count in errors.most_common():
        print(f"  {count:6d}  {key}")
    print(f"CPU per 1,000 characters: mean {mean:.1f} ms, p99 {p99:.1f} ms, worst {per_kchar[-1]:.1f} ms")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
