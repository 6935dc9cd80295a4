"""Writing output files atomically: a failure never leaves a half-written file."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import GraphError


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(data: bytes, out: Path, *, what: str = "cannot write") -> Path:
    """Write `data` to a temp file beside `out`, then rename it into place (mode 0666 less
    the umask, as a plain open() would give).  OSError -> GraphError naming the file."""
    out = Path(out)
    tmp = None
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
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
