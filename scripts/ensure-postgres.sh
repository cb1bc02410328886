#!/usr/bin/env bash
# Make sure a PostgreSQL server answers on 127.0.0.1:5432 with a database `test` that user `postgres` may
# use without a password — the default PUBDATA_TEST_POSTGRES_URL. Skipped when that variable points
# elsewhere (a developer's own server).
set -euo pipefail
if [ -n "${PUBDATA_TEST_POSTGRES_URL:-}" ]; then exit 0; fi
if [ "${PUBDATA_TEST_DATABASES:-sqlite,postgresql}" = "sqlite" ]; then exit 0; fi
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
as_postgres() { if command -v runuser >/dev/null; then as_root runuser -u postgres -- "$@"; else as_root su postgres -c "$*"; fi; }

if ! command -v pg_lsclusters >/dev/null; then
  echo "installing PostgreSQL"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq postgresql >/dev/null
fi
if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
if ! psql -w -h 127.0.0.1 -U postgres -d postgres -tAc 'select 1' >/dev/null 2>&1; then
  # A stock Debian server asks for a password on TCP; allow the local test user as this project's machines do.
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  hba=/etc/postgresql/$version/main/pg_hba.conf
  as_root sed -i '1i host all postgres 127.0.0.1/32 trust' "$hba"
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main reload
fi
if [ "$(psql -w -h 127.0.0.1 -U postgres -d postgres -tAc "select 1 from pg_database where datname = 'test'")" != "1" ]; then
  psql -w -h 127.0.0.1 -U postgres -d postgres -c 'CREATE DATABASE test' >/dev/null
fi
pg_isready -h 127.0.0.1 -p 5432
