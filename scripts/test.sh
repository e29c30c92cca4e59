#!/usr/bin/env bash
# The whole test suite, against the real components: PostgreSQL, Redis, a Celery worker,
# Debian's Chromium. Starts what it can when it is missing; fails clearly when it cannot.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python

need_root() { [ "$(id -u)" = 0 ] || { echo "error: $1 (run as root or install it)" >&2; exit 1; }; }

# PostgreSQL (127.0.0.1:5432, trust auth, database `test`) and Redis (127.0.0.1:6379).
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  need_root "PostgreSQL is not running on 127.0.0.1:5432"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start
fi
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  need_root "Redis is not running on 127.0.0.1:6379"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
fi
# Browser tests drive Debian's Chromium (Playwright cannot download its own here).
if [ ! -x /usr/bin/chromium ]; then
  need_root "Debian's chromium is not installed"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

export DATABASE_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
export REDIS_URL="${TEST_REDIS_URL:-redis://127.0.0.1:6379/15}"
export SESOPS_REQUIRE_COMPONENTS=1  # a missing component fails its tests instead of skipping
export SESOPS_DATA_DIR="$(pwd)/var/test"

echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== import contracts (pyproject.toml [tool.importlinter])"
.venv/bin/lint-imports --no-cache | sed -n '/^Contracts:/p;/Broken contracts/,$p'
test "${PIPESTATUS[0]}" = 0
echo "== django checks"
$PY manage.py check --fail-level WARNING
$PY manage.py makemigrations --check --dry-run >/dev/null
echo "== pytest"
exec $PY -m pytest -q "$@"
