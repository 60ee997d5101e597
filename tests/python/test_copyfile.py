# SPDX-License-Identifier: MIT
"""copyfile(): data, methods, clone=, atomic=, and shutil.copyfile's exceptions."""

import errno
import os
import pathlib
import shutil
import signal
import stat

import pytest

import splicedirect
from helpers import expected_method, read, shares_any, shares_extents, write_random
from splicedirect import copyfile

SIZE = 1 << 20


@pytest.mark.parametrize("fs_in, fs_out", [
    ("tmpfs", "tmpfs"), ("btrfs", "btrfs"), ("xfs", "xfs"), ("ext4", "ext4"),
    ("btrfs", "ext4"), ("tmpfs", "xfs"),
])
def test_copies_the_data_and_says_how(on, fs_in, fs_out):
    src = os.path.join(on(fs_in), "src")
    dst = os.path.join(on(fs_out), "dst")
    data = write_random(src, SIZE + 123)
    stats = copyfile(src, dst)
    assert read(dst) == data
    assert stats.methods() == {expected_method(fs_in, fs_out): SIZE + 123}
    assert stats.holes == 0


def test_path_like_and_bytes_paths(scratch):
    src = pathlib.Path(scratch) / "src"
    data = write_random(src, 5000)
    assert copyfile(src, pathlib.Path(scratch) / "a").copied == 5000
    assert copyfile(os.fsencode(src), os.fsencode(os.path.join(scratch, "b"))).copied == 5000
    assert read(os.path.join(scratch, "a")) == read(os.path.join(scratch, "b")) == data


def test_an_empty_file(scratch):
    src, dst = os.path.join(scratch, "src"), os.path.join(scratch, "dst")
    open(src, "wb").close()
    assert copyfile(src, dst) == splicedirect.Stats()
    assert read(dst) == b""


def test_holes_stay_holes(tmpfs):
    src, dst = os.path.join(tmpfs, "src"), os.path.join(tmpfs, "dst")
    with open(src, "wb") as f:
        f.write(b"a" * 65536)
        f.seek(8 << 20)
        f.write(b"b" * 65536)
    stats = copyfile(src, dst, clone=False)
    assert read(dst) == read(src)
    assert stats.copied == 2 * 65536
    assert stats.holes == (8 << 20) - 65536
    assert os.stat(dst).st_blocks * 512 < 1 << 20


def test_replaces_content_and_copies_permission_bits(scratch):
    src, dst = os.path.join(scratch, "src"), os.path.join(scratch, "dst")
    data = write_random(src, 1000)
    os.chmod(src, 0o640)
    write_random(dst, 50_000, seed=1)
    copyfile(src, dst)
    assert read(dst) == data
    assert stat.S_IMODE(os.stat(dst).st_mode) == 0o640


def test_clone_shares_the_extents(btrfs):
    src, dst = os.path.join(btrfs, "src"), os.path.join(btrfs, "dst")
    data = write_random(src, SIZE)
    stats = copyfile(src, dst, clone=True)
    assert stats == splicedirect.Stats(clone=SIZE)
    assert read(dst) == data
    assert shares_extents(src, dst)


def test_the_default_shares_extents_too(btrfs):
    src, dst = os.path.join(btrfs, "src"), os.path.join(btrfs, "dst")
    write_random(src, SIZE)
    copyfile(src, dst)
    assert shares_extents(src, dst)


@pytest.mark.parametrize("fs", ["btrfs", "xfs"])
def test_noclone_shares_nothing(on, fs):
    d = on(fs)
    src, dst = os.path.join(d, "src"), os.path.join(d, "dst")
    data = write_random(src, SIZE)
    stats = copyfile(src, dst, clone=False)
    assert stats.clone == 0 and stats.copied == SIZE
    assert read(dst) == data
    assert not shares_any(src, dst)


def test_clone_on_xfs_shares_the_extents(xfs):
    src, dst = os.path.join(xfs, "src"), os.path.join(xfs, "dst")
    write_random(src, SIZE)
    assert copyfile(src, dst, clone=True).clone == SIZE
    assert shares_extents(src, dst)


def test_clone_on_tmpfs_is_eopnotsupp(tmpfs):
    src, dst = os.path.join(tmpfs, "src"), os.path.join(tmpfs, "dst")
    write_random(src, SIZE)
    with pytest.raises(OSError) as e:
        copyfile(src, dst, clone=True)
    assert e.value.errno == errno.EOPNOTSUPP
    assert (e.value.filename, e.value.filename2) == (src, dst)
    assert sorted(os.listdir(tmpfs)) == ["src"]  # the dst it created is removed


def test_clone_across_filesystems_is_exdev(tmpfs, btrfs):
    src, dst = os.path.join(btrfs, "src"), os.path.join(tmpfs, "dst")
    write_random(src, SIZE)
    with pytest.raises(OSError) as e:
        copyfile(src, dst, clone=True)
    assert e.value.errno == errno.EXDEV


def test_nocache_copies(ext4):
    src, dst = os.path.join(ext4, "src"), os.path.join(ext4, "dst")
    data = write_random(src, 8 << 20)
    stats = copyfile(src, dst, nocache=True)
    assert read(dst) == data
    assert stats.copied == 8 << 20


@pytest.mark.parametrize("fs", ["tmpfs", "btrfs"])
def test_atomic_replaces_and_leaves_no_temporary(on, fs):
    d = on(fs)
    src, dst = os.path.join(d, "src"), os.path.join(d, "dst")
    data = write_random(src, SIZE)
    old = write_random(dst, 4096, seed=1)
    old_ino = os.stat(dst).st_ino
    with open(dst, "rb") as reader:  # a reader of the old file keeps reading the old file
        stats = copyfile(src, dst, atomic=True)
        assert reader.read() == old
    assert stats.copied == SIZE
    assert read(dst) == data
    assert os.stat(dst).st_ino != old_ino  # renamed over, not written in place
    assert sorted(os.listdir(d)) == ["dst", "src"]


def test_a_failed_atomic_copy_keeps_the_old_file(tmpfs):
    src, dst = os.path.join(tmpfs, "src"), os.path.join(tmpfs, "dst")
    write_random(src, SIZE)
    old = write_random(dst, 4096, seed=1)
    with pytest.raises(OSError) as e:
        copyfile(src, dst, atomic=True, clone=True)
    assert e.value.errno == errno.EOPNOTSUPP
    assert read(dst) == old
    assert sorted(os.listdir(tmpfs)) == ["dst", "src"]


@pytest.mark.parametrize("atomic", [False, True])
def test_exclusive_refuses_an_existing_destination(scratch, atomic):
    src, dst = os.path.join(scratch, "src"), os.path.join(scratch, "dst")
    write_random(src, 100)
    old = write_random(dst, 10, seed=1)
    with pytest.raises(FileExistsError):
        copyfile(src, dst, exclusive=True, atomic=atomic)
    assert read(dst) == old
    assert sorted(os.listdir(scratch)) == ["dst", "src"]
    copyfile(src, os.path.join(scratch, "new"), exclusive=True, atomic=atomic)


def test_follow_symlinks_false_makes_a_link(scratch):
    src, link, dst = (os.path.join(scratch, n) for n in ("src", "link", "dst"))
    write_random(src, 100)
    os.symlink("src", link)
    assert copyfile(link, dst, follow_symlinks=False) == splicedirect.Stats()
    assert os.readlink(dst) == "src"
    assert copyfile(link, os.path.join(scratch, "copy")).copied == 100


# The mistakes of shutil.copyfile's callers: each raises what shutil raises.
def mistake(scratch, kind):
    src, dst = os.path.join(scratch, "src"), os.path.join(scratch, "dst")
    if kind == "same file":
        return src, src
    if kind == "same file by a hard link":
        os.link(src, dst)
        return src, dst
    if kind == "same file by a symlink":
        os.symlink(src, dst)
        return src, dst
    if kind == "source is a folder":
        return scratch, dst
    if kind == "destination is a folder":
        os.mkdir(dst)
        return src, dst
    if kind == "missing source":
        return os.path.join(scratch, "missing"), dst
    if kind == "missing folder":
        return src, os.path.join(scratch, "missing", "dst")
    if kind == "source is a named pipe":
        os.mkfifo(os.path.join(scratch, "fifo"))
        return os.path.join(scratch, "fifo"), dst
    if kind == "destination is a named pipe":
        os.mkfifo(dst)
        return src, dst
    raise AssertionError(kind)


MISTAKES = {
    "same file": shutil.SameFileError,
    "same file by a hard link": shutil.SameFileError,
    "same file by a symlink": shutil.SameFileError,
    "source is a folder": IsADirectoryError,
    "destination is a folder": IsADirectoryError,
    "missing source": FileNotFoundError,
    "missing folder": FileNotFoundError,
    "source is a named pipe": shutil.SpecialFileError,
    "destination is a named pipe": shutil.SpecialFileError,
}


@pytest.fixture
def deadline():
    """A test that would block (opening a named pipe) fails after 20 s instead."""
    def expired(signum, frame):
        raise TimeoutError("blocked for 20 s")

    old = signal.signal(signal.SIGALRM, expired)
    signal.alarm(20)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


@pytest.mark.parametrize("kind", MISTAKES)
@pytest.mark.parametrize("atomic", [False, True])
def test_mistakes_raise_what_shutil_raises(scratch, deadline, kind, atomic):
    data = write_random(os.path.join(scratch, "src"), 100)
    src, dst = mistake(scratch, kind)
    with pytest.raises(MISTAKES[kind]) as shutil_error:
        shutil.copyfile(src, dst)
    with pytest.raises(MISTAKES[kind]) as ours:
        copyfile(src, dst, atomic=atomic)
    if isinstance(ours.value, OSError) and ours.value.errno is not None:
        assert ours.value.errno == shutil_error.value.errno
        assert ours.value.filename == shutil_error.value.filename
    assert read(os.path.join(scratch, "src")) == data  # nothing lost


def test_an_unreadable_source_is_permission_error(scratch):
    if os.geteuid() == 0:
        pytest.skip("root reads every file")
    src, dst = os.path.join(scratch, "src"), os.path.join(scratch, "dst")
    write_random(src, 100)
    os.chmod(src, 0)
    with pytest.raises(PermissionError) as e:
        copyfile(src, dst)
    assert e.value.filename == src


def test_a_device_is_a_special_file(scratch):
    with pytest.raises(shutil.SpecialFileError):
        copyfile("/dev/null", os.path.join(scratch, "dst"))


@pytest.mark.parametrize("args, kwargs, error", [
    ((1, "dst"), {}, TypeError),
    (("src", None), {}, TypeError),
    (("src", "dst"), {"clone": "yes"}, TypeError),
    (("src", "dst"), {"clone": 1}, TypeError),
    (("src\0", "dst"), {}, ValueError),
    (("src", "dst"), {"bogus": True}, TypeError),
    (("src", "dst", True), {}, TypeError),
])
def test_wrong_types(scratch, monkeypatch, args, kwargs, error):
    monkeypatch.chdir(scratch)
    write_random("src", 10)
    with pytest.raises(error):
        copyfile(*args, **kwargs)
    assert not os.path.exists("dst")
