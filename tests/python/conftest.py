# SPDX-License-Identifier: MIT
"""Fixtures: scratch folders, and private filesystems on real kernels' code.

`scratch` is a fresh folder on whatever /var/tmp is, for tests any user can run.
`tmpfs`, `btrfs`, `xfs` and `ext4` are fresh folders on filesystems this run mounts for
itself (root only): a tmpfs, or a sparse image in its own mkdtemp folder under /var/tmp,
made by mkfs and mounted through a loop device. Each filesystem is made once per run and
shared by that run's tests (each test gets its own folder in it); two runs never share
one. At the end of the run every mount is unmounted, its loop device detached and its
folder removed, also after a failure, Ctrl-C or SIGTERM; run.py adds a private mount
namespace, so that even SIGKILL takes the mounts along.

Without root, mkfs or the filesystem in the kernel, these tests skip with the reason;
SD_TEST_REQUIRE="root btrfs xfs ext4 tmpfs" (the C tests' variable) makes that a failure.
"""

import os
import shutil
import signal
import subprocess
import tempfile

import pytest

SIZES = {"tmpfs": "256M", "btrfs": "1G", "xfs": "300M", "ext4": "128M"}
MKFS = {
    "btrfs": ["mkfs.btrfs", "-q", "-f"],
    "xfs": ["mkfs.xfs", "-q", "-f"],
    # 4 KiB blocks, as on the others; no journal: faster, and not what is tested
    "ext4": ["mkfs.ext4", "-q", "-F", "-b", "4096", "-O", "^has_journal"],
}
PREFIX = "sdpytest."


def skip(need, why):
    """Skip for want of need, or fail if SD_TEST_REQUIRE lists it."""
    required = os.environ.get("SD_TEST_REQUIRE", "").replace(",", " ").split()
    if need in required:
        pytest.fail(f"{why} (required by SD_TEST_REQUIRE)", pytrace=False)
    pytest.skip(why)


def run(argv):
    return subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)


def loop_of(image):
    """The loop devices still backed by image (normally none once unmounted)."""
    out = run(["losetup", "--noheadings", "-O", "NAME", "-j", image]).stdout
    return out.split()


class Mount:
    """One private filesystem: a folder in /var/tmp, maybe an image, a mount point."""

    def __init__(self, fs):
        self.fs = fs
        self.tmp = tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}.", dir="/var/tmp")
        self.dir = os.path.join(self.tmp, "mnt")
        self.image = os.path.join(self.tmp, "img")
        os.mkdir(self.dir)

    def mount(self):
        if self.fs == "tmpfs":
            argv = ["mount", "-t", "tmpfs", "-o", f"size={SIZES['tmpfs']}", "sdpytest",
                    self.dir]
        else:
            with open(self.image, "wb") as f:  # sparse: only what is written costs
                f.truncate(_bytes(SIZES[self.fs]))
            r = run(MKFS[self.fs] + [self.image])
            if r.returncode != 0:
                return f"{MKFS[self.fs][0]} failed: {r.stdout.strip()}"
            # -o loop: mount(8) attaches the image with autoclear, so that the last
            # unmount detaches it
            argv = ["mount", "-t", self.fs, "-o", "loop", self.image, self.dir]
        r = run(argv)
        if r.returncode != 0:
            return f"cannot mount {self.fs}: {r.stdout.strip()}"
        return None

    def cleanup(self):
        """Unmount, detach and remove: every step tried, whatever failed before."""
        if os.path.ismount(self.dir):
            if run(["umount", self.dir]).returncode != 0:
                run(["umount", "--lazy", self.dir])  # a file still open somewhere
        if os.path.exists(self.image):
            for dev in loop_of(self.image):
                run(["losetup", "-d", dev])
            os.unlink(self.image)
        if not os.path.ismount(self.dir):  # never remove what is still mounted
            os.rmdir(self.dir)
            os.rmdir(self.tmp)


def _bytes(size):
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    return int(size[:-1]) * units[size[-1]]


def _sweep_stale():
    """Remove the folders of runs that were killed (their pid is gone) and left them."""
    for name in os.listdir("/var/tmp"):
        parts = name.split(".")
        if not name.startswith(PREFIX) or len(parts) < 3 or not parts[1].isdigit():
            continue
        try:
            os.kill(int(parts[1]), 0)
            continue
        except ProcessLookupError:
            pass
        except PermissionError:
            continue
        m = Mount.__new__(Mount)
        m.tmp = os.path.join("/var/tmp", name)
        m.dir = os.path.join(m.tmp, "mnt")
        m.image = os.path.join(m.tmp, "img")
        try:
            m.cleanup()
        except OSError:
            pass


def _terminate(signum, frame):
    # pytest tears fixtures down after KeyboardInterrupt: turn SIGTERM (meson test's
    # timeout) and SIGHUP into one, so that the mounts are cleaned up then too.
    raise KeyboardInterrupt(f"signal {signum}")


def pytest_configure(config):
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGHUP, _terminate)


@pytest.fixture(scope="session")
def filesystems():
    """mount(fs) -> the mount point of this run's fs, made on first use; all cleaned up."""
    made = {}
    failed = {}

    def mount(fs):
        if fs in made:
            return made[fs].dir
        if os.geteuid() != 0:
            skip("root", f"{fs}: mounting needs root")
        if fs in failed:
            skip(fs, failed[fs])
        if fs != "tmpfs" and not shutil.which(MKFS[fs][0]):
            failed[fs] = f"{MKFS[fs][0]} not installed"
            skip(fs, failed[fs])
        if not made and not failed:
            _sweep_stale()
        m = Mount(fs)
        why = m.mount()
        if why:
            m.cleanup()
            failed[fs] = why
            skip(fs, why)
        made[fs] = m
        return m.dir

    yield mount
    for m in reversed(list(made.values())):
        m.cleanup()


def _folder_on(filesystems, fs):
    return tempfile.mkdtemp(prefix="t.", dir=filesystems(fs))


@pytest.fixture
def scratch():
    """A fresh folder in /var/tmp, removed after the test."""
    with tempfile.TemporaryDirectory(prefix=f"{PREFIX}scratch.", dir="/var/tmp") as d:
        yield d


@pytest.fixture
def tmpfs(filesystems):
    return _folder_on(filesystems, "tmpfs")


@pytest.fixture
def btrfs(filesystems):
    return _folder_on(filesystems, "btrfs")


@pytest.fixture
def xfs(filesystems):
    return _folder_on(filesystems, "xfs")


@pytest.fixture
def ext4(filesystems):
    return _folder_on(filesystems, "ext4")


@pytest.fixture
def on(filesystems):
    """on(fs) -> a fresh folder on this run's fs, for tests parametrized by filesystem."""
    return lambda fs: _folder_on(filesystems, fs)
