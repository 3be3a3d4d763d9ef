#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A new user's container, made on this machine: a debian:SUITE image made
# here as Debian makes its own (tests/host/system.sh: a minbase root with
# Docker's apt settings and no lists, imported), the committed tree copied
# in, and make TARGETs run in a default container: root, no --privileged,
# no added capability, Docker's seccomp profile, the host's network (no
# container network is made). Needs root. Run through tests/host/fresh.sh:
# Usage: tests/host/fresh.sh --docker [--cache DIR] [--broken-source] SUITE -- TARGET...
# First, as a Dockerfile's first RUN would: apt-get update, make installed,
# the lists removed again. --broken-source then adds the source of
# tests/host/broken-source.sh, so the targets' own refresh fails (exit 100).
# Each line: "fresh SUITE/ARCH (docker): make TARGET: ok|FAILED (N s)".
set -euo pipefail
. "$(dirname "$0")/../lib/lib.sh"
. "$SHMDEMO_TESTS/host/system.sh"

cache= broken=
while [ $# -gt 0 ]; do
	case $1 in
	--cache) cache=$(realpath "$2"); shift 2 ;;
	--broken-source) broken=1; shift ;;
	--user)	die "--user is not for --docker: a container's user is root" ;;
	*)	break ;;
	esac
done
suite=${1:?usage: fresh.sh --docker [--cache DIR] [--broken-source] SUITE -- TARGET...}
[ "${2:-}" = -- ] && [ $# -gt 2 ] ||
	die "usage: fresh.sh --docker [--cache DIR] [--broken-source] SUITE -- TARGET..."
shift 2
arch=$SHMDEMO_HOST_ARCH label="fresh $suite/$arch (docker)"
[ "$(id -u)" = 0 ] || die "makes an image and runs a container: run it as root"
"$SHMDEMO_TESTS/fetch/deps.sh" fresh docker
logs=$SHMDEMO_CACHE/fresh/logs/$suite-$arch-docker
rm -rf "$logs" && mkdir -p "$logs"

# Docker's daemon, started here if none answers, and stopped at the end:
# without a bridge or iptables rules, as this machine allows; every
# container shares the host's network.
dockerd_pid=
if ! docker info > /dev/null 2>&1; then
	say "starting dockerd (its log: $SHMDEMO_CACHE/fresh/dockerd.log)"
	setsid dockerd --bridge=none --iptables=false \
		> "$SHMDEMO_CACHE/fresh/dockerd.log" 2>&1 < /dev/null &
	dockerd_pid=$!
	trap 'kill "$dockerd_pid" 2> /dev/null || true' EXIT
	for _ in $(seq 60); do
		docker info > /dev/null 2>&1 && break
		sleep 1
	done
	docker info > /dev/null 2>&1 || die "dockerd did not start; see $SHMDEMO_CACHE/fresh/dockerd.log"
fi

# The image, imported again only when its system is another tarball.
start=$SECONDS
tarball=$(system_tarball "$suite" "$arch" docker "$logs/mmdebstrap.log")
image=debian:$suite
if [ "$(docker image inspect -f '{{index .Config.Labels "shmdemo.system"}}' "$image" 2> /dev/null)" \
	!= "${tarball##*/}" ]; then
	docker import -c 'CMD ["bash"]' -c "LABEL shmdemo.system=${tarball##*/}" \
		"$tarball" "$image" > /dev/null
	say "imported $image from $tarball"
fi

name=shmdemo-fresh-$suite
docker rm -f "$name" > /dev/null 2>&1 || true
tmp=$(mktemp -d)
cleanup() {
	docker rm -f "$name" > /dev/null 2>&1 || true
	rm -rf "$tmp"
	[ -z "${broken_source_PID:-}" ] || kill "$broken_source_PID" 2> /dev/null || true
	[ -z "$dockerd_pid" ] || { kill "$dockerd_pid"; wait "$dockerd_pid"; } 2> /dev/null || true
}
trap cleanup EXIT
run_args=(--detach --name "$name" --network host)
[ -z "$cache" ] || run_args+=(--volume "$cache:$cache" --env "SHMDEMO_CACHE=$cache")
docker run "${run_args[@]}" "$image" sleep infinity > /dev/null
git clone -q "$SHMDEMO_TOP" "$tmp/shmdemo"
docker cp "$tmp/shmdemo" "$name:/root/shmdemo"
say "$label: container $name in $((SECONDS - start)) s"

# One command in the container, one line for it.
in_container() {	# in_container COMMAND
	docker exec -i -w /root/shmdemo -e TERM=dumb "$name" sh -c "$1"
}
step() {	# step LOG LABEL COMMAND
	system_step "$label" "$logs/$1.log" "$2" "$3" in_container
}

step setup "apt-get install make" \
	'apt-get update -q && apt-get install -y -q --no-install-recommends make && rm -rf /var/lib/apt/lists/*' ||
	exit 1
if [ -n "$broken" ]; then
	coproc broken_source { exec "$SHMDEMO_TESTS/host/broken-source.sh" "$logs/broken-source"; }
	read -r line <&"${broken_source[0]}"
	docker exec "$name" sh -c "echo '$line' > /etc/apt/sources.list.d/broken.list"
	say "an extra apt source that fails its update: $line"
fi
status=0
for target in "$@"; do
	log=${target%%<*}
	step "${log//[^[:alnum:]=.-]/_}" "make ${target%%<*}" "$(system_command "$target")" || status=1
done
echo "$label: logs in $logs"
exit "$status"
