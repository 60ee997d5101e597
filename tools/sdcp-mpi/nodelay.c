/* SPDX-License-Identifier: MIT */
/*
 * nodelay.c - TCP_NODELAY on the TCP sockets MPI_Init left open (issue 20, item 5).
 *
 * A rank talks to the PMIx server of its machine (mpirun, or the orted of its node) over a
 * TCP connection to 127.0.0.1, which PMIx 4.2 (Debian 12's, under Open MPI 4.1.4) opens
 * without TCP_NODELAY. MPI_Finalize sends four small messages in a row on it (three
 * deregistrations of event handlers, then PMIx_Finalize, which waits for its answer): Nagle
 * holds the second until the first is acknowledged, and the server, which does not answer
 * deregistrations, acknowledges only when Linux's delayed ACK fires, 40 ms later. That was
 * 46 of the 47 ms MPI_Finalize took, in every rank, in a bare MPI hello world too.
 *
 * Right after MPI_Init the only TCP sockets of the process are MPI's: that connection and,
 * between nodes, the tcp btl's (which sets TCP_NODELAY itself). TCP_NODELAY changes when
 * segments leave, never what arrives, so it is safe on all of them. MPI_Init's own exchanges
 * happen before we can reach the socket, but measured they do not stall (a preloaded
 * connect() with TCP_NODELAY left MPI_Init's time as it was).
 */
#include <dirent.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "sdmpi.h"

void nodelay_start(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;

	if (!d)
		return; /* no /proc: only slower */
	while ((e = readdir(d))) {
		int fd = atoi(e->d_name), proto = 0, on = 1;
		socklen_t len = sizeof(proto);

		if (fd == dirfd(d) || e->d_name[0] == '.')
			continue;
		if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &len) || proto != IPPROTO_TCP)
			continue;
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
	}
	closedir(d);
}
