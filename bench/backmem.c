/* SPDX-License-Identifier: MIT */
/*
 * backmem BYTES - touch BYTES bytes of fresh memory, then give them back, so that the next
 * process finds its page cache on memory the host still backs.
 *
 * This machine is a virtual one whose balloon device has free page reporting (virtio-balloon
 * VIRTIO_BALLOON_F_REPORTING; /sys/module/page_reporting/parameters/page_reporting_order 9):
 * memory that has been free for about 2 s, in blocks of 2 MiB, is handed back to the host,
 * and the next write into it faults in the host, which zeroes it first. A 2 GiB cp from
 * ext4 to xfs took 0.41 s right after the last copy's destination was removed and 4.7-5.3 s
 * when it started 6 s later (issue 20's "after-effect"): the memcpy into the page cache
 * (copy_folio_from_iter_atomic) went from 37% to 77% of the profile. Whichever command ran
 * later after a removal paid it, whatever ran before. Run right before a timed copy, this
 * pays that price untimed: the memory it frees is backed, and is what the copy gets.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

int main(int argc, char **argv)
{
	char *end = NULL;
	unsigned long long size = argc == 2 ? strtoull(argv[1], &end, 10) : 0;
	char *p;

	/* bytes: the callers (bench/lib/measure.sh, bench/methods-run) compute them */
	if (!size || *end) {
		fprintf(stderr, "usage: backmem BYTES\n");
		return 2;
	}
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("backmem: mmap");
		return 1;
	}
	/* every page written (a read would map the zero page) */
	for (unsigned long long i = 0; i < size; i += 4096)
		p[i] = 1;
	munmap(p, size);
	return 0;
}
