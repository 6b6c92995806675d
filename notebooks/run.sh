#!/usr/bin/env bash
# Executes Loupe's notebooks headless with the project's own Deno kernel (notebooks/jupyter/kernels/loupe-deno).
#
#   notebooks/run.sh                      execute every notebook in place (outputs are committed) and export
#                                         each as self-contained HTML to reports/, with and without the code
#   notebooks/run.sh NAME.ipynb …         the same, for these notebooks only
#   notebooks/run.sh --out DIR [NAME …]   execute into DIR instead, leaving the notebooks untouched (the test)
#
# A cell that throws fails the run (exit status 1) with the cell and its error on stderr.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
jupyter="${LOUPE_JUPYTER:-/usr/bin/jupyter}"   # Debian's Jupyter (python3-nbconvert), not a pyenv python's
python="${LOUPE_PYTHON:-/usr/bin/python3}"     # the Python that has Debian's nbclient (executes; see execute.py)

out=""
if [ "${1:-}" = "--out" ]; then
  out="${2:?--out needs a directory}"
  shift 2
fi
notebooks=("$@")
if [ ${#notebooks[@]} -eq 0 ]; then
  notebooks=("$here"/[0-9]*.ipynb)
fi

# nbconvert only exports (not with --out: each check starts Jupyter, about a second of CPU); execute.py says itself
# when $python cannot import nbclient.
if [ -z "$out" ] && { ! [ -x "$jupyter" ] || ! "$jupyter" nbconvert --version >/dev/null 2>&1; }; then
  echo "notebooks: Jupyter's nbconvert is not installed at $jupyter. Run 'npm run setup' (installs the Debian" >&2
  echo "packages jupyter-nbconvert jupyter-client python3-ipykernel python3-nbconvert) or set LOUPE_JUPYTER." >&2
  exit 1
fi
if ! [ -x "$root/node_modules/deno/deno" ]; then
  echo "notebooks: the Deno kernel (npm package deno) is not installed in node_modules. Run 'npm ci'." >&2
  exit 1
fi

export JUPYTER_PATH="$here/jupyter${JUPYTER_PATH:+:$JUPYTER_PATH}"
export PYDEVD_DISABLE_FILE_VALIDATION=1
# Not `nbconvert --execute`: it drops an output the kernel sends after the cell is done (see execute.py).
execute=("$python" "$here/execute.py" --kernel loupe-deno --timeout "${LOUPE_CELL_TIMEOUT:-300}")

for nb in "${notebooks[@]}"; do
  case "$nb" in /*) ;; *) nb="$(cd "$(dirname "$nb")" && pwd)/$(basename "$nb")" ;; esac
  echo "notebooks: executing $(basename "$nb")" >&2
  if [ -n "$out" ]; then
    mkdir -p "$out"
    "${execute[@]}" --output "$out/$(basename "$nb")" "$nb"
  else
    "${execute[@]}" --output "$nb" "$nb"
    "$jupyter" nbconvert --to html --template-file "$here/report.html.j2" --output-dir "$root/reports" "$nb"
    # The same without the code, for readers who want the findings only.
    "$jupyter" nbconvert --to html --template-file "$here/report.html.j2" --no-input \
      --output "$(basename "$nb" .ipynb).no-code" --output-dir "$root/reports" "$nb"
  fi
done
