#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check: the host rules of tests/fetch/deps.sh and tests/lib/lib.sh, each tried
# the way it must answer. Silent when every rule holds; each broken one
# prints a line (tests/static/check.sh counts any output as a finding).
#   1. every need lists run's packages (but fresh and docker), and its own
#   2. an unknown need is refused
#   3. a host without apt is told which packages to install
#   4. a host whose sources name no Debian archive is told to set
#      SHMDEMO_MIRROR, and SHMDEMO_MIRROR is taken when set
#   5. sudo make from a user's shell, in that user's tree, is refused
#   6. deps.sh asks apt, not file names, whether it can install, and a
#      source that fails apt-get update stops nothing but a failed install:
#      a. nothing missing: no apt run at all
#      b. apt can install from the lists it has (compressed ones too): no
#         refresh, the install
#      c. it cannot; the refresh fails (exit 100, a source mid-sync); the
#         install works: exit 0, and the warning names the source
#      d. the same, and the install fails: the exit is not 0, and apt's own
#         error line and the failing source are shown
#   7. two builds of the test programs at once (two of CI's lanes, two
#      terminals) run one after the other (lib.sh's programs_make)
set -uo pipefail
tests=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() { echo "$*"; }

# 1, 2
run_pkgs=$("$tests/fetch/deps.sh" --list run) || fail "deps.sh --list run failed"
needs=$("$tests/fetch/deps.sh" --needs) || fail "deps.sh --needs failed"
for need in $needs; do
	pkgs=$("$tests/fetch/deps.sh" --list "$need") ||
		{ fail "deps.sh --list $need failed"; continue; }
	[ -n "$pkgs" ] || fail "need $need lists no package"
	case $need in fresh|docker) continue ;; esac
	missing=$(comm -23 <(sort <<< "$run_pkgs") <(sort <<< "$pkgs"))
	[ -z "$missing" ] || fail "need $need lacks run's" $missing
done
all=$("$tests/fetch/deps.sh" --list $needs)
for word in $needs; do
	! grep -qxF "$word" <<< "$all" ||
		fail "'$word' is both a need and a package: a continuation line read as a need?"
done
out=$("$tests/fetch/deps.sh" --list nosuch 2>&1) &&
	fail "deps.sh --list nosuch succeeded"
grep -q "no need 'nosuch'" <<< "$out" || fail "unknown need: $out"

# 3: a PATH with the tools deps.sh uses, and neither apt-get nor dpkg-query.
mkdir "$tmp/bin"
for tool in awk grep xargs echo dirname cat id stat mkdir sed sort cut getent uname; do
	ln -s "$(type -P "$tool")" "$tmp/bin/$tool"
done
out=$(PATH=$tmp/bin SHMDEMO_CACHE=$tmp/cache "$BASH" "$tests/fetch/deps.sh" run 2>&1) &&
	fail "deps.sh without apt succeeded"
grep -q "this host has no apt; install the Debian packages .* of: gcc make" \
	<<< "$out" || fail "no apt: $out"

# 4: host_mirror as on a host whose sources name no Debian archive.
mirror() {	# mirror SHMDEMO_MIRROR
	SHMDEMO_MIRROR=$1 bash -c '. "$1/lib/lib.sh"; host_mirror() { :; }
		apt_mirror_known && apt_mirror' sh "$tests" 2>&1
}
out=$(mirror '') && fail "no Debian archive and no SHMDEMO_MIRROR: accepted"
grep -q "set SHMDEMO_MIRROR" <<< "$out" || fail "no mirror: $out"
out=$(mirror http://example.org/debian) || fail "SHMDEMO_MIRROR refused: $out"
[ "$out" = http://example.org/debian ] || fail "SHMDEMO_MIRROR not taken: $out"

# 5: a tree owned by a user, and root (id -u says 0) under sudo from it.
tree=$tmp/tree
mkdir -p "$tree/tests/lib" "$tree/tests/host" "$tmp/root"
cp "$tests/lib/lib.sh" "$tests/lib/apt.sh" "$tests/lib/kernels.sh" "$tree/tests/lib/"
cp -r "$tests/kernels" "$tests/arch" "$tree/tests/"
owner=$(stat -c %U "$tree")
printf '#!/bin/sh\necho 0\n' > "$tmp/root/id"
chmod +x "$tmp/root/id"
printf '. "$(dirname "$0")/../lib/lib.sh"\necho sourced\n' > "$tree/tests/host/job.sh"
sudo_make() {	# sudo_make SUDO_USER
	PATH=$tmp/root:$PATH SUDO_USER=$1 bash "$tree/tests/host/job.sh" 2>&1
}
[ "$owner" != root ] || owner=nobody	# the rule is about another user
chown -R "$owner" "$tree" 2> /dev/null || [ "$(stat -c %U "$tree")" = "$owner" ] ||
	fail "cannot give the tree to $owner"
out=$(sudo_make "$owner") && fail "sudo make in $owner's tree ran: $out"
grep -q "run make as $owner, without sudo" <<< "$out" || fail "sudo make: $out"
out=$(sudo_make root) || fail "make as root in root's shell refused: $out"

# 6: apt-get, apt-cache and dpkg-query stubbed, as root; each apt run is
# logged to STUB_CALLS. STUB_INSTALLED: dpkg-query says every package is
# installed; STUB_CANDIDATE: apt-cache policy's candidate, "(none)" when
# the lists lack it; STUB_UPDATE, STUB_INSTALL: the exit statuses.
mkdir "$tmp/apt"
cat > "$tmp/apt/dpkg-query" << 'STUB'
#!/bin/bash
[ -n "${STUB_INSTALLED:-}" ] || exit 0
for a in "$@"; do [[ $a == -* ]] || echo "$a installed"; done
STUB
cat > "$tmp/apt/apt-cache" << 'STUB'
#!/bin/bash
echo "apt-cache $1" >> "$STUB_CALLS"
shift
for a in "$@"; do
	printf '%s:\n  Installed: (none)\n  Candidate: %s\n' "$a" "$STUB_CANDIDATE"
done
STUB
cat > "$tmp/apt/apt-get" << 'STUB'
#!/bin/bash
echo "apt-get $1" >> "$STUB_CALLS"
case $1 in
update)	[ "$STUB_UPDATE" = 0 ] ||
		echo "E: Failed to fetch http://127.0.0.1:9/broken/dists/x/main/binary-amd64/Packages.xz  File has unexpected size (10 != 20). Mirror sync in progress?"
	exit "$STUB_UPDATE" ;;
install) [ "$STUB_INSTALL" = 0 ] || echo "E: Unable to locate package gcc"
	exit "$STUB_INSTALL" ;;
esac
STUB
printf '#!/bin/sh\necho 0\n' > "$tmp/apt/id"
chmod +x "$tmp/apt"/*
deps() {	# deps INSTALLED CANDIDATE UPDATE INSTALL: deps.sh run, stubbed
	rm -f "$tmp/apt/calls"
	STUB_INSTALLED=$1 STUB_CANDIDATE=$2 STUB_UPDATE=$3 STUB_INSTALL=$4 \
		STUB_CALLS=$tmp/apt/calls PATH=$tmp/apt:$PATH \
		SHMDEMO_CACHE=$tmp/cache6 "$tests/fetch/deps.sh" run 2>&1
}
calls() { paste -sd, "$tmp/apt/calls" 2> /dev/null; }
out=$(deps 1 1.0 0 0) || fail "6a: deps.sh failed with every package installed: $out"
[ -z "$(calls)" ] || fail "6a: nothing missing, yet apt ran: $(calls)"
out=$(deps '' 1.0 0 0) || fail "6b: deps.sh failed: $out"
[ "$(calls)" = "apt-cache policy,apt-get install" ] ||
	fail "6b: apt can install from its lists, yet: $(calls)"
# The failed refresh: warned of, naming the source; then one install.
refresh_failed() {	# refresh_failed CASE
	grep -q "warning: apt-get update exited with status 100" <<< "$out" ||
		fail "$1: no warning of the failed refresh: $out"
	grep -q "http://127.0.0.1:9/broken/.*unexpected size" <<< "$out" ||
		fail "$1: the failing source is not named: $out"
	[ "$(calls)" = "apt-cache policy,apt-get update,apt-get install" ] ||
		fail "$1: expected one refresh, then one install: $(calls)"
}
out=$(deps '' '(none)' 100 0) || fail "6c: a failed refresh failed deps.sh: $out"
refresh_failed 6c
out=$(deps '' '(none)' 100 100) && fail "6d: a failed install passed: $out"
refresh_failed 6d
grep -q "E: Unable to locate package gcc" <<< "$out" ||
	fail "6d: apt's error line is not shown: $out"

# 7: the second build starts when the first has ended (a lock of this
# test's own, which no build of the tree's can hold).
order=$(
	. "$tests/lib/lib.sh"
	SHMDEMO_TESTS=$tmp
	build() { echo "$1 starts"; sleep 1; echo "$1 ends"; }
	programs_make build first &
	sleep 0.3
	programs_make build second
	wait
) 2>&1
[ "$(echo $order)" = "first starts first ends second starts second ends" ] ||
	fail "7: two programs_make builds overlapped: $(echo $order)"
exit 0
