#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A new user's Debian system, as a tarball that mmdebstrap makes once for
# each state of the archive: sourced by tests/host/fresh.sh (a root to
# enter) and tests/host/fresh-docker.sh (an image to import). Needs root.

# The sources the installer would write: the archive, and the suite's
# updates and security sources where it has them.
system_sources() {	# system_sources SUITE: one "deb URI SUITE main" line each
	apt_mirror_known
	echo "deb $(apt_mirror) $1 main"
	case $1 in
	bullseye|bookworm|trixie)
		echo "deb $(apt_mirror) $1-updates main"
		echo "deb $(apt_security_mirror) $1-security main" ;;
	esac
}

# The hash of the InRelease files of SOURCE_LINEs: the archive's state.
system_release_key() {	# system_release_key SOURCE_LINE...
	local line uri dist dir n=0
	dir=$(mktemp -d)
	for line in "$@"; do
		read -r _ uri dist _ <<< "$line"
		n=$((n + 1))
		/usr/lib/apt/apt-helper -qq download-file "$uri/dists/$dist/InRelease" \
			"$dir/$n" > /dev/null 2>&1 || { rm -rf "$dir"; return 1; }
	done
	cat "$dir"/* | sha256sum | cut -c1-12
	rm -rf "$dir"
}

# Apt as Debian's own container images set it: lists kept compressed, no
# translations, the package cache cleaned after each run, dpkg without
# fsync, and no package lists at all. mmdebstrap's customize hook; $1 is
# the root.
docker_apt_hook='set -e
conf=$1/etc/apt/apt.conf.d
clean="\"rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true\";"
printf "%s\n" "DPkg::Post-Invoke { $clean };" "APT::Update::Post-Invoke { $clean };" \
	"Dir::Cache::pkgcache \"\";" "Dir::Cache::srcpkgcache \"\";" > "$conf/docker-clean"
echo "Acquire::GzipIndexes \"true\";" > "$conf/docker-gzip-indexes"
echo "Acquire::Languages \"none\";" > "$conf/docker-no-languages"
echo "Apt::AutoRemove::SuggestsImportant \"false\";" > "$conf/docker-autoremove-suggests"
echo force-unsafe-io > "$1/etc/dpkg/dpkg.cfg.d/docker-apt-speedup"
rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin'

# The tarball of a KIND of SUITE system for ARCH, made once for each state
# of the archive (the older ones of its kind are deleted then); its path.
#   fresh   minbase with git, make and ca-certificates, and a user
#           "student": a machine a student installed, to clone the tree on
#   docker  minbase with apt as Debian's container images have it
# Valid-Until is not checked: this workplace's archive copy is past it.
system_tarball() {	# system_tarball SUITE ARCH KIND LOG
	local suite=$1 arch=$2 kind=$3 log=$4 sources key tarball old start=$SECONDS tag=
	local hex=[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]
	local args=(--quiet --mode=root --variant=minbase --arch="$arch"
		--keyring="$SHMDEMO_KEYRING" --aptopt='Acquire::Check-Valid-Until "false"')
	case $kind in
	fresh)	args+=(--include=git,make,ca-certificates
		       --customize-hook='useradd -R "$1" -m -s /bin/bash student') ;;
	docker)	args+=(--customize-hook="$docker_apt_hook") ;;
	*)	die "no kind of system '$kind' (fresh, docker)" ;;
	esac
	mapfile -t sources < <(system_sources "$suite")
	key=$(system_release_key "${sources[@]}") ||
		die "could not fetch the InRelease files of: ${sources[*]}"
	# A fresh system's name has no kind (the name it had before docker's).
	[ "$kind" = fresh ] || tag=-$kind
	tarball=$SHMDEMO_CACHE/fresh/$suite-$arch$tag-$key.tar
	mkdir -p "${tarball%/*}"
	(
		flock 9
		[ -s "$tarball" ] && exit 0
		mmdebstrap "${args[@]}" "$suite" "${tarball%.tar}.new.tar" "${sources[@]}" \
			> "$log" 2>&1 9>&- ||
			{ tail -n 20 "$log" >&2; die "mmdebstrap $suite $arch failed"; }
		mv "${tarball%.tar}.new.tar" "$tarball"
		for old in "$SHMDEMO_CACHE/fresh/$suite-$arch$tag-"$hex$hex.tar; do
			[ "$old" = "$tarball" ] || rm -f "$old"
		done
		say "made a $kind $suite/$arch system in $((SECONDS - start)) s: $tarball"
	) 9> "$SHMDEMO_CACHE/fresh/$suite-$arch$tag.lock" || exit
	echo "$tarball"
}

# The command a student types for TARGET: "make TARGET", or, for
# "shell<CMDS", CMDS piped into make shell with a last line that says the
# guest got through them all.
system_command() {	# system_command TARGET
	case $1 in
	*'<'*)	echo "printf '%s\n' '${1#*<} && echo fresh: shell commands ok' | make ${1%%<*}" ;;
	*)	echo "make $1" ;;
	esac
}

# Run and time COMMAND on a new user's system through RUNNER (which takes
# the command as its last argument), its output in LOG; one line for it,
# "PREFIX: LABEL: ok (N s)", or FAILED and LOG's last lines.
system_step() {	# system_step PREFIX LOG LABEL COMMAND RUNNER...
	local prefix=$1 log=$2 label=$3 cmd=$4 t=$SECONDS status=0
	shift 4
	"$@" "$cmd" > "$log" 2>&1 < /dev/null || status=$?
	# A piped shell ends well whatever its commands did: the guest's
	# own line after them says they all succeeded.
	case $cmd in
	*"| make shell"*)
		[ "$status" -ne 0 ] || grep -q '^fresh: shell commands ok' "$log" ||
			status=1 ;;
	esac
	if [ "$status" -eq 0 ]; then
		echo "$prefix: $label: ok ($((SECONDS - t)) s)"
	else
		echo "$prefix: $label: FAILED ($((SECONDS - t)) s); last lines of $log:"
		tail -n 15 "$log" | sed 's/^/#   /'
	fi
	return "$status"
}
