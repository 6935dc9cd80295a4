"""Writing output files atomically: a failure never leaves a half-written file."""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterable

from .errors import GraphError


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(data: bytes | Iterable[bytes], out: Path, *, what: str = "cannot write") -> Path:
    """Write `data` (bytes, or chunks of bytes one after the other) to a temp file beside `out`,
    then rename it into place (mode 0666 less the umask, as a plain open() would give).
    OSError -> GraphError naming the file."""
    out = Path(out)
    tmp = None
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            for chunk in (data,) if isinstance(data, bytes) else data:
                f.write(chunk)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, out)
        tmp = None
    except OSError as e:
        raise GraphError(f"{out}: {what} ({e.strerror or e})") from None
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
    return out


_RENAME_EXCHANGE = 2


def exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux renameat2 RENAME_EXCHANGE).  False where the system
    cannot; the caller then falls back to two renames."""
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd = -100
    rc = fn(at_fdcwd, os.fsencode(str(a)), at_fdcwd, os.fsencode(str(b)), _RENAME_EXCHANGE)
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in (22, 38, 95):   # EINVAL, ENOSYS, EOPNOTSUPP: not supported here
        return False
    raise OSError(err, os.strerror(err), str(a))


def replace_dir(new: Path, target: Path, old: Path) -> Path | None:
    """Put the folder `new` at `target` in one step and return where the previous content of
    `target` now is (for the caller to delete), or None.  A kill at any moment leaves `target`
    with the old content or the new, never a mix; where the system cannot exchange two paths
    atomically, `recover_dir` repairs the one gap between two renames."""
    if not target.exists():
        os.replace(new, target)
        return None
    if exchange(new, target):
        return new
    os.replace(target, old)
    os.replace(new, target)
    return old


def sibling(target: Path, kind: str) -> Path:
    """This process's working folder beside `target`: kind "new" (being built) or "old" (the
    previous content, moved aside).  `sweep_stale` recognises them by name."""
    return target.parent / f".{target.name}.kg-{kind}-{os.getpid()}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_stale(target: Path) -> None:
    """The working folders a killed process left beside `target`: an old content moved aside is
    put back if the new never arrived; the rest is removed.  Folders of live processes other than
    this one are left alone."""
    for kind in ("old", "new"):
        for p in sorted(target.parent.glob(f".{target.name}.kg-{kind}-*")):
            try:
                pid = int(p.name.rsplit("-", 1)[1])
            except ValueError:
                continue
            if pid != os.getpid() and _alive(pid):
                continue
            if kind == "old":
                recover_dir(target, p)
            if p.exists():
                shutil.rmtree(p, ignore_errors=True)


def recover_dir(target: Path, old: Path) -> None:
    """After a kill between the two renames of `replace_dir`'s fallback: put the old back."""
    if not target.exists() and old.exists():
        os.replace(old, target)
