#!/usr/bin/env bash
# Installs everything Loupe's tests need on a fresh Debian machine: npm packages from the lockfile and,
# when later parts need them, Debian packages. Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_packages=()
# Notebooks (test/notebooks): Debian's Jupyter runs them headless; the Deno kernel is the npm package `deno`,
# its kernelspec lives in the repo (notebooks/jupyter, found through JUPYTER_PATH by notebooks/run.sh).
# DejaVu gives the PNG charts (resvg) their text.
apt_packages+=(jupyter-nbconvert jupyter-client python3-ipykernel python3-nbconvert fonts-dejavu-core)
# The web app's end-to-end tests drive Debian's Chromium (via playwright-core); Inter is the app's typeface.
apt_packages+=(chromium fonts-inter)
# test/api/metrics*.test.ts check GET /metrics with promtool and scrape it with a real Prometheus.
apt_packages+=(prometheus)
# The pipeline's xgboost kind (test/pipeline/xgboost-kind.test.ts) and `npm run bench:scale` run XGBoost from
# Debian's Python (/usr/bin/python3, scripts/train-xgboost.py).
apt_packages+=(python3-xgboost python3-numpy)
# The store suite and the multi-server tests run against a real PostgreSQL (test/helpers/postgres.ts starts one
# with initdb and pg_ctl in a temporary folder, as the postgres user when run as root).
apt_packages+=(postgresql)
# Debian's requests, for the Python example of docs/integrating.md (test/docs/integrating.test.ts runs it).
apt_packages+=(python3-requests)
# (Debian packages the tests need are added here as parts that need them land.)

missing=()
for p in "${apt_packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: please install these Debian packages (needs root): ${missing[*]}" >&2
    exit 1
  fi
  echo "setup: installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

npm ci --no-audit --no-fund
npm ci --prefix infra --no-audit --no-fund
