#!/usr/bin/env bash
# Commit the reader notebooks (notebooks/, written by `make notebooks`) to a branch of their own,
# for nbgitpuller: a JupyterHub launch link pulls that branch, since notebooks/ is not committed
# on main. The branch's history is one commit per publication; its tree holds notebooks/ only.
# Usage: scripts/publish-notebooks.sh [BRANCH]   (default: notebooks); then `git push origin BRANCH`.
set -euo pipefail
cd "$(dirname "$0")/.."
branch=${1:-notebooks}
[[ -f notebooks/index.ipynb ]] || { echo "no notebooks/index.ipynb: run 'make notebooks' first" >&2; exit 1; }
tmp=$(mktemp -d)  # a fresh index file: git refuses an empty one that exists
trap 'rm -rf "$tmp"' EXIT
index=$tmp/index
GIT_INDEX_FILE=$index git add --force notebooks
tree=$(GIT_INDEX_FILE=$index git write-tree)
parent=$(git rev-parse --quiet --verify "refs/heads/$branch" || true)
commit=$(git commit-tree "$tree" ${parent:+-p "$parent"} -m "Reader notebooks of $(git rev-parse --short HEAD)")
git update-ref "refs/heads/$branch" "$commit"
echo "branch $branch: $commit (notebooks of $(git rev-parse --short HEAD)); push it with: git push origin $branch"
