#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check: the static checks, one TAP line each. Any output from a tool is
# a finding and fails its check; the last line is "N passed, N failed".
# Usage: tests/static/check.sh [FLAVOUR...]   (the kernels to build for: the
#                                       default, 6.1, and 6.12)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/lib.sh"

kernels=("$@")
[ $# -gt 0 ] || kernels=("$(kernel_default amd64)" 6.12)
cd "$SHMDEMO_TOP"

CLANG_FORMAT=${CLANG_FORMAT:-clang-format-14}

# checkpatch on user space: the kernel-only advice (strscpy, BIT(), __printf,
# __func__ instead of a name that happens to match the function, u64 for
# uint64_t) is dropped, and so is the volatile warning: the benchmarks'
# page touches must not be optimised away, which is what volatile is for.
CHECKPATCH_USER_IGNORE=STRCPY,BIT_MACRO,PREFER_DEFINED_ATTRIBUTE_MACRO,EMBEDDED_FUNCTION_NAME,PREFER_KERNEL_TYPES,VOLATILE
USER_CFLAGS=(-Ikmod/uapi -Itests/guest -Wall -Wextra -Werror -O2
	     $(pkg-config --cflags libkmod 2>/dev/null || true))
USER_CFLAGS+=(-DSHMDEMO_VERSION='"check"')	# make passes debian/changelog's

. "$SHMDEMO_TESTS/lib/tap.sh"
. "$SHMDEMO_TESTS/lib/tally.sh"

# check NAME COMMAND...: passes if COMMAND succeeds and prints nothing.
check() {
	local name=$1 out status=0
	shift
	out=$("$@" 2>&1) || status=$?
	if [ "$status" -eq 0 ] && [ -z "$out" ]; then
		ok 0 "$name"
	else
		ok 1 "$name"
		printf '%s\n' "$out" | sed 's/^/#   /'
		[ "$status" -eq 0 ] || echo "#   (exit status $status)"
	fi
}

kmod_files() {
	find kmod -type f \( -name '*.[ch]' -o -name Kbuild \) | LC_ALL=C sort
}

user_c_files() {
	find user tests -path tests/out -prune -o -type f -name '*.c' -print |
		LC_ALL=C sort
}

user_h_files() {
	find tests -path tests/out -prune -o -type f -name '*.h' -print |
		LC_ALL=C sort
}

# The exercises' checkers (course/exercises/): each builds against its own
# exercise's header (tests/host/exercises-check.sh), not the tree's.
course_c_files() {
	find course -type f -name '*.c' | LC_ALL=C sort
}

all_c_files() {
	{ kmod_files; user_c_files; user_h_files; course_c_files; } | grep '\.[ch]$' | LC_ALL=C sort
}

tool_versions() {
	echo "# gcc: $(gcc --version | head -n 1)"
	echo "# sparse: $(sparse --version)"
	echo "# checkpatch.pl: from $(cat "$(dirname "$("$here/checkpatch.sh" --path)")/../version") linux-source"
	echo "# cppcheck: $(cppcheck --version)"
	echo "# clang-format: $(run_clang_format --version)"
	echo "# modinfo: $(modinfo --version | head -n 1)"
	echo "# groff: $(groff --version | head -n 1)"
	echo "# dkms: $(dkms --version)"
	"$SHMDEMO_TESTS/litmus/herd.sh" --versions
}

# A fresh W=1 build: warnings only show when the file is compiled.
module_w1() {	# module_w1 KERNEL_DIR OUT_DIR
	rm -rf "$2"
	build_module "$1" "$2"
}

# Every file again through sparse (C=2 checks even up-to-date objects).
module_sparse() {	# module_sparse KERNEL_DIR OUT_DIR
	build_module "$1" "$2" C=2
}

# License, author, description, version, and a description for each parameter.
module_info() {	# module_info KO
	local ko=$1 field name type desc
	for field in license author description version; do
		[ -n "$(modinfo -F "$field" "$ko")" ] || echo "$ko: no $field"
	done
	while IFS=: read -r name type; do
		desc=$(modinfo -F parm "$ko" | sed -n "s/^$name://p")
		desc=${desc%"($type)"}
		[ -n "${desc// /}" ] || echo "$ko: parameter $name has no description"
	done < <(modinfo -F parmtype "$ko")
}

checkpatch() {	# checkpatch [OPTION...] FILE...
	"$here/checkpatch.sh" --strict --no-tree --quiet --show-types -f "$@"
}

# Each user program on its own: -Werror, then the analyzer.
user_build() {	# user_build [CFLAG...]
	local f
	for f in $(user_c_files); do
		gcc "${USER_CFLAGS[@]}" "$@" -c -o /dev/null "$f"
	done
}

# Every make target that a document of tests/readme/docs marked "targets"
# names, in either language, is one make help lists.
help_lists_doc_targets() {
	local listed target doc
	listed=$(make -s help | awk '$1 == "make" { print $2 }')
	for doc in $(tests/readme/docs.sh both targets); do
		[ -e "$doc" ] || { echo "tests/readme/docs names $doc, which is missing"; continue; }
		for target in $(grep -oh -e '`make [a-z][a-z0-9-]*' -e '^\(sudo \)\?make [a-z][a-z0-9-]*' "$doc" |
				awk '{ print $NF }' | sort -u); do
			grep -qxF "$target" <<< "$listed" ||
				echo "$doc names make $target, which make help does not list"
		done
	done
}

# Each Spanish edition has its English document's sections and commands
# (make test runs the same comparison, with the checker's own cases).
docs_structure() {
	local en es out
	while read -r en es; do
		out=$(perl tests/readme/readme.pl structure "$en" "$es") || printf '%s\n' "$out"
	done < <(tests/readme/docs.sh pairs)
}

# One TAP vocabulary: no shell script but tests/lib/tap.sh prints a result
# line of its own (echo or printf of "ok" or "not ok").
tap_printers() {
	grep -rnE --include='*.sh' --exclude-dir=out "(echo|printf)[[:space:]]+(-[a-z]+[[:space:]]+)?['\"](not )?ok([[:space:]%]|['\"]|\\\\|$)" tests |
		grep -v '^tests/lib/tap\.sh:' | sed 's/$/ (use tests\/lib\/tap.sh)/' || true
}

# Every branch: from cppcheck 2.11 (Debian 13), the default level stops at
# a branch limit and says so in an information line, which is no finding.
# The version macro as gcc gets it. constParameterCallback (2.11 on): a
# callback's parameters are its table's type, not its own to make const.
cppcheck_user() {
	local level=()
	# (Not piped into grep -q: under pipefail, cppcheck's SIGPIPE would fail it.)
	! grep -q -e --check-level <<< "$(cppcheck --help)" || level=(--check-level=exhaustive)
	cppcheck -q --std=c11 --enable=warning,style,performance,portability \
		"${level[@]}" --inconclusive --error-exitcode=1 -Ikmod/uapi -Itests/guest \
		-DSHMDEMO_VERSION='"check"' --suppress=constParameterCallback \
		$(user_c_files)
}

# clang-format-14, which the tree is formatted with: the host's, or on a
# host whose release has none (Debian 13) the one of a bookworm build root.
run_clang_format() {	# run_clang_format ARG...
	if command -v "$CLANG_FORMAT" > /dev/null; then
		"$CLANG_FORMAT" "$@"
	else
		SHMDEMO_BUILDROOT_EXTRA=$CLANG_FORMAT "$SHMDEMO_TESTS/fetch/buildroot.sh" bookworm \
			run sh -c 'cd "$0" && exec "$@"' "$SHMDEMO_TOP" "$CLANG_FORMAT" "$@"
	fi
}

clang_format() {
	# shellcheck disable=SC2046
	run_clang_format --dry-run --Werror $(all_c_files)
}

# herd7's verdict lines, as comments (after the check that judged them).
litmus_verdicts() {	# litmus_verdicts OUT_DIR
	local f
	for f in "$1"/*.out; do
		[ -e "$f" ] || continue
		sed -n 's/^Observation /# herd7: &/p' "$f"
	done
}

# COMMAND's output without tests/fetch/kernel.sh's note of which kernel a flavour
# resolved to ("kernel 6.1: 6.1.0-56-amd64 (linux-image-amd64 from
# bookworm)"): the scripts that fetch a kernel say it, and it is no finding.
without_kernel_note() {	# without_kernel_note COMMAND...
	local out status=0
	out=$("$@" 2>&1) || status=$?
	printf '%s\n' "$out" | grep -vE '^kernel [^ ]+: [^ ]+ \(.* from [^ ]+\)$' || true
	return "$status"
}

man_page() {
	groff -man -ww -z -t user/user_demo.1
}

"$SHMDEMO_TESTS/fetch/deps.sh" check
"$here/checkpatch.sh" --path > /dev/null
tool_versions

# dkms and make install build with the host's own gcc, as on a real
# machine: for the kernels of the host's Debian release only (6.1 and 6.12
# on Debian 12, 7.x on Debian 13; tests/fetch/kernel.sh --host).
host_kernels=()
for flavour in $("$SHMDEMO_TESTS/fetch/kernel.sh" --host); do
	[[ " ${kernels[*]} " == *" $flavour "* ]] && host_kernels+=("$flavour")
done
[ ${#host_kernels[@]} -gt 0 ] ||
	host_kernels=($("$SHMDEMO_TESTS/fetch/kernel.sh" --host | head -n 1))

# Every kernel fetched and its build root made first, outside any check: a
# first run's messages about them are no finding of the checks'.
declare -A kdirs
for flavour in "${kernels[@]}" "${host_kernels[@]}"; do
	[ -z "${kdirs[$flavour]:-}" ] || continue
	kdirs[$flavour]=$("$SHMDEMO_TESTS/fetch/kernel.sh" "$flavour")
	"$SHMDEMO_TESTS/fetch/buildroot.sh" "$(cat "${kdirs[$flavour]}/buildroot")" > /dev/null
done

for flavour in "${kernels[@]}"; do
	kdir=${kdirs[$flavour]}
	release=$(cat "$kdir/release")
	out=$SHMDEMO_TESTS/out/check-$release
	check "W=1 build for $release, no warnings" module_w1 "$kdir" "$out"
	check "sparse (C=2) on $release, no reports" module_sparse "$kdir" "$out"
	check "modinfo on $release: license, author, description, version, parameters" \
		module_info "$out/kmod/shmdemo.ko"
done

# shellcheck disable=SC2046
check "checkpatch --strict on kmod/" checkpatch $(kmod_files)
# shellcheck disable=SC2046
check "checkpatch --strict on user/, tests/ and course/ (ignoring $CHECKPATCH_USER_IGNORE)" \
	checkpatch --ignore "$CHECKPATCH_USER_IGNORE" $(user_c_files) $(user_h_files) $(course_c_files)
check "user code builds with -Wall -Wextra -Werror" user_build
check "gcc -fanalyzer on user code" user_build -fanalyzer
check "cppcheck on user code" cppcheck_user
check "clang-format: the tree conforms to .clang-format" clang_format
check "man page: groff -ww has no warnings" man_page
check "make help lists every make target README.md and the guide name, in both languages" help_lists_doc_targets
check "README.es.md, the guide and the teacher's page in Spanish: the English sections and commands" docs_structure
check "TAP: every shell script prints its results through tests/lib/tap.sh" tap_printers
check "exercises: each solution.patch applies with no fuzz; its TODOs, its checker's cases, and both ends build (-Werror, W=1)" \
	"$SHMDEMO_TESTS/host/exercises-check.sh" "${kernels[0]}"
check "tally: crafted logs: no plan, short or long of it, no program, a missing program, a count mismatch, SKIPs, repeated test numbers" \
	"$SHMDEMO_TESTS/host/test_tally.sh"
check "harness: skip_case() prints '# SKIP why', counted as a skip; a skip without a reason fails" \
	"$SHMDEMO_TESTS/host/harness-check.sh"
check "kernel table: tests/kernels taken whole, its profiles known; the reader's lanes, defaults and cells; a bad row of each kind refused" \
	"$SHMDEMO_TESTS/host/test_kernels.sh"
check "kernel reports: the host's console scan and init's kmsg gap check, on crafted logs" \
	"$SHMDEMO_TESTS/host/test_reports.sh"
litmus_out=$SHMDEMO_TESTS/out/litmus
check "herd7 (LKMM): the handoff Never shows the old buffer; its relaxed-writer and plain-reader controls Sometimes; all three model kmod/shmdemo.c's primitives" \
	"$SHMDEMO_TESTS/litmus/verdicts.sh" "$litmus_out"
litmus_verdicts "$litmus_out"
check "hosts: each need includes run's packages, an unknown need refused, no apt and no Debian archive told what to do, sudo make in a user's tree refused, apt asked before a refresh, a failed refresh not fatal, two builds of the test programs one after the other" \
	"$SHMDEMO_TESTS/host/test_hosts.sh"
# Only root's build roots take the chroot way (a default Docker container).
if [ "$(id -u)" = 0 ]; then
	check "build roots entered with chroot where no mount namespace is given: the module built with its files staged inside and none left; a build with nothing to stage refused, naming docker run's --privileged" \
		"$SHMDEMO_TESTS/host/chroot-check.sh" "${kdirs[${kernels[0]}]}"
fi
check "initramfs: a guest gets the libraries its programs dlopen (libkmod, with what it links), and no others" \
	"$SHMDEMO_TESTS/host/test_stage.sh"
check "bench: a busy host's run noted as saying little, the targets' ratio lines, three runs merged into the median of their medians and of their ratios, runs of two guests or a missing figure refused" \
	"$SHMDEMO_TESTS/host/test_bench.sh"
check "tests/README.md's benchmark figures are those of tests/bench/reference.txt" "$SHMDEMO_TESTS/bench/docs.sh"
if [ ${#host_kernels[@]} -eq 0 ]; then
	check "make install and dkms need a kernel of this host's Debian release" \
		die "no kernel of tests/fetch/kernel.sh is built with this host's compiler" \
		    "($(. /etc/os-release; echo "$PRETTY_NAME")): make check's dkms" \
		    "and install proofs run on Debian 12 and 13 hosts"
else
	check "make install into a DESTDIR; a program builds against the header" \
		without_kernel_note "$SHMDEMO_TESTS/host/install-check.sh" "${host_kernels[0]}"
	for flavour in "${host_kernels[@]}"; do
		check "dkms build for $flavour" without_kernel_note "$SHMDEMO_TESTS/host/dkms-check.sh" "$flavour"
	done
fi

# The Debian packages (tests/vm/deb.sh): built, and lintian-clean.
check "one version: the man page names debian/changelog's release" "$SHMDEMO_TESTS/vm/version-check.sh"
check "make deb; lintian on shmdemo-dkms and shmdemo-utils: no error, no warning" \
	"$SHMDEMO_TESTS/vm/deb.sh" --check --out "$SHMDEMO_TESTS/out/deb-check"

tap_plan "$tap_n"
tally_summary "$((tap_n - tap_failed))" "$tap_failed" 0
tap_status
