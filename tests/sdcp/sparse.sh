#!/bin/sh
# SPDX-License-Identifier: MIT
# --sparse: auto keeps the source's holes, never writes every zero, always also turns runs
# of zeros into holes. Checked on ext4 (/var/tmp here), against GNU cp's block counts.
. "$(dirname "$0")/lib.sh"

cd "$T" || exit 99
truncate -s 8M holey && printf 'start' | dd of=holey conv=notrunc 2>/dev/null &&
	printf 'middle' | dd of=holey bs=1 seek=4194304 conv=notrunc 2>/dev/null || exit 99
head -c 65536 /dev/zero >zeros && head -c 4096 /dev/urandom >>zeros &&
	head -c 1048576 /dev/zero >>zeros && echo end >>zeros || exit 99
[ "$(stat -c %b holey)" -lt 1000 ] || t_skip "this filesystem does not keep holes"

blocks() {
	stat -c %b "$1"
}

sparse_mode() {
	mode=$1 file=$2
	rm -f "$T/s.$mode" "$T/g.$mode"
	"$SDCP" --sparse="$mode" "$file" "$T/s.$mode" || return 1
	"$GNU_CP" --sparse="$mode" "$file" "$T/g.$mode" || return 99
	cmp "$file" "$T/s.$mode" || return 1
	echo "sdcp $(blocks "$T/s.$mode") blocks, cp $(blocks "$T/g.$mode") blocks"
	[ "$(blocks "$T/s.$mode")" -le "$(blocks "$T/g.$mode")" ]
}

ok '--sparse=auto keeps holes' sparse_mode auto holey
never_full() {
	sparse_mode never holey && [ "$(blocks "$T/s.never")" -ge 16384 ]
}
ok '--sparse=never writes the zeros' never_full
always_punches() {
	sparse_mode always zeros && [ "$(blocks "$T/s.always")" -lt "$(blocks zeros)" ]
}
ok '--sparse=always makes holes of zeros' always_punches
ok '--sparse=always keeps holes' sparse_mode always holey
t_done
