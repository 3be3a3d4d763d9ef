#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The reader of tests/readme/docs, the table of the documents a user reads.
#   docs.sh pairs         "ENGLISH SPANISH", one row a line
#   docs.sh with CHECK    the English files whose row names CHECK
#   docs.sh both CHECK    the English and Spanish files whose row names CHECK
# The paths are relative to the top of the tree.
set -euo pipefail
table=$(dirname "$0")/docs

case "${1:-} ${2:-}" in
pairs\ ) awk '!/^#/ && NF { print $1, $2 }' "$table" ;;
with\ ?*) awk -v c="$2" '!/^#/ && NF && index("," $3 ",", "," c ",") { print $1 }' "$table" ;;
both\ ?*) awk -v c="$2" '!/^#/ && NF && index("," $3 ",", "," c ",") { print $1; print $2 }' "$table" ;;
*) echo "usage: $0 pairs | with CHECK | both CHECK" >&2; exit 2 ;;
esac
