"""When: the article's publication date, the period a review covers, and the periods sentences
name (今年以来, 去年, 近三年, 2019年上半年) resolved against them.

The date is read from the text only (kg/resources/date_lines.jsonl): a 发布时间 line, a stamp on a
header or footer line (2019-12-06 12:34, 06.12.2019, 2019年12月6日 on a short line), or a dateline
(新华社某地5月8日电, 本报讯…2月12日) whose year, when not written, is the latest year the text
names (a review of year Y is published after it: Y+1).  No date in the text: no date.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from .. import lexicon
from ..errors import ResourceError
from ..model import DocDate, Document

KINDS = ("published", "stamp", "dateline")
PERIOD_KINDS = ("ytd", "this_year", "whole_year", "new_year", "year_turn", "last_year", "since_last_year", "h1", "h2", "past_year", "past_years")

# Years the text names: 2019年, and the year in a campaign name (“昆仑2020”, 净网2019); not case
# codes (“2019.2.23”) or dates in digits.
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?=年)|(?:(?<=[\u4e00-\u9fff])|(?<=[\u4e00-\u9fff]-))((?:19|20)\d{2})"
                   r"(?=[”\"」』)）\s]|专项|行动|战役|集群|$)")


@lru_cache(maxsize=1)
def date_lines() -> tuple[dict, ...]:
    rows = lexicon.patterns("date_lines.jsonl")
    for r in rows:
        if r.get("kind") not in KINDS:
            raise ResourceError(f"{lexicon.RESOURCE_DIR / 'date_lines.jsonl'}: kind {r.get('kind')!r} "
                                f"is not one of {', '.join(KINDS)}")
        missing = {"m", "d"} - set(r["regex"].groupindex)
        if missing:
            raise ResourceError(f"{lexicon.RESOURCE_DIR / 'date_lines.jsonl'}: pattern {r['pattern']!r} "
                                f"lacks the group(s) {', '.join(sorted(missing))}")
    return tuple(sorted(rows, key=lambda r: KINDS.index(r["kind"])))


@lru_cache(maxsize=1)
def period_words() -> dict[str, tuple[str, int]]:
    out = {}
    path = lexicon.RESOURCE_DIR / "period_words.tsv"
    for row in lexicon.table("period_words.tsv", ("word", "kind", "n")):
        if row["kind"] not in PERIOD_KINDS:
            raise ResourceError(f"{path}: {row['word']}: kind {row['kind']!r} is not one of {', '.join(PERIOD_KINDS)}")
        if row["kind"] == "past_years" and not row["n"].isdigit():
            raise ResourceError(f"{path}: {row['word']}: past_years needs a number of years")
        if row["word"] in out:
            raise ResourceError(f"{path}: duplicate word {row['word']!r}")
        out[row["word"]] = (row["kind"], int(row["n"]) if row["n"].isdigit() else 0)
    return out


@lru_cache(maxsize=1)
def covers_lines() -> tuple[dict, ...]:
    rows = lexicon.patterns("covers_lines.jsonl")
    for r in rows:
        groups = set(r["regex"].groupindex)
        if not groups & {"y", "rel"}:
            raise ResourceError(f"{lexicon.RESOURCE_DIR / 'covers_lines.jsonl'}: pattern {r['pattern']!r} "
                                "needs a group y or rel")
    return rows


@lru_cache(maxsize=1)
def _period_re() -> re.Pattern:
    words = lexicon.alternation(period_words())
    y = r"(?<![\d.])(?P<y>(?:19|20)\d{2})"
    return re.compile(
        rf"自(?P<y4>(?:19|20)\d{{2}})年(?:(?P<m4>\d{{1,2}})月)?[^，。；\d]{{0,30}}?以来"
        rf"|{y}年(?P<m>\d{{1,2}})月(?:份)?(?P<ms>以来)?(?!\d{{0,2}}日)"
        rf"|{y.replace('P<y>', 'P<y2>')}年(?:度)?(?:(?P<half>上半年|下半年)|(?P<since>以来|来))?(?![\d月])"
        rf"|(?:(?P<rel3>今年|去年)|(?<![\d年]))(?P<m3>\d{{1,2}})月(?:份)?(?:以来|起)"
        rf"|(?P<w>{words})")


# ---------------------------------------------------------------- the calendar of an article

@dataclass(frozen=True)
class Calendar:
    """What relative periods are resolved against: the date (y, m, d; d or m may be 0 when the
    date is less precise) and the reviewed period."""
    year: int = 0
    month: int = 0
    covers: str | None = None
    context_year: int = 0   # without a date: the reviewed year, else the latest year named

    @property
    def ref_year(self) -> int:
        return self.year or self.context_year

    def resolve(self, kind: str, n: int = 0) -> str | None:
        y = self.ref_year
        if not y:
            return None
        if kind == "this_year":
            return str(y)
        if kind == "year_turn":   # 岁末年初: from December of the year before to the date
            return f"{y - 1}-12/{y}-{self.month:02d}" if self.year and self.month and self.month <= 3 else None
        if kind == "new_year":   # 元旦: the January of the article's year
            return f"{y}-01"
        if kind == "whole_year":   # 全年: the reviewed year in a review, else this year
            return self.covers if _is_year(self.covers) else str(y)
        if kind == "last_year":
            return str(y - 1) if self.year else (self.covers if _is_year(self.covers) else None)
        if kind == "ytd":
            return span(f"{y}-01", f"{y}-{self.month:02d}") if self.year and self.month else str(y)
        if kind == "since_last_year":
            return span(f"{y - 1}-01", f"{y}-{self.month:02d}") if self.year and self.month else None
        if kind in ("h1", "h2"):
            return f"{y}-01/{y}-06" if kind == "h1" else f"{y}-07/{y}-12"
        if kind == "past_year":
            return f"{y - 1}-{self.month:02d}/{y}-{self.month:02d}" if self.year and self.month else None
        if kind == "past_years":
            if _is_year(self.covers):
                c = int(self.covers)
                return span(f"{c - n + 1}-01", f"{c}-12")
            if self.year and self.month:
                return span(f"{y - n + 1}-01", f"{y}-{self.month:02d}")
            return None
        return None

    def since(self, year: int, month: int = 1) -> str | None:
        """From a month to now (2019年以来, 3月以来)."""
        if self.year and self.month:
            return span(f"{year}-{month:02d}", f"{self.year}-{self.month:02d}")
        if _is_year(self.covers):
            return span(f"{year}-{month:02d}", f"{self.covers}-12")
        return None


def _is_year(s) -> bool:
    return bool(s) and len(s) == 4 and s.isdigit()


def span(a: str, b: str) -> str:
    """A period from month a to month b; a whole calendar year is written as the year."""
    if a[:4] == b[:4] and a.endswith("-01") and b.endswith("-12"):
        return a[:4]
    return a if a == b else f"{a}/{b}"


@lru_cache(maxsize=1)
def _period_hint() -> re.Pattern:
    """What every period _period_re reads contains: 年, 月 or a period word."""
    return re.compile("年|月|" + lexicon.alternation(period_words()))


def find_periods(text: str, cal: Calendar) -> list[tuple[int, int, str | None]]:
    """The periods a sentence names, resolved: (start, end, period or None if unknowable)."""
    out = []
    words = period_words()
    if not _period_hint().search(text):
        return out
    for m in _period_re().finditer(text):
        if m.group("y4"):   # 自2014年公安部部署开展“猎狐行动”以来
            mo = int(m.group("m4") or 1)
            val = cal.since(int(m.group("y4")), mo) if 1 <= mo <= 12 else None
        elif m.group("y"):
            y, mo = int(m.group("y")), int(m.group("m"))
            if not 1 <= mo <= 12:
                continue
            val = cal.since(y, mo) if m.group("ms") else f"{y}-{mo:02d}"
        elif m.group("y2"):
            y = int(m.group("y2"))
            if m.group("half"):
                val = f"{y}-01/{y}-06" if m.group("half") == "上半年" else f"{y}-07/{y}-12"
            elif m.group("since"):
                val = cal.since(y) or str(y)
            else:
                val = str(y)
        elif m.group("m3"):   # (今年/去年)3月以来
            mo = int(m.group("m3"))
            y = cal.ref_year - (m.group("rel3") == "去年")
            val = cal.since(y, mo) if cal.ref_year and 1 <= mo <= 12 else None
        else:
            kind, n = words[m.group("w")]
            val = cal.resolve(kind, n)
        out.append((m.start(), m.end(), val))
    return out


# ---------------------------------------------------------------- the date

def _lines(doc: Document) -> list[tuple[int, str]]:
    """(offset, NFKC line) for every non-empty line; NFKC keeps lengths for what we match
    (full-width digits, colons and brackets are one character each)."""
    out, pos = [], 0
    for raw in doc.text.split("\n"):
        if raw.strip():
            n = unicodedata.normalize("NFKC", raw)
            out.append((pos, n if len(n) == len(raw) else raw))
        pos += len(raw) + 1
    return out


def _valid(y: int, m: int, d: int) -> bool:
    import datetime

    try:
        datetime.date(y, m, d)
    except ValueError:
        return False
    return True


def years_named(text: str) -> list[int]:
    return [int(a or b) for a, b in _YEAR.findall(text)]


def read_date(doc: Document) -> DocDate | None:
    """The publication date the text states, or None."""
    lines = _lines(doc)
    for kind in KINDS:
        for rule in (r for r in date_lines() if r["kind"] == kind):
            limit = rule.get("lead")
            for k, (offset, line) in enumerate(lines):
                if limit and k >= limit:
                    break
                if rule.get("max_len") and len(line.strip()) > rule["max_len"]:
                    continue
                m = rule["regex"].search(line)
                if not m:
                    continue
                y = int(m.group("y")) if m.groupdict().get("y") else 0
                mo, d = int(m.group("m")), int(m.group("d"))
                if not y:
                    y = _infer_year(doc, mo)
                    if not y:
                        continue
                if not _valid(y, mo, d):
                    continue
                start, end = offset + m.start(), offset + m.end()
                return DocDate(f"{y:04d}-{mo:02d}-{d:02d}", kind, doc.text[start:end].strip())
    return None


def _infer_year(doc: Document, month: int) -> int:
    """The year of a dateline that gives only month and day: the latest year the text names,
    or the year after a reviewed year (a review of 2014 is published in 2015)."""
    years = [y for y in years_named(doc.text) if 1949 <= y <= 2100]
    if not years:
        return 0
    y = max(years)
    reviewed = read_covers(doc, None)
    if reviewed and reviewed[:4].isdigit() and int(reviewed[:4]) >= y and reviewed == reviewed[:4]:
        return int(reviewed) + 1
    return y


def read_covers(doc: Document, date: DocDate | None) -> str | None:
    """The period an annual or half-year review reports on, when the text says so."""
    cal = Calendar(*_ym(date))
    for s in doc.sentences:
        if s.kind == "residue":
            continue
        text = unicodedata.normalize("NFKC", s.text)
        for rule in covers_lines():
            m = rule["regex"].search(text)
            if not m:
                continue
            if m.groupdict().get("y"):
                y = int(m.group("y"))
            else:
                if not cal.year:
                    continue
                kind, _ = period_words()[m.group("rel")]
                y = cal.year - 1 if kind == "last_year" else cal.year
            if cal.year and not cal.year - 1 <= y <= cal.year:
                continue   # a review is of this year or the last: 1984年, in a 2024 article, is history
            half = rule.get("half")
            if half == 1:
                return f"{y}-01/{y}-06"
            if half == 2:
                return f"{y}-07/{y}-12"
            return str(y)
    return None


def _ym(date: DocDate | None) -> tuple[int, int]:
    if date is None:
        return 0, 0
    parts = date.value.split("-")
    return int(parts[0]), int(parts[1]) if len(parts) > 1 else 0


def calendar(doc: Document, date: DocDate | None, covers: str | None) -> Calendar:
    y, m = _ym(date)
    ctx = 0
    if not y:
        if covers and covers[:4].isdigit():
            ctx = int(covers[-4:]) if "/" not in covers else int(covers[-7:-3])
        else:
            named = [v for v in years_named(doc.text) if 1949 <= v <= 2100]
            ctx = max(named) if named else 0
    return Calendar(y, m, covers, ctx)


def date_article(doc: Document) -> tuple[DocDate | None, str | None, Calendar]:
    """The article's date, the period it reviews, and the calendar for its relative periods."""
    date = read_date(doc)
    covers = read_covers(doc, date)
    return date, covers, calendar(doc, date, covers)
