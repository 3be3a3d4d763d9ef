#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The benchmark figures of tests/README.md, from the reference run
# (tests/bench/reference.txt), never typed in. README marks each one:
#   <!-- reference.txt --> ... <!-- /reference.txt -->   the whole file, as a
#                                              ``` block
#   <!-- ratio NAME -->V<!-- / -->             its "ratio NAME=V" line
#   <!-- vs_ref SECTION CASE N VCPUS -->V<!-- / -->   that row's vs_ref
#   <!-- target NAME MAX -->met<!-- / -->      "met" if NAME's ratio is at
#                                              most MAX, else "not met"
# Figures from any other run are not marked: the text names that run.
# Usage: tests/bench/docs.sh           prints what differs, exits 1 if any
#        tests/bench/docs.sh --write   rewrites README's marked figures
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
readme=${SHMDEMO_BENCH_README:-$here/../README.md}
ref=${SHMDEMO_BENCH_REFERENCE:-$here/reference.txt}

generated() {
	perl -e '
	my ($ref_file) = @ARGV[0];
	open(my $rf, "<", $ref_file) or die "$ref_file: $!\n";
	my @ref = <$rf>;
	close($rf);
	my (%ratio, %vs_ref);
	for (@ref) {
		$ratio{$1} = $2 if /^ratio (\S+)=(\S+)$/;
		my @f = split;
		$vs_ref{"@f[0,1,2,3]"} = $f[8] if @f == 9 && $f[8] =~ /^[0-9.]+$/;
	}
	my $bad = 0;
	sub value {
		my ($kind, $args, $line) = @_;
		my @a = split " ", $args;
		my $v;
		if ($kind eq "ratio") {
			$v = $ratio{$a[0]};
		} elsif ($kind eq "vs_ref") {
			$v = $vs_ref{"@a"};
		} elsif ($kind eq "target") {
			my $r = $ratio{$a[0]};
			$v = $r <= $a[1] ? "met" : "not met" if defined $r && @a == 2;
		}
		return $v if defined $v;
		print STDERR "README.md:$line: no $kind $args in the reference run\n";
		$bad = 1;
		return "?";
	}
	open(my $in, "<", $ARGV[1]) or die "$ARGV[1]: $!\n";
	my $skip = 0;
	while (<$in>) {
		if ($skip) {
			$skip = 0 if /^<!-- \/reference\.txt -->$/;
			next;
		}
		if (/^<!-- reference\.txt -->$/) {
			print $_, "```\n", @ref, "```\n", "<!-- /reference.txt -->\n";
			$skip = 1;
			next;
		}
		s{<!-- (ratio|vs_ref|target) ([^>]*?) -->.*?<!-- / -->}
		 {"<!-- $1 $2 -->" . value($1, $2, $.) . "<!-- / -->"}ge;
		print;
	}
	die "README.md: <!-- reference.txt --> is never closed\n" if $skip;
	exit $bad;
	' "$ref" "$readme"
}

tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
generated > "$tmp"
# At least the block and the two targets: the figures must be marked.
for mark in '<!-- reference.txt -->' '<!-- target map_touch_65536_vs_anon ' \
	    '<!-- target handoff_vs_eventfd '; do
	grep -qF -- "$mark" "$tmp" || { echo "README.md: no '$mark' figure"; exit 1; }
done
if [ "${1:-}" = --write ]; then
	cat "$tmp" > "$readme"
elif ! diff -u --label README.md --label "README.md from ${ref##*/}" \
	"$readme" "$tmp"; then
	echo "tests/README.md's figures differ from ${ref##*/}: run tests/bench/docs.sh --write"
	exit 1
fi
