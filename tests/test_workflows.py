"""The GitHub Actions workflows (.github/workflows/), checked offline.

They cannot run here, so: actionlint (a pinned wheel, see requirements.txt) must find nothing,
the CI workflow must run exactly the steps of .ci/run (the same Makefile targets, in order),
the other workflows only Makefile targets that .ci/run builds too, and no workflow may carry
the repository's address: it is set in one place, `repository.url` in _config.yml.
"""
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bookmodel.settings import config as book_config

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ROOT / ".github" / "workflows"
TEE = re.compile(r"\s*2>&1\s*\|\s*tee\s+\S+\s*$")  # `cmd 2>&1 | tee x.log` runs `cmd`


def load(name: str) -> dict:
    """A workflow as a dict; YAML 1.1 reads the key `on` as True, put it back."""
    data = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    if True in data:
        data["on"] = data.pop(True)
    return data


def run_commands(workflow: dict) -> list[str]:
    """Every command line of every `run:` step, in order, without a trailing `| tee log`."""
    lines = []
    for job in workflow["jobs"].values():
        for step in job.get("steps", []):
            for line in step.get("run", "").splitlines():
                if line.strip() and not line.strip().startswith("#"):
                    lines.append(TEE.sub("", line.strip()))
    return lines


def ci_run_commands() -> list[str]:
    """The commands of .ci/run, less the shell set-up (set, cd)."""
    text = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines()
            if line.strip() and not line.startswith(("#", "set ", "cd "))]


def make_targets(commands: list[str]) -> list[str]:
    """The targets of the `make ...` commands, in order."""
    return [target for c in commands if c.split()[:1] == ["make"] for target in c.split()[1:]]


def makefile_prerequisites() -> dict[str, list[str]]:
    """{target: [prerequisite targets]} of the Makefile's rules (variables left out)."""
    rules = {}
    for line in (ROOT / "Makefile").read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z][\w-]*)\s*:(?!=)\s*([^|#]*)", line)
        if match:
            rules[match[1]] = [p for p in match[2].split() if not p.startswith("$")]
    return rules


def reached(targets: list[str], rules: dict[str, list[str]]) -> set[str]:
    """The targets and everything they depend on."""
    seen, todo = set(), list(targets)
    while todo:
        target = todo.pop()
        if target not in seen:
            seen.add(target)
            todo.extend(rules.get(target, []))
    return seen


def test_actionlint_finds_nothing():
    actionlint = shutil.which("actionlint") or str(Path(sys.executable).with_name("actionlint"))
    assert Path(actionlint).is_file(), "actionlint is missing: pip install -r requirements.txt"
    files = sorted(str(p) for p in WORKFLOWS.glob("*.yml"))
    assert len(files) == 3, files
    result = subprocess.run([actionlint, "-color=false", *files], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_zizmor_finds_nothing():
    """zizmor (security: pinned actions, credentials, injection, ...) at its default settings.

    --offline: its online audits need a GitHub token and the network, which tests never use.
    A finding that stays must be justified where it is, with a `# zizmor: ignore[...]` comment.
    """
    zizmor = shutil.which("zizmor") or str(Path(sys.executable).with_name("zizmor"))
    assert Path(zizmor).is_file(), "zizmor is missing: pip install -r requirements.txt"
    result = subprocess.run([zizmor, "--offline", "--format", "plain", "--no-progress", str(WORKFLOWS)], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings to report" in result.stdout + result.stderr


def test_actions_are_pinned_to_a_commit():
    for path in WORKFLOWS.glob("*.yml"):
        for job in load(path.name)["jobs"].values():
            for step in job.get("steps", []):
                if "uses" in step:
                    assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", step["uses"]), \
                        f"{path.name}: {step['uses']} is not pinned to a commit (a tag can move)"


def test_ci_workflow_runs_what_ci_run_runs():
    assert run_commands(load("ci.yml")) == ci_run_commands()


WEEKLY_ONLY = {"hub-sim"}  # far longer than .ci/run may take (README, "A class on a JupyterHub")


def test_other_workflows_use_only_targets_that_ci_run_builds():
    rules = makefile_prerequisites()
    tested = reached(make_targets(ci_run_commands()), rules)
    # a weekly-only target is allowed when all it builds first is built by .ci/run too
    tested |= {t for t in WEEKLY_ONLY if set(rules[t]) <= tested}
    assert {"test", "book", "pdf", "test-pdf", "test-site"} <= tested
    for name in ("pages.yml", "drift.yml"):
        targets = make_targets(run_commands(load(name)))
        assert targets, f"{name} runs no Makefile target"
        assert set(targets) <= set(rules), f"{name}: not in the Makefile: {set(targets) - set(rules)}"
        assert set(targets) <= tested, f"{name}: targets .ci/run never builds: {set(targets) - tested}"


def test_weekly_only_targets_are_in_the_weekly_workflow_only():
    for name in ("ci.yml", "pages.yml"):
        assert not WEEKLY_ONLY & set(make_targets(run_commands(load(name)))), name
    assert WEEKLY_ONLY <= set(make_targets(run_commands(load("drift.yml"))))


def test_makefile_reader_sees_prerequisites():
    rules = makefile_prerequisites()
    assert rules["test-pdf"] == ["pdf", "book"]
    assert "data" in rules["book"] and "PDF_NAME" not in rules
    assert reached(["test-pdf"], rules) == {"test-pdf", "pdf", "book", "data"}


def test_no_workflow_hard_codes_the_repository():
    config = book_config()
    url = config["repository"]["url"] or ""  # empty: the book uses the GitHub origin
    owner_repo = re.sub(r"^https://github\.com/", "", url).rstrip("/")
    for path in WORKFLOWS.glob("*.yml"):
        text = path.read_text(encoding="utf-8")
        assert not owner_repo or owner_repo not in text, f"{path.name} names {owner_repo}: read repository.url instead"
        assert "github.com/" not in text, f"{path.name} has a GitHub address: use github.repository"
    pages = (WORKFLOWS / "pages.yml").read_text(encoding="utf-8")
    assert "['repository']['url']" in pages and "github.repository" in pages


def test_pages_builds_the_pdf_before_the_site_and_deploys_the_site():
    pages = load("pages.yml")
    assert pages["on"]["push"]["branches"] == ["main"]
    assert make_targets(run_commands(pages))[:2] == ["pdf", "book"], "the site links the PDF only if it exists first"
    build, deploy = pages["jobs"]["build"], pages["jobs"]["deploy"]
    upload = [s for s in build["steps"] if s.get("uses", "").startswith("actions/upload-pages-artifact@")]
    assert upload and upload[0]["with"]["path"] == "_build/html"
    assert deploy["needs"] == "build" and deploy["environment"]["name"] == "github-pages"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert pages["permissions"] == {"contents": "read"}
    assert build["permissions"] == {"contents": "write"}, "only the build job may push (the notebooks branch)"


def test_ci_caches_pip_and_the_execution_cache_and_keeps_reports_of_a_failure():
    steps = load("ci.yml")["jobs"]["test"]["steps"]
    cached = {s["with"]["path"] for s in steps if s.get("uses", "").startswith("actions/cache@")}
    assert cached == {"~/.cache/pip", "_build/.jupyter_cache"}
    (upload,) = [s for s in steps if s.get("uses", "").startswith("actions/upload-artifact@")]
    assert upload["if"] == "failure()"
    assert "_build/html/reports/" in upload["with"]["path"] and "*.log" in upload["with"]["path"]


def test_weekly_run_executes_everything_afresh_and_reports():
    drift = load("drift.yml")
    (schedule,) = drift["on"]["schedule"]
    minute, hour, day, month, weekday = schedule["cron"].split()
    assert (day, month) == ("*", "*") and weekday.isdigit(), "once a week"
    steps = drift["jobs"]["execute"]["steps"]
    assert not any(s.get("uses", "").startswith("actions/cache@") for s in steps), "no execution cache"
    assert drift["jobs"]["report"]["if"] == "failure()"
    assert drift["jobs"]["report"]["permissions"] == {"issues": "write"}


@pytest.mark.parametrize("name", ["ci.yml", "pages.yml", "drift.yml"])
def test_workflows_run_on_the_projects_platform(name):
    for job in load(name)["jobs"].values():
        if "steps" in job and any("run" in s for s in job["steps"]):
            container = job["container"] if isinstance(job["container"], str) else job["container"]["image"]
            assert container.startswith("python:3.11-bookworm"), "Debian 12, Python 3.11"
            assert job["timeout-minutes"] <= 90
