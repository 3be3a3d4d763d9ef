#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Do the litmus tests model the code? Reads the ordering primitives on
# shmdemo_seq in kmod/shmdemo.c and checks that shmdemo-handoff.litmus uses
# the same ones, and that its two controls differ from it in one primitive
# each, and in nothing else:
#   - the writer: NOTIFY's increment (shmdemo_ioctl_notify), the one write
#     of seq after init; the model's P0;
#   - the readers: every other access to seq (INFO, WAIT, poll, open and
#     sysfs all go through shmdemo_seq_read), one primitive for all; P1;
#   - shmdemo-handoff-relaxed: P0's increment made _relaxed;
#   - shmdemo-handoff-plain-read: P1's acquire made a plain atomic_read.
# The model's atomic_t stands for the module's atomic64_t (LKMM orders both
# alike): atomic64_X in the code is atomic_X in the litmus test. Prints
# nothing when all agree; otherwise what differs, and exits 1.
# Usage: tests/litmus/code.sh [SOURCE [LITMUS_DIR]]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=${1:-$here/../../kmod/shmdemo.c}
dir=${2:-$here}
status=0

problem() {
	echo "$*"
	status=1
}

# Each access to shmdemo_seq outside its definition: "FUNCTION PRIMITIVE",
# FUNCTION the C function around it, PRIMITIVE what is applied to
# &shmdemo_seq ("?" if it is not a call of the form PRIMITIVE(&shmdemo_seq)).
accesses() {
	awk '
	# A function: a line at the margin with a "(", then a "{" alone.
	/^[A-Za-z_].*\(/ {
		cand = $0; sub(/\(.*/, "", cand); sub(/.*[ *]/, "", cand)
	}
	/^{/ { fn = cand }
	/^}/ { fn = "" }
	{
		line = $0
		while (match(line, /[A-Za-z0-9_]*\(?&?shmdemo_seq([^A-Za-z0-9_]|$)/)) {
			hit = substr(line, RSTART, RLENGTH)
			line = substr(line, RSTART + RLENGTH)
			if (hit ~ /^[A-Za-z0-9_]+\(&shmdemo_seq/) {
				sub(/\(.*/, "", hit)
				print (fn == "" ? "-" : fn), hit
			} else if (fn != "")
				print fn, "?"
		}
	}' "$src"
}

mapfile -t all < <(accesses)
writer=() readers=()
for a in "${all[@]}"; do
	case ${a% *} in
	shmdemo_ioctl_notify) writer+=("${a#* }") ;;
	-)	;;	# the definition, ATOMIC64_INIT
	*)	readers+=("$a") ;;
	esac
done
if [ ${#writer[@]} -ne 1 ]; then
	problem "kmod/shmdemo.c: shmdemo_ioctl_notify should write seq once, found ${#writer[@]}: ${writer[*]:-none}"
fi
mapfile -t reader_prims < <(printf '%s\n' "${readers[@]}" | awk 'NF { print $2 }' | sort -u)
if [ ${#reader_prims[@]} -ne 1 ]; then
	problem "kmod/shmdemo.c: the readers of seq should use one primitive, found: $(printf '%s; ' "${readers[@]}")"
fi
for a in "${readers[@]}"; do
	case ${a#* } in
	atomic64_inc*|atomic64_add*|atomic64_set*|atomic64_sub*|atomic64_dec*|atomic64_*xchg*|atomic64_fetch*|'?')
		problem "kmod/shmdemo.c: ${a% *} accesses seq with ${a#* }, neither NOTIFY's write nor a read of it" ;;
	esac
done
# Every reader path reads seq through the acquire read (or the primitive).
for fn in shmdemo_open shmdemo_ioctl_info shmdemo_seq_moved shmdemo_poll seq_show; do
	if ! awk -v fn="$fn" '
		$0 ~ "^[A-Za-z_].*[ *]" fn "\\(" { cand = 1; next }
		/^{/ && cand { in_fn = 1 }
		/^[A-Za-z_]/ { cand = 0 }
		in_fn && /^}/ { exit }
		in_fn && /shmdemo_seq_read\(\)|&shmdemo_seq[^A-Za-z0-9_]/ { found = 1 }
		END { exit !found }' "$src"; then
		problem "kmod/shmdemo.c: $fn no longer reads seq (or is gone): the reader paths of the litmus test have changed"
	fi
done
[ "$status" -eq 0 ] || exit 1
code_writer=${writer[0]} code_reader=${reader_prims[0]}
model_writer=atomic_${code_writer#atomic64_}
model_reader=atomic_${code_reader#atomic64_}

# The primitive process P applies to seq in a litmus test.
primitive() {	# primitive FILE P
	awk -v p="$2" '
	$0 ~ "^" p "\\(" { in_p = 1; next }
	in_p && /^}/ { exit }
	in_p && match($0, /[A-Za-z_0-9]+\(seq\)/) {
		print substr($0, RSTART, RLENGTH - 5)
	}' "$1"
}

# The test without its name and header comment: its processes and exists.
body() {	# body FILE
	awk '/^P0\(/ { on = 1 } on' "$1"
}

real=$dir/shmdemo-handoff.litmus
for f in "$real" "$dir/shmdemo-handoff-relaxed.litmus" \
	 "$dir/shmdemo-handoff-plain-read.litmus"; do
	[ -f "$f" ] || problem "${f##*/} is missing: the handoff and both its controls are required"
done
[ "$status" -eq 0 ] || exit 1

got_writer=$(primitive "$real" P0) got_reader=$(primitive "$real" P1)
[ "$got_writer" = "$model_writer" ] ||
	problem "shmdemo-handoff.litmus: P0 increments seq with '$got_writer', kmod/shmdemo.c's NOTIFY with $code_writer (the model's $model_writer)"
[ "$got_reader" = "$model_reader" ] ||
	problem "shmdemo-handoff.litmus: P1 reads seq with '$got_reader', kmod/shmdemo.c's readers with $code_reader (the model's $model_reader)"

# control NAME FROM TO: NAME is the handoff with the primitive FROM made TO.
control() {
	local file=$dir/$1.litmus want
	want=$(body "$real" | sed "s/\\b$2(seq)/$3(seq)/")
	if [ "$want" = "$(body "$real")" ]; then
		problem "$1.litmus: shmdemo-handoff.litmus has no $2(seq) to replace"
	elif [ "$(body "$file")" != "$want" ]; then
		problem "$1.litmus should be shmdemo-handoff.litmus with $2(seq) made $3(seq), and nothing else; it differs:"
		diff <(echo "$want") <(body "$file") | sed 's/^/  /' || true
	fi
}
control shmdemo-handoff-relaxed "$got_writer" "${got_writer}_relaxed"
control shmdemo-handoff-plain-read "$got_reader" atomic_read
exit "$status"
