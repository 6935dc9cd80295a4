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
