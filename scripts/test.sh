#!/usr/bin/env bash
# The whole test suite: lint, layer contract, migrations in sync, then pytest on PostgreSQL + Redis + Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
export DJANGO_SETTINGS_MODULE=config.settings.test
BIN=.venv/bin
# Chart.js for the report pages comes from npm (package-lock.json); `make setup` installs it, this covers a direct run.
[ -f node_modules/chart.js/dist/chart.umd.js ] || npm ci --ignore-scripts --no-audit --no-fund

./scripts/ensure-services.sh

echo "== ruff"
$BIN/ruff check .
$BIN/ruff format --check .
echo "== import-linter"
$BIN/lint-imports
echo "== migrations are in sync with the models"
env -u DATABASE_URL -u REDIS_URL DJANGO_SETTINGS_MODULE=config.settings.local $BIN/python manage.py makemigrations --check --dry-run
echo "== pytest"
# In parallel: PYTEST_WORKERS processes (pytest-xdist), each with its own test database and Redis database
# (config/settings/test.py); the browser tests stay together on one of them. PYTEST_WORKERS=0 runs in this process.
$BIN/pytest -n "${PYTEST_WORKERS:-3}" --dist loadgroup "$@"
