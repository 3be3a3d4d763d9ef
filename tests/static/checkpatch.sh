#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run the kernel's checkpatch.pl, fetched once from Debian's linux-source
# package into the cache (tests/fetch/linux-source.sh).
# Usage: tests/static/checkpatch.sh [checkpatch option...] FILE...
#        tests/static/checkpatch.sh --path   print the script's path and exit
set -euo pipefail
. "$(dirname "$0")/../lib/lib.sh"

source_pkg=${SHMDEMO_CHECKPATCH_PKG:-linux-source-6.12}
dir=$SHMDEMO_CACHE/linux-source/$source_pkg/checkpatch

# checkpatch.pl and the word lists it reads next to itself.
"$SHMDEMO_TESTS/fetch/linux-source.sh" "$source_pkg" "$dir" scripts/checkpatch.pl \
	scripts/spelling.txt scripts/const_structs.checkpatch
if [ "${1:-}" = --path ]; then
	echo "$dir/scripts/checkpatch.pl"
	exit 0
fi
exec "$dir/scripts/checkpatch.pl" "$@"
