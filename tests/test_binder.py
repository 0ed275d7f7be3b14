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


def test_binder_pins_the_same_versions_with_cpu_torch():
    ours, binder = pins(ROOT / "requirements.txt"), pins(BINDER / "requirements.txt")
    assert sorted(binder) == sorted(ours), "binder/requirements.txt must list the same packages"
    for name, version in ours.items():
        assert binder[name].public == version.public, f"{name}: {binder[name]} in binder/, {version} here"
    for name in ("torch", "torchvision"):
        assert binder[name].local == "cpu", f"binder/requirements.txt must pin the +cpu build of {name}"
    for name in set(ours) - {"torch", "torchvision"}:
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


def test_post_build_makes_markdown_open_as_a_notebook(tmp_path):
    """Run postBuild's settings step in a scratch HOME and read what JupyterLab will read."""
    text = (BINDER / "postBuild").read_text(encoding="utf-8")
    start = text.index('settings="$HOME/.jupyter/lab/user-settings/@jupyterlab/docmanager-extension"')
    end = text.index("\nJSON\n", start) + len("\nJSON\n")
    subprocess.run(["bash", "-euc", text[start:end]], check=True, env={**os.environ, "HOME": str(tmp_path)})
    settings = tmp_path / ".jupyter/lab/user-settings/@jupyterlab/docmanager-extension/plugin.jupyterlab-settings"
    viewers = json.loads(settings.read_text(encoding="utf-8"))["defaultViewers"]
    assert viewers["markdown"] == "Jupytext Notebook"  # the factory name of jupytext's lab extension


@pytest.mark.parametrize("option", ["binderhub_url", "notebook_interface"])
def test_config_has_the_launch_settings(option):
    import yaml

    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert config["launch_buttons"][option] == {"binderhub_url": "https://mybinder.org",
                                                "notebook_interface": "jupyterlab"}[option]
    assert re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+", config["repository"]["url"])
