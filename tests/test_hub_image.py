"""One image for Binder and a JupyterHub: binder/ as Binder's own engine reads it, and the README's
Zero to JupyterHub example in step with binder/ and _config.yml.

repo2docker (pinned in requirements-repo2docker.txt, in its own tool environment made by
scripts/tool-env.sh) renders the Dockerfile with --no-build, which needs no Docker.
"""
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from bookmodel.settings import config as book_config

ROOT = Path(__file__).resolve().parents[1]
BINDER = ROOT / "binder"


def requirement_names(path: Path) -> list[str]:
    """The names of the `name==version` lines of a requirements file."""
    lines = (line.split("#", 1)[0].strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [line.split("==")[0].lower() for line in lines if "==" in line]


@pytest.fixture(scope="module")
def dockerfile() -> str:
    """The Dockerfile repo2docker writes for this checkout, as for the hub's image."""
    python = subprocess.run([str(ROOT / "scripts" / "tool-env.sh"), "repo2docker"], cwd=ROOT, check=True,
                            capture_output=True, text=True, timeout=600).stdout.strip()
    r2d = Path(python).with_name("repo2docker")
    out = subprocess.run([str(r2d), "--no-build", "--no-run", "--debug", "--user-name", "jovyan",
                          "--target-repo-dir", "/srv/repo", str(ROOT)],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "Building conda environment for python=3.11" in out.stderr, "binder/runtime.txt's Python"
    return out.stdout


def line_of(text: str, pattern: str) -> int:
    """The number of the first line matching `pattern` (which must match one)."""
    for number, line in enumerate(text.splitlines()):
        if re.search(pattern, line):
            return number
    raise AssertionError(f"the Dockerfile has no line matching {pattern!r}")


def test_dockerfile_installs_apt_then_requirements_then_runs_post_build_and_start(dockerfile):
    apt_packages = (BINDER / "apt.txt").read_text(encoding="utf-8").split()
    apt = line_of(dockerfile, r"apt-get install --yes --no-install-recommends " + " ".join(apt_packages) + " ")
    pip = line_of(dockerfile, r'/bin/pip install --no-cache-dir -r "binder/requirements\.txt"$')
    copy = line_of(dockerfile, r"^COPY --chown=\S+ src/ \$\{REPO_DIR\}/$")  # then ../constraints.txt is there
    post_build = line_of(dockerfile, r"^RUN \./binder/postBuild$")
    start = line_of(dockerfile, r'^ENV R2D_ENTRYPOINT="\$\{REPO_DIR\}/binder/start"$')
    assert apt < copy < pip < post_build < start
    assert "ARG REPO_DIR=${HOME}" in dockerfile  # --target-repo-dir sets it at build time


def readme_section() -> str:
    """The README's hub section."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return readme[readme.index("### A class on a JupyterHub"):readme.index("### Binder's limits, simulated")]


def readme_config() -> dict:
    """The Zero to JupyterHub config.yaml of the README."""
    (block,) = re.findall(r"```yaml\n(# Zero to JupyterHub.*?)```", readme_section(), re.S)
    return yaml.safe_load(block)


def test_readme_builds_the_hub_image_from_binder_with_the_pinned_repo2docker():
    section = readme_section()
    (command,) = re.findall(r"^_build/tools/repo2docker/bin/repo2docker (.*?) \.$", section.replace("\\\n", ""), re.M)
    image = readme_config()["singleuser"]["image"]
    assert f"--image-name {image['name']}:{image['tag']}" in command, "the image config.yaml names"
    assert "--target-repo-dir /srv/repo" in command and "--user-name jovyan" in command
    assert "scripts/tool-env.sh repo2docker" in section


def test_readme_config_is_in_step_with_binder_and_the_book_config():
    config, book = readme_config(), book_config()
    single = config["singleuser"]
    ui = {"jupyterlab": "/lab", "classic": "/tree"}[book["launch_buttons"]["notebook_interface"]]
    assert single["defaultUrl"] == ui
    start = (BINDER / "start").read_text(encoding="utf-8")
    assert f'OMP_NUM_THREADS="${{OMP_NUM_THREADS:-{single["extraEnv"]["OMP_NUM_THREADS"]}}}"' in start
    assert {"jupyterhub", "nbgitpuller"} <= set(requirement_names(BINDER / "requirements.txt")), \
        "the image needs jupyterhub-singleuser and nbgitpuller"
    # Binder's limits, as scripts/binder_sim.py simulates them
    assert single["memory"]["limit"] == "2G" and single["cpu"]["limit"] == 1
    guarantee = float(single["memory"]["guarantee"].removesuffix("G"))
    assert 0 < guarantee <= 2 and 0 < single["cpu"]["guarantee"] <= 1
    assert config["cull"]["enabled"] is True and config["cull"]["timeout"] > 0
    branch = book["launch_buttons"]["jupyterhub_branch"]
    assert f"&branch={branch}`" in readme_section(), "the link the README shows pulls the configured branch"
