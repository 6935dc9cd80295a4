"""The naive baseline the benchmark compares `kg build` with: jieba POS tags as "NER".

usage: python bench/baseline.py CORPUS_DIR OUT.json

Reads every *.txt in CORPUS_DIR (UTF-8), runs jieba.posseg.cut over the whole text and
counts the words tagged nr (person), ns (place) and nt (organisation).  No types of ours,
no relations, no graph: it is the floor any extractor has to be compared with.
"""
from __future__ import annotations

import json
import logging
import sys
from collections import Counter
from pathlib import Path

FLAGS = ("nr", "ns", "nt")


def run(corpus: Path, out: Path) -> dict:
    import jieba
    import jieba.posseg as pseg

    jieba.setLogLevel(logging.WARNING)
    counts = {f: Counter() for f in FLAGS}
    files = sorted(corpus.glob("*.txt"))
    for f in files:
        text = f.read_text(encoding="utf-8")
        for w in pseg.cut(text):
            if w.flag in counts:
                counts[w.flag][w.word] += 1
    result = {"articles": len(files),
              "mentions": {f: sum(c.values()) for f, c in counts.items()},
              "distinct": {f: len(c) for f, c in counts.items()},
              "top": {f: c.most_common(20) for f, c in counts.items()}}
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    return result


def main(argv=None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    corpus, out = Path(args[0]), Path(args[1])
    if not corpus.is_dir():
        print(f"{corpus}: not a folder", file=sys.stderr)
        return 1
    r = run(corpus, out)
    print(f"{r['articles']} articles; mentions {r['mentions']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
