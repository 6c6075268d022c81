#!/bin/sh
# One-shot schema setup of Temporal's own databases (temporal, temporal_visibility) on temporal-db.
set -eu
nc -z -w 10 temporal-db 5432
for db in temporal temporal_visibility; do
  dir=temporal
  [ "$db" = temporal_visibility ] && dir=visibility
  temporal-sql-tool --plugin postgres12 --ep temporal-db -u "$POSTGRES_USER" -p 5432 --db "$db" create || true
  temporal-sql-tool --plugin postgres12 --ep temporal-db -u "$POSTGRES_USER" -p 5432 --db "$db" setup-schema -v 0.0 || true
  temporal-sql-tool --plugin postgres12 --ep temporal-db -u "$POSTGRES_USER" -p 5432 --db "$db" update-schema -d "/etc/temporal/schema/postgresql/v12/$dir/versioned"
done
echo 'Temporal schema ready'
