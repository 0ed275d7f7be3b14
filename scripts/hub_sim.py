"""`make hub-sim` (as root): the book's JupyterHub path on this machine, then a class at once.

1. Publishes the reader notebooks (scripts/publish-notebooks.sh, in a throw-away clone) into a
   local bare repository standing in for GitHub; starts JupyterHub on 127.0.0.1 (dummy
   authentication, system users it creates, local-process servers each in a cgroup with
   Binder-like limits, configurable-http-proxy, the idle culler); builds the site with the
   launch buttons pointed at both (a --config override, _config.yml untouched).
2. A student in headless Chromium opens a chapter page, follows its JupyterHub entry, logs in,
   lands through nbgitpuller in JupyterLab on notebooks/<chapter>.ipynb and runs all cells. The
   student edits a cell, the teacher publishes a correction, the student's next click merges
   both (checked on the files). A cell that fills more than the memory limit kills the kernel:
   the next cell says so, with the limit.
3. Load: N students at once (hub REST API, nbgitpuller's API, the kernel API), for each N of
   --load; then the idle culler stops the last class's servers.
Everything it started is stopped and the users and folders it created are removed, also on
failure or a signal. The figures go to the terminal and _build/hub-sim/report.md.

Usage: python scripts/hub_sim.py [--chapter information-theory] [--load 5,10,20] [--cull-timeout 60]
"""
import argparse
import asyncio
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import yaml

from bookmodel.settings import config as book_config

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "book" / "_ext")]  # hubsim.student: JupyterLab helpers, launch
import launch  # noqa: E402
from binder_sim import Group, can_create_groups  # noqa: E402
from hubsim import report  # noqa: E402
from hubsim.config import HubSettings, book_override, group_name, hub_config  # noqa: E402
from hubsim.system import Cleanup, create_user, remove_user, stop_process, used_memory  # noqa: E402

REPO_NAME = "d2l-linear-networks"
BRANCH = "notebooks"
PROXY = ROOT / "node_modules" / ".bin" / "configurable-http-proxy"
PREFIX = "d2lsim"
TEACHER_ENV = {"GIT_AUTHOR_NAME": "Teacher", "GIT_AUTHOR_EMAIL": "teacher@example.invalid",
               "GIT_COMMITTER_NAME": "Teacher", "GIT_COMMITTER_EMAIL": "teacher@example.invalid"}
STUDENT_EDIT = "# 我的笔记 (student's edit)"
CORRECTION = "（勘误：本段已更正。teacher's correction）"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(command: list[str], cwd: Path) -> str:
    """Run a command as the teacher; its output, or an error with what it printed."""
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env={**os.environ, **TEACHER_ENV})
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}): {done.stderr.strip()[-1000:]}")
    return done.stdout


def publish(teacher: Path, origin: Path) -> None:
    """The teacher's scripts/publish-notebooks.sh, then `git push` to the bare repository."""
    run([str(teacher / "scripts" / "publish-notebooks.sh"), BRANCH], cwd=teacher)
    run(["git", "push", "-q", str(origin), f"{BRANCH}:{BRANCH}"], cwd=teacher)


def set_up_repositories(work: Path) -> tuple[Path, Path]:
    """(the teacher's clone with the reader notebooks, the bare repository they are pushed to)."""
    origin = work / "origin" / REPO_NAME  # no .git suffix: nbgitpuller's folder is the last part
    origin.mkdir(parents=True)
    run(["git", "init", "-q", "--bare", str(origin)], cwd=work)
    teacher = work / "teacher"
    run(["git", "clone", "-q", "--shared", str(ROOT), str(teacher)], cwd=work)
    shutil.copytree(ROOT / "notebooks", teacher / "notebooks")
    shutil.copy2(ROOT / "scripts" / "publish-notebooks.sh", teacher / "scripts")  # this checkout's, committed or not
    publish(teacher, origin)
    subprocess.run(["chmod", "-R", "a+rX", str(origin)], check=True)
    return teacher, origin


def build_site(work: Path, hub_url: str, repo_url: str) -> Path:
    """The book built with the launch buttons on the simulated hub and repository (the chapters'
    outputs from the execution cache of `make book`); the HTML folder."""
    config = book_config()
    override = work / "_config.yml"
    override.write_text(yaml.safe_dump(book_override(config, hub_url, repo_url, ROOT), allow_unicode=True))
    out = work / "site"
    (out / "_build").mkdir(parents=True)
    (out / "_build" / ".jupyter_cache").symlink_to(ROOT / "_build" / ".jupyter_cache")
    log = work / "site-build.log"
    with log.open("w") as f:
        done = subprocess.run([str(ROOT / ".venv" / "bin" / "jupyter-book"), "build", str(ROOT), "--config",
                               str(override), "--path-output", str(out)], stdout=f, stderr=subprocess.STDOUT)
    if done.returncode != 0:
        raise RuntimeError(f"the site build failed: see {log}")
    return out / "_build" / "html"


def start_hub(work: Path, settings: HubSettings, hub_python: str, cleanup: Cleanup) -> str:
    """JupyterHub with the generated configuration; its public URL once it answers."""
    (work / "jupyterhub_config.py").write_text(hub_config(settings))
    log = (work / "hub.log").open("w")
    hub = subprocess.Popen([hub_python, "-m", "jupyterhub", "-f", str(work / "jupyterhub_config.py")],
                           cwd=work, stdout=log, stderr=subprocess.STDOUT,
                           env={**os.environ, "PYTHONPATH": str(ROOT / "scripts")})  # the spawner: hubsim.spawner
    cleanup.push("stop JupyterHub", lambda: stop_process(hub, timeout=60))
    url = f"http://127.0.0.1:{settings.port}"
    for _ in range(240):
        if hub.poll() is not None:
            raise RuntimeError(f"JupyterHub exited: see {work / 'hub.log'}")
        try:
            urllib.request.urlopen(f"{url}/hub/api/", timeout=2)
            return url
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"JupyterHub did not answer: see {work / 'hub.log'}")


def install_memory_notice(hub_python: str, cleanup: Cleanup) -> None:
    """Kernels of the hub's environment run hubsim/memory_notice.py at start."""
    prefix = Path(subprocess.run([hub_python, "-c", "import sys; print(sys.prefix)"], capture_output=True,
                                 text=True, check=True).stdout.strip())
    config = prefix / "etc" / "ipython" / "ipython_kernel_config.py"
    config.parent.mkdir(parents=True, exist_ok=True)
    notice = ROOT / "scripts" / "hubsim" / "memory_notice.py"
    config.write_text(f"c.InteractiveShellApp.exec_files = [{str(notice)!r}]\n")
    cleanup.push("remove the kernels' memory notice", lambda: config.unlink(missing_ok=True))


def notebook_file(work: Path, user: str, chapter: str) -> Path:
    """A student's copy of the chapter's notebook, as nbgitpuller keeps it."""
    return work / "home" / user / REPO_NAME / "notebooks" / f"{chapter}.ipynb"


def cell_sources(path: Path) -> list[str]:
    """The sources of a notebook's cells."""
    return ["".join(c["source"]) if isinstance(c["source"], list) else c["source"]
            for c in json.loads(path.read_text(encoding="utf-8"))["cells"]]


def correct_last_markdown(teacher: Path, chapter: str) -> None:
    """The teacher's correction: a sentence added to the notebook's last Markdown cell."""
    path = teacher / "notebooks" / f"{chapter}.ipynb"
    notebook = json.loads(path.read_text(encoding="utf-8"))
    cell = [c for c in notebook["cells"] if c["cell_type"] == "markdown"][-1]
    source = cell["source"] if isinstance(cell["source"], list) else cell["source"].splitlines(True)
    cell["source"] = [*source[:-1], source[-1].rstrip("\n") + "\n", CORRECTION]
    path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def browser_student(args, work, site, hub_url, repo_url, teacher, origin, user) -> list[str]:
    """The student's path in headless Chromium; the problems found."""
    from playwright.sync_api import sync_playwright

    from hubsim import student
    from test_site import CHROMIUM, CHROMIUM_ARGS

    docname = f"book/{args.chapter}"
    page_url = (site / f"{docname}.html").as_uri()
    nb_url = re.compile(rf"/user/{user}/lab(/workspaces/[^/]+)?/tree/{REPO_NAME}/notebooks/{args.chapter}\.ipynb")
    problems = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            context.set_default_timeout(120_000)
            page = context.new_page()
            page.goto(page_url)
            href = student.launch_entry(page)
            expected = launch.jupyterhub_url(hub_url, repo_url, BRANCH, launch.notebook_path(docname))
            if href != expected:
                problems.append(f"the page's JupyterHub entry is {href}, expected {expected}")
            page.close()
            page, seconds = student.follow_launch(context, page_url, user, args.password, nb_url)
            print(f"  click on the JupyterHub entry to the notebook in JupyterLab: {seconds:.1f} s")
            problems += student.check_chapter(page, docname)
            student.edit_first_code_cell(page, STUDENT_EDIT)
            correct_last_markdown(teacher, args.chapter)
            publish(teacher, origin)
            page.close()
            page, seconds = student.follow_launch(context, page_url, user, args.password, nb_url)
            print(f"  second click (pull of the correction): {seconds:.1f} s")
            sources = cell_sources(notebook_file(work, user, args.chapter))
            if not any(s.startswith(STUDENT_EDIT) for s in sources):
                problems.append("the student's edit is gone after the pull")
            if not any(s.endswith(CORRECTION) for s in sources):
                problems.append("the teacher's correction did not reach the student's notebook")
            problems += out_of_memory(page, args.memory_gib)
        except Exception:
            shots = ROOT / "_build" / "hub-sim"
            shots.mkdir(parents=True, exist_ok=True)
            for i, tab in enumerate(context.pages):
                tab.screenshot(path=str(shots / f"failure-{i}.png"))
            print(f"  screenshots of the browser's tabs: {shots}/failure-*.png")
            raise
        finally:
            browser.close()
    return problems


def out_of_memory(page, limit_gib: float) -> list[str]:
    """A cell that needs more than the limit: what the student is told; the problems."""
    from hubsim import student

    try:
        shown = student.run_out_of_memory(page, limit_gib * 1.5)
    except Exception as e:  # noqa: BLE001  (reported as a problem; the load test still runs)
        return [f"out of memory: JupyterLab did not get through the kernel's death and restart: {e}"]
    print("  out of memory, JupyterLab shows:\n    " + shown.strip().replace("\n", "\n    "))
    limit = f"{limit_gib:.1f} GiB"
    return [] if limit in shown and "内存" in shown else [f"no message naming the limit ({limit}): {shown!r}"]


async def class_at_once(hub, users, args, repo_url) -> tuple[dict, list[report.Student]]:
    """N students start, pull and run the chapter at the same moment; their figures."""
    students = [report.Student(u) for u in users]
    base = used_memory()
    peak, done = [base], asyncio.Event()

    async def sample():
        while not done.is_set():
            peak[0] = max(peak[0], used_memory())
            await asyncio.sleep(0.5)

    async def one(s: report.Student):
        t0 = time.monotonic()
        try:
            await hub.start_server(s.name)
            s.started = True
            await hub.pull(s.name, repo_url, BRANCH)
            group = Group(group_name(s.name), args.cpus, int(args.memory_gib * 2**30))

            def idle():
                s.idle_bytes = group.anon_bytes()

            def figure():
                s.first_figure = time.monotonic() - t0

            errors = await hub.run_notebook(s.name, f"{REPO_NAME}/notebooks/{args.chapter}.ipynb", figure, idle)
            s.after_bytes, s.oom_killed = group.anon_bytes(), group.oom_kills()
            s.finished, s.error = not errors, "; ".join(errors)
        except Exception as e:  # noqa: BLE001  (one student's failure is a figure, not the end)
            s.error = f"{type(e).__name__}: {e}"

    sampler = asyncio.create_task(sample())
    await asyncio.gather(*(one(s) for s in students))
    done.set()
    await sampler
    return report.summary(students, peak[0], base), students


async def stop_server(hub_url: str, token: str, user: str) -> None:
    """Stop a user's server through the hub's API (before the load test)."""
    from hubsim.client import Hub

    hub = Hub(hub_url, token)
    await hub.call("DELETE", f"/hub/api/users/{user}/server")
    await culled(hub, 120)


async def culled(hub, timeout: float) -> float | None:
    """Seconds until the culler has stopped every server, or None past `timeout`."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if not await hub.running():
            return time.monotonic() - start
        await asyncio.sleep(2)
    return None


async def load(args, hub_url, token, repo_url, classes) -> list[str]:
    """Each class at once, servers stopped between; the last class left to the culler."""
    from hubsim.client import Hub

    hub, rows, lines = Hub(hub_url, token), [], []
    for i, users in enumerate(classes):
        print(f"  {len(users)} students at once ...", flush=True)
        row, students = await class_at_once(hub, users, args, repo_url)
        rows.append(row)
        lines += [f"  - {s.name}: {s.error}" for s in students if s.error]
        if i < len(classes) - 1:
            await asyncio.gather(*(hub.call("DELETE", f"/hub/api/users/{u}/server") for u in users))
            await culled(hub, 300)
    before = used_memory()
    wait = await culled(hub, args.cull_timeout + 4 * args.cull_every + 120)
    after = used_memory()
    culler = (f"Idle culler (timeout {args.cull_timeout} s, every {args.cull_every} s): "
              + (f"all {len(classes[-1])} servers stopped {wait:.0f} s after the last chapter finished; "
                 if wait is not None else "servers still running after the wait; ")
              + f"machine memory in use {before / 1e9:.2f} GB -> {after / 1e9:.2f} GB.")
    return [report.table(rows), "", culler, *(["", "Failures:", *lines] if lines else [])]


def main(argv: list[str] | None = None) -> int:
    """The whole simulation; 0 when every check passed."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chapter", default="information-theory", help="the chapter (default: the fastest)")
    parser.add_argument("--load", default="5,10,20", help="class sizes, comma-separated ('' for none)")
    parser.add_argument("--cull-timeout", type=int, default=90, help="seconds idle before a server is culled")
    parser.add_argument("--cull-every", type=int, default=10)
    parser.add_argument("--cpus", type=float, default=1.0, help="CPU quota per student (Binder: 1)")
    parser.add_argument("--memory-gib", type=float, default=2.0, help="memory limit per student (Binder: 2)")
    parser.add_argument("--no-browser", action="store_true", help="skip the browser student")
    args = parser.parse_args(argv)
    args.password = secrets.token_urlsafe(12)
    why_not = can_create_groups()
    if why_not:
        print(f"hub-sim needs root and cgroups: {why_not}.", file=sys.stderr)
        return 2
    sizes = [int(n) for n in args.load.split(",") if n.strip()]
    if any(n < 1 or n > 99 for n in sizes):
        parser.error(f"--load {args.load}: class sizes are 1..99")
    for needed, how in [(ROOT / "notebooks" / f"{args.chapter}.ipynb", "make notebooks"), (PROXY, "npm ci"),
                        (ROOT / "_build" / ".jupyter_cache", "make book")]:
        if not needed.exists():
            parser.error(f"{needed} is missing: run `{how}` first")
    cleanup = Cleanup()
    try:
        return simulate(args, sizes, cleanup)
    finally:
        cleanup.run()


def simulate(args, sizes: list[int], cleanup: Cleanup) -> int:
    """Set everything up (each step undone by `cleanup`), then the student, then the load."""
    hub_python = subprocess.run([str(ROOT / "scripts" / "tool-env.sh"), "hub"], check=True, capture_output=True,
                                text=True).stdout.strip()
    work = Path(tempfile.mkdtemp(prefix="d2l-hub-sim-"))
    cleanup.push(f"remove {work}", lambda: shutil.rmtree(work, ignore_errors=True))
    cleanup.push("keep the logs", lambda: keep_logs(work))
    os.chmod(work, 0o755)
    (work / "home").mkdir()
    teacher, origin = set_up_repositories(work)
    repo_url = origin.as_uri()
    student = f"{PREFIX}-b1"
    classes = [[f"{PREFIX}-n{n}-{i:02d}" for i in range(1, n + 1)] for n in sizes]
    for user in [student, *(u for users in classes for u in users)]:
        create_user(user, str(work / "home" / user))
        cleanup.push(f"remove user {user}", lambda u=user: remove_user(u))
        cleanup.push(f"remove cgroup of {user}", lambda u=user: remove_group(u, args))
    install_memory_notice(hub_python, cleanup)
    token = secrets.token_hex(32)
    settings = HubSettings(
        workdir=work, port=free_port(), hub_port=free_port(), proxy_api_port=free_port(),
        proxy_command=[str(PROXY)], hub_python=hub_python,
        singleuser_cmd=[str(ROOT / "binder" / "start"), str(Path(hub_python).with_name("jupyterhub-singleuser"))],
        users=[student, *(u for users in classes for u in users)], password=args.password, api_token=token,
        cull_timeout=args.cull_timeout, cull_every=args.cull_every, cpus=args.cpus,
        memory=int(args.memory_gib * 2**30),
        environment={**jupyter_paths(), "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1", "JUPYTERHUB_ACTIVITY_INTERVAL": "5",
                     "GIT_CONFIG_GLOBAL": str(student_gitconfig(work))})
    hub_url = start_hub(work, settings, hub_python, cleanup)
    print(f"JupyterHub at {hub_url}, notebooks published to {repo_url}")
    lines, problems = [f"# make hub-sim, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}", "",
                       f"Machine: {os.cpu_count()} CPUs, {total_memory() / 2**30:.1f} GiB; chapter {args.chapter}; "
                       f"per student {args.cpus:g} CPU, {args.memory_gib:g} GiB (cgroup); torch "
                       f"{torch_version()}.", ""], []
    if not args.no_browser:
        site = build_site(work, hub_url, repo_url)
        print("Student in the browser:")
        problems = browser_student(args, work, site, hub_url, repo_url, teacher, origin, student)
        lines += ["Browser student: " + ("every check passed" if not problems else "; ".join(problems)), ""]
        print(lines[-2])
        asyncio.run(stop_server(hub_url, token, student))
    if sizes:
        print("Load:")
        lines += asyncio.run(load(args, hub_url, token, repo_url, classes))
    text = "\n".join(lines) + "\n"
    print(text)
    out = ROOT / "_build" / "hub-sim" / "report.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    failed = problems or "Failures:" in text or "still running" in text
    return 1 if failed else 0


def jupyter_paths() -> dict[str, str]:
    """The servers run the hub environment's Python over .venv's packages: point Jupyter at
    .venv's configuration (server extensions), data (kernels, lab extensions) and JupyterLab."""
    venv = Path(sys.prefix)
    return {"JUPYTER_CONFIG_PATH": str(venv / "etc" / "jupyter"), "JUPYTER_PATH": str(venv / "share" / "jupyter"),
            "JUPYTERLAB_DIR": str(venv / "share" / "jupyter" / "lab")}


def student_gitconfig(work: Path) -> Path:
    """Git's global configuration for the students: the bare repository belongs to root, and git
    reads another user's repository only when told it is safe (in global config, not with -c)."""
    path = work / "student.gitconfig"
    path.write_text("[safe]\n\tdirectory = *\n")
    path.chmod(0o644)
    return path


def keep_logs(work: Path) -> None:
    """Copy the hub's, the site build's and the servers' logs to _build/hub-sim/logs."""
    logs = ROOT / "_build" / "hub-sim" / "logs"
    shutil.rmtree(logs, ignore_errors=True)
    logs.mkdir(parents=True)
    for log in work.glob("*.log"):
        shutil.copy2(log, logs)


def remove_group(user: str, args) -> None:
    """Remove a student's cgroup if the spawner left it (its processes are gone by then)."""
    for base in (Path("/sys/fs/cgroup/cpu"), Path("/sys/fs/cgroup/memory"), Path("/sys/fs/cgroup")):
        group = base / group_name(user)
        if group.is_dir():
            group.rmdir()


def total_memory() -> int:
    """The machine's memory, bytes."""
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def torch_version() -> str:
    """The torch the kernels import (without importing it here)."""
    from importlib import metadata
    return metadata.version("torch")


if __name__ == "__main__":
    sys.exit(main())
