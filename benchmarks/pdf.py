"""Figure 5: `make pdf` with a warm execution cache (the chapters already executed by `make book`).

The LaTeX output (_build/latex) is removed first, so the time covers the whole PDF build:
Sphinx's LaTeX builder reading the cached outputs, the SVG conversions and every XeLaTeX pass.
The execution cache is the repository's own (_build/.jupyter_cache); the log says how many
chapters had to be executed (0 when the cache is warm). Needs TeX (`scripts/system-packages.sh
--pdf`); without xelatex the figure is n/a.
"""
import re
import shutil
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def pdf_pages(pdf: Path) -> int | None:
    """The page count pdfinfo reports, or None."""
    if not pdf.is_file() or shutil.which("pdfinfo") is None:
        return None
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    match = re.search(r"^Pages:\s+(\d+)", info, re.M)
    return int(match[1]) if match else None


def measure_pdf() -> dict:
    """Time `make pdf` from a warm execution cache and an empty _build/latex."""
    if shutil.which("xelatex") is None:
        return {"seconds": float("nan"), "skipped": "xelatex not installed (scripts/system-packages.sh --pdf)"}
    shutil.rmtree(ROOT / "_build" / "latex", ignore_errors=True)
    start = time.perf_counter()
    proc = subprocess.run(["make", "pdf"], cwd=ROOT, capture_output=True, text=True, timeout=3600)
    seconds = time.perf_counter() - start
    log = proc.stdout + proc.stderr
    pdfs = sorted((ROOT / "_build" / "pdf").glob("*.pdf"), key=lambda p: p.stat().st_mtime)
    return {"seconds": seconds, "returncode": proc.returncode,
            "notebooks_executed": len(re.findall(r"Executing notebook using", log)),
            "pages": pdf_pages(pdfs[-1]) if pdfs else None,
            "tail": log.strip().splitlines()[-5:]}
