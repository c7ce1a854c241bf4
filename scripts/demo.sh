#!/usr/bin/env bash
# The zero-set-up demo: SQLite under var/, jobs in-process, SMS written to var/sms.jsonl.
set -euo pipefail
cd "$(dirname "$0")/.."
export DJANGO_SETTINGS_MODULE=config.settings.local
export SMS_BACKEND="${SMS_BACKEND:-file}"
# The demo looks like the product: no debug pages; WhiteNoise serves the collected static files.
export DJANGO_DEBUG="${DJANGO_DEBUG:-false}"
HOST="${DEMO_HOST:-127.0.0.1}"
PORT="${DEMO_PORT:-8000}"
PY=.venv/bin/python
# Chart.js for the report pages comes from npm (package-lock.json); `make setup` installs it, this covers a direct run.
[ -f node_modules/chart.js/dist/chart.umd.js ] || npm ci --ignore-scripts --no-audit --no-fund

$PY manage.py migrate --noinput
$PY manage.py collectstatic --noinput -v0
$PY manage.py seed_demo
cat <<BANNER

  Member Center is running at http://$HOST:$PORT/
    member center  http://$HOST:$PORT/sign-in/   (sign-in codes: tail -n1 var/sms.jsonl)
    back office    http://$HOST:$PORT/backoffice/   (stores, reviewers, finance)
    call center    http://$HOST:$PORT/admin/
    API docs       http://$HOST:$PORT/api/docs/
  Stop with Ctrl-C.

BANNER
exec $PY manage.py runserver "$HOST:$PORT"
