# SPDX-License-Identifier: GPL-2.0
# Sourced by tests/lib/lib.sh: a private apt, with its own sources list, keyring,
# lists, cache and state under $SHMDEMO_CACHE/apt/ARCH/PROFILE/, independent
# of the host's apt sources. It downloads packages, it never installs any.
#
# A profile is a set of Debian suites, kept apart so that each answers for
# its own release (trixie-backports would otherwise win every resolution):
#   bullseye           bullseye, bullseye-security
#   bookworm           bookworm, bookworm-security
#   trixie-backports   trixie-backports (apt's default release there)
#   sid                sid
# Variables:
#   SHMDEMO_MIRROR           the Debian archive; by default the one the host's
#                            sources name (a host with none must set it)
#   SHMDEMO_SECURITY_MIRROR  the same for debian-security
#   SHMDEMO_ARCH             the architecture (amd64); arm64 works the same way
#   SHMDEMO_APT_MAX_AGE      lists older than this many minutes (1440, a day)
#                            are refreshed before apt answers anything

SHMDEMO_ARCH=${SHMDEMO_ARCH:-amd64}
SHMDEMO_APT_MAX_AGE=${SHMDEMO_APT_MAX_AGE:-1440}
SHMDEMO_KEYRING=${SHMDEMO_KEYRING:-/usr/share/keyrings/debian-archive-keyring.gpg}

# The first URI the host's Debian sources give for a path (debian or
# debian-security), in either sources format.
host_mirror() {	# host_mirror debian|debian-security
	local f
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
		 /etc/apt/sources.list.d/*.sources; do
		[ -r "$f" ] || continue
		sed -n -e 's/^deb \(\[[^]]*\] \)\{0,1\}\([a-z]*:\/\/[^ ]*\).*/\2/p' \
			-e 's/^URIs: *\([^ ]*\).*/\1/p' "$f"
	done | sed 's|/*$||' | grep -m1 "/$1\$" || true
}

apt_mirror() {
	echo "${SHMDEMO_MIRROR:-$(host_mirror debian)}"
}

# A host whose sources name no Debian archive (Ubuntu's) must name one.
apt_mirror_known() {
	[ -n "$(apt_mirror)" ] ||
		die "this host's apt sources name no Debian archive (a URI ending" \
		    "in /debian), and the guests' kernels come from one: set" \
		    "SHMDEMO_MIRROR, for example" \
		    "SHMDEMO_MIRROR=http://deb.debian.org/debian make run"
}

apt_security_mirror() {
	echo "${SHMDEMO_SECURITY_MIRROR:-$(host_mirror debian-security | grep . ||
		echo http://deb.debian.org/debian-security)}"
}

# The sources of a profile, one "URI SUITE" line each.
profile_suites() {	# profile_suites PROFILE
	case $1 in
	bullseye|bookworm)
		echo "$(apt_mirror) $1"
		echo "$(apt_security_mirror) $1-security" ;;
	trixie-backports|sid)
		echo "$(apt_mirror) $1" ;;
	*)	die "no apt profile '$1' (bullseye, bookworm, trixie-backports, sid)" ;;
	esac
}

apt_profile_dir() {	# apt_profile_dir PROFILE
	echo "$SHMDEMO_CACHE/apt/$SHMDEMO_ARCH/$1"
}

# Write the profile's configuration; its sources change with the mirror.
apt_profile_setup() {	# apt_profile_setup PROFILE
	local d uri suite conf
	apt_mirror_known
	d=$(apt_profile_dir "$1")
	[ -r "$SHMDEMO_KEYRING" ] ||
		die "no $SHMDEMO_KEYRING: install debian-archive-keyring (tests/fetch/deps.sh)"
	mkdir -p "$d"/{lists/partial,cache/archives/partial,state,empty}
	[ -e "$d/state/status" ] || : > "$d/state/status"
	profile_suites "$1" | while read -r uri suite; do
		echo "deb [signed-by=$SHMDEMO_KEYRING] $uri $suite main"
	done > "$d/sources.list.new"
	conf="Dir::Etc::main \"/dev/null\";
Dir::Etc::parts \"$d/empty\";
Dir::Etc::sourcelist \"$d/sources.list\";
Dir::Etc::sourceparts \"$d/empty\";
Dir::Etc::preferences \"/dev/null\";
Dir::Etc::preferencesparts \"$d/empty\";
Dir::Etc::trustedparts \"$d/empty\";
Dir::State \"$d/state\";
Dir::State::lists \"$d/lists\";
Dir::State::status \"$d/state/status\";
Dir::Cache \"$d/cache\";
Dir::Log \"$d/state\";
APT::Architecture \"$SHMDEMO_ARCH\";
APT::Architectures { \"$SHMDEMO_ARCH\"; };
Acquire::Check-Valid-Until \"false\";
Acquire::Languages \"none\";
Acquire::Retries \"2\";
APT::Get::List-Cleanup \"true\";"
	case $1 in
	*-backports) conf+=$'\n'"APT::Default-Release \"$1\";" ;;
	esac
	# apt's unprivileged _apt user cannot write to root's cache.
	[ "$(id -u)" = 0 ] && conf+=$'\n''APT::Sandbox::User "root";'
	echo "$conf" > "$d/apt.conf.new"
	# Replaced only when they change: a new sources.list outdates the lists.
	replace_if_changed "$d/sources.list.new" "$d/sources.list"
	replace_if_changed "$d/apt.conf.new" "$d/apt.conf"
}

replace_if_changed() {	# replace_if_changed NEW FILE
	if cmp -s "$1" "$2"; then
		rm -f "$1"
	else
		mv "$1" "$2"
	fi
}

# apt-get or apt-cache through PROFILE's configuration.
papt() {	# papt PROFILE apt-get|apt-cache ARG...
	local d
	d=$(apt_profile_dir "$1")
	shift
	APT_CONFIG=$d/apt.conf "$@"
}

# Are PROFILE's lists there and younger than SHMDEMO_APT_MAX_AGE, for the
# sources configured now? Runs no apt.
apt_lists_fresh() {	# apt_lists_fresh PROFILE
	local d
	d=$(apt_profile_dir "$1")
	[ -e "$d/updated" ] && [ "$d/updated" -nt "$d/sources.list" ] &&
		[ -n "$(find "$d/updated" -mmin -"$SHMDEMO_APT_MAX_AGE")" ]
}

# Hold PROFILE's lock until profile_unlock: CI's lanes set up and refresh the
# same profile at once (one's sources.list.new moved under the other), and
# apt's own lock fails at once instead of waiting.
profile_lock() {	# profile_lock PROFILE
	local d
	d=$(apt_profile_dir "$1")
	mkdir -p "${d%/*}"
	exec {profile_lock_fd}> "$d.lock"
	flock "$profile_lock_fd"
}

profile_unlock() {
	exec {profile_lock_fd}>&-
}

# Download PROFILE's lists; the caller holds the lock.
profile_fetch_lists() {	# profile_fetch_lists PROFILE
	local d
	d=$(apt_profile_dir "$1")
	say "updating the package lists of $1 ($SHMDEMO_ARCH) in $d"
	papt "$1" apt-get update -q --error-on=any >&2 && touch "$d/updated"
}

# Download PROFILE's lists now.
apt_profile_update() {	# apt_profile_update PROFILE
	local status=0
	profile_lock "$1"
	apt_profile_setup "$1"
	profile_fetch_lists "$1" || status=$?
	profile_unlock
	return "$status"
}

# Make PROFILE's lists fresh: refresh them if they are missing, older than a
# day or from other sources. A failed refresh of lists that exist leaves them
# as they are and is not fatal (offline use); the caller decides. A second
# caller waits for the first one's refresh, then finds the lists fresh.
apt_profile_ready() {	# apt_profile_ready PROFILE
	local d status=0
	d=$(apt_profile_dir "$1")
	profile_lock "$1"
	apt_profile_setup "$1"
	apt_lists_fresh "$1" || profile_fetch_lists "$1" || status=$?
	profile_unlock
	[ "$status" != 0 ] || return 0
	compgen -G "$d/lists/*_Packages*" > /dev/null ||
		die "could not download the package lists of $1 from $(apt_mirror)"
	say "warning: could not refresh the lists of $1; using those of $(date -r "$d/lists" '+%F %R')"
	return 1
}

# Download Debian packages of PROFILE into DIR (not installed); refresh the
# lists once if a version they name is gone from the archive.
papt_download() {	# papt_download PROFILE DIR PACKAGE...
	local profile=$1 dir=$2
	shift 2
	apt_profile_ready "$profile" || true
	(cd "$dir" && papt "$profile" apt-get download -q "$@" >&2) && return 0
	apt_profile_update "$profile" || true
	(cd "$dir" && papt "$profile" apt-get download -q "$@" >&2) ||
		die "could not download $* from $profile"
}
