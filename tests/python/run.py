# SPDX-License-Identifier: MIT
"""Run the Python tests with pytest; exit 77 (skip) when pytest is not installed.

As root, the run moves into a private mount namespace first (unshare(1)), so that even a
SIGKILLed run takes its loop mounts with it; the fixtures unmount and detach anyway.
A library built with AddressSanitizer needs its runtime loaded first (SD_SANITIZE and
SD_ASAN_RUNTIME come from Meson, as for tests/preload): it is preloaded, and the leak
report at Python's exit, which would be the interpreter's, is switched off.
Arguments are passed on to pytest (-k NAME, -x, ...).
"""

import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SKIP = 77


def sanitizer_env():
    """What the environment needs for a sanitized library: {} for a plain build."""
    sanitize = os.environ.get("SD_SANITIZE", "none")
    if "thread" in sanitize or "memory" in sanitize:
        print(f"skip: sanitized build ({sanitize}): its runtime cannot be loaded into python3")
        sys.exit(SKIP)
    if "address" not in sanitize:
        return {}
    runtime = os.environ.get("SD_ASAN_RUNTIME", "")
    if not os.path.isabs(runtime) or not os.path.exists(runtime):
        print(f"skip: sanitized build ({sanitize}): no ASan runtime found to preload")
        sys.exit(SKIP)
    options = os.environ.get("ASAN_OPTIONS")
    return {"LD_PRELOAD": runtime,
            "ASAN_OPTIONS": (options + ":" if options else "") + "detect_leaks=0"}


def can_unshare():
    if os.geteuid() != 0 or not shutil.which("unshare"):
        return False
    probe = ["unshare", "--mount", "--propagation", "private", "true"]
    return subprocess.run(probe, stderr=subprocess.DEVNULL).returncode == 0


def reexec():
    """Start again in a private mount namespace, with the sanitizer's runtime: once."""
    if os.environ.get("SD_PY_REEXEC"):
        return
    extra = sanitizer_env()
    unshare = can_unshare()
    if os.geteuid() == 0 and not unshare:
        print("note: no private mount namespace (unshare); the fixtures clean up alone")
    if not extra and not unshare:
        return
    os.environ.update(extra, SD_PY_REEXEC="1")
    argv = [sys.executable, os.path.abspath(__file__)] + sys.argv[1:]
    if unshare:
        argv = ["unshare", "--mount", "--propagation", "private"] + argv
    sys.stdout.flush()
    os.execvp(argv[0], argv)


def main():
    try:
        import pytest
    except ImportError:
        print(f"skip: pytest is not installed for {sys.executable} "
              "(apt-get install python3-pytest)")
        return SKIP
    reexec()
    return pytest.main([HERE, "-p", "no:cacheprovider", "-ra", "--rootdir", HERE]
                       + sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
