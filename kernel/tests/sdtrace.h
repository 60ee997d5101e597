/* SPDX-License-Identifier: MIT */
/*
 * sdtrace.h - run a function in a child under ptrace(2), for the guest tests that link the
 * library: count the system calls that move data (the initramfs has no strace; the kernel is
 * built without seccomp), and make the kernel refuse splice(SPLICE_F_DIRECT) the way a kernel
 * without the series does, so that the same binary shows the library's user-space chain.
 *
 * The refusal adds an unknown flag bit to the call's flags register on entry: the patched
 * kernel answers EINVAL to unknown bits before it looks at anything, as every kernel without
 * the series answers EINVAL to 0x10. The register is restored on exit. The library keeps that
 * refusal for the process, so after it the tracer may detach and the child runs untraced
 * (full speed, for timings).
 */
#ifndef SDTRACE_H
#define SDTRACE_H

#include <signal.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>

#define SD_UNKNOWN_FLAG 0x40000000ull

struct sd_calls {
	long direct;	 /* splice() with SPLICE_F_DIRECT (0x10) */
	long splice;	 /* other splice() calls (the library's pipe method) */
	long cfr;	 /* copy_file_range() */
	long sendfile;	 /* sendfile() */
	long ioctl;	 /* ioctl() (FICLONERANGE and friends) */
	long rw;	 /* read, write, pread64, pwrite64 */
	long refused;	 /* direct calls this tracer made the kernel refuse */
	int exit_status; /* the child's exit status, -1 when it died of a signal */
};

static inline void sd_count_call(struct sd_calls *c, const struct __ptrace_syscall_info *si)
{
	switch (si->entry.nr) {
	case SYS_splice:
		if (si->entry.args[5] & SPLICE_F_DIRECT)
			c->direct++;
		else
			c->splice++;
		break;
	case SYS_copy_file_range:
		c->cfr++;
		break;
	case SYS_sendfile:
		c->sendfile++;
		break;
	case SYS_ioctl:
		c->ioctl++;
		break;
	case SYS_read:
	case SYS_write:
	case SYS_pread64:
	case SYS_pwrite64:
		c->rw++;
		break;
	}
}

/*
 * Run fn(arg) in a traced child and wait for it. The first `refuse` splice(SPLICE_F_DIRECT)
 * calls fail with EINVAL; with detach set the tracer lets go after the last refusal (counts
 * stop there). Returns 0, or -1 when the tracing itself failed (errno set).
 */
static inline int sd_traced(int (*fn)(void *), void *arg, int refuse, int detach,
			    struct sd_calls *c)
{
	struct __ptrace_syscall_info si;
	struct user_regs_struct regs;
	int status, sig = 0, traced = 1;
	unsigned long long saved_r9 = 0;
	int restore = 0;
	pid_t pid;

	memset(c, 0, sizeof(*c));
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (ptrace(PTRACE_TRACEME, 0, 0, 0) < 0)
			_exit(98);
		raise(SIGSTOP);
		fflush(stdout);
		_exit(fn(arg));
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFSTOPPED(status))
		return -1;
	if (ptrace(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL) < 0)
		return -1;
	for (;;) {
		if (traced && ptrace(PTRACE_SYSCALL, pid, 0, sig) < 0)
			return -1;
		sig = 0;
		if (waitpid(pid, &status, 0) < 0)
			return -1;
		if (WIFEXITED(status)) {
			c->exit_status = WEXITSTATUS(status);
			return 0;
		}
		if (WIFSIGNALED(status)) {
			c->exit_status = -1;
			return 0;
		}
		if (!traced)
			continue;
		if (WSTOPSIG(status) != (SIGTRAP | 0x80)) {
			sig = WSTOPSIG(status); /* a signal for the child: deliver it */
			continue;
		}
		if (ptrace(PTRACE_GET_SYSCALL_INFO, pid, sizeof(si), &si) < 0)
			return -1;
		if (si.op == PTRACE_SYSCALL_INFO_ENTRY) {
			sd_count_call(c, &si);
			if (si.entry.nr == SYS_splice && (si.entry.args[5] & SPLICE_F_DIRECT) &&
			    c->refused < refuse) {
				if (ptrace(PTRACE_GETREGS, pid, 0, &regs) < 0)
					return -1;
				saved_r9 = regs.r9;
				regs.r9 |= SD_UNKNOWN_FLAG;
				if (ptrace(PTRACE_SETREGS, pid, 0, &regs) < 0)
					return -1;
				c->refused++;
				restore = 1;
			}
		} else if (si.op == PTRACE_SYSCALL_INFO_EXIT && restore) {
			if (ptrace(PTRACE_GETREGS, pid, 0, &regs) < 0)
				return -1;
			regs.r9 = saved_r9;
			if (ptrace(PTRACE_SETREGS, pid, 0, &regs) < 0)
				return -1;
			restore = 0;
			if (detach && c->refused >= refuse) {
				if (ptrace(PTRACE_DETACH, pid, 0, 0) < 0)
					return -1;
				traced = 0;
			}
		}
	}
}

#endif
