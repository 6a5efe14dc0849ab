#!/usr/bin/env bash
# Configures a Glewlwyd 2.7.5 (Debian's package, scripts/glewlwyd/install.sh) for the portal's Glewlwyd
# suite, in DIR, listening on 127.0.0.1:PORT: a SQLite database from the package's own schema, then
# through Glewlwyd's admin API (API.md in /usr/share/doc/glewlwyd) three OpenID Connect plugin instances,
# their scopes and a bootstrap client. It starts Glewlwyd only to configure it and stops it again; the
# tests start it themselves. Writes DIR/portal.env with what a test needs (no secret leaves DIR).
#
#   managed        registration with RFC 7592 management (registration_client_uri and its token)
#   register-only  registration without management (register-client-management-allowed false)
#   expiring       like managed, but access tokens, so initial access tokens, live 1 second
#
# There is no separate initial access token in Glewlwyd: a client_credentials token of the same plugin
# instance with the scope named in register-client-auth-scope ("portal-dcr") is one. The bootstrap client
# "portal-bootstrap" may ask for that scope.
set -euo pipefail
usage() { echo "usage: $0 DIR PORT" >&2; exit 2; }
[ $# -eq 2 ] || usage
dir="$(cd "$1" && pwd)"
port="$2"
here="$(cd "$(dirname "$0")" && pwd)"
origin="http://127.0.0.1:${port}"
api="${origin}/api"

command -v glewlwyd >/dev/null || { echo "Glewlwyd is not installed (scripts/glewlwyd/install.sh)" >&2; exit 1; }
sed -e "s,@PORT@,${port},g" -e "s,@DIR@,${dir},g" "$here/glewlwyd.conf.template" > "$dir/glewlwyd.conf"
rm -f "$dir/glewlwyd.db"
# The package's schema with its admin user (admin/password) and database user and client back ends.
zcat /usr/share/doc/glewlwyd/database/init.sqlite3.sql.gz | sqlite3 "$dir/glewlwyd.db"

glewlwyd --config-file="$dir/glewlwyd.conf" >"$dir/setup.log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true' EXIT

for _ in $(seq 1 100); do
  curl -s -o /dev/null "${api}/" && break # any answer: it listens
  sleep 0.1
done

jar="$dir/admin.cookies"
admin() { # METHOD PATH JSON: an admin API call that must answer 200
  local status
  status="$(curl -s -o "$dir/last-answer" -w '%{http_code}' -b "$jar" -c "$jar" -X "$1" -H 'content-type: application/json' --data "$3" "${api}$2")"
  [ "$status" = 200 ] || { echo "Glewlwyd admin API: $1 $2 answered $status: $(cat "$dir/last-answer")" >&2; exit 1; }
}
admin POST /auth/ '{"username":"admin","password":"password"}'

for scope in portal-dcr portal-read portal-write; do
  admin POST /scope/ "{\"name\":\"${scope}\",\"display_name\":\"${scope}\",\"description\":\"portal Glewlwyd suite\",\"password_required\":false,\"scheme\":{}}"
done

# One OpenID Connect plugin instance (OIDC.md, "Clients registration"). HS256 tokens: no key pair to make.
plugin() { # NAME MANAGEMENT(true|false) ACCESS_TOKEN_SECONDS
  admin POST /mod/plugin/ "{\"module\":\"oidc\",\"name\":\"$1\",\"display_name\":\"$1\",\"enabled\":true,\"parameters\":{
    \"iss\":\"${api}/$1\",\"jwt-type\":\"sha\",\"jwt-key-size\":\"256\",\"key\":\"$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')\",
    \"code-duration\":600,\"refresh-token-duration\":3600,\"access-token-duration\":$3,
    \"allow-non-oidc\":true,\"auth-type-client-enabled\":true,\"auth-type-code-enabled\":true,\"auth-type-refresh-enabled\":true,
    \"register-client-allowed\":true,\"register-client-auth-scope\":[\"portal-dcr\"],
    \"register-client-credentials-scope\":[\"portal-read\",\"portal-write\"],
    \"register-client-management-allowed\":$2}}"
}
plugin managed true 3600
plugin register-only false 3600
plugin expiring true 1

bootstrap_secret="$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
admin POST /client/ "{\"client_id\":\"portal-bootstrap\",\"name\":\"portal bootstrap\",\"confidential\":true,\"enabled\":true,
  \"password\":\"${bootstrap_secret}\",\"scope\":[\"portal-dcr\"],\"authorization_type\":[\"client_credentials\"],
  \"token_endpoint_auth_method\":[\"client_secret_basic\"]}"

umask 077
cat > "$dir/portal.env" <<ENV
GLEWLWYD_ORIGIN=${origin}
GLEWLWYD_CONFIG=${dir}/glewlwyd.conf
GLEWLWYD_BOOTSTRAP_CLIENT_ID=portal-bootstrap
GLEWLWYD_BOOTSTRAP_CLIENT_SECRET=${bootstrap_secret}
GLEWLWYD_IAT_SCOPE=portal-dcr
ENV
rm -f "$jar" "$dir/last-answer"
echo "Glewlwyd configured in ${dir} for ${origin}"
