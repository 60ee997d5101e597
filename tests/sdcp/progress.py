#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""progress.py - the terminal side of the --progress tests (tests/sdcp/progress.sh and
tests/mpi/progress.sh).

  progress.py tree DIR N                 make DIR: N >= 400 file names (small files of many
                                         sizes in 100 folders, hard links, a sparse file);
                                         prints "FILES BYTES" as a copy counts them (each name
                                         a file, each inode's size once, holes included)
  progress.py run OUT SHARE NAME -- CMD...
                                         run CMD on a pseudo-terminal, everything it writes to
                                         OUT; the processes called NAME below it run SHARE
                                         (0-1) of the time, stopped the rest (see run());
                                         CMD's status
  progress.py check OUT FILES BYTES      every redraw in OUT, checked; exit 1 with the reason
"""
import errno
import fcntl
import os
import pty
import re
import select
import signal
import struct
import sys
import termios
import time


def tree(top, n):
    """n names: a 1 MiB sparse file, 200 hard links (pairs across folders), the rest small
    files of 0 to 12 KiB in 100 folders (so n is 400 at least)."""
    assert n >= 400
    os.makedirs(top)
    sizes = {}
    with open(os.path.join(top, "sparse"), "wb") as f:
        f.truncate(1 << 20)
        f.seek(1 << 19)
        f.write(b"x" * 4096)
    sizes["sparse"] = 1 << 20
    names = 1
    for i in range(n - 1 - 200):
        d = os.path.join(top, "d%02d" % (i % 100))
        os.makedirs(d, exist_ok=True)
        size = (i * 7919) % (12 << 10)
        with open(os.path.join(d, "f%d" % i), "wb") as f:
            f.write(b"%d\n" % i * (size // 8 + 1))
        names += 1
    for i in range(100):
        a = os.path.join(top, "d%02d" % i, "f%d" % i)
        os.link(a, os.path.join(top, "d%02d" % ((i + 50) % 100), "link%d" % i))
        os.link(a, os.path.join(top, "d%02d" % i, "again%d" % i))
        names += 2
    seen, total, files = set(), 0, 0
    for d, _, fs in os.walk(top):
        for f in fs:
            st = os.lstat(os.path.join(d, f))
            files += 1
            if (st.st_dev, st.st_ino) not in seen:
                seen.add((st.st_dev, st.st_ino))
                total += st.st_size
    assert files == names == n, (files, names, n)
    print(files, total)


def below(root, name):
    """The processes named name (their comm): root or below it. The copy's, not mpirun's
    nor its launcher's, which must not be stopped (Open MPI's rsh launcher then fails to
    start the ranks, and says nothing but a warning)."""
    parent, comm = {}, {}
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % p) as f:
                text = f.read()
        except OSError:
            continue
        pid = int(p)
        comm[pid] = text[text.index("(") + 1 : text.rindex(")")]
        parent[pid] = int(text[text.rindex(")") + 1 :].split()[1])
    found, todo = [root] if comm.get(root) == name else [], [root]
    while todo:
        p = todo.pop()
        kids = [c for c, pp in parent.items() if pp == p]
        todo.extend(kids)
        found.extend(c for c in kids if comm[c] == name)
    return found


def signal_all(pids, sig):
    for p in pids:
        try:
            os.kill(p, sig)
        except ProcessLookupError:
            pass


def run(out, share, name, cmd):
    """
    A slow machine, honestly: the processes of the copy (those named name below the command)
    do all their work, but run only `share` of each tenth of a second; the rest of the time
    they are stopped (SIGSTOP, which they cannot see: Linux restarts what a stop interrupted).
    The terminal's output is read all along.
    """
    pid, fd = pty.fork()
    if pid == 0:
        try:
            os.execvp(cmd[0], cmd)
        finally:
            os._exit(127)
    # a terminal as wide as the longest line, as an xterm would be
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 200, 0, 0))
    data = bytearray()
    period = 0.1
    stopped = []
    is_open = True

    def read_for(secs):
        end = time.monotonic() + secs
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return True
            r, _, _ = select.select([fd], [], [], left)
            if not r:
                continue
            try:
                chunk = os.read(fd, 65536)
            except OSError as e:
                if e.errno == errno.EIO:
                    return False
                raise
            if not chunk:
                return False
            data.extend(chunk)

    def wait(secs):
        nonlocal is_open
        if is_open:
            is_open = read_for(secs)
        else:
            time.sleep(secs)

    while True:
        signal_all(stopped, signal.SIGCONT)
        stopped = []
        wait(period * share)
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if share < 1:
            stopped = below(pid, name)
            signal_all(stopped, signal.SIGSTOP)
            wait(period * (1 - share))
    while is_open:
        is_open = read_for(0.5) and select.select([fd], [], [], 0)[0] != []
    os.close(fd)
    with open(out, "wb") as f:
        f.write(data)
    return os.waitstatus_to_exitcode(status)


def human(n):
    """sdcp's human(): 1234567 -> "1.2 MiB" """
    units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"]
    v, u = float(n), 0
    while v >= 1024 and u < 5:
        v /= 1024
        u += 1
    return ("%.1f %s" if u else "%.0f %s") % (v, units[u])


LINE = re.compile(
    r"(?P<b>[\d.]+ \w+) of (?P<tb>[\d.]+ \w+)(?: \((?P<pb>\d+)%\))?, "
    r"(?P<f>\d+) of (?P<tf>\d+) files(?: \((?P<pf>\d+)%\))?(?P<counting>, still counting)?"
    r"(?:, (?P<rate>[\d.]+ \w+)/s)?(?:, ETA (?P<eta>\d+:\d\d:\d\d))?"
    r"(?:, in (?P<took>\d+:\d\d:\d\d))?, shared [\d.]+ \w+, written [\d.]+ \w+$"
)


def check(out, files, nbytes):
    data = open(out, "rb").read().decode()
    # the line discipline writes "\n" as "\r\n": the summary is the one line that ends so
    if not data.endswith("\033[K\r\n"):
        return "the last line is not kept (no newline after it): %r" % data[-200:]
    draws = [s.replace("\033[K", "") for s in re.split(r"\r\n|\r|\n", data[:-2])]
    # not ours: Open MPI's event loop may warn ("[warn] Epoll MOD(1) on fd 27 failed")
    draws = [s for s in draws if s and not s.startswith("[warn] ")]
    if len(draws) < 4:
        return "only %d redraws: %r" % (len(draws), draws)
    parsed = []
    for s in draws:
        m = LINE.fullmatch(s)
        if not m:
            return "not a progress line: %r" % s
        parsed.append(m)
    *running, last = parsed
    counting = [m for m in running if m["counting"]]
    counted = [m for m in running if not m["counting"]]
    if not counted:
        return "the count never finished before the copy (%d lines still counting)" % len(
            counting
        )
    first_counted = running.index(counted[0])
    if any(m["counting"] for m in running[first_counted:]):
        return "'still counting' after the total was known"
    if any(m["pb"] or m["pf"] or m["eta"] for m in counting):
        return "a fraction or an ETA while still counting"
    if not any(m["eta"] for m in counted):
        return "no ETA before the end"
    totals = {(m["tb"], m["tf"]) for m in counted}
    if totals != {(last["tb"], last["tf"])}:
        return "the counted total %s is not what the copy went through, %s" % (
            sorted(totals),
            (last["tb"], last["tf"]),
        )
    prev_b = prev_f = -1
    for m in counted + [last]:
        pb, pf = int(m["pb"]), int(m["pf"])
        if pb < prev_b or pf < prev_f:
            return "a fraction went down: %s after %d%%, %d%%" % (m.group(0), prev_b, prev_f)
        if m is not last and (pb >= 100 or pf >= 100):
            return "100%% before the end: %s" % m.group(0)
        prev_b, prev_f = pb, pf
    done = [int(m["f"]) for m in parsed]
    if done != sorted(done):
        return "the files done went down: %s" % done
    if (last["pb"], last["pf"]) != ("100", "100") or not last["took"]:
        return "the last line is no summary: %s" % last.group(0)
    want = (human(nbytes), human(nbytes), str(files), str(files))
    if (last["b"], last["tb"], last["f"], last["tf"]) != want:
        return "the summary %s is not the tree's %s" % (last.group(0), want)
    print(
        "%d redraws: %d still counting, %d counted; fractions %s%% .. 100%%"
        % (len(draws), len(counting), len(counted), counted[0]["pb"])
    )
    shown = []
    for m in [parsed[0], counting[-1] if counting else None, counted[0], counted[-1], last]:
        if m and m not in shown:
            shown.append(m)
            print("  " + m.group(0))
    return None


def main(argv):
    if len(argv) == 4 and argv[1] == "tree":
        tree(argv[2], int(argv[3]))
        return 0
    if len(argv) > 6 and argv[1] == "run" and argv[5] == "--":
        return run(argv[2], float(argv[3]), argv[4], argv[6:])
    if len(argv) == 5 and argv[1] == "check":
        why = check(argv[2], int(argv[3]), int(argv[4]))
        if why:
            print("progress: " + why)
            return 1
        return 0
    print(__doc__, file=sys.stderr)
    return 99


if __name__ == "__main__":
    sys.exit(main(sys.argv))
