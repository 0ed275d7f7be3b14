#!/usr/bin/env bash
# Second half of `make pdf`: typeset _build/latex (written by `jupyter-book build --builder latex`)
# with latexmk and XeLaTeX, fail on any character the fonts lack, and copy the PDF to _build/pdf/.
#   scripts/latex-to-pdf.sh NAME      (NAME.tex in _build/latex -> _build/pdf/NAME.pdf)
set -euo pipefail
cd "$(dirname "$0")/.."
name=${1:?usage: $0 NAME (the .tex file in _build/latex, without .tex)}
latex=_build/latex
for tool in xelatex latexmk rsvg-convert; do
  command -v "$tool" >/dev/null || {
    echo "error: $tool not found; install the PDF tools with 'sudo scripts/system-packages.sh --pdf'" >&2
    exit 1
  }
done
[[ -f $latex/$name.tex ]] || { echo "error: no $latex/$name.tex; run 'make pdf' (it writes it first)" >&2; exit 1; }

# Sphinx's Makefile runs latexmk with its latexmkrc (xelatex, makeindex, as many passes as needed).
make -C "$latex" --no-print-directory LATEXMKOPTS="-interaction=nonstopmode -halt-on-error -silent" \
  "$name.pdf" || { echo "error: XeLaTeX failed; see $latex/$name.log" >&2; exit 1; }

# XeLaTeX only logs a glyph the font does not have (it prints nothing): Chinese, maths or code
# shown as a blank. Any of those fails the build.
if grep -q "Missing character" "$latex/$name.log"; then
  echo "error: characters missing from the PDF's fonts ($latex/$name.log):" >&2
  grep "Missing character" "$latex/$name.log" | sort | uniq -c | sort -rn | head -20 >&2
  exit 1
fi
mkdir -p _build/pdf
cp "$latex/$name.pdf" "_build/pdf/$name.pdf"
echo "PDF: _build/pdf/$name.pdf"
