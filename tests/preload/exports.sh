#!/bin/bash
# SPDX-License-Identifier: MIT
# exports.sh - the shim exports splice and copy_file_range and nothing else, unversioned (so
# that they stand in for libc's splice@GLIBC_2.5 and copy_file_range@GLIBC_2.27), and needs
# no libsplicedirect.so at run time.
source "$(dirname "$0")/lib.sh"

command -v readelf >/dev/null || skip readelf "readelf not installed"

# the dynamic symbol table's defined, global names, with their version if any
defined=$(readelf -W --dyn-syms "$SHIM" | awk '$7 != "UND" && ($5 == "GLOBAL" || $5 == "WEAK") && $4 != "NOTYPE" { print $8 }' | sort | tr '\n' ' ')
[[ $defined == "copy_file_range splice " ]] || fail "exported: '$defined', want 'copy_file_range splice '"
needed=$(readelf -d "$SHIM" | grep NEEDED)
[[ $needed != *splicedirect* ]] || fail "the shim needs the library at run time: $needed"
done_testing
