#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The graded exercises' workspaces (course/exercises/README.md). Each
# exercise is a folder course/exercises/N-NAME/ holding solution.patch,
# the teacher's solution as a patch against the tree (kmod/shmdemo.c,
# kmod/uapi/linux/shmdemo.h, new user/*.c, and any other file of the tree
# it changes, such as kmod/Kbuild), and check.c, its checker
# (tests/lanes/grade.sh runs it in the guest). In the patch, each step the
# student writes is a region of the solved files:
#
#	/* TODO 2: zero the buffer, leave seq alone */
#	memset(shmdemo_buf, 0, shmdemo_size());
#	/* END TODO 2 */
#
# A skeleton keeps the TODO line and drops the lines up to END TODO. An
# end marker may carry what the skeleton has there instead, so that it
# builds: /* END TODO 2: return -ENOTTY; */. In a Makefile or kbuild file
# the markers are comment lines, "# TODO 1: ..." and "# END TODO 1[: ...]".
#
# Usage: workspace.sh new N DIR [solved]   write exercise N's workspace in DIR
#                                          (a new folder): the skeleton, or
#                                          with "solved" the solution
#        workspace.sh todos N              its TODOs, "NUMBER<TAB>TEXT" a line
#        workspace.sh dir N                its folder in course/exercises
#        workspace.sh list                 the exercises' numbers
#        workspace.sh lanes N              the lanes of tests/kernels whose
#                                          kernels N runs on: its file lanes,
#                                          or "test -" (any but the debug ones);
#                                          a word of the file may name a
#                                          kernel (a flavour) instead
#        workspace.sh kernels N ARCH       those kernels, the flavours of ARCH
#        workspace.sh diff N DIR           rewrite N's solution.patch from a
#                                          solved workspace DIR (maintainers)
set -euo pipefail
exercises=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$exercises/../.." && pwd)

die() { printf '%s: %s\n' "${0##*/}" "$*" >&2; exit 1; }

# The files a workspace copies from the tree before the patch: the module's
# C sources, which a workspace replaces in the build (SHMDEMO_MODULE_SRC).
tree_files=(kmod/shmdemo.c kmod/uapi/linux/shmdemo.h)

# Those, and the other files of the tree that N's patch changes.
workspace_files() {	# workspace_files N
	{
		printf '%s\n' "${tree_files[@]}"
		sed -n 's|^--- a/\([^[:space:]]*\).*|\1|p' "$(exercise_dir "$1")/solution.patch"
	} | awk '!seen[$0]++'
}

exercise_dir() {	# exercise_dir N
	local dirs
	case $1 in ''|*[!0-9]*) die "'$1' is not an exercise number (make exercise N; the numbers: $(list | paste -sd' '))" ;; esac
	dirs=("$exercises/$1"-*/)
	[ -d "${dirs[0]}" ] ||
		die "no exercise $1 with a skeleton (those with one: $(list | paste -sd' '))"
	echo "${dirs[0]%/}"
}

list() {
	local d
	for d in "$exercises"/[0-9]*-*/; do
		[ -e "$d/solution.patch" ] || continue
		d=${d%/} && d=${d##*/} && echo "${d%%-*}"
	done | sort -n
}

# The TODO regions of the solution, as the patch adds them.
todos() {	# todos N
	sed -n -e 's|^+.*/\* TODO \([0-9][0-9]*\): \(.*\) \*/$|\1\t\2|p' \
		-e 's|^+[[:space:]]*# TODO \([0-9][0-9]*\): \(.*\)$|\1\t\2|p' \
		"$(exercise_dir "$1")/solution.patch" | sort -n -k1,1
}

# FILE's skeleton, on stdout: every TODO region emptied (or its stub).
skeleton() {	# skeleton FILE
	awk '
	region == "" && match($0, /\/\* TODO [0-9]+: |^[ \t]*# TODO [0-9]+: /) {
		region = substr($0, RSTART); sub(/^[^T]*TODO /, "", region)
		sub(/:.*/, "", region)
		print; next
	}
	region != "" && match($0, /\/\* END TODO [0-9]+(: .*)? \*\/$|^[ \t]*# END TODO [0-9]+(: .*)?$/) {
		n = substr($0, RSTART); sub(/^[^T]*TODO /, "", n)
		stub = n; sub(/[^0-9].*/, "", n)
		if (n != region) {
			print FILENAME ": line " FNR ": END TODO " n " in TODO " region > "/dev/stderr"
			exit 1
		}
		stub = substr(stub, length(n) + 1)
		if (stub ~ /^: /) {
			sub(/^: /, "", stub); sub(/ \*\/$/, "", stub)
			indent = $0; sub(/[^ \t].*/, "", indent)
			print indent stub
		}
		region = ""; next
	}
	region != "" { next }
	{ print }
	END {
		if (region != "") {
			print FILENAME ": TODO " region " has no END TODO " region > "/dev/stderr"
			exit 1
		}
	}' "$1"
}

new() {	# new N DIR [solved]
	local dir=$2 exdir f
	exdir=$(exercise_dir "$1")
	[ ! -e "$dir" ] || die "$dir exists: it may hold your work. Remove it, or give another folder (make exercise $1 WORK=...)"
	mkdir -p "$dir"
	(cd "$top" && cp --parents $(workspace_files "$1") "$dir")
	patch -s -p1 --fuzz=0 --no-backup-if-mismatch -d "$dir" \
		< "$exdir/solution.patch" ||
		{ rm -rf "$dir"; die "$exdir/solution.patch no longer applies to the tree's ${tree_files[*]}: fix a solved workspace and rewrite it (workspace.sh diff $1 DIR)"; }
	[ "${3:-}" = solved ] && return
	while IFS= read -r f; do
		skeleton "$dir/$f" > "$dir/$f.skel" && mv "$dir/$f.skel" "$dir/$f"
	done < <(cd "$dir" && grep -rlE '/\* TODO [0-9]+: |^[[:space:]]*# TODO [0-9]+: ' kmod user 2>/dev/null)
}

# The patch from the tree's files to DIR's, new user programs included:
# the module's C sources and any other file of kmod/ that DIR holds.
diff_workspace() {	# diff_workspace N DIR
	local dir=$2 exdir f status=0
	exdir=$(exercise_dir "$1")
	{
		for f in $({ printf '%s\n' "${tree_files[@]}"
			    cd "$dir" && find kmod -type f | LC_ALL=C sort; } | awk '!seen[$0]++'); do
			[ -e "$top/$f" ] || die "$dir/$f is not a file of the tree"
			diff -u --label "a/$f" --label "b/$f" "$top/$f" "$dir/$f" || status=$?
			[ "$status" -le 1 ] || die "diff failed on $f"
		done
		for f in $(cd "$dir" && find user -name '*.c' 2>/dev/null | LC_ALL=C sort); do
			diff -u --label /dev/null --label "b/$f" /dev/null "$dir/$f" || status=$?
			[ "$status" -le 1 ] || die "diff failed on $f"
		done
	} > "$exdir/solution.patch"
}

lanes() {	# lanes N
	local dir
	dir=$(exercise_dir "$1")
	if [ -e "$dir/lanes" ]; then
		cat "$dir/lanes"
	else
		echo test -
	fi
}

kernels() {	# kernels N ARCH
	local word table=$top/tests/lib/kernels.sh of names
	names=$("$table" names)
	for word in $(lanes "$1"); do
		of=$("$table" lane "$word" "$2")
		if [ -n "$of" ]; then
			echo "$of"
		elif grep -qxF -- "$word" <<< "$names" &&
		     [ "$("$table" field "$word" arch)" = "$2" ]; then
			echo "$word"
		fi
	done
}

case ${1:-} in
new)	[ $# -ge 3 ] || die "usage: workspace.sh new N DIR [solved]"; new "$2" "$3" "${4:-}" ;;
todos)	todos "${2:?usage: workspace.sh todos N}" ;;
dir)	exercise_dir "${2:?usage: workspace.sh dir N}" ;;
list)	list ;;
lanes)	lanes "${2:?usage: workspace.sh lanes N}" ;;
kernels) [ $# -eq 3 ] || die "usage: workspace.sh kernels N ARCH"; kernels "$2" "$3" ;;
diff)	[ $# -eq 3 ] || die "usage: workspace.sh diff N DIR"; diff_workspace "$2" "$3" ;;
*)	die "usage: workspace.sh new|todos|dir|list|lanes|kernels|diff ..." ;;
esac
