/* SPDX-License-Identifier: MIT */
/*
 * t-fault.c - make chosen system calls fail, from outside the library, and count them.
 *
 * A seccomp filter (libseccomp) traps the call (SCMP_ACT_TRAP); our SIGSYS handler puts the
 * chosen -errno in the return register and counts the attempt. The library sees exactly what
 * an old kernel or a container's seccomp profile would give it, and the test learns how often
 * the library tried: a method refused for a pair must not be tried on every call.
 */
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/ucontext.h>

#include "t.h"

#ifdef T_HAVE_SECCOMP
#include <seccomp.h>

#define MAX_FAULTS 8

struct fault {
	int nr;
	unsigned long request; /* ioctl only, else 0 */
	int err;
	atomic_ulong hits;
};

static struct fault faults[MAX_FAULTS];
static atomic_int nfaults;

static void on_sigsys(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;
	unsigned long arg1 = (unsigned long)uc->uc_mcontext.gregs[REG_RSI];
	long ret = -ENOSYS;

	(void)sig;
	for (int i = 0; i < nfaults; i++) {
		struct fault *f = &faults[i];

		if (f->nr == si->si_syscall && (!f->request || f->request == arg1)) {
			ret = -f->err;
			atomic_fetch_add(&f->hits, 1);
			break;
		}
	}
	uc->uc_mcontext.gregs[REG_RAX] = ret;
}

static void install(int nr, unsigned long request, int err)
{
	scmp_filter_ctx ctx;
	struct sigaction sa = {.sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO};
	int rc;

	if (nfaults >= MAX_FAULTS)
		t_broken("too many faults");
	faults[nfaults] = (struct fault){.nr = nr, .request = request, .err = err};
	nfaults++;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSYS, &sa, NULL) < 0)
		t_broken("sigaction(SIGSYS): %s", strerror(errno));
	ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		t_skip("seccomp", "seccomp_init failed");
	if (request)
		rc = seccomp_rule_add(ctx, SCMP_ACT_TRAP, nr, 1, SCMP_A1(SCMP_CMP_EQ, request));
	else
		rc = seccomp_rule_add(ctx, SCMP_ACT_TRAP, nr, 0);
	if (rc < 0)
		t_broken("seccomp_rule_add: %s", strerror(-rc));
	rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc < 0)
		t_skip("seccomp", "seccomp_load: %s", strerror(-rc));
}

void t_fault(int nr, int err)
{
	install(nr, 0, err);
}

void t_fault_ioctl(unsigned long request, int err)
{
	install(SCMP_SYS(ioctl), request, err);
}

unsigned long t_fault_hits(int nr, unsigned long request)
{
	unsigned long n = 0;

	if (nr < 0)
		nr = SCMP_SYS(ioctl);
	for (int i = 0; i < nfaults; i++)
		if (faults[i].nr == nr && faults[i].request == request)
			n += atomic_load(&faults[i].hits);
	return n;
}

#else

void t_fault(int nr, int err)
{
	(void)nr;
	(void)err;
	t_skip("seccomp", "built without libseccomp");
}

void t_fault_ioctl(unsigned long request, int err)
{
	(void)request;
	(void)err;
	t_skip("seccomp", "built without libseccomp");
}

unsigned long t_fault_hits(int nr, unsigned long request)
{
	(void)nr;
	(void)request;
	return 0;
}

#endif
