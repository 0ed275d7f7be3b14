"""pyproject.toml declares what `pip install .` needs for d2lutil to import and run."""
import ast
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
# imported only inside a Jupyter kernel (IPython is there) or by the book's build (myst_nb)
KERNEL_ONLY = {"IPython", "myst_nb"}
DISTRIBUTION = {"matplotlib_inline": "matplotlib-inline"}


def third_party_imports() -> dict[str, set[str]]:
    """Top-level names of non-standard modules imported by d2lutil's files -> the files importing them."""
    found: dict[str, set[str]] = {}
    for path in (ROOT / "d2lutil").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top not in sys.stdlib_module_names and top != "d2lutil":
                    found.setdefault(top, set()).add(path.name)
    return found


def test_every_runtime_import_is_a_declared_dependency():
    declared = {re.split(r"[<>=!~ ;\[]", dep)[0].lower() for dep in PROJECT["dependencies"]}
    needed = {DISTRIBUTION.get(name, name).lower() for name in third_party_imports()} - {n.lower() for n in KERNEL_ONLY}
    assert needed <= declared, f"imported but not in pyproject's dependencies: {sorted(needed - declared)}"
    assert {"torch", "torchvision", "numpy", "matplotlib"} <= needed  # the scan sees the real imports


def test_requires_python_admits_no_version_without_the_stdlib_modules_used():
    low = tuple(int(p) for p in re.fullmatch(r">=(\d+)\.(\d+)", PROJECT["requires-python"]).groups())
    uses_tomllib = any("import tomllib" in p.read_text() for p in (ROOT / "d2lutil").glob("*.py"))
    assert not uses_tomllib or low >= (3, 11), "tomllib is new in Python 3.11"
    assert low <= sys.version_info[:2]
