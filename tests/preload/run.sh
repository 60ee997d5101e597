#!/bin/bash
# SPDX-License-Identifier: MIT
# run.sh - run one preload test program, with the shim (shim) or without it (native).
# Usage: run.sh native|shim PROGRAM [cross]
#   The program gets the mode and a private folder; with "cross", two folders on two
#   filesystems (tmpfs and ext4), for copies the kernel refuses with EXDEV.
source "$(dirname "$0")/lib.sh"

mode=$1
prog=$2
if [[ ${3:-} == cross ]]; then
	two_filesystems "$@"
	dirs=("$A" "$B")
else
	private_dir
	dirs=("$T")
fi
case $mode in
native) "$prog" native "${dirs[@]}" ;;
shim) shim "$prog" shim "${dirs[@]}" ;;
*) broken "usage: run.sh native|shim PROGRAM [cross]" ;;
esac
