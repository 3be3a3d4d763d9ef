#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A guest is given the libraries its programs dlopen as well as those they
# link (tests/lib/initramfs.sh: install_program), tried with this host's
# compiler and libraries, staged as an amd64 guest's are: a program that
# dlopens libkmod.so.2 brings libkmod and what libkmod links; a program
# that names no library brings its C library alone. Prints nothing when
# every case comes out right; otherwise one line per miss. Run by make check.
set -euo pipefail
. "$(dirname "$0")/../lib/lib.sh"
. "$SHMDEMO_TESTS/lib/initramfs.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
guest_arch=amd64	# the host's own files: ldd lists them

# staged PROGRAM: the sonames a stage of PROGRAM alone holds, one a line.
staged() {	# staged PROGRAM
	rm -rf "$tmp/stage"
	mkdir -p "$tmp/stage/bin"
	install_program "$tmp/stage" "$1" "bin/${1##*/}"
	find "$tmp/stage" -name '*.so.*' -printf '%f\n' | sort -u
}

printf '%s\n' '#include <dlfcn.h>' \
	'int main(void) { return !dlopen("libkmod.so.2", RTLD_NOW); }' > "$tmp/opens.c"
printf '%s\n' 'int main(void) { return 0; }' > "$tmp/plain.c"
gcc -o "$tmp/opens" "$tmp/opens.c"
gcc -o "$tmp/plain" "$tmp/plain.c"
libkmod=$(ldconfig -p | awk '$1 == "libkmod.so.2" && !found { print $NF; found = 1 }')
[ -n "$libkmod" ] || { echo "stage: this host has no libkmod.so.2 (make deps)"; exit 1; }

got=$(staged "$tmp/opens")
for so in libkmod.so.2 $(ldd "$libkmod" | awk '/=>/ { print $1 }'); do
	grep -qx "$so" <<< "$got" ||
		{ echo "stage: a program that dlopens libkmod.so.2 is staged without $so"; status=1; }
done
got=$(staged "$tmp/plain")
grep -q libkmod <<< "$got" &&
	{ echo "stage: a program that names no library is staged with libkmod"; status=1; }
grep -qx libc.so.6 <<< "$got" ||
	{ echo "stage: a plain program is staged without its C library"; status=1; }
exit "$status"
