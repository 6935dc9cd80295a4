"""Where the package's data files are, found through importlib.resources so that they work from
a wheel, an editable install and any working directory.

The ontology, the SHACL shapes and the ready queries live in the top-level ontology/ folder of
the repository (the one readable copy); pyproject.toml ships that folder as the package
kg.ontology.  The resource tables and the viewer assets are data files inside kg/.
"""
from __future__ import annotations

import hashlib
from importlib import resources
from pathlib import Path
from typing import Callable, Iterable

from .errors import ResourceError


def _package_dir(package: str) -> Path:
    return Path(str(resources.files(package)))


def ontology_dir() -> Path:
    """The folder holding kg.ttl, shapes.ttl and queries/."""
    try:
        return _package_dir("kg.ontology")
    except ModuleNotFoundError:   # an editable install made before ontology/ was packaged
        raise ResourceError("the package kg.ontology is not installed: reinstall gongan-kg "
                            "(pip install -e . in a source checkout)") from None


def ontology_file(name: str = "kg.ttl") -> Path:
    return ontology_dir() / name


def shapes_file() -> Path:
    return ontology_file("shapes.ttl")


def queries_dir() -> Path:
    """The ready SPARQL queries (*.rq)."""
    return ontology_dir() / "queries"


def resource_dir() -> Path:
    """kg/resources/: lexicons, patterns and cue words."""
    return _package_dir("kg") / "resources"


def viewer_assets_dir() -> Path:
    return _package_dir("kg") / "viewer_assets"


def made_with(h: "hashlib._Hash", dists: Iterable[str], files: Iterable[Path],
              label: Callable[[Path], str] = lambda f: f.name) -> "hashlib._Hash":
    """Add to `h` what a cached result is made with: the versions of the installed
    distributions `dists` (those absent are skipped) and each file of `files` (its label, then
    its bytes; folders and missing files are skipped).  The caches of kg.extract.text and
    kg.workstore are named and checked by such hashes."""
    from importlib.metadata import PackageNotFoundError, version

    for dist in dists:
        try:
            h.update(f"{dist}={version(dist)}".encode())
        except PackageNotFoundError:
            pass
    for f in files:
        if f.is_file():
            h.update(label(f).encode("utf-8", "surrogateescape") + f.read_bytes())
    return h
