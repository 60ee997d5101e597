# SPDX-License-Identifier: MIT
"""Run the Python tests with pytest; exit 77 (skip) when pytest is not installed.

As root, the run moves into a private mount namespace first (unshare(1)), so that even a
SIGKILLed run takes its loop mounts with it; the fixtures unmount and detach anyway.
Arguments are passed on to pytest (-k NAME, -x, ...).
"""

import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def private_namespace():
    if os.geteuid() != 0 or os.environ.get("SD_PY_NAMESPACE"):
        return
    unshare = shutil.which("unshare")
    probe = [unshare, "--mount", "--propagation", "private", "true"] if unshare else None
    if not probe or subprocess.run(probe, stderr=subprocess.DEVNULL).returncode != 0:
        print("note: no private mount namespace (unshare); mounts are cleaned up by fixtures")
        return
    os.environ["SD_PY_NAMESPACE"] = "1"
    sys.stdout.flush()
    os.execv(unshare, [unshare, "--mount", "--propagation", "private",
                       sys.executable, os.path.abspath(__file__)] + sys.argv[1:])


def main():
    try:
        import pytest
    except ImportError:
        print(f"skip: pytest is not installed for {sys.executable} "
              "(apt-get install python3-pytest)")
        return 77
    private_namespace()
    return pytest.main([HERE, "-p", "no:cacheprovider", "-ra", "--rootdir", HERE]
                       + sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
