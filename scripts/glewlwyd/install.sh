#!/usr/bin/env bash
# Installs Glewlwyd 2.7.5 from Debian's packages for the Glewlwyd suite (test/glewlwyd/), unconfigured:
# the tests write their own configuration (scripts/glewlwyd/setup.sh) and start it on loopback themselves.
set -euo pipefail

if command -v glewlwyd >/dev/null 2>&1; then
  echo "Glewlwyd: already installed ($(dpkg-query -W -f='${Version}' glewlwyd 2>/dev/null || echo unknown))"
  exit 0
fi
[ "$(id -u)" -eq 0 ] || { echo "Glewlwyd: installing it needs root (apt-get)" >&2; exit 1; }

# The package's default debconf answer ("Personalized") runs dbconfig-common and fails unattended:
# answer "No configuration" and decline dbconfig.
debconf-set-selections <<'SELECTIONS'
glewlwyd glewlwyd/config_type select No configuration
glewlwyd glewlwyd/dbconfig-install boolean false
glewlwyd glewlwyd/dbconfig-upgrade boolean false
SELECTIONS

# Keep the package's service from starting (containers have no init; the tests start their own).
policy_rc=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy_rc" ]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy_rc"
  chmod 0755 "$policy_rc"
  created_policy=1
fi
trap 'if [ "$created_policy" -eq 1 ]; then rm -f "$policy_rc"; fi' EXIT

export DEBIAN_FRONTEND=noninteractive
install() { apt-get install -y -q --no-install-recommends glewlwyd sqlite3 curl >/dev/null; }
install || { apt-get update -q >/dev/null && install; } # a fresh machine may not know the package yet
echo "Glewlwyd: installed $(dpkg-query -W -f='${Version}' glewlwyd)"
