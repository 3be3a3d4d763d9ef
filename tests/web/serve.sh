#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make web-serve: make web's site (SHMDEMO_WEB) over HTTP on localhost,
# for a browser on this machine; a page from file:// cannot load its wasm.
# Usage: tests/web/serve.sh PORT
set -euo pipefail
. "$(dirname "$0")/../lib/lib.sh"

port=${1:?usage: serve.sh PORT}
web=${SHMDEMO_WEB:?make web-serve sets SHMDEMO_WEB}
[ -e "$web/boot.json" ] || die "no site in $web: run make web first"
say "The shmdemo web lab: open http://localhost:$port/ in a browser (Ctrl-C stops)."
say "Or serve $web with any web server: it is static files only."
exec python3 -m http.server --bind 127.0.0.1 --directory "$web" "$port"
