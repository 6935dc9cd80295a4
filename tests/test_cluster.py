"""kg build --scheduler: the map step over a Dask distributed cluster gives the same graph."""
from __future__ import annotations

from pathlib import Path

import pytest

from kg.pipeline import build

ROOT = Path(__file__).parent.parent


def test_a_local_dask_cluster_builds_the_same_bytes(tmp_path):
    distributed = pytest.importorskip("distributed")
    files = sorted((ROOT / "seeds").glob("*.txt"))
    (tmp_path / "in").mkdir()
    for f in files:
        (tmp_path / "in" / f.name).write_bytes(f.read_bytes())
    (tmp_path / "in" / "empty.txt").write_bytes(b"")
    local = build([tmp_path / "in"], tmp_path / "local", html=False)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        remote = build([tmp_path / "in"], tmp_path / "dask", html=False, scheduler=cluster.scheduler_address)
    for name in ("graph.ttl", "graph.trig", "failures.tsv"):
        assert (tmp_path / "local" / name).read_bytes() == (tmp_path / "dask" / name).read_bytes()
    assert [f.stage for f in remote.failures] == ["read"] and remote.articles == local.articles == 5


def test_an_unreachable_scheduler_is_a_clear_error(tmp_path, monkeypatch):
    pytest.importorskip("distributed")
    import kg.pool
    from kg.errors import KGError

    monkeypatch.setattr(kg.pool, "DASK_CONNECT_TIMEOUT", 2)

    with pytest.raises(KGError, match="cannot reach the Dask scheduler"):
        build([ROOT / "seeds"], tmp_path / "o", html=False, scheduler="tcp://127.0.0.1:9")
