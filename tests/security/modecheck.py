#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# modecheck.py UMASK CWD TRACE... : read strace -y -ff output of a copy and check that no
# entry was ever created or chmod'ed with a mode wider than the one it has at the end, for
# group and others and for the setuid, setgid and sticky bits (the owner may need more while
# the folder is filled). The final modes are read with lstat now. Prints one line per entry
# and mode seen with -v; exits 1 on a wider mode, 99 if the trace holds no creation.
# --sgid-refused: the copy ran as a user outside the group of a setgid folder it copied into;
# the kernel refuses such a user the setgid bit a chmod asks for (cp asks the same), so a
# request for it is not a wider mode; every other bit is still checked.
import os
import re
import stat
import sys

args = sys.argv[1:]
verbose = args[0] == "-v"
if verbose:
    args = args[1:]
sgid_refused = args[0] == "--sgid-refused"
if sgid_refused:
    args = args[1:]
umask = int(args[0], 8)
cwd = args[1]

# fd decoded by -y: 4</a/b> or AT_FDCWD</a>
FD = r"(?:AT_FDCWD|\d+)<([^>]*)>"
STR = r'"((?:[^"\\]|\\.)*)"'
pats = [
    ("open", re.compile(r"^openat\(" + FD + ", " + STR + r", ([A-Z_|]+), (0[0-7]*)\)\s*= \d+<([^>]*)>")),
    ("mkdirat", re.compile(r"^mkdirat\(" + FD + ", " + STR + r", (0[0-7]*)\)\s*= 0")),
    ("mkdir", re.compile(r"^mkdir\(" + STR + r", (0[0-7]*)\)\s*= 0")),
    ("mknodat", re.compile(r"^mknodat\(" + FD + ", " + STR + r", S_IF[A-Z]+\|(0[0-7]*)(?:, [^)]*)?\)\s*= 0")),
    ("fchmod", re.compile(r"^fchmod\(\d+<([^>]*)>, (0[0-7]*)\)\s*= 0")),
    ("fchmodat", re.compile(r"^fchmodat\(" + FD + ", " + STR + r", (0[0-7]*)(?:, [A-Z_]+)?\)\s*= 0")),
    ("chmod", re.compile(r"^chmod\(" + STR + r", (0[0-7]*)\)\s*= 0")),
]


def join(d, name):
    name = name.encode().decode("unicode_escape")
    if name.startswith("/"):
        return os.path.normpath(name)
    return os.path.normpath(os.path.join(d, name))


def final_name(p):
    # sdcp --atomic writes .NAME.sdcp-tmp (or 12 hex digits), then renames it to NAME
    return re.sub(r"/\.([^/]+)\.sdcp-(tmp|[0-9a-f]{12})$", r"/\1", p)


seen = {}  # path -> list of (what, mode)
creations = 0
for tr in args[2:]:
    with open(tr, errors="replace") as f:
        for line in f:
            for what, pat in pats:
                m = pat.match(line)
                if not m:
                    continue
                g = m.groups()
                if what == "open":
                    if "O_CREAT" not in g[2]:
                        break
                    path, mode = g[4], int(g[3], 8) & ~umask
                    creations += 1
                elif what in ("mkdirat", "mknodat"):
                    path, mode = join(g[0], g[1]), int(g[2], 8) & ~umask
                    creations += 1
                elif what == "mkdir":
                    path, mode = join(cwd, g[0]), int(g[1], 8) & ~umask
                    creations += 1
                elif what == "fchmod":
                    path, mode = g[0], int(g[1], 8)
                elif what == "fchmodat":
                    path, mode = join(g[0], g[1]), int(g[2], 8)
                else:
                    path, mode = join(cwd, g[0]), int(g[1], 8)
                seen.setdefault(final_name(path), []).append((what, mode))
                break

if not creations:
    print("modecheck: BROKEN: no creation in the trace")
    sys.exit(99)
bad = 0
for path, modes in sorted(seen.items()):
    try:
        st = os.lstat(path)
    except OSError as e:
        print(f"modecheck: {path}: {e.strerror} (made, then gone)")
        continue
    final = stat.S_IMODE(st.st_mode)
    for what, mode in modes:
        wider = mode & 0o7077 & ~final
        if sgid_refused and what in ("fchmod", "fchmodat", "chmod"):
            wider &= ~stat.S_ISGID
        if verbose or wider:
            print(f"{'WIDER ' if wider else ''}{path}: {what} {mode:04o}, final {final:04o}")
        if wider:
            bad = 1
print(f"modecheck: {creations} creations, {len(seen)} entries, {'a wider mode' if bad else 'never wider'}")
sys.exit(bad)
