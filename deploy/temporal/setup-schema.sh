#!/bin/sh
# Temporal's schema on PostgreSQL, for the server image (which does not set it up itself):
# creates the two databases' schemas on a new database and brings them to this version's on
# every start. Idempotent. Run by the temporal-schema one-shot service of docker-compose.yml.
set -eu
PASSWORD="$(cat /run/secrets/postgres_password)"
SCHEMA=/etc/temporal/schema/postgresql/v12
tool() {
  temporal-sql-tool --plugin postgres12 --ep postgres -p 5432 -u postgres --pw "$PASSWORD" "$@"
}
for db in temporal temporal_visibility; do
  tool --db "$db" create-database 2>/dev/null || true  # made by deploy/postgres/init.sql
done
# A new database gets the base version; an existing one keeps its own.
tool --db temporal setup-schema -v 0.0 2>/dev/null || true
tool --db temporal update-schema -d "$SCHEMA/temporal/versioned"
tool --db temporal_visibility setup-schema -v 0.0 2>/dev/null || true
tool --db temporal_visibility update-schema -d "$SCHEMA/visibility/versioned"
echo "temporal schema ready"
