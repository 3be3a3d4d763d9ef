#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The reader of the kernel table, tests/kernels: sourced for its functions
# (tests/lib/lib.sh sources it), or run, for the Makefile.
# Usage: tests/lib/kernels.sh lane LANE [ARCH]     the flavours of LANE, in order
#        tests/lib/kernels.sh default [ARCH]       ARCH's default flavour
#        tests/lib/kernels.sh field FLAVOUR COLUMN one cell
#        tests/lib/kernels.sh names                every flavour
#        tests/lib/kernels.sh host-arch            the host's architecture
# ARCH is the host's (SHMDEMO_HOST_ARCH) when not given.

kernel_table=$(cd "${BASH_SOURCE[0]%/*}" && pwd)/../kernels

# The host's Debian architecture, which picks the default kernels: amd64
# boots x86-64 guests; any other (arm64) boots the arm64 guests, whose build
# roots are amd64 (qemu-user). Without dpkg, uname's name, in Debian's words.
SHMDEMO_HOST_ARCH=${SHMDEMO_HOST_ARCH:-$(dpkg --print-architecture 2> /dev/null ||
	uname -m | sed 's/^x86_64$/amd64/; s/^aarch64$/arm64/')}

# The rows whose COLUMN is VALUE (all rows without one), the named columns
# of each printed on a line. The whole table is checked first: a row with
# the wrong number of cells, a name twice, or a cell that is not one of its
# column's values stops every reader, naming the line.
# SHMDEMO_KERNEL_TABLE reads another table (tests/host/test_kernels.sh's).
kernel_rows() {	# kernel_rows [COLUMN=VALUE...] -- COLUMN...
	local table=${SHMDEMO_KERNEL_TABLE:-$kernel_table} arches files IFS=' '
	# The architectures: a file each in tests/arch/.
	files=("${kernel_table%/*}"/arch/*.sh)
	files=("${files[@]##*/}")
	arches="${files[*]%.sh}"
	awk -v args="$*" -v table="$table" -v arches="$arches" '
		function bad(why) {
			printf "%s:%d: %s\n", table, FNR, why > "/dev/stderr"
			failed = 1
			exit 2
		}
		/^# name / {
			for (i = 2; i <= NF; i++)
				col[$i] = i - 1
			ncol = NF - 1
			next
		}
		/^#/ || !NF { next }
		{
			if (!ncol) bad("no \"# name ...\" line naming the columns before the rows")
			if (NF != ncol) bad(NF " cells, not " ncol)
			if ($1 in seen) bad("flavour " $1 " twice")
			seen[$1] = 1
			if (index(" " arches " ", " " $col["arch"] " ") == 0)
				bad("arch " $col["arch"] ", not one of tests/arch/: " arches)
			if ($col["pages"] !~ /^(4k|16k|64k)$/) bad("pages " $col["pages"] ", not 4k, 16k or 64k")
			if ($col["scale"] !~ /^[1-9][0-9]*$/) bad("scale " $col["scale"] ", not a whole number")
			if ($col["memory"] !~ /^[1-9][0-9]*[MG]$/) bad("memory " $col["memory"] ", not like 1G or 512M")
			if ($col["lane"] !~ /^(test|debug|-)$/) bad("lane " $col["lane"] ", not test, debug or -")
			if ($col["lane"] == "debug" && ($col["arch"] != "amd64" || $col["package"] !~ /^linux-source-/))
				bad("a debug row is amd64, built from a linux-source package")
			row[++nrow] = $0
		}
		END {
			if (failed) exit 2
			n = split(args, a, " ")
			for (r = 1; r <= nrow; r++) {
				split(row[r], cell)
				for (i = 1; i <= n && a[i] != "--"; i++) {
					split(a[i], kv, "=")
					if (!(kv[1] in col)) { print "no column " kv[1] > "/dev/stderr"; exit 2 }
					if (cell[col[kv[1]]] != kv[2]) break
				}
				if (i <= n && a[i] != "--") continue
				line = ""
				for (i++; i <= n; i++) {
					if (!(a[i] in col)) { print "no column " a[i] > "/dev/stderr"; exit 2 }
					line = line (line == "" ? "" : " ") cell[col[a[i]]]
				}
				print line
			}
		}' "$table"
}

# One cell of FLAVOUR's row; fails, saying so, for a flavour not in the table.
kernel_field() {	# kernel_field FLAVOUR COLUMN
	local cell
	cell=$(kernel_rows name="$1" -- "$2") || return
	if [ -z "$cell" ]; then
		echo "unknown kernel flavour '$1' (known: $(kernel_rows -- name | paste -sd' '))" >&2
		return 1
	fi
	echo "$cell"
}

# The flavours of LANE (test, debug) for ARCH, in the table's order.
kernels_of() {	# kernels_of LANE [ARCH]
	kernel_rows lane="$1" ${2:+arch="$2"} -- name
}

# ARCH's default flavour: its first test row.
kernel_default() {	# kernel_default [ARCH]
	kernels_of test "${1:-${SHMDEMO_HOST_ARCH:?}}" | head -n 1
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -euo pipefail
	case ${1:-} in
	host-arch) echo "$SHMDEMO_HOST_ARCH" ;;
	lane)	kernels_of "${2:?usage: kernels.sh lane LANE [ARCH]}" "${3:-$SHMDEMO_HOST_ARCH}" ;;
	default) kernel_default "${2:-}" ;;
	field)	kernel_field "${2:?usage: kernels.sh field FLAVOUR COLUMN}" "${3:?}" ;;
	names)	kernel_rows -- name ;;
	*)	echo "usage: kernels.sh lane LANE [ARCH] | default [ARCH] | field FLAVOUR COLUMN | names | host-arch" >&2
		exit 2 ;;
	esac
fi
