#!/usr/bin/env bash
# A pinned tool environment of its own, kept out of the book's .venv:
#   scripts/tool-env.sh repo2docker   -> _build/tools/repo2docker (requirements-repo2docker.txt)
#   scripts/tool-env.sh hub           -> _build/tools/hub (requirements-hub.txt: JupyterHub, the
#                                        idle culler, nbgitpuller), layered over .venv so that the
#                                        single-user servers it spawns see the book's packages too
# Rebuilt when its requirements file changes; prints the environment's python.
set -euo pipefail
cd "$(dirname "$0")/.."
name=${1:?usage: scripts/tool-env.sh repo2docker|hub}
req=requirements-$name.txt
[[ -f $req ]] || { echo "no $req: the tool environments are repo2docker and hub" >&2; exit 2; }
dir=_build/tools/$name
stamp=$dir/.installed-$(sha256sum "$req" | cut -c1-16)
if [[ ! -f $stamp ]]; then
  rm -rf "$dir"
  base=python3
  if [[ $name == hub ]]; then
    # The students' servers run as other users: the Python must be one they may run (not one
    # under /root, as pyenv's), of .venv's version, whose packages it also imports.
    minor=$(.venv/bin/python -c 'import sys; print("%d.%d" % sys.version_info[:2])')
    base=
    for candidate in /usr/local/bin/python$minor /usr/bin/python$minor; do
      if [[ -x $candidate && $(readlink -f "$candidate") != /root/* ]]; then base=$candidate; break; fi
    done
    [[ -n $base ]] || { echo "no python$minor outside /root for the hub's users: apt-get install python$minor-venv" >&2; exit 1; }
  fi
  "$base" -m venv "$dir" >&2
  if [[ $name == hub ]]; then  # the book's packages under the hub's (same Python)
    site=$("$dir/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
    .venv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])' > "$site/zz-book-venv.pth"
    "$dir/bin/python" -m pip uninstall -q -y setuptools >&2  # .venv pins its own
  fi
  "$dir/bin/python" -m pip install -q --no-deps -r "$req" >&2
  "$dir/bin/python" -m pip check >&2
  [[ $name == hub ]] && scripts/reader-setup.sh "$dir/bin/python" --settings-only  # the readers' Jupyter settings
  chmod -R a+rX "$dir"
  touch "$stamp"
fi
echo "$PWD/$dir/bin/python"
