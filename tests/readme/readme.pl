#!/usr/bin/perl
# SPDX-License-Identifier: GPL-2.0
#
# The guide's experiments, run as written (tests/README.md: The guide's
# experiments). Perl because perl-base is on every Debian system.
#
#   readme.pl list GUIDE.md              the experiments and their commands
#   readme.pl kernels GUIDE.md           the kernels experiments ask for
#   readme.pl script GUIDE.md [KERNEL]   the shell input that runs them all
#                                        (with KERNEL: those that ask for it)
#   readme.pl compare GUIDE.md LOG...    TAP, one line per experiment, from
#                                        the sessions' transcripts
#   readme.pl structure A.md B.md        TAP: same sections, same commands
#
# An experiment is a "### Experiment N: TITLE" heading, up to the next
# heading of level 1 to 3. Its ```console blocks hold the commands, after
# make shell's prompt ("guest:/root# ", any directory), each followed by
# the output it must give.
# Lines after a "$ " prompt are the host's and are not run. In the output:
#   <N>    a decimal number (a pid, a count)
#   <HEX>  hexadecimal digits (an address after 0x)
#   <...>  any text, possibly none, within the line
# "<!-- any order -->" just before a block lets each command's output lines
# come in any order (two processes writing to one terminal).
# "<!-- kernel FLAVOUR -->" in an experiment runs it in a session of its
# own on that row of tests/kernels (one that shows what 6.1 cannot).
use strict;
use warnings;

my $PROMPT = qr{^guest:[^ ]*# };
my $MARK = '@@readme';

sub slurp {
	my ($file) = @_;
	open(my $fh, '<', $file) or die "readme.pl: $file: $!\n";
	local $/;
	my $text = <$fh>;
	close($fh);
	return $text;
}

# The experiments of a README: [{ title, line, cmds => [{ cmd, expect,
# anyorder }] }].
sub experiments {
	my ($text) = @_;
	my (@exps, $exp, $fence, $cmd, $anyorder, $pending_anyorder);
	my $n = 0;

	for my $line (split /\n/, $text) {
		$n++;
		if (defined $fence) {
			if ($line =~ /^```\s*$/) {
				undef $fence;
				undef $cmd;
				next;
			}
			next unless $fence eq 'console' && $exp;
			if ($line =~ /$PROMPT(.*)$/) {
				$cmd = { cmd => $1, expect => [], anyorder => $anyorder,
					 line => $n };
				push @{$exp->{cmds}}, $cmd;
			} elsif ($line =~ /^\$ /) {
				undef $cmd;	# the host's: neither run nor checked
			} elsif ($cmd) {
				push @{$cmd->{expect}}, $line;
			}
			next;
		}
		if ($line =~ /^```(\S*)/) {
			$fence = $1;
			$anyorder = $pending_anyorder;
			$pending_anyorder = 0;
			next;
		}
		if ($line =~ /^<!--\s*any order\s*-->/) {
			$pending_anyorder = 1;
			next;
		}
		if ($exp && $line =~ /^<!--\s*kernel\s+(\S+)\s*-->/) {
			$exp->{kernel} = $1;
			next;
		}
		$pending_anyorder = 0 if $line =~ /\S/;
		if ($line =~ /^### Experiment [0-9]+[.:]\s*(.*?)\s*$/) {
			$exp = { title => $1, line => $n, cmds => [] };
			push @exps, $exp;
		} elsif ($line =~ /^#{1,3} /) {
			undef $exp;
		}
	}
	return @exps;
}

# An expected line as a regular expression.
sub pattern {
	my ($want) = @_;
	my $re = '';
	for my $part (split /(<N>|<HEX>|<\.\.\.>)/, $want) {
		if ($part eq '<N>') {
			$re .= '[0-9]+';
		} elsif ($part eq '<HEX>') {
			$re .= '[0-9a-fA-F]+';
		} elsif ($part eq '<...>') {
			$re .= '.*';
		} else {
			$re .= quotemeta($part);
		}
	}
	return qr/^$re$/;
}

# The transcript's output of each command, keyed by "EXP.CMD": the lines
# between its marker and the next. Drops what the shell echoes: prompts,
# the command itself, and the marker commands.
sub segments {
	my ($log) = @_;
	my (%seg, $key);

	for my $line (split /\n/, $log) {
		$line =~ s/\r//g;
		next if index($line, "'$MARK %s") >= 0;
		if ($line =~ /\Q$MARK\E (\S+)$/) {
			$key = $1;
			$seg{$key} = [];
			next;
		}
		push @{$seg{$key}}, $line if defined $key;
	}
	return %seg;
}

# Does GOT (the transcript's lines) show WANT (the README's)? Kernel
# messages that reach the console ("[   12.345678] ...") may come in
# between. Returns an empty string, or what differs.
sub match {
	my ($cmd, $got) = @_;
	my @want = map { pattern($_) } @{$cmd->{expect}};
	my $kmsg = qr/^\[\s*[0-9]+\.[0-9]+\] /;
	my @got = grep {
		!/$PROMPT\Q$cmd->{cmd}\E\s*$/ && $_ ne $cmd->{cmd} &&
		!/^guest:[^ ]*#\s*$/
	} @$got;

	if ($cmd->{anyorder}) {
		my @left = @got;
	WANT:	for my $i (0 .. $#want) {
			for my $j (0 .. $#left) {
				next unless $left[$j] =~ $want[$i];
				splice(@left, $j, 1);
				next WANT;
			}
			return "missing: $cmd->{expect}[$i]";
		}
		@left = grep { !/$kmsg/ } @left;
		return @left ? "unexpected: $left[0]" : '';
	}
	my $i = 0;
	for my $line (@got) {
		if ($i < @want && $line =~ $want[$i]) {
			$i++;
		} elsif ($line !~ $kmsg) {
			return $i < @want ?
				"expected: $cmd->{expect}[$i]\n     got: $line" :
				"unexpected: $line";
		}
	}
	return $i < @want ? "missing: $cmd->{expect}[$i]" : '';
}

sub cmd_kernels {
	my ($readme) = @_;
	my %seen;
	for my $exp (experiments(slurp($readme))) {
		my $k = $exp->{kernel};
		print "$k\n" if defined $k && !$seen{$k}++;
	}
	return 0;
}

sub cmd_list {
	my ($readme) = @_;
	for my $exp (experiments(slurp($readme))) {
		print "$exp->{title}\n";
		print "\t$_->{cmd}\n" for @{$exp->{cmds}};
	}
	return 0;
}

# Each experiment starts in the shell's first directory with the module
# unloaded; its commands are separated by markers. Without KERNEL, the
# experiments that name no kernel; with it, those that name KERNEL.
sub cmd_script {
	my ($readme, $kernel) = @_;
	my @exps = experiments(slurp($readme));
	my $i = 0;

	die "readme.pl: $readme: no experiments\n" unless @exps;
	print "readme_home=\$PWD\n";
	for my $exp (@exps) {
		$i++;
		next if ($exp->{kernel} // '') ne ($kernel // '');
		print "cd \"\$readme_home\"; rmmod shmdemo 2>/dev/null; true\n";
		my $j = 0;
		for my $cmd (@{$exp->{cmds}}) {
			$j++;
			print "printf '$MARK %s\\n' $i.$j\n$cmd->{cmd}\n";
		}
		print "printf '$MARK %s\\n' $i.end\n";
	}
	print "cd \"\$readme_home\"; rmmod shmdemo 2>/dev/null; true\n";
	return 0;
}

sub cmd_compare {
	my ($readme, @logfiles) = @_;
	my @exps = experiments(slurp($readme));
	my %seg = map { segments(slurp($_)) } @logfiles;
	my ($i, $bad) = (0, 0);

	print "1.." . scalar(@exps) . "\n";
	for my $exp (@exps) {
		$i++;
		my ($j, $why) = (0, '');
		$why = "$readme:$exp->{line}: no command to run" unless @{$exp->{cmds}};
		for my $cmd (@{$exp->{cmds}}) {
			$j++;
			my $got = $seg{"$i.$j"};
			if (!$got || !exists $seg{$i . '.' . ($j < @{$exp->{cmds}} ? $j + 1 : 'end')}) {
				$why = "$readme:$cmd->{line}: '$cmd->{cmd}' did not finish";
				last;
			}
			$why = match($cmd, $got);
			if ($why ne '') {
				$why = "$readme:$cmd->{line}: $cmd->{cmd}\n$why";
				last;
			}
		}
		if ($why eq '') {
			print "ok $i - guide experiment: $exp->{title}\n";
		} else {
			$bad++;
			print "not ok $i - guide experiment: $exp->{title}\n";
			print "# $_\n" for split /\n/, $why;
		}
	}
	return $bad ? 1 : 0;
}

# The headings' levels and each section's ```console and ```sh blocks;
# a ```sh block's comments ("# ..." after a command, or a line of its own)
# are prose, which a translation translates.
sub outline {
	my ($text) = @_;
	my (@out, $fence, $block);

	for my $line (split /\n/, $text) {
		if (defined $fence) {
			if ($line =~ /^```\s*$/) {
				push @out, "block $fence:\n$block" if $fence =~ /^(console|sh)$/;
				undef $fence;
			} else {
				$line =~ s/(?:^|\s+)#(?:\s.*)?$// if $fence eq 'sh';
				$block .= "$line\n";
			}
		} elsif ($line =~ /^```(\S*)/) {
			($fence, $block) = ($1, '');
		} elsif ($line =~ /^(#+) /) {
			push @out, "heading level " . length($1);
		}
	}
	return @out;
}

sub cmd_structure {
	my ($a, $b) = @_;
	my @a = outline(slurp($a));
	my @b = outline(slurp($b));
	my ($n, $bad) = (0, 0);
	my %count = (a => 0, b => 0);

	for (@a) { $count{a}++ if /^heading/ }
	for (@b) { $count{b}++ if /^heading/ }
	print "1..2\n";
	if ($count{a} == $count{b}) {
		print "ok 1 - $a and $b have as many sections ($count{a})\n";
	} else {
		print "not ok 1 - $a and $b have as many sections ($count{a} and $count{b})\n";
		$bad++;
	}
	for my $k (0 .. ($#a > $#b ? $#a : $#b)) {
		next if defined $a[$k] && defined $b[$k] && $a[$k] eq $b[$k];
		my ($x, $y) = map { defined $_ ? $_ : '(nothing)' } ($a[$k], $b[$k]);
		my $sec = grep { defined && /^heading/ } @a[0 .. $k];
		print "not ok 2 - $a and $b have the same sections and commands in the same order\n";
		print "# the first difference, in section $sec of $a:\n";
		print "# $a: $_\n" for split /\n/, $x;
		print "# $b: $_\n" for split /\n/, $y;
		return 1;
	}
	print "ok 2 - $a and $b have the same sections and commands in the same order\n";
	return $bad;
}

# Each verb: its function, and its least and most arguments.
my %cmds = (list => [\&cmd_list, 1, 1], kernels => [\&cmd_kernels, 1, 1],
	    script => [\&cmd_script, 1, 2], compare => [\&cmd_compare, 2, 99],
	    structure => [\&cmd_structure, 2, 2]);
my $verb = shift // '';
die "usage: readme.pl list|kernels GUIDE | script GUIDE [KERNEL] | compare GUIDE LOG... | structure A.md B.md\n"
	unless $cmds{$verb} && @ARGV >= $cmds{$verb}[1] && @ARGV <= $cmds{$verb}[2];
exit($cmds{$verb}[0]->(@ARGV));
