#!/usr/bin/env bash
# Set up Jupyter for readers of the book: the one script that binder/postBuild, `make lab` and a
# JupyterHub image run (see README, "Running the chapters as notebooks").
#   1. JupyterLab settings (binder/jupyter/overrides.json): no news pop-up; Markdown files such
#      as README.md open as Markdown.
#   2. Jupyter server settings (binder/jupyter/jupyter_server_config.json): build folders such as
#      d2lutil.egg-info/ and _build/ are hidden from the file browser.
#   3. The reader notebooks, notebooks/<chapter>.ipynb: the MyST chapters as notebooks that read
#      like the site (bookmodel/readernb). Their outputs and glued numbers come from the book
#      build when there is one (make book), else from running each chapter (a few minutes).
# Usage: scripts/reader-setup.sh [PYTHON] [--settings-only]   (default: python3; the environment
# to configure; --settings-only: steps 1 and 2, as for make hub-sim's hub environment)
set -euo pipefail
cd "$(dirname "$0")/.."
python=${1:-python3}
prefix=$("$python" -c 'import sys; print(sys.prefix)')
install -D -m 644 binder/jupyter/overrides.json "$prefix/share/jupyter/lab/settings/overrides.json"
# Merged into the environment's jupyter_server_config.json (the server reads no .d folder for this).
"$python" - binder/jupyter/jupyter_server_config.json "$prefix/etc/jupyter/jupyter_server_config.json" <<'PY'
import json, sys
from pathlib import Path
ours, target = map(Path, sys.argv[1:])
config = json.loads(target.read_text()) if target.exists() else {}
for section, values in json.loads(ours.read_text()).items():
    config.setdefault(section, {}).update(values)
target.parent.mkdir(parents=True, exist_ok=True)
target.write_text(json.dumps(config, indent=2) + "\n")
PY
[[ ${2:-} == --settings-only ]] && exit 0
"$python" -m bookmodel.readernb --execute
