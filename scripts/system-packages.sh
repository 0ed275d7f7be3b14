#!/usr/bin/env bash
# Install the Debian packages the book needs: the ones Binder installs (binder/apt.txt:
# Fashion-MNIST and a Chinese font) and, with --browser, Chromium (and npm, for axe-core) for
# tests/test_site.py and tests/test_a11y.py,
# and/or, with --pdf, XeLaTeX with the Chinese packages (ctex/xeCJK), the Noto CJK fonts,
# rsvg-convert for the SVG figures and poppler's pdftotext & co. for `make pdf`/`make test-pdf`
# (about 200 MB to download: only the PDF targets ask for them).
# Does nothing for packages already present; on a machine without apt or root it only
# says what is missing, since d2lutil can also find the data elsewhere (see README).
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t packages < <(grep -v '^\s*#' binder/apt.txt | grep -v '^\s*$')
pdf_packages=()
for flag in "$@"; do
  case "$flag" in
    --browser) packages+=(chromium chromium-driver)
               # npm installs axe-core for tests/test_a11y.py; NodeSource's nodejs ships its own npm
               command -v npm >/dev/null || packages+=(npm) ;;
    --pdf) pdf_packages+=(texlive-xetex texlive-lang-chinese texlive-latex-extra texlive-fonts-recommended
                          tex-gyre fonts-freefont-otf latexmk fonts-noto-cjk librsvg2-bin poppler-utils) ;;
    *) echo "usage: $0 [--browser] [--pdf]" >&2; exit 2 ;;
  esac
done

missing_of() {  # the named packages that are not installed
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || echo "$p"; done
}
mapfile -t missing < <(missing_of "${packages[@]}")
mapfile -t missing_pdf < <(missing_of "${pdf_packages[@]}")
[[ ${#missing[@]} -eq 0 && ${#missing_pdf[@]} -eq 0 ]] && exit 0
if command -v apt-get >/dev/null && [[ $(id -u) -eq 0 ]]; then
  apt-get update -qq
  install=(env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq)
  [[ ${#missing[@]} -eq 0 ]] || "${install[@]}" "${missing[@]}"
  # TeX's recommends (docs, Ruby, ...) double the download
  [[ ${#missing_pdf[@]} -eq 0 ]] || "${install[@]}" --no-install-recommends "${missing_pdf[@]}"
else
  echo "note: Debian packages missing: ${missing[*]} ${missing_pdf[*]} (install them with apt-get as root," >&2
  echo "      or see README: 'Where the data comes from')" >&2
fi
