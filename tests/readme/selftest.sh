#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Host-side cases for tests/readme/readme.pl: the extractor, the comparator
# and its placeholders, and the structure check, on small made-up guides
# and transcripts. TAP on stdout.
set -uo pipefail
readme=$(cd "$(dirname "$0")" && pwd)/readme.pl
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "${readme%/readme/readme.pl}/lib/tap.sh"

# compare_says TRANSCRIPT PATTERN: readme.pl compare's output matches
compare_says() {
	printf '%s\n' "$1" > "$tmp/log"
	perl "$readme" compare "$tmp/README.md" "$tmp/log" > "$tmp/out"
	grep -q -e "$2" "$tmp/out" || { sed 's/^/# /' "$tmp/out"; return 1; }
}

cat > "$tmp/README.md" <<'EOF'
# Title

```console
guest:/root# not-an-experiment
```

## The buffer

### Experiment 1: Sizes

```console
$ make shell
guest:/root# insmod shmdemo.ko pages=4
guest:/root# cat /sys/class/misc/shmdemo/size
16384
```

```c
guest:/root# not a command: a C block
```

Prose between the experiments.

### Experiment 2. Two writers
<!-- any order -->
```console
guest:/tmp# ./two
parent <N> wrote
child <N> woke at 0x<HEX>
done: <...>
```

### Questions

```console
guest:/root# echo not an experiment: a heading of its own ends one
```

## Exercises

### Exercise 3: not an experiment

```console
guest:/root# echo no
```
EOF

perl "$readme" list "$tmp/README.md" > "$tmp/list"
printf '%s\n' Sizes $'\tinsmod shmdemo.ko pages=4' \
	$'\tcat /sys/class/misc/shmdemo/size' 'Two writers' $'\t./two' > "$tmp/want"
cmp -s "$tmp/list" "$tmp/want"
ok $? "list: the experiments' guest commands only, in order"

perl "$readme" script "$tmp/README.md" > "$tmp/script"
grep -q -x "printf '@@readme %s\\\\n' 1.2" "$tmp/script" &&
	grep -q -x "printf '@@readme %s\\\\n' 2.end" "$tmp/script" &&
	[ "$(grep -c 'rmmod shmdemo 2>/dev/null' "$tmp/script")" -eq 3 ] &&
	! grep -q -e make -e 'not' -e echo "$tmp/script"
ok $? "script: a marker per command, a reset per experiment, no host lines"

good='@@readme 1.1
guest:/root# insmod shmdemo.ko pages=4
guest:/root# printf '"'"'@@readme %s\n'"'"' 1.2
@@readme 1.2
guest:/root# cat /sys/class/misc/shmdemo/size
16384
@@readme 1.end
@@readme 2.1
./two
child 12 woke at 0xfe80
parent 11 wrote
done: all of it
@@readme 2.end'
compare_says "$good" '^ok 1 - guide experiment: Sizes$' &&
	compare_says "$good" '^ok 2 - guide experiment: Two writers$'
ok $? "compare: the echoed commands dropped, <N> <HEX> <...> and any order"

compare_says "${good/16384/16385}" '^not ok 1 - guide experiment: Sizes$' &&
	grep -q '^#  *got: 16385$' "$tmp/out"
ok $? "compare: a different output fails, and says what it got"

compare_says "${good/parent 11/parent x1}" '^not ok 2 '
ok $? "compare: <N> matches digits only"

compare_says "${good/16384/16384$'\n'16384}" '^not ok 1 .*' &&
	grep -q '^# unexpected: 16384$' "$tmp/out"
ok $? "compare: an extra output line fails"

compare_says "${good/16384$'\n'/}" '^not ok 1 ' &&
	grep -q '^# missing: 16384$' "$tmp/out"
ok $? "compare: a missing output line fails"

compare_says "${good/16384/[   12.345678] shmdemo: hello$'\n'16384}" '^ok 1 '
ok $? "compare: kernel messages on the console may come in between"

compare_says "${good/done: all of it/}" '^not ok 2 ' &&
	grep -q '^# missing: done: <...>$' "$tmp/out"
ok $? "compare: any order still wants every line"

compare_says "${good%%@@readme 1.end*}" '^not ok 1 .*' &&
	grep -q "did not finish" "$tmp/out" && grep -q '^not ok 2 ' "$tmp/out"
ok $? "compare: a transcript that stops early fails the rest"

compare_says "$good" '^1\.\.2$'
ok $? "compare: a TAP plan with one line per experiment"

{ sed -n '/^## The buffer/,/^### Experiment 2/p' "$tmp/README.md" | sed '$d'
  printf '### Experiment 3: Prose only\n\nNothing to run.\n'; } > "$tmp/prose.md"
printf '%s\n' "$good" > "$tmp/log"
! perl "$readme" compare "$tmp/prose.md" "$tmp/log" > "$tmp/out" &&
	grep -q '^not ok 2 - guide experiment: Prose only$' "$tmp/out"
ok $? "compare: an experiment without a command fails"

# An experiment that names its kernel runs in a session of its own there,
# and compare takes both sessions' transcripts.
{ cat "$tmp/README.md"
  printf '### Experiment 4: Huge\n<!-- kernel 6.12 -->\n\n```console\nguest:/root# cat level\npmd\n```\n'; } > "$tmp/kernel.md"
perl "$readme" kernels "$tmp/kernel.md" > "$tmp/kernels" &&
	[ "$(cat "$tmp/kernels")" = 6.12 ] &&
	perl "$readme" script "$tmp/kernel.md" > "$tmp/script" &&
	! grep -q -e 'cat level' -e ' 3\.' "$tmp/script" &&
	perl "$readme" script "$tmp/kernel.md" 6.12 > "$tmp/script-k" &&
	grep -q -x 'cat level' "$tmp/script-k" &&
	grep -q -x "printf '@@readme %s\\\\n' 3.1" "$tmp/script-k" &&
	! grep -q 'pages=4' "$tmp/script-k"
ok $? "kernels, script: an experiment's kernel gets its own session"

printf '%s\n' "$good" > "$tmp/log"
printf '@@readme 3.1\npmd\n@@readme 3.end\n' > "$tmp/log-k"
perl "$readme" compare "$tmp/kernel.md" "$tmp/log" "$tmp/log-k" > "$tmp/out" &&
	grep -q '^ok 3 - guide experiment: Huge$' "$tmp/out" &&
	! perl "$readme" compare "$tmp/kernel.md" "$tmp/log" > "$tmp/out" &&
	grep -q '^not ok 3 - guide experiment: Huge$' "$tmp/out"
ok $? "compare: each experiment from its session's transcript; none fails"

# structure: a translation keeps the headings and the command blocks.
sed -e 's/^# Title/# Título/' -e 's/^### Experiment 2. Two writers/### Experimento 2. Dos escritores/' \
	-e 's/^## Exercises/## Ejercicios/' "$tmp/README.md" > "$tmp/es.md"
perl "$readme" structure "$tmp/README.md" "$tmp/es.md" > "$tmp/out"
ok $? "structure: translated headings, same commands: passes"

sed 's/pages=4/pages=8/' "$tmp/es.md" > "$tmp/es2.md"
! perl "$readme" structure "$tmp/README.md" "$tmp/es2.md" > "$tmp/out" &&
	grep -q 'es2.md: guest:/root# insmod shmdemo.ko pages=8' "$tmp/out"
ok $? "structure: a changed command fails and is shown"

sed '/^### Experimento 2/d' "$tmp/es.md" > "$tmp/es3.md"
! perl "$readme" structure "$tmp/README.md" "$tmp/es3.md" > "$tmp/out" &&
	grep -q '^not ok 1 .*(7 and 6)' "$tmp/out"
ok $? "structure: a missing section fails"

{ cat "$tmp/es.md"; printf '## Solo en español\n'; } > "$tmp/es4.md"
! perl "$readme" structure "$tmp/README.md" "$tmp/es4.md" > "$tmp/out" &&
	grep -q '^not ok 2 ' "$tmp/out"
ok $? "structure: a section the English lacks fails, at the end too"

printf '## Host\n\n```sh\nmake run   # boot the guest\n# once:\nmake deps\n```\n' > "$tmp/sh-en.md"
printf '## Anfitrión\n\n```sh\nmake run   # arranca el invitado\n# una vez:\nmake deps\n```\n' > "$tmp/sh-es.md"
sed 's/^make deps$/make deps X=1/' "$tmp/sh-es.md" > "$tmp/sh-es2.md"
perl "$readme" structure "$tmp/sh-en.md" "$tmp/sh-es.md" > "$tmp/out" &&
	! perl "$readme" structure "$tmp/sh-en.md" "$tmp/sh-es2.md" > "$tmp/out"
ok $? "structure: an sh block's comments may be translated, its commands not"

tap_plan "$tap_n"
tap_status
