#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check: the host rules of tests/fetch/deps.sh and tests/lib/lib.sh, each tried
# the way it must answer. Silent when every rule holds; each broken one
# prints a line (tests/static/check.sh counts any output as a finding).
#   1. every need lists run's packages (but fresh), and its own
#   2. an unknown need is refused
#   3. a host without apt is told which packages to install
#   4. a host whose sources name no Debian archive is told to set
#      SHMDEMO_MIRROR, and SHMDEMO_MIRROR is taken when set
#   5. sudo make from a user's shell, in that user's tree, is refused
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
	[ "$need" = fresh ] && continue
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
exit 0
