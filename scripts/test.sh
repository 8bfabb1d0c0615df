#!/usr/bin/env bash
# The whole suite: ruff, mypy (every app), pytest on SQLite, pytest on a throw-away PostgreSQL 15 cluster.
# Installs what the tests need (uv env, Debian postgresql, chromium, CJK font) when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

need=()
[ -x /usr/lib/postgresql/15/bin/initdb ] || need+=(postgresql)
[ -x /usr/bin/chromium ] || need+=(chromium)
dpkg -s fonts-wqy-microhei >/dev/null 2>&1 || need+=(fonts-wqy-microhei)
if [ ${#need[@]} -gt 0 ]; then
  echo "Installing Debian packages: ${need[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

uv run ruff check src tests bench conftest.py
echo "=== mypy (every app) ==="
uv run mypy

export JIUZHU_DATA_DIR="$(mktemp -d /tmp/jiuzhu-test.XXXXXX)"
PGDIR="$(mktemp -d /tmp/jiuzhu-pg.XXXXXX)"
PGBIN=/usr/lib/postgresql/15/bin
PGPORT="${JIUZHU_TEST_PGPORT:-55433}"
cleanup() {
  su postgres -c "$PGBIN/pg_ctl -D $PGDIR/data -m fast stop" >/dev/null 2>&1 || true
  rm -rf "$PGDIR" "$JIUZHU_DATA_DIR"
}
trap cleanup EXIT

echo "=== pytest on SQLite ==="
uv run pytest -q -p no:cacheprovider "$@"

echo "=== pytest on PostgreSQL 15 ==="
chown postgres "$PGDIR"
su postgres -c "$PGBIN/initdb -D $PGDIR/data -E UTF8 --locale=C.UTF-8 -A trust" >/dev/null
su postgres -c "$PGBIN/pg_ctl -D $PGDIR/data -o '-p $PGPORT -k $PGDIR -c listen_addresses=127.0.0.1' -l $PGDIR/log -w start" >/dev/null
su postgres -c "$PGBIN/createdb -h 127.0.0.1 -p $PGPORT jiuzhu"
DATABASE_URL="postgres://postgres@127.0.0.1:$PGPORT/jiuzhu" uv run pytest -q -p no:cacheprovider -m "not bench and not contract" "$@"
