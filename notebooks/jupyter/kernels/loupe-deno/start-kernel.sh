#!/bin/sh
# Starts the project's own Deno (node_modules/deno, pinned in package.json) as a Jupyter kernel, in notebooks/,
# so that notebooks/deno.json applies (sloppy imports: the project's "./x.js" imports resolve to ./x.ts;
# packages come only from the project's node_modules). Deno never reaches for jsr: or deno.land here.
set -eu
notebooks="$(cd "$(dirname "$0")/../../.." && pwd)"
cd "$notebooks"
export DENO_NO_UPDATE_CHECK=1 DENO_NO_PROMPT=1 NO_COLOR=1
exec "$notebooks/../node_modules/deno/deno" jupyter --kernel --conn "$1"
