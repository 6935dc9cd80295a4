"""The wheel works anywhere: build it, install it into a fresh venv and run the commands from a
temporary directory, far from the source tree.  Deselect with `-m "not wheel"`.

Nothing is downloaded: the wheel is built with this venv's setuptools (no build isolation) and
the fresh venv reuses this venv's installed dependencies through a .pth file.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.wheel

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("pyproject.toml", "README.md", "kg", "ontology")


def _run(cmd, cwd, env=None):
    r = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True)
    assert r.returncode == 0, f"{cmd}: exit {r.returncode}\n{r.stdout[-2000:]}\n{r.stderr[-2000:]}"
    return r


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel, built from a copy of the sources (the build leaves nothing in the repository)."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    src.mkdir()
    for name in SOURCES:
        p = ROOT / name
        if p.is_dir():
            shutil.copytree(p, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(p, src / name)
    try:
        import setuptools.command.bdist_wheel  # noqa: F401  (setuptools >= 70.1)
    except ImportError:
        pytest.fail("building the wheel needs setuptools>=70.1 in this venv: pip install -e '.[test]'")
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
          "-q", "-w", tmp / "dist", src], cwd=tmp)
    (whl,) = (tmp / "dist").glob("gongan_kg-*.whl")
    return whl


def test_wheel_holds_every_package_and_data_file(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for init in (ROOT / "kg").rglob("__init__.py"):   # pyproject.toml lists the packages by hand
        assert init.relative_to(ROOT).as_posix() in names
    expected = {f"kg/ontology/{p.relative_to(ROOT / 'ontology').as_posix()}"
                for p in (ROOT / "ontology").rglob("*") if p.suffix in (".ttl", ".rq")}
    expected |= {f"kg/{p.relative_to(ROOT / 'kg').as_posix()}"
                 for d in ("resources", "viewer_assets") for p in (ROOT / "kg" / d).iterdir() if p.is_file()}
    assert len(expected) > 20 and expected <= names, sorted(expected - names)


def test_installed_wheel_runs_from_anywhere(wheel, tmp_path):
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", venv], cwd=tmp_path)
    py = venv / "bin" / "python"
    purelib = _run([py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=tmp_path).stdout.strip()
    ours = {sysconfig.get_paths()[k] for k in ("purelib", "platlib")}
    # .pth lines are added to sys.path after the venv's own site-packages, and the editable
    # install's own .pth files in them are not processed: the wheel's kg is the one imported.
    Path(purelib, "deps.pth").write_text("\n".join(sorted(ours)) + "\n", encoding="utf-8")
    _run([sys.executable, "-m", "pip", "--python", py, "install", "--no-deps", "--no-index", "-q", wheel],
         cwd=tmp_path)

    work = tmp_path / "work"
    work.mkdir()
    shutil.copytree(ROOT / "seeds", work / "articles")
    shutil.copytree(ROOT / "tests" / "data" / "gold", work / "gold")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    kg = venv / "bin" / "kg"

    where = _run([py, "-c", "import kg, kg.paths as p; print(kg.__file__); print(p.queries_dir())"],
                 cwd=work, env=env).stdout.split()
    assert where[0].startswith(str(venv)) and where[1].startswith(str(venv)), where
    query = Path(where[1]) / "officials_positions.rq"

    r = _run([kg, "build", "articles", "-o", "out", "-q", "--workers", "1"], cwd=work, env=env)
    assert "articles: 5" in r.stdout
    r = _run([kg, "query", "out/graph.ttl", "-f", query, "--format", "csv"], cwd=work, env=env)
    assert len(r.stdout.splitlines()) > 5
    r = _run([kg, "validate", "out/graph.ttl"], cwd=work, env=env)
    assert "Conforms" in r.stdout or "conforms" in r.stdout, r.stdout
    _run([kg, "export", "out/graph.ttl", "--format", "nt", "-o", "out/graph.nt"], cwd=work, env=env)
    assert (work / "out" / "graph.nt").stat().st_size > 1000
    r = _run([kg, "eval", "gold", "out/graph.ttl", "--json"], cwd=work, env=env)
    assert '"entities"' in r.stdout
    assert sorted(p.name for p in work.iterdir()) == ["articles", "gold", "out"]   # nothing stray

