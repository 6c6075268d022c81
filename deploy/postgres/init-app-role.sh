#!/bin/sh
# First start of the database: the application's login role. The schema belongs to breeze_owner
# (migrations run as it, DATABASE_ADMIN_URL); breeze_app gets only the rights migrations grant it,
# with no UPDATE, DELETE or TRUNCATE on the append-only audit tables.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<SQL
create role breeze_app login password '${APP_DB_PASSWORD}';
grant connect on database ${POSTGRES_DB} to breeze_app;
SQL
