#!/usr/bin/env bash
# Make sure what the tests need is there: PostgreSQL at 127.0.0.1:5432, Redis at 127.0.0.1:6379, and Chromium.
set -euo pipefail

pg_is_up() { (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; }
redis_is_up() { (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null; }

if [ -z "${DATABASE_URL:-}" ] && ! pg_is_up; then
  echo "Starting PostgreSQL…"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start
  for _ in $(seq 1 30); do pg_is_up && break; sleep 1; done
fi
if [ -z "${REDIS_URL:-}" ] && ! redis_is_up; then
  echo "Starting Redis…"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
  for _ in $(seq 1 30); do redis_is_up && break; sleep 1; done
fi
if [ ! -x /usr/bin/chromium ]; then
  echo "Installing Chromium for the browser tests…"
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
  fi
fi
