"""Processes as /proc shows them (Linux), for the tests that check nothing outlives its parent."""
from __future__ import annotations

from pathlib import Path


def _stat(pid: int) -> tuple[str, str, int] | None:
    """(command name, state, parent pid), or None for a process that is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    name = stat[stat.index("(") + 1:stat.rindex(")")]
    state, ppid = stat[stat.rindex(")") + 2:].split()[:2]
    return name, state, int(ppid)


def alive(pid: int) -> bool:
    """The process exists and is not a zombie."""
    st = _stat(pid)
    return st is not None and st[1] != "Z"


def children(parent: int, name: str | None = None) -> list[int]:
    """Pids of the live (non-zombie) children of `parent`, of command `name` if given."""
    out = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            st = _stat(int(d.name))
            if st is not None and st[2] == parent and st[1] != "Z" and (name is None or st[0] == name):
                out.append(int(d.name))
    return sorted(out)
