# Sourced by .ci/run: installs PostgreSQL 15 + PostGIS 3 (Debian packages), starts the cluster 15/main
# (pg_ctlcluster runs the server as the postgres user, so this works as root), creates the test role and
# database, exports SPPR_TEST_PG / SPPR_TEST_PGPASSWORD for the tests, and SPPR_REQUIRE_POSTGIS=1 so that
# the PostGIS tests fail instead of skipping. A cluster this script started is stopped on exit (trap).
pg_ext=/usr/share/postgresql/15/extension/postgis.control
if ! command -v pg_ctlcluster >/dev/null 2>&1 || [ ! -x /usr/lib/postgresql/15/bin/postgres ] || [ ! -f "$pg_ext" ]; then
  apt_updated=${apt_updated:-0}
  [ "$apt_updated" = 1 ] || apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 postgresql-15-postgis-3 >/dev/null
fi
pg_field() { pg_lsclusters -h | awk -v f="$1" '$1 == "15" && $2 == "main" { print $f }'; }
if [ -z "$(pg_field 1)" ]; then
  pg_createcluster 15 main >/dev/null
fi
SPPR_PG_STARTED=0
if [ "$(pg_field 4)" != "online" ]; then
  pg_ctlcluster 15 main start
  SPPR_PG_STARTED=1
fi
stop_postgres() { if [ "$SPPR_PG_STARTED" = 1 ]; then pg_ctlcluster 15 main stop || true; fi; }
trap stop_postgres EXIT
pg_port=$(pg_field 3)
SPPR_TEST_PGPASSWORD=${SPPR_TEST_PGPASSWORD:-sppr-ci-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')}
runuser -u postgres -- psql -q -X -p "$pg_port" -v ON_ERROR_STOP=1 -v pw="$SPPR_TEST_PGPASSWORD" <<'SQL' >/dev/null
SELECT format('CREATE ROLE sppr LOGIN PASSWORD %L', :'pw') WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'sppr') \gexec
ALTER ROLE sppr PASSWORD :'pw';
-- CREATEROLE: the tests make least-privilege roles (a schema owner without CREATE on the database)
ALTER ROLE sppr CREATEROLE;
SELECT 'CREATE DATABASE sppr_test OWNER sppr' WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'sppr_test') \gexec
\c sppr_test
CREATE EXTENSION IF NOT EXISTS postgis;
SQL
export SPPR_TEST_PG="postgresql://sppr@127.0.0.1:${pg_port}/sppr_test"
export SPPR_TEST_PGPASSWORD
export SPPR_REQUIRE_POSTGIS=1
