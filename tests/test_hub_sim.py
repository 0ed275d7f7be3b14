"""The pure parts of `make hub-sim` (scripts/hub_sim.py, scripts/hubsim/): the generated hub
configuration, the book's override and its launch link, the report's arithmetic, the memory
notice's reading of cgroup files, and scripts/publish-notebooks.sh. No hub is started, no root
or network needed."""
import json
import os
import subprocess
from pathlib import Path

import pytest
import yaml

import launch  # book/_ext and scripts/ are on pytest's pythonpath (pyproject.toml)
from hubsim import memory_notice, report
from bookmodel.settings import config as book_config
from hubsim.config import HubSettings, book_override, group_name, hub_config

ROOT = Path(__file__).resolve().parents[1]


def settings(tmp_path, **changes) -> HubSettings:
    """Settings as scripts/hub_sim.py makes them, with `changes`."""
    values = dict(workdir=tmp_path, port=8000, hub_port=8081, proxy_api_port=8001, proxy_command=["chp"],
                  hub_python="/venv/bin/python", singleuser_cmd=["binder/start", "jupyterhub-singleuser"],
                  users=["s1", "s2"], password="pw", api_token="t0ken",
                  environment={"OMP_NUM_THREADS": "1"})
    return HubSettings(**{**values, **changes})


class Config:
    """Enough of traitlets' config object to run a generated jupyterhub_config.py."""

    def __init__(self):
        self.sections = {}

    def __getattr__(self, name):
        return self.sections.setdefault(name, type("Section", (), {})())


def run_config(text: str) -> Config:
    """Execute a generated jupyterhub_config.py; the values it set."""
    c = Config()
    exec(compile(text, "jupyterhub_config.py", "exec"), {"get_config": lambda: c})
    return c


def test_hub_config_sets_what_the_simulation_relies_on(tmp_path):
    c = run_config(hub_config(settings(tmp_path, cull_timeout=90, cull_every=10, memory=2**31, cpus=1.0)))
    hub = c.JupyterHub
    assert (hub.ip, hub.port, hub.hub_ip, hub.hub_port) == ("127.0.0.1", 8000, "127.0.0.1", 8081)
    assert hub.db_url == f"sqlite:///{tmp_path / 'jupyterhub.sqlite'}"
    assert hub.authenticator_class == "dummy" and c.DummyAuthenticator.password == "pw"
    assert c.Authenticator.allowed_users == {"s1", "s2"}
    assert hub.spawner_class == "hubsim.spawner.CgroupSpawner"
    assert (c.CgroupSpawner.cgroup_cpus, c.CgroupSpawner.cgroup_memory) == (1.0, 2**31)
    assert c.Spawner.cmd == ["binder/start", "jupyterhub-singleuser"] and c.Spawner.default_url == "/lab"
    culler, harness = hub.services
    assert culler["command"] == ["/venv/bin/python", "-m", "jupyterhub_idle_culler", "--timeout=90", "--cull-every=10"]
    assert harness == {"name": "hub-sim", "api_token": "t0ken"}
    roles = {r["name"]: r for r in hub.load_roles}
    assert "delete:servers" in roles["idle-culler"]["scopes"] and roles["idle-culler"]["services"] == ["idle-culler"]
    assert {"admin:servers", "access:servers"} <= set(roles["hub-sim"]["scopes"])


@pytest.mark.parametrize("changes, message", [
    ({"users": []}, "at least one student"),
    ({"cull_timeout": 10, "cull_every": 10}, "must exceed"),
    ({"memory": 2**20}, "at least 256 MiB"),
    ({"cpus": 0}, "0-64 CPUs"),
])
def test_hub_settings_refuse_what_cannot_work(tmp_path, changes, message):
    with pytest.raises(ValueError, match=message):
        settings(tmp_path, **changes)


def test_the_book_override_points_the_launch_link_at_the_hub_and_the_bare_repository(tmp_path):
    config = book_config()
    repo = "file:///tmp/sim/origin/d2l-linear-networks"
    new = book_override(config, "http://127.0.0.1:8000", repo, ROOT)
    assert new["repository"]["url"] == repo and new["launch_buttons"]["jupyterhub_url"] == "http://127.0.0.1:8000"
    assert config["launch_buttons"]["jupyterhub_url"] == "", "_config.yml itself is left alone"
    for folder in new["sphinx"]["local_extensions"].values():
        assert Path(folder).is_absolute() and (Path(folder) / "launch.py").is_file()
    options = {"repository_url": repo, "repository_branch": "main"}
    (binder, hub) = launch.launch_buttons(options, new["launch_buttons"], "book/information-theory")
    assert hub["url"] == ("http://127.0.0.1:8000/hub/user-redirect/git-pull?repo=file%3A///tmp/sim/origin/"
                          "d2l-linear-networks&urlpath=lab/tree/d2l-linear-networks/notebooks/information-theory.ipynb"
                          "&branch=notebooks")
    with pytest.raises(ValueError, match="http"):
        book_override(config, "127.0.0.1:8000", repo, ROOT)


def test_report_arithmetic():
    assert report.percentile([3.0, 1.0, 2.0], 50) == 2.0
    assert report.percentile([1.0, 2.0, 3.0, 4.0], 95) == pytest.approx(3.85)
    assert report.percentile([5.0], 95) == 5.0
    with pytest.raises(ValueError):
        report.percentile([], 50)
    students = [report.Student("a", True, True, 0, 10.0, 100, 700), report.Student("b", True, True, 0, 20.0, 200, 900),
                report.Student("c", True, False, 1, None, 300, 0, "killed")]
    row = report.summary(students, peak_bytes=5000, base_bytes=1000)
    assert (row["students"], row["started"], row["finished"], row["oom_killed"]) == (3, 3, 2, 1)
    assert row["first_figure_median"] == 15.0 and row["first_figure_p95"] == pytest.approx(19.5)
    assert row["idle_mean_bytes"] == 200 and row["after_mean_bytes"] == 800 and row["after_max_bytes"] == 900
    assert row["peak_over_base_bytes"] == 4000
    assert "| 3 | 3 | 2 | 1 | 15.0 s | 19.5 s |" in report.table([row])


def test_group_names_are_per_user():
    assert group_name("s1") != group_name("s2") and group_name("s1").endswith("s1")


def test_memory_notice_reads_the_limit_and_kills(tmp_path):
    (tmp_path / "memory.limit_in_bytes").write_text("2147483648\n")
    (tmp_path / "memory.oom_control").write_text("oom_kill_disable 0\nunder_oom 0\noom_kill 2\n")
    assert memory_notice.limit_and_kills(tmp_path, v1=True) == (2**31, 2)
    (tmp_path / "memory.max").write_text("max\n")
    (tmp_path / "memory.events").write_text("low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n")
    assert memory_notice.limit_and_kills(tmp_path, v1=False) == (0, 1)
    text = memory_notice.message(2**31)
    assert "2.0 GiB" in text and "内存上限" in text and "Run All" in text


def test_publish_notebooks_commits_only_the_notebooks_one_commit_per_publication(tmp_path):
    repo = tmp_path / "repo"
    (repo / "scripts").mkdir(parents=True)
    (repo / "notebooks").mkdir()
    script = repo / "scripts" / "publish-notebooks.sh"
    script.write_bytes((ROOT / "scripts" / "publish-notebooks.sh").read_bytes())
    script.chmod(0o755)
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@x", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@x", "GIT_CONFIG_GLOBAL": os.devnull}

    def git(*args):
        return subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True).stdout

    git("init", "-q", "-b", "main")
    git("add", "scripts")
    git("commit", "-q", "-m", "start")
    notebook = repo / "notebooks" / "index.ipynb"
    notebook.write_text(json.dumps({"cells": [], "v": 1}))
    subprocess.run([str(script)], cwd=repo, env=env, check=True, capture_output=True)
    notebook.write_text(json.dumps({"cells": [], "v": 2}))
    subprocess.run([str(script)], cwd=repo, env=env, check=True, capture_output=True)
    assert git("ls-tree", "-r", "--name-only", "refs/heads/notebooks").split() == ["notebooks/index.ipynb"]
    assert len(git("rev-list", "refs/heads/notebooks").split()) == 2
    assert json.loads(git("show", "refs/heads/notebooks:notebooks/index.ipynb"))["v"] == 2
    assert git("status", "--porcelain", "--untracked-files=no") == "", "main's index and tree untouched"


def test_every_harness_module_imports():
    """The harness borrows helpers from tests/ and bookmodel: a renamed helper fails here, not in
    the middle of a weekly run (hubsim.student imported test_notebooks.glue_values after it was gone)."""
    import importlib
    for name in ("client", "config", "memory_notice", "report", "student", "system"):  # not spawner: the hub loads it
        importlib.import_module(f"hubsim.{name}")
