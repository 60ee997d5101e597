#!/bin/sh
# SPDX-License-Identifier: MIT
# Stands in for the mpi suite when Open MPI was not found at build time.
case " ${SD_TEST_REQUIRE:-} " in
*" mpi "*) echo "FAIL: required 'mpi' is missing: sdcp-mpi was not built (no Open MPI)"; exit 1 ;;
esac
echo "skip: sdcp-mpi was not built (no Open MPI: apt-get install openmpi-bin libopenmpi-dev)"
exit 77
