#!/bin/sh
# Makes the secret files docker-compose.yml mounts (one per secret, readable by the owner only),
# each a fresh random value; an existing file is kept. Never commit them (.gitignore).
set -eu
cd "$(dirname "$0")"
umask 077
random() { head -c 48 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
[ -s jwt_secret ] || random > jwt_secret
[ -s postgres_password ] || random > postgres_password
[ -s grafana_admin_password ] || random > grafana_admin_password
password="$(cat postgres_password)"
for db in agreements notifications reporting; do
  [ -s "${db}_database_url" ] || \
    printf 'postgresql+psycopg://postgres:%s@postgres:5432/%s' "$password" "$db" > "${db}_database_url"
done
# The mail server's password, if it needs one: write it here (empty: none).
[ -e smtp_password ] || : > smtp_password
echo "secrets in $(pwd)"
