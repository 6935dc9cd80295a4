"""Reading articles: files -> decoded text -> sentences (the first pipeline stage).

`scan_inputs` finds the article files and reports the paths it cannot read (`collect_inputs`
is its strict form), `safe_name` shows any file name as printable text, `decode_bytes` turns
bytes into text, and `document_from_text` / `read_document` split the text into `Sentence`s:

* Line breaks inside a sentence (OCR'd newspaper columns break inside words, even across blank
  lines) are undone; `Sentence.text` has them removed and `Sentence.gaps` records where, so
  `original_span` maps any span of `Sentence.text` back to `Document.text`.
* Boundaries come from evidence: sentence-final punctuation (。！？!?…), heading-shaped lines,
  the typical line width of the block, bylines, captions and web residue.
* Sentences are split at 。！？!?… (closing quotes and brackets stay with the sentence); very long
  ones without final punctuation are split at ；, and none is longer than MAX_SENTENCE (split
  after a comma or space, else hard), so the grammar's work per sentence is bounded.
* Each sentence has a kind: heading, byline, caption, residue (web-page boilerplate, see
  kg/resources/boilerplate.jsonl) or body.  Line patterns live in kg/resources/ingest_lines.jsonl.

Everything is regex- and line-based, linear in the size of the text (no pattern can backtrack
over a run of the same character: tests/test_extract_bounds.py checks them).
"""
from __future__ import annotations

import bisect
import codecs
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from .errors import InputError
from .lexicon import patterns, translator
from .model import Document, Sentence

BOILERPLATE = "boilerplate.jsonl"
LINE_KINDS = "ingest_lines.jsonl"

# --- tunables (line widths are display widths: CJK = 2, ASCII = 1) -------------------------
HEADING_MAX_CHARS = 40       # a heading-shaped line is at most this long
SHORT_HEADING_RATIO = 0.8    # a heading is clearly shorter than the text that follows it
SHORT_LINE_RATIO = 0.6       # an unpunctuated line this much shorter than its block ends a paragraph
TITLE_WIDTH_TOLERANCE = 0.15  # a lone first line this close to the column width is not a title
LONG_LINE_WIDTH = 100        # a line this wide is a web paragraph, not a column line
LONG_SENTENCE = 150          # sentences longer than this are split at ；
MAX_SENTENCE = 1000          # no sentence is longer: longer runs are split (see _cap)
LIST_ITEM_MAX = 40           # lines after a 相关新闻 header this short are residue links
TAIL_ITEM_MAX = 30           # unpunctuated lines after the last sentence this short are captions
CONTROL_RATIO = 0.1          # more control characters than this: a binary file

# --- character classes -------------------------------------------------------------------
_FINAL = r"(?:[。！？!?｡…]|\.{3,})"
_FINAL_CHARS = ("。", "！", "？", "!", "?", "｡", "…", "...")
_CLOSE = r"[”’」』）)\]】》〉\"'»]"
_CLOSE_CHARS = "”’」』）)]】》〉\"'»"
_ENDS_SOFT = re.compile(r"[，,、；;：:—\-–～~“‘「『《〈（(【\[]$")
_STARTS_CLOSE = re.compile(r"^" + _CLOSE)
_PUNCT = re.compile(r"[，,、；;：:。！？!?｡…“”‘’「」『』《》（）()【】\[\]—]")
# possessive: a run of final marks is read once (a line of 40,000 。 or dots stays linear)
_SENTENCE = re.compile(r".*?(?:" + _FINAL + "++" + _CLOSE + "*+|$)", re.S)
_SEMICOLON = re.compile(r".*?(?:[；;]|$)", re.S)
_SPACED_HEADLINE = re.compile(r"\S(?: {2,}|\u3000+|\t+)\S")
_MD_HEADING = re.compile(r"#{1,6}[ \t\u3000]*")  # used with match(pos): no ^
# White space (and its HTML entities) trimmed from both ends of a line.
_WS = r"(?:[ \t\f\v\u00a0\u2000-\u200b\u202f\u205f\u3000\ufeff]|&(?:nbsp|ensp|emsp|thinsp);|&#(?:160|12288|x[aA]0|x3000);)"
_LEAD_WS = re.compile(_WS + "+")
_WS_CHARS = " \t\f\v\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u200b\u202f\u205f\u3000\ufeff"
_WS_ENTITIES = ("&nbsp;", "&ensp;", "&emsp;", "&thinsp;", "&#160;", "&#12288;", "&#xa0;", "&#xA0;", "&#x3000;")
# Removed inside a line: white-space entities, the "amp;" of "&amp;" (the "&" stays) and the
# letter-spacing of justified text ("有 效 警 情" -> "有效警情", at least four spaced characters).
_REMOVE = re.compile(r"&(?:nbsp|ensp|emsp|thinsp);|&#(?:160|12288|x[aA]0|x3000);|(?<=&)amp;")
_CJK = "\u3400-\u9fff\uf900-\ufaff"
_LETTER_SPACED = re.compile(f"(?:[{_CJK}][ \u3000](?=[{_CJK}])){{3,}}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_PLAUSIBLE = re.compile(f"[{_CJK}\u3000-\u303f\uff00-\uffef\u2010-\u2027\x20-\x7e\\s]")
_line_breaks = translator(str.maketrans({"\r": "\n", "\u2028": "\n", "\u2029": "\n", "\x85": "\n"}))

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_CHINESE = {"gbk", "gb2312", "gb18030", "hz", "cp936", "euc_cn", "iso2022_cn", "big5hkscs"}


# ============================================================================ names

def safe_name(name: str | bytes | os.PathLike) -> str:
    """A file name (or path) as printable text, safe to echo to a terminal and to use in
    identifiers: bytes that are not UTF-8 (a GBK name from a Windows zip on Linux) are read as
    GB18030 when they decode so, else shown as \\xNN; control, format and other invisible
    characters (terminal escape codes, RTL overrides) are shown as \\xNN / \\uNNNN."""
    raw = os.fsencode(name)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = raw.decode("gb18030")
        except UnicodeDecodeError:
            text = raw.decode("utf-8", "backslashreplace")
    return "".join(_escape_char(ch) for ch in text)


def _escape_char(ch: str) -> str:
    if ch.isprintable() or ch == " ":
        return ch
    o = ord(ch)
    return f"\\x{o:02x}" if o < 0x100 else f"\\u{o:04x}" if o < 0x10000 else f"\\U{o:08x}"


# ============================================================================ inputs

@dataclass
class InputScan:
    """What `scan_inputs` found: the article files (sorted, without duplicates) and the
    problems met on the way, as (path shown with safe_name, reason) pairs."""
    files: list[Path]
    problems: list[tuple[str, str]]


def _as_path(p) -> Path:
    return Path(os.fsdecode(p)) if isinstance(p, bytes) else Path(p)


def scan_inputs(paths: Iterable[str | bytes | Path] | str | bytes | Path) -> InputScan:
    """The article files named by `paths`: files as given, folders searched recursively for
    *.txt (any case; hidden files and folders skipped; symbolic links to folders not
    followed).  A path that does not exist or is not a file or folder, and a folder that
    cannot be read, is a problem, reported by name; the rest is still collected.  (A file
    that cannot be read is collected: read_document reports it, as an article that failed.)
    Never raises for a bad path (see collect_inputs for the strict form)."""
    if isinstance(paths, (str, bytes, Path)):
        paths = [paths]
    found: set[Path] = set()
    problems: list[tuple[str, str]] = []

    def problem(p, reason):
        problems.append((safe_name(p), reason))

    for p in map(_as_path, paths):
        if not p.exists():
            problem(p, "no such file or folder")
        elif p.is_dir():
            def unreadable(err: OSError):
                problem(err.filename or p, f"cannot read folder ({err.strerror or err})")
            for root, dirs, files in os.walk(p, onerror=unreadable):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in files:
                    f = Path(root, name)
                    if not name.startswith(".") and f.suffix.lower() == ".txt" and f.is_file():
                        found.add(f.resolve())
        elif p.is_file():
            found.add(p.resolve())
        else:
            problem(p, "not a regular file or folder")
    return InputScan(sorted(found), problems)


def collect_inputs(paths: Iterable[str | bytes | Path] | str | bytes | Path) -> list[Path]:
    """The article files named by `paths` (as scan_inputs), strictly: raises InputError naming
    the first problem (a path that does not exist, an unreadable folder), or when nothing is
    found at all."""
    if isinstance(paths, (str, bytes, Path)):
        paths = [paths]
    paths = list(paths)
    scan = scan_inputs(paths)
    if scan.problems:
        name, reason = scan.problems[0]
        more = f" (and {len(scan.problems) - 1} more)" if len(scan.problems) > 1 else ""
        raise InputError(f"{name}: {reason}{more}")
    if not scan.files:
        names = ", ".join(safe_name(p) for p in paths) or "(no paths given)"
        raise InputError(f"no .txt articles found in {names}")
    return scan.files


# ============================================================================ decoding

def _plausibility(text: str) -> float:
    """Share of characters that are CJK, ASCII, white space or CJK punctuation."""
    if not text:
        return 0.0
    return len(_PLAUSIBLE.findall(text)) / len(text)


def _utf16_orders(data: bytes) -> tuple[str, ...]:
    """BOM-less UTF-16 byte orders worth trying, the likelier first: NUL bytes on odd offsets
    are ASCII in little-endian order (on even offsets, big-endian)."""
    if len(data) % 2:
        return ()
    even = data[0::2].count(0)
    odd = data[1::2].count(0)
    return ("utf-16-le", "utf-16-be") if odd >= even else ("utf-16-be", "utf-16-le")


def _finish(text: str, name: str, encoding: str) -> tuple[str, str]:
    text = _line_breaks(text.replace("\r\n", "\n"))
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise InputError(f"{name}: empty file (only white space)")
    if "\x00" in text:
        raise InputError(f"{name}: binary file (contains NUL characters)")
    if len(_CONTROL.findall(text)) > CONTROL_RATIO * len(text):
        raise InputError(f"{name}: binary file (mostly control characters)")
    return text, encoding


def decode_bytes(data: bytes, name: str) -> tuple[str, str]:
    """Decode an article's bytes: (text, encoding name).

    Order: byte-order marks (UTF-8, UTF-16 LE/BE, UTF-32), then strict UTF-8, then
    charset-normalizer's guess weighed against GB18030 (GBK/GB2312 guesses become gb18030, a
    superset; when the guess is not a Chinese encoding, GB18030 wins if it decodes strictly and
    reads at least as plausibly).  Line endings \\r\\n and \\r become \\n; nothing else changes.

    Raises InputError(f"{name}: ...") for empty, binary or undecodable data.
    """
    if not data.strip():
        raise InputError(f"{name}: empty file")
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom):].decode(enc)
            except UnicodeDecodeError as e:
                if enc.startswith("utf-32"):
                    continue  # FF FE 00 00 may be UTF-16 LE with a leading NUL
                raise InputError(f"{name}: cannot decode as {enc} despite its byte-order mark "
                                 f"({e.reason} at byte {e.start})") from None
            return _finish(text, name, enc)
    if b"\x00" in data:
        # UTF-16 without a byte-order mark: NUL bytes are the high bytes of ASCII characters
        # and of some CJK ones (开 is U+5F00): try both byte orders, the likelier first
        best = (0.0, "", "")
        for enc in _utf16_orders(data):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError:
                continue
            best = max(best, (_plausibility(text), enc, text))
        if best[0] > 0.9:
            return _finish(best[2], name, best[1])
        raise InputError(f"{name}: binary file (contains NUL bytes)")
    try:
        return _finish(data.decode("utf-8"), name, "utf-8")
    except UnicodeDecodeError:
        pass
    candidates: list[tuple[float, int, str, str]] = []
    try:
        from charset_normalizer import from_bytes
        best = from_bytes(data).best()
    except Exception:  # the detector is a heuristic: never let it crash a build
        best = None
    guessed = None
    if best is not None and best.encoding:
        try:
            guessed = codecs.lookup(best.encoding).name.replace("-", "_")
        except LookupError:   # a name the detector knows and Python does not
            guessed = None
        if guessed in _CHINESE and guessed != "big5hkscs":
            guessed = "gb18030"
    for rank, enc in ((1, guessed), (0, "gb18030")):
        if not enc:
            continue
        try:
            text = data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
        candidates.append((_plausibility(text), rank, enc, text))
    if not candidates:
        raise InputError(f"{name}: cannot decode the text (not UTF-8, not GB18030, "
                         "and no other encoding detected)")
    score, _, enc, text = max(candidates)
    if score < 0.5:
        raise InputError(f"{name}: cannot decode the text (best guess {enc} gives mostly "
                         "unreadable characters)")
    return _finish(text, name, codecs.lookup(enc).name)


# ============================================================================ lines

@dataclass
class _Line:
    start: int                  # content span in the document (margins and '#' removed)
    end: int
    segs: list[tuple[int, int]]  # kept pieces of the content (internal removals taken out)
    text: str                   # the kept text
    blank_before: int           # blank lines between this and the previous content line
    md_heading: bool = False
    kind: str = ""              # residue | byline | heading | caption | "" (decided later)
    width: int = 0
    blank_after: int = 0
    final: bool = False         # ends with sentence-final punctuation
    soft: bool = False          # ends with a comma-like mark or an opening bracket
    list_header: bool = False
    caption_start: bool = False  # starts a photo caption (①…, 图为…)


def _width(s: str) -> int:
    narrow = len(s.encode("latin-1", "ignore"))
    return 2 * len(s) - narrow


def _kept_segments(doc: str, start: int, end: int) -> list[tuple[int, int]]:
    """Pieces of doc[start:end] left after internal removals (entities, letter-spacing)."""
    line = doc[start:end]
    cuts = [(m.start(), m.end()) for m in _REMOVE.finditer(line)]
    for m in _LETTER_SPACED.finditer(line):
        cuts.extend((i, i + 1) for i in range(m.start() + 1, m.end(), 2))
    if not cuts:
        return [(start, end)]
    cuts.sort()
    segs, pos = [], 0
    for a, b in cuts:
        if a > pos:
            segs.append((start + pos, start + a))
        pos = max(pos, b)
    if pos < len(line):
        segs.append((start + pos, end))
    return segs


def _trail_ws_start(doc: str, start: int, end: int) -> int:
    """Where the white space (and white-space entities) at the end of doc[start:end] begins;
    read from the end, so a long run inside a line costs nothing."""
    while end > start:
        if doc[end - 1] in _WS_CHARS:
            end -= 1
            continue
        ent = next((e for e in _WS_ENTITIES if doc.endswith(e, start, end)), None) if doc[end - 1] == ";" else None
        if ent is None:
            break
        end -= len(ent)
    return end


def _ends_final(t: str) -> bool:
    """The line ends with sentence-final punctuation, maybe followed by closing marks."""
    return t.rstrip(_CLOSE_CHARS).endswith(_FINAL_CHARS)


def _split_lines(doc: str) -> list[_Line]:
    lines: list[_Line] = []
    blank = 1  # the document start counts as a blank line
    pos = 0
    for raw in doc.split("\n"):
        start, end = pos, pos + len(raw)
        pos = end + 1
        m = _LEAD_WS.match(doc, start, end)
        if m:
            start = m.end()
        end = _trail_ws_start(doc, start, end)
        md = False
        m = _MD_HEADING.match(doc, start, end)
        if m:
            md, start = True, m.end()
        if start >= end:
            blank += 1
            continue
        segs = _kept_segments(doc, start, end)
        text = "".join(doc[a:b] for a, b in segs)
        if not text.strip():
            blank += 1
            continue
        if lines:
            lines[-1].blank_after = blank
        lines.append(_Line(start, end, segs, text, blank, md))
        blank = 0
    if lines:
        lines[-1].blank_after = blank + 1  # the document end counts as a blank line
    return lines


# ============================================================================ classification

@dataclass
class _Rules:
    residue: list = field(default_factory=list)   # (regex, is_list_header)
    byline: list = field(default_factory=list)
    byline_inline: list = field(default_factory=list)
    heading: list = field(default_factory=list)
    caption: list = field(default_factory=list)
    title_actor: list = field(default_factory=list)


_RULES: _Rules | None = None


def _rules() -> _Rules:
    global _RULES
    if _RULES is None:
        r = _Rules()
        for p in patterns(BOILERPLATE):
            r.residue.append((p["regex"], bool(p.get("list"))))
        for p in patterns(LINE_KINDS):
            kind = p.get("kind")
            if kind not in ("byline", "byline_inline", "heading", "caption", "title_actor"):
                from .errors import ResourceError
                raise ResourceError(f"{LINE_KINDS}: pattern {p['pattern']!r} has unknown kind {kind!r}")
            getattr(r, kind).append(p["regex"])
        _RULES = r
    return _RULES


def _any(regexes, text: str) -> bool:
    return any(rx.search(text) for rx in regexes)


def _median(values: list[int]) -> float:
    values = sorted(values)
    return float(values[len(values) // 2]) if values else 0.0


def _block_width(lines: list[_Line], i: int, span: int = 4, before: bool = True) -> float:
    """Typical width of the column around line i: the upper quartile of its plain neighbours
    (paragraph-end lines are short, so the median would be too low), not crossing headings.
    With before=False: line i and the lines after it."""
    ws: list[int] = []
    if not before and not lines[i].kind:
        ws.append(lines[i].width)
    for step in ((-1, 1) if before else (1,)):
        j, n = i + step, 0
        while 0 <= j < len(lines) and n < span:
            if lines[j].kind:
                break
            ws.append(lines[j].width)
            j += step
            n += 1
    if not ws:
        return 0.0
    ws.sort()
    return float(ws[(3 * len(ws)) // 4 if len(ws) > 1 else 0])


def _classify(lines: list[_Line]) -> None:
    rules = _rules()
    # 1. line patterns: residue, bylines, explicit headings
    in_list = False
    for ln in lines:
        t = ln.text.strip()
        ln.width = _width(t)
        ln.final = _ends_final(t)
        ln.soft = bool(_ENDS_SOFT.search(t))
        if in_list and len(t) <= LIST_ITEM_MAX and not ln.md_heading:
            ln.kind = "residue"
            continue
        in_list = False
        for rx, is_list in rules.residue:
            if rx.search(t):
                ln.kind, ln.list_header = "residue", is_list
                in_list = is_list
                break
        if ln.kind:
            continue
        ln.caption_start = _any(rules.caption, t)
        if ln.md_heading:
            ln.kind = "heading"
        elif _any(rules.byline, t):
            ln.kind = "byline"
        elif _any(rules.heading, t):
            ln.kind = "heading"

    # 2. the title block (the first lines, after any web residue), then heading-shaped lines
    n = len(lines)
    first = True
    for i, ln in enumerate(lines):
        if ln.kind:
            first = first and ln.kind == "residue"
            continue
        if first:
            first = False
            stack = _title_stack(lines, i)
            for j in stack:
                lines[j].kind = "heading"
            if stack:
                continue
        if _is_heading(lines, i):
            ln.kind = "caption" if _any(rules.caption, ln.text.strip()) else "heading"

    # 3. unpunctuated short lines after the article's last sentence: photo captions (or the
    #    slogans of a hotline block: residue)
    last = max((i for i, ln in enumerate(lines) if ln.final and not ln.kind), default=-1)
    if last >= 0:
        tail = [i for i in range(last + 1, n) if lines[i].kind in ("", "heading")
                and not lines[i].md_heading]
        if tail and all(len(lines[i].text) <= TAIL_ITEM_MAX and not _PUNCT.search(lines[i].text)
                        for i in tail):
            residue_at = next((j for j in range(last + 1, n) if lines[j].kind == "residue"), n)
            for i in tail:
                lines[i].kind = "residue" if residue_at < i else "caption"


def _title_stack(lines: list[_Line], i: int) -> list[int]:
    """The article's title block starting at line i: up to three stacked unpunctuated short
    lines (kicker, title, subtitle) ended by a blank line, a byline or web residue."""
    for k in range(i, min(i + 3, len(lines))):
        ln = lines[k]
        if ln.kind or ln.final or ln.soft or len(ln.text.strip()) > HEADING_MAX_CHARS:
            return []
        if k + 1 >= len(lines):
            return []  # nothing follows: not a title
        if lines[k + 1].kind in ("byline", "residue"):
            return list(range(i, k + 1))
        if ln.blank_after:
            if k == i and not _dense_after(lines, i):
                # one line over blank-separated text: a title only if it is not as wide as
                # the column below (else it is the column's first line)
                width = _block_width(lines, i + 1, before=False)
                if width and abs(ln.width - width) <= TITLE_WIDTH_TOLERANCE * width:
                    return []
            return list(range(i, k + 1))
    return []


def _is_heading(lines: list[_Line], i: int) -> bool:
    ln = lines[i]
    t = ln.text.strip()
    if ln.final or ln.soft or len(t) > HEADING_MAX_CHARS:
        return False
    prev = lines[i - 1] if i else None
    nxt = lines[i + 1] if i + 1 < len(lines) else None
    if nxt is None:
        return False  # nothing follows: a cut-off sentence, not a heading
    closed = prev is None or bool(prev.kind) or prev.final
    alone_before = ln.blank_before > 0 or prev is None or prev.kind in ("heading", "byline", "residue")
    alone_after = ln.blank_after > 0 or nxt.kind in ("byline", "residue", "caption")
    if not (closed and alone_before and alone_after):
        return False
    return (nxt.kind == "byline" or bool(_SPACED_HEADLINE.search(t)) or _dense_after(lines, i)
            or _short_before_next(lines, i))


def _dense_after(lines: list[_Line], i: int) -> bool:
    """The text after line i is a block of adjacent lines (no blank lines between them)."""
    j = i + 1
    return (j + 1 < len(lines) and not lines[j].kind and not lines[j + 1].kind
            and lines[j].blank_after == 0)


def _short_before_next(lines: list[_Line], i: int) -> bool:
    """Line i is clearly shorter than the lines of the text that follows it."""
    ws = [ln.width for ln in lines[i + 1:i + 8] if not ln.kind][:3]
    return bool(ws) and lines[i].width < SHORT_HEADING_RATIO * _median(ws)


# ============================================================================ paragraphs

def _group(lines: list[_Line]) -> list[tuple[str, list[_Line]]]:
    """Consecutive lines that form one paragraph (OCR breaks joined), with a provisional kind."""
    groups: list[tuple[str, list[_Line]]] = []
    cur: list[_Line] = []
    for i, ln in enumerate(lines):
        if ln.kind:
            if cur:
                groups.append(("body", cur))
                cur = []
            groups.append((ln.kind, [ln]))
            continue
        if cur and (ln.caption_start or not _joins(lines, i - 1, i)):
            groups.append(("body", cur))
            cur = []
        cur.append(ln)
    if cur:
        groups.append(("body", cur))
    return groups


def _joins(lines: list[_Line], a: int, b: int) -> bool:
    """Does line b continue the paragraph of line a (both plain lines)?"""
    A, B = lines[a], lines[b]
    if _STARTS_CLOSE.match(B.text):
        return True  # a closing quote carried over to the next line
    if A.final:
        return False  # a line ending a sentence ends the paragraph
    if A.soft or A.width >= LONG_LINE_WIDTH // 2:
        return True
    # an unpunctuated line: a column break, unless clearly shorter than its block
    width = _block_width(lines, a)
    return not width or A.width >= SHORT_LINE_RATIO * width


# ============================================================================ sentences

class _Joined:
    """The kept text of a run of lines, with a map back to document offsets."""

    def __init__(self, doc: str, lines: list[_Line]):
        self.text_parts: list[str] = []
        self.jstarts: list[int] = []   # joined offset where each piece starts
        self.dstarts: list[int] = []   # document offset of each piece
        self.lens: list[int] = []
        pos = 0
        for ln in lines:
            for a, b in ln.segs:
                self.jstarts.append(pos)
                self.dstarts.append(a)
                self.lens.append(b - a)
                self.text_parts.append(doc[a:b])
                pos += b - a
        self.text = "".join(self.text_parts)

    def pieces(self, i: int, j: int) -> list[tuple[int, int]]:
        """Document spans of joined text [i, j)."""
        out = []
        k = bisect.bisect_right(self.jstarts, i) - 1
        while k < len(self.jstarts) and self.jstarts[k] < j:
            js, ds, n = self.jstarts[k], self.dstarts[k], self.lens[k]
            a, b = max(i, js), min(j, js + n)
            if a < b:
                out.append((ds + a - js, ds + b - js))
            k += 1
        return out


def _spans(text: str, whole: bool = False) -> list[tuple[int, int]]:
    """Sentence spans of a paragraph's text, white space trimmed, none longer than
    MAX_SENTENCE.  With whole=True the text is one unit (a heading, byline or residue line)."""
    out = []
    for m in _SENTENCE.finditer(text):
        a, b = m.span()
        if a == b:
            continue
        parts = [(a, b)]
        if b - a > LONG_SENTENCE and not re.search(_FINAL, text[a:b]):
            parts = [(a + s.start(), a + s.end()) for s in _SEMICOLON.finditer(text[a:b])
                     if s.end() > s.start()]
        for x, y in parts:
            while x < y and text[x].isspace():
                x += 1
            while y > x and text[y - 1].isspace():
                y -= 1
            if x < y:
                out.append((x, y))
    if whole and out:
        out = [(out[0][0], out[-1][1])]
    return [piece for a, b in out for piece in _cap(text, a, b)]


_SOFT_BREAK = frozenset("，,、；;：: \u3000\t")


def _cap(text: str, a: int, b: int) -> list[tuple[int, int]]:
    """text[a:b] in pieces of at most MAX_SENTENCE characters (the grammar's work per sentence
    stays bounded whatever the input).  Each piece ends at the last ASCII full stop in its
    second half (English-style punctuation: 押解回国. 这是…), else after the last comma-like
    mark or space there, else after MAX_SENTENCE characters."""
    out = []
    while b - a > MAX_SENTENCE:
        half = a + MAX_SENTENCE // 2
        cut = text.rfind(".", half, a + MAX_SENTENCE)
        while cut > half and text[cut - 1].isdigit() and text[cut + 1:cut + 2].isdigit():
            cut = text.rfind(".", half, cut)   # not the point of 3.5
        cut += 1
        if not cut:
            cut = next((k for k in range(a + MAX_SENTENCE, half, -1) if text[k - 1] in _SOFT_BREAK),
                       a + MAX_SENTENCE)
        x, y = a, cut
        while y > x and text[y - 1].isspace():
            y -= 1
        if x < y:
            out.append((x, y))
        a = cut
        while a < b and text[a].isspace():
            a += 1
    if a < b:
        out.append((a, b))
    return out


def _make_sentence(doc: str, pieces: list[tuple[int, int]], index: int, kind: str,
                   paragraph: int) -> Sentence:
    text = "".join(doc[a:b] for a, b in pieces)
    gaps, pos = [], 0
    for (a, b), (c, _) in zip(pieces, pieces[1:]):
        pos += b - a
        gaps.append((pos, c - b))
    return Sentence(index=index, text=text, start=pieces[0][0], end=pieces[-1][1], kind=kind,
                    paragraph=paragraph, gaps=tuple(gaps))


def original_span(sentence: Sentence, i: int, j: int) -> tuple[int, int]:
    """Document offsets of `sentence.text[i:j]`: `Document.text[a:b]` holds the same characters
    (plus any line breaks removed between them)."""
    n = len(sentence.text)
    if not (0 <= i <= j <= n):
        raise ValueError(f"span [{i}, {j}) outside the sentence (length {n})")

    def at(k: int) -> int:
        shift = 0
        for pos, removed in sentence.gaps:
            if pos > k:
                break
            shift += removed
        return sentence.start + k + shift

    if i == j:
        return (at(i), at(i)) if i < n else (sentence.end, sentence.end)
    return at(i), at(j - 1) + 1


# ============================================================================ documents

def _title(sentences: list[Sentence]) -> str:
    """The article's title, from the headings it opens with (web residue skipped):
    three stacked headings are kicker, title, subtitle: the second; of two, the first is a kicker
    (引题) or an issuing body (河南省公安厅) when it names no police actor and the second does
    (kg/resources/ingest_lines.jsonl, kind title_actor) or it is at most half as long, and the
    second is not a ——subtitle; else the first heading."""
    opening: list[Sentence] = []
    for s in sentences:
        if s.kind == "heading":
            opening.append(s)
        elif s.kind == "residue" and not opening:
            continue
        else:
            break
    texts = [s.text.strip() for s in opening]
    if len(texts) >= 3:
        return texts[1]
    if len(texts) == 2 and not texts[1].startswith(("—", "-", "－")):
        actor = _rules().title_actor
        if (not _any(actor, texts[0]) and _any(actor, texts[1])) or \
                2 * len(texts[0]) <= len(texts[1]):
            return texts[1]
    if texts:
        return texts[0]
    heads = [s for s in sentences if s.kind == "heading"]
    return heads[0].text.strip() if heads else ""


def document_from_text(text: str, doc_id: str = "text", source: str | None = None,
                       encoding: str = "utf-8") -> Document:
    """Split a decoded text into a Document (text kept as given, \\r\\n -> \\n)."""
    doc = _line_breaks(text.replace("\r\n", "\n"))
    lines = _split_lines(doc)
    _classify(lines)
    rules = _rules()
    sentences: list[Sentence] = []
    bylines: list[str] = []
    for paragraph, (kind, group) in enumerate(_group(lines)):
        joined = _Joined(doc, group)
        if kind == "byline":
            bylines.append(joined.text.strip())
        if kind == "body":
            if _any(rules.caption, joined.text.strip()):
                kind = "caption"
            else:
                for rx in rules.byline_inline:
                    m = rx.search(joined.text.strip())
                    if m and m.groupdict().get("b"):
                        bylines.append(m.group("b").strip())
        # a heading, byline or residue line is one unit (unless over-long)
        spans = _spans(joined.text, whole=kind not in ("body", "caption"))
        for a, b in spans:
            pieces = joined.pieces(a, b)
            if pieces:
                sentences.append(_make_sentence(doc, pieces, len(sentences), kind, paragraph))
    return Document(doc_id=doc_id, source=source if source is not None else f"{doc_id}.txt",
                    text=doc, encoding=encoding, title=_title(sentences), bylines=bylines,
                    sentences=sentences)


def read_document(path: Path) -> Document:
    """Read, decode and split one article file.  doc_id = file name without extension, and
    source = file name, both as safe_name gives them (printable Unicode, whatever the bytes)."""
    path = Path(path)
    shown = safe_name(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{shown}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{shown}: is a folder, not an article file") from None
    except OSError as e:
        raise InputError(f"{shown}: cannot read ({e.strerror or e})") from None
    text, encoding = decode_bytes(data, shown)
    return document_from_text(text, doc_id=safe_name(path.stem), source=safe_name(path.name),
                              encoding=encoding)
