"""kg/pool.py's Beside: a function run in a fresh process beside the caller (the build's viewer)."""
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


def _write_niceness(path):
    with open(path, "w", encoding="utf-8") as f:
        f.write(str(os.nice(0)))


def test_beside_runs_in_another_process_and_returns(tmp_path):
    b = Beside("test_pool:_write")
    b.start(tmp_path / "x", "drawn")
    assert b.result() is None
    text, pid = (tmp_path / "x").read_text(encoding="utf-8").split()
    assert text == "drawn" and int(pid) != os.getpid()
    b.cancel()   # after result(): nothing to do, no error


def test_beside_raises_what_the_call_raised():
    b = Beside("test_pool:_graph_error")
    b.start("cannot write here")
    with pytest.raises(GraphError, match="^cannot write here$"):
        b.result()
    b.cancel()   # as a build does when a step fails: the real error is not replaced
    b = Beside("test_pool:_value_error")
    b.start()
    with pytest.raises(KGError, match="ValueError: no such thing"):
        b.result()


def test_beside_reports_a_process_that_died_or_a_missing_function():
    b = Beside("test_pool:_die")
    b.start()
    with pytest.raises(KGError, match="helper process died"):
        b.result()
    b = Beside("test_pool:no_such_function")
    b.start()
    with pytest.raises(KGError, match="no_such_function"):
        b.result()


def test_a_cancelled_beside_never_runs_and_leaves_no_descriptor(tmp_path):
    before = len(os.listdir("/proc/self/fd"))
    for started in (False, True):
        b = Beside("test_pool:_write")
        if started:
            b.start(tmp_path / "slow", "x")
        b.cancel()
        assert b.proc.poll() is not None
        b.cancel()
    b = Beside("test_pool:_write")
    b.cancel()
    b.start(tmp_path / "never", "x")   # a cancelled helper takes no call
    assert not (tmp_path / "never").exists()
    b = Beside("test_pool:_write")
    with pytest.raises(KGError, match="before start"):
        b.result()
    b.cancel()
    assert len(os.listdir("/proc/self/fd")) <= before + 1


def test_beside_runs_at_the_priority_asked(tmp_path):
    b = Beside("test_pool:_write_niceness", nice=5)
    b.start(tmp_path / "n")
    b.result()
    assert int((tmp_path / "n").read_text()) == min(19, os.nice(0) + 5)
