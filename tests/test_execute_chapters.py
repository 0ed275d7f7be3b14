"""scripts/execute_chapters.py: stale chapters run in parallel into the cache the build then uses."""
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "execute_chapters.py"
HEADER = "---\njupytext:\n  text_representation:\n    format_name: myst\nkernelspec:\n  name: python3\n  display_name: Python 3\n---\n"


def chapter(title: str, code: str) -> str:
    """A MyST notebook with one heading and one code cell."""
    return f"{HEADER}\n# {title}\n\nText.\n\n```{{code-cell}} ipython3\n{code}\n```\n"


@pytest.fixture
def tiny_book(tmp_path):
    """A two-chapter book configured like ours (execute_notebooks: cache)."""
    (tmp_path / "_config.yml").write_text("title: t\nexecute:\n  execute_notebooks: cache\n  timeout: 60\n"
                                          "parse:\n  myst_enable_extensions: [colon_fence, dollarmath]\n")
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: index\nparts:\n- caption: c\n  numbered: true\n"
                                       "  chapters:\n  - file: one\n  - file: two\n")
    (tmp_path / "index.md").write_text("# Index\n")
    (tmp_path / "one.md").write_text(chapter("One", "from myst_nb import glue\nglue('x', 6 * 7)"))
    (tmp_path / "two.md").write_text(chapter("Two", "import os\nprint(os.environ['OMP_NUM_THREADS'], os.environ['D2LUTIL_NARROW_FIGURES'])"))
    return tmp_path


def run(root: Path, *args: str) -> subprocess.CompletedProcess:
    """The script on `root`, as make book runs it (with this checkout's bookmodel and d2lutil)."""
    return subprocess.run([sys.executable, str(SCRIPT), "--root", str(root), *args], capture_output=True,
                          text=True, timeout=300, env={"PATH": "/usr/bin:/bin", "HOME": str(root), "PYTHONPATH": str(ROOT)})


def test_stale_chapters_run_in_parallel_the_build_uses_them_and_a_changed_one_runs_again(tiny_book):
    """One tiny book through its life (one test, since each chapter run starts a kernel)."""
    done = run(tiny_book, "--jobs", "2")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "executing 2 chapter(s), 2 at a time" in done.stdout
    from jupyter_cache import get_cache
    records = get_cache(tiny_book / "_build" / ".jupyter_cache").list_cache_records()
    outputs = {Path(r.uri).stem: get_cache(tiny_book / "_build" / ".jupyter_cache").get_cache_bundle(r.pk).nb
               for r in records}
    assert set(outputs) == {"one", "two"}
    # one torch thread each; phone layouts as in the build (kernel starts: tests/test_bookmodel_kernels.py)
    assert outputs["two"].cells[-1].outputs[0]["text"] == "1 1\n"
    again = run(tiny_book)
    assert "every chapter's run is in the execution cache" in again.stdout
    jb = Path(sys.executable).with_name("jupyter-book")
    build = subprocess.run([str(jb), "build", str(tiny_book)], capture_output=True, text=True, timeout=300)
    log = build.stdout + build.stderr
    assert build.returncode == 0, log[-2000:]
    assert log.count("Using cached notebook") == 2 and "Executing notebook" not in log
    # a changed chapter runs again, alone; its failure is reported
    (tiny_book / "two.md").write_text(chapter("Two", "raise ValueError('broken on purpose')"))
    done = run(tiny_book)
    assert done.returncode == 1
    assert "executing 1 chapter(s)" in done.stdout
    assert "two: FAILED" in done.stdout and "broken on purpose" in done.stdout
