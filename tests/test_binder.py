"""The Binder environment (binder/, repo2docker layout) matches the project's.

Binder cannot be run here (no network), so these tests check the files it reads: the same
pins as requirements.txt with CPU-only PyTorch wheels, the Debian packages the chapters need,
a Python that every pinned package supports, and a postBuild that installs d2lutil and makes
JupyterLab open the .md chapters as notebooks (the launch buttons point at those files).
"""
import json
import os
import re
import subprocess
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from bookmodel.settings import config as book_config

ROOT = Path(__file__).resolve().parents[1]
BINDER = ROOT / "binder"
CPU_INDEX = "https://download.pytorch.org/whl/cpu"


def requirement_lines(path: Path) -> list[str]:
    """The non-empty lines of a requirements file, comments removed."""
    lines = (line.split("#", 1)[0].strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line]


def pins(path: Path) -> dict[str, Version]:
    """{normalised name: pinned version} of the `name==version` lines of a requirements file."""
    result = {}
    for line in requirement_lines(path):
        if line.startswith("-"):
            continue
        req = Requirement(line)
        (spec,) = req.specifier  # exactly one specifier ...
        assert spec.operator == "==", f"{path.name}: {line!r} is not pinned with =="  # ... and a pin
        result[re.sub(r"[-_.]+", "-", req.name).lower()] = Version(spec.version)
    return result


HUB_SIDE = {"jupyterhub", "nbgitpuller"}  # the image is a hub's too: pinned as in requirements-hub.txt


def test_binder_pins_the_same_versions_with_cpu_torch():
    ours, binder = pins(ROOT / "requirements.txt"), pins(BINDER / "requirements.txt")
    hub = pins(ROOT / "requirements-hub.txt")
    assert sorted(set(binder) - HUB_SIDE) == sorted(ours), "binder/requirements.txt must list the same packages"
    for name in HUB_SIDE:
        assert binder.get(name) == hub[name], f"{name}: binder/requirements.txt must pin requirements-hub.txt's {hub[name]}"
    for name, version in ours.items():
        assert binder[name].public == version.public, f"{name}: {binder[name]} in binder/, {version} here"
    for name in ("torch", "torchvision"):
        assert binder[name].local == "cpu", f"binder/requirements.txt must pin the +cpu build of {name}"
    for name in set(binder) - {"torch", "torchvision"}:
        assert binder[name].local is None, f"{name}: only torch and torchvision have +cpu builds"


def test_binder_uses_the_pytorch_cpu_index_and_our_constraints():
    options = [line for line in requirement_lines(BINDER / "requirements.txt") if line.startswith("-")]
    assert f"--extra-index-url {CPU_INDEX}" in options, "the +cpu wheels are only on PyTorch's index"
    constraints = [line.split(None, 1)[1] for line in options if line.split()[0] in ("-c", "--constraint")]
    assert constraints == ["../constraints.txt"], "transitive pins: -c ../constraints.txt"
    # pip reads a nested -c relative to the file that names it; repo2docker sees the -c and
    # installs requirements.txt after copying the whole repository, so the file is there.
    constrained = pins(BINDER / constraints[0])
    for name, version in pins(BINDER / "requirements.txt").items():
        if name in constrained:  # `==2.14.1` admits 2.14.1+cpu (local labels are ignored)
            assert constrained[name] == Version(version.public), f"{name}: constraints.txt disagrees"


def test_apt_lists_the_data_and_a_chinese_font():
    packages = requirement_lines(BINDER / "apt.txt")
    assert "dataset-fashion-mnist" in packages
    assert "fonts-wqy-microhei" in packages  # d2lutil.plot draws Chinese labels with it


def test_runtime_is_a_python_every_pinned_package_supports():
    runtime = (BINDER / "runtime.txt").read_text(encoding="utf-8").strip()
    match = re.fullmatch(r"python-(3\.\d+)", runtime)
    assert match, f"binder/runtime.txt must name a Python such as python-3.11, not {runtime!r}"
    python = Version(match[1] + ".0")
    problems = []
    for name, version in pins(ROOT / "requirements.txt").items():
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue  # checked where it is installed: `make test` runs in the pinned .venv
        requires = dist.metadata.get("Requires-Python")
        if dist.version == str(version) and requires and python not in SpecifierSet(requires):
            problems.append(f"{name} {version} requires Python {requires}")
    assert not problems, f"binder/runtime.txt ({runtime}) is too old: " + "; ".join(problems)


def test_post_build_is_executable_and_installs_d2lutil():
    post_build = BINDER / "postBuild"
    assert os.access(post_build, os.X_OK), "binder/postBuild must be executable (chmod +x)"
    text = post_build.read_text(encoding="utf-8")
    assert text.startswith("#!/usr/bin/env bash\n") and "set -euo pipefail" in text
    assert re.search(r"^pip install .*--no-deps -e \.$", text, re.M), "postBuild installs d2lutil"
    subprocess.run(["bash", "-n", str(post_build)], check=True)  # parses


def test_one_reader_setup_for_binder_make_lab_and_hubs():
    """postBuild and `make notebooks` (hence `make lab`) run the same script, which installs
    the one copy of the JupyterLab and server settings (tests/test_notebooks.py checks what
    they do in a browser)."""
    assert re.search(r"^.*scripts/reader-setup\.sh python$", (BINDER / "postBuild").read_text(), re.M)
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^notebooks: .*\n\t\./scripts/reader-setup\.sh \$\(PY\)$", makefile, re.M)
    setup = (ROOT / "scripts" / "reader-setup.sh").read_text(encoding="utf-8")
    assert "binder/jupyter/overrides.json" in setup and "binder/jupyter/jupyter_server_config.json" in setup
    subprocess.run(["bash", "-n", str(ROOT / "scripts" / "reader-setup.sh")], check=True)


def test_reader_settings():
    """Markdown such as README.md opens as Markdown, no news pop-up, every cell rendered (links
    within a chapter reach their target), build folders hidden from the file browser."""
    lab = json.loads((BINDER / "jupyter" / "overrides.json").read_text(encoding="utf-8"))
    assert lab["@jupyterlab/docmanager-extension:plugin"]["defaultViewers"]["markdown"] == "Markdown Preview"
    assert lab["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"
    assert lab["@jupyterlab/notebook-extension:tracker"]["windowingMode"] == "none"
    server = json.loads((BINDER / "jupyter" / "jupyter_server_config.json").read_text(encoding="utf-8"))
    assert {"*.egg-info", "_build", "__pycache__"} <= set(server["ContentsManager"]["hide_globs"])


def test_binder_start_limits_threads_and_runs_the_command():
    start = BINDER / "start"
    assert os.access(start, os.X_OK), "binder/start must be executable"
    out = subprocess.run([str(start), "sh", "-c", "echo $OMP_NUM_THREADS $MKL_NUM_THREADS"],
                         env={k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")},
                         capture_output=True, text=True, check=True).stdout
    assert out.split() == ["1", "1"]
    out = subprocess.run([str(start), "sh", "-c", "echo $OMP_NUM_THREADS"], env={**os.environ, "OMP_NUM_THREADS": "3"},
                         capture_output=True, text=True, check=True).stdout
    assert out.strip() == "3", "a reader's own setting wins"


def test_the_launch_buttons_open_an_interface_that_binder_installs():
    """_config.yml's launch settings name a BinderHub and an interface that binder/requirements.txt installs."""
    config = book_config()
    launch = config["launch_buttons"]
    assert re.fullmatch(r"https://[\w.-]+(/[\w./-]*)?", launch["binderhub_url"]), launch["binderhub_url"]
    package = {"jupyterlab": "jupyterlab", "classic": "notebook"}[launch["notebook_interface"]]
    installed = {Requirement(line).name.lower() for line in requirement_lines(BINDER / "requirements.txt")
                 if not line.startswith("-")}
    assert package in installed, f"notebook_interface {launch['notebook_interface']} needs {package} in binder/"
    url = config["repository"]["url"] or ""  # empty: the checkout's GitHub origin (book/_ext/launch.py)
    assert url == "" or re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+", url)
