"""kg/pool.py's Beside: a call in a fresh process beside the caller (the build's viewer)."""
from __future__ import annotations

import os

import pytest

from kg.errors import GraphError, KGError
from kg.pool import Beside


def _write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(f"{text} {os.getpid()}")


def _graph_error(msg):
    raise GraphError(msg)


def _value_error():
    raise ValueError("no such thing")


def _die():
    os._exit(7)


def test_beside_runs_in_another_process_and_returns(tmp_path):
    b = Beside(_write, tmp_path / "x", "drawn")
    assert b.result() is None
    text, pid = (tmp_path / "x").read_text(encoding="utf-8").split()
    assert text == "drawn" and int(pid) != os.getpid()


def test_beside_raises_what_the_call_raised():
    with pytest.raises(GraphError, match="^cannot write here$"):
        Beside(_graph_error, "cannot write here").result()
    with pytest.raises(KGError, match="ValueError: no such thing"):
        Beside(_value_error).result()


def test_beside_reports_a_process_that_died():
    with pytest.raises(KGError, match="helper process died"):
        Beside(_die).result()


def test_beside_can_be_cancelled(tmp_path):
    b = Beside(_write, tmp_path / "never", "x")
    b.cancel()
    assert b.proc.poll() is not None
