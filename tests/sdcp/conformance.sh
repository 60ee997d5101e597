#!/bin/bash
# SPDX-License-Identifier: MIT
# The scenarios of GNU coreutils' own cp tests (tests/cp/*.sh), written anew here and run by GNU
# cp 9.1 and by sdcp on the same fixture: output, errors, status and resulting tree must match.
# Where a coreutils test expects 9.2+ behaviour that sdcp follows (issue 4's text), the check
# says so and compares with the expected result instead.
. "$(dirname "$0")/lib.sh"

# cp's same-file rules (coreutils same-file.sh): every option set on six pairs of names that
# lead to one file, by a symlink, a hard link, or both; numbered backups.
same_args=
same_fixture() {
	echo XYZ >foo
	case $same_args in *symlink*) ln -s foo symlink ;; esac
	case $same_args in *hardlink*) ln foo hardlink ;; esac
	case $same_args in *sl1*) ln -s foo sl1 ;; esac
	case $same_args in *sl2*) ln -s foo sl2 ;; esac
	case $same_args in *hlsl*) ln sl2 hlsl ;; esac
}
export VERSION_CONTROL=numbered
for same_args in 'foo symlink' 'symlink foo' 'foo foo' 'sl1 sl2' 'foo hardlink' 'hlsl sl2'; do
	for o in '' -d -f -df --rem -b -bd -bf -bdf -l -dl -fl -dfl -bl -bdl -bfl -bdfl -s -sf; do
		# shellcheck disable=SC2086 # the words are meant to be split
		ok "same file: cp $o $same_args" same_as_cp same_fixture $o $same_args
	done
done
unset VERSION_CONTROL
# the backup name holds the copy; -v names it
same_args="foo symlink"
ok "same file: cp -v -bfl foo foo" same_as_cp same_fixture -v -bfl foo foo
ok "same file: cp -v -bfs foo foo" same_as_cp same_fixture -v -bfs foo foo
ok "same file: cp -v -bdf symlink symlink" same_as_cp same_fixture -v -bdf symlink symlink

t_done
