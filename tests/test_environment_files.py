"""pyproject.toml, environment.yml and binder/ describe the same installation.

pyproject.toml is the reference: its dependencies plus its ``lessons`` extra are what a
student needs. The conda files (top-level ``environment.yml`` for local use, and
``binder/environment.yml``, the only one Binder reads) must list the same packages, under
their conda-forge names where they differ, with the same lower bounds.
"""

import re
import subprocess
import tomllib
from pathlib import Path

import pytest

yaml = pytest.importorskip("yaml")

REPO = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())
ENV_FILES = [REPO / "environment.yml", REPO / "binder" / "environment.yml"]

# conda-forge name -> PyPI name, where they differ
CONDA_TO_PYPI = {"pytorch-cpu": "torch", "pytorch": "torch", "python-graphviz": "graphviz", "matplotlib-base": "matplotlib"}
# conda packages with no PyPI counterpart in pyproject: the interpreter, pip, the Graphviz programs
CONDA_ONLY = {"python", "pip", "graphviz"}
REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*(?:\[[^\]]*\])?\s*(.*?)\s*$")


def _parse(requirement):
    """``'numpy>=1.24'`` -> ``('numpy', '>=1.24')``, names normalised as PyPI compares them."""
    name, spec = REQUIREMENT.match(requirement.split(";")[0]).groups()
    return re.sub(r"[-_.]+", "-", name).lower(), spec.replace(" ", "")


def _lower_bound(spec):
    match = re.search(r">=\s*([0-9][0-9a-zA-Z.]*)", spec)
    return match.group(1) if match else None


def _version(text):
    return tuple(int(part) for part in re.findall(r"\d+", text)[:3])


def pyproject_requirements():
    """What a student needs: the dependencies and the ``lessons`` extra, as {name: spec}."""
    entries = PYPROJECT["project"]["dependencies"] + PYPROJECT["project"]["optional-dependencies"]["lessons"]
    return dict(_parse(e) for e in entries)


def conda_requirements(path):
    """``{pypi name: spec}`` of a conda environment file (conda and pip sections), and its python spec."""
    env = yaml.safe_load(path.read_text())
    packages, python = {}, None
    for entry in env["dependencies"]:
        if isinstance(entry, dict):
            for line in entry.get("pip", []):
                if line.startswith("-e") or line.startswith("-"):
                    continue
                name, spec = _parse(line)
                packages[name] = spec
            continue
        match = re.match(r"^([A-Za-z0-9_.\-]+)\s*(.*)$", entry)
        name, spec = match.group(1).lower(), match.group(2).replace(" ", "")
        if name == "python":
            python = spec
        if name in CONDA_ONLY:
            continue
        name, _ = _parse(CONDA_TO_PYPI.get(name, name))
        packages[name] = spec
    return packages, python


@pytest.mark.parametrize("path", ENV_FILES, ids=["environment.yml", "binder/environment.yml"])
def test_conda_file_lists_the_same_packages_as_pyproject(path):
    expected = pyproject_requirements()
    actual, _ = conda_requirements(path)
    assert set(actual) == set(expected), (
        f"{path.relative_to(REPO)} and pyproject.toml differ: missing {sorted(set(expected) - set(actual))}, "
        f"extra {sorted(set(actual) - set(expected))}")


@pytest.mark.parametrize("path", ENV_FILES, ids=["environment.yml", "binder/environment.yml"])
def test_conda_file_has_the_same_lower_bounds_as_pyproject(path):
    expected = pyproject_requirements()
    actual, _ = conda_requirements(path)
    for name, spec in expected.items():
        assert _lower_bound(actual.get(name, "")) == _lower_bound(spec), (
            f"{path.relative_to(REPO)}: {name} {actual.get(name)!r}, but pyproject.toml says {spec!r}")


@pytest.mark.parametrize("path", ENV_FILES, ids=["environment.yml", "binder/environment.yml"])
def test_conda_file_python_satisfies_requires_python(path):
    _, python = conda_requirements(path)
    assert python, f"{path.relative_to(REPO)} must name its python"
    needed = _version(_lower_bound(PYPROJECT["project"]["requires-python"]))
    given = _version(python)
    assert given >= needed, f"{path.relative_to(REPO)}: python {python} but pyproject.toml requires {needed}"


@pytest.mark.parametrize("path", ENV_FILES, ids=["environment.yml", "binder/environment.yml"])
def test_conda_file_takes_packages_from_conda_forge_only(path):
    env = yaml.safe_load(path.read_text())
    assert env.get("channels") == ["conda-forge"]
    names = [e.split()[0].split("=")[0].split(">")[0] for e in env["dependencies"] if isinstance(e, str)]
    assert "pytorch-cpu" in names, "the CPU build of PyTorch, so that no CUDA libraries are downloaded"


def test_binder_installs_kfunc_itself():
    post_build = REPO / "binder" / "postBuild"
    assert post_build.exists(), "Binder ignores pyproject.toml when binder/ exists: postBuild must install kfunc"
    assert "pip install --no-deps -e ." in post_build.read_text()
    assert post_build.stat().st_mode & 0o111, "binder/postBuild must be executable"
    for name in ("requirements.txt", "setup.py", "Pipfile", "apt.txt"):
        assert not (REPO / "binder" / name).exists(), f"binder/{name} would change how Binder builds"


def test_local_environment_installs_kfunc_itself():
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    pip = [line for entry in env["dependencies"] if isinstance(entry, dict) for line in entry.get("pip", [])]
    assert "-e ." in pip


def _repository_text_files():
    try:
        listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=REPO,
                                capture_output=True, text=True, check=True).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    for name in listed:
        path = REPO / name
        if path.suffix in {".ipynb", ".png", ".svg"} or not path.is_file():
            continue
        try:
            yield path, path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue


def test_no_package_index_urls_anywhere():
    # built from pieces so that this file does not match itself
    index_option = re.compile("-" + "-(extra-)?index-url|" + "-" + "-find-links|" + r"\bchannel_alias\b")
    index_host = re.compile(r"https?://[^\s\"')]*(" + "|".join(
        ["py" + "pi\\.org", "files\\.python" + "hosted", "download\\.py" + "torch\\.org", "anaconda\\.(org|com)",
         "conda\\.anaconda", "repo\\.anaconda"]) + ")")
    offenders = []
    for path, text in _repository_text_files():
        for pattern in (index_option, index_host):
            match = pattern.search(text)
            if match:
                offenders.append(f"{path.relative_to(REPO)}: {match.group(0)}")
    assert not offenders, "package-index URLs or options in the repository:\n" + "\n".join(offenders)
