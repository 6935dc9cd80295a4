"""kg.paths: the package's data files, found through importlib.resources."""
from __future__ import annotations

import importlib.resources

import pytest

from kg import paths
from kg.errors import ResourceError


def test_every_data_file_is_found():
    assert paths.ontology_file().name == "kg.ttl" and paths.ontology_file().is_file()
    assert paths.shapes_file().is_file()
    assert sorted(p.name for p in paths.queries_dir().glob("*.rq"))
    assert (paths.resource_dir() / "SCHEMA.tsv").is_file()
    assert (paths.viewer_assets_dir() / "labels.tsv").is_file()


def test_a_stale_install_without_the_ontology_package_is_a_named_error(monkeypatch):
    real = importlib.resources.files

    def files(package):
        if package == "kg.ontology":
            raise ModuleNotFoundError(package)
        return real(package)

    monkeypatch.setattr(paths.resources, "files", files)
    with pytest.raises(ResourceError, match="reinstall"):
        paths.shapes_file()


def test_made_with_hashes_versions_and_file_contents(tmp_path):
    import hashlib

    from kg.paths import made_with

    a = tmp_path / "a.txt"
    a.write_text("x", encoding="utf-8")

    def digest(files, dists=("jieba", "no-such-distribution"), **kw):
        return made_with(hashlib.sha256(b"seed"), dists, files, **kw).hexdigest()

    base = digest([a, tmp_path / "missing.txt", tmp_path])   # a folder and a missing file: skipped
    assert base == digest([a])
    assert base != digest([a], dists=())                      # jieba's version counts
    assert base != digest([a], label=lambda f: "other")       # so does the label
    a.write_text("y", encoding="utf-8")
    assert base != digest([a])                                # and the bytes
