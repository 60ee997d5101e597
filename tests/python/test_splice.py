# SPDX-License-Identifier: MIT
"""splice_direct(): copy_file_range(2)'s offsets, results and errors, from Python."""

import errno
import os
import sys

import pytest

import splicedirect
from helpers import expected_method, read, write_random
from splicedirect import splice_direct

SIZE = 300_000


@pytest.fixture
def pair(scratch):
    """(fd_in, fd_out, data): a source of SIZE bytes and an empty destination."""
    src, dst = os.path.join(scratch, "src"), os.path.join(scratch, "dst")
    data = write_random(src, SIZE)
    fd_in = os.open(src, os.O_RDONLY)
    fd_out = os.open(dst, os.O_RDWR | os.O_CREAT, 0o644)
    yield fd_in, fd_out, data
    os.close(fd_in)
    os.close(fd_out)


def position(fd):
    return os.lseek(fd, 0, os.SEEK_CUR)


def contents(fd):
    return os.pread(fd, 2 * SIZE, 0)


def test_given_offsets_are_returned_advanced_and_positions_stay(pair):
    fd_in, fd_out, data = pair
    os.lseek(fd_in, 7, os.SEEK_SET)
    os.lseek(fd_out, 3, os.SEEK_SET)
    r = splice_direct(fd_in, fd_out, 1000, 100, 200)
    assert r == (1000, 1100, 1200, r.stats)
    assert (r.count, r.offset_in, r.offset_out) == (1000, 1100, 1200)
    assert (position(fd_in), position(fd_out)) == (7, 3)
    assert contents(fd_out) == bytes(200) + data[100:1100]
    assert r.stats.copied == 1000


def test_no_offsets_use_and_advance_the_positions(pair):
    fd_in, fd_out, data = pair
    os.lseek(fd_in, 50, os.SEEK_SET)
    os.lseek(fd_out, 10, os.SEEK_SET)
    r = splice_direct(fd_in, fd_out, 4096)
    assert (r.count, r.offset_in, r.offset_out) == (4096, None, None)
    assert (position(fd_in), position(fd_out)) == (50 + 4096, 10 + 4096)
    r = splice_direct(fd_in, fd_out, 4096)
    assert (position(fd_in), position(fd_out)) == (50 + 8192, 10 + 8192)
    assert contents(fd_out) == bytes(10) + data[50:50 + 8192]


@pytest.mark.parametrize("given", ["in", "out"])
def test_one_offset_given(pair, given):
    fd_in, fd_out, data = pair
    off_in, off_out = (1000, None) if given == "in" else (None, 1000)
    r = splice_direct(fd_in, fd_out, 500, off_in, off_out)
    if given == "in":
        assert (r.offset_in, r.offset_out) == (1500, None)
        assert (position(fd_in), position(fd_out)) == (0, 500)
        assert contents(fd_out) == data[1000:1500]
    else:
        assert (r.offset_in, r.offset_out) == (None, 1500)
        assert (position(fd_in), position(fd_out)) == (500, 0)
        assert contents(fd_out) == bytes(1000) + data[:500]


def test_the_whole_range_is_copied_and_0_at_the_end(pair):
    fd_in, fd_out, data = pair
    r = splice_direct(fd_in, fd_out, sys.maxsize, 0, 0)
    assert (r.count, r.offset_in, r.offset_out) == (SIZE, SIZE, SIZE)
    assert contents(fd_out) == data
    assert r.stats.copied == SIZE
    r = splice_direct(fd_in, fd_out, sys.maxsize, SIZE, SIZE)
    assert (r.count, r.offset_in, r.offset_out) == (0, SIZE, SIZE)
    assert r.stats == splicedirect.Stats()


def test_keywords_as_os_copy_file_range_names_them(pair):
    fd_in, fd_out, data = pair
    r = splice_direct(fd_in=fd_in, fd_out=fd_out, count=10, offset_in=5, offset_out=0,
                      flags=splicedirect.SPLICE_F_NOCLONE)
    assert (r.count, r.offset_in, r.offset_out) == (10, 15, 10)
    assert contents(fd_out) == data[5:15]


@pytest.mark.parametrize("fs_in, fs_out", [("tmpfs", "tmpfs"), ("btrfs", "btrfs"),
                                           ("xfs", "xfs"), ("tmpfs", "ext4")])
def test_stats_name_the_method(on, fs_in, fs_out):
    src = os.path.join(on(fs_in), "src")
    dst = os.path.join(on(fs_out), "dst")
    data = write_random(src, SIZE)
    fd_in = os.open(src, os.O_RDONLY)
    fd_out = os.open(dst, os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        r = splice_direct(fd_in, fd_out, SIZE, 0, 0)
    finally:
        os.close(fd_in)
        os.close(fd_out)
    assert read(dst) == data
    assert r.stats.methods() == {expected_method(fs_in, fs_out): SIZE}


def test_a_closed_descriptor_is_ebadf(pair):
    fd_in, fd_out, _ = pair
    closed = os.dup(fd_in)
    os.close(closed)
    with pytest.raises(OSError) as e:
        splice_direct(closed, fd_out, 10)
    assert e.value.errno == errno.EBADF
    with pytest.raises(OSError) as e:
        splice_direct(fd_in, closed, 10)
    assert e.value.errno == errno.EBADF


@pytest.mark.parametrize("mode", [os.O_RDONLY, os.O_WRONLY | os.O_APPEND],
                         ids=["read-only", "append-only"])
def test_a_read_only_or_append_only_destination_is_ebadf(pair, scratch, mode):
    fd_in, _, _ = pair
    fd = os.open(os.path.join(scratch, "dst"), mode)
    try:
        with pytest.raises(OSError) as e:
            splice_direct(fd_in, fd, 10)
        assert e.value.errno == errno.EBADF
    finally:
        os.close(fd)


def test_a_directory_is_eisdir(pair, scratch):
    fd_in, fd_out, _ = pair
    fd = os.open(scratch, os.O_RDONLY | os.O_DIRECTORY)
    try:
        with pytest.raises(IsADirectoryError) as e:
            splice_direct(fd, fd_out, 10)
        assert e.value.errno == errno.EISDIR
    finally:
        os.close(fd)


def test_a_pipe_is_einval(pair):
    _, fd_out, _ = pair
    r, w = os.pipe()
    try:
        with pytest.raises(OSError) as e:
            splice_direct(r, fd_out, 10)
        assert e.value.errno == errno.EINVAL
    finally:
        os.close(r)
        os.close(w)


def test_overlapping_ranges_of_one_file_are_einval(pair):
    fd_in, _, _ = pair
    with pytest.raises(OSError) as e:
        splice_direct(fd_in, fd_in, 1000, 0, 500)
    assert e.value.errno in (errno.EINVAL, errno.EBADF)  # fd_in is read-only: EBADF first
    fd = os.open(f"/proc/self/fd/{fd_in}", os.O_RDWR)
    try:
        with pytest.raises(OSError) as e:
            splice_direct(fd, fd, 1000, 0, 500)
        assert e.value.errno == errno.EINVAL
    finally:
        os.close(fd)


@pytest.mark.parametrize("flags", [
    1,  # SPLICE_F_MOVE
    8,  # SPLICE_F_GIFT
    splicedirect.SPLICE_F_CLONE | splicedirect.SPLICE_F_NOCLONE,
    splicedirect.SPLICE_F_EXCL,  # splice_direct_file()'s only
    splicedirect.SPLICE_F_ATOMIC,
    1 << 31,
])
def test_bad_flags_are_einval(pair, flags):
    fd_in, fd_out, _ = pair
    with pytest.raises(OSError) as e:
        splice_direct(fd_in, fd_out, 10, 0, 0, flags)
    assert e.value.errno == errno.EINVAL


@pytest.mark.parametrize("offsets", [(-1, 0), (0, -1), (-1, None)])
def test_a_negative_offset_is_the_kernels_error(pair, offsets):
    fd_in, fd_out, _ = pair
    with pytest.raises(OSError) as kernel:
        os.copy_file_range(fd_in, fd_out, 10, *offsets)
    with pytest.raises(OSError) as e:
        splice_direct(fd_in, fd_out, 10, *offsets)
    assert e.value.errno == kernel.value.errno  # EOVERFLOW on 6.x


def test_clone_across_filesystems_is_exdev(tmpfs, btrfs):
    src, dst = os.path.join(btrfs, "src"), os.path.join(tmpfs, "dst")
    write_random(src, SIZE)
    fd_in = os.open(src, os.O_RDONLY)
    fd_out = os.open(dst, os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        with pytest.raises(OSError) as e:
            splice_direct(fd_in, fd_out, SIZE, 0, 0, splicedirect.SPLICE_F_CLONE)
        assert e.value.errno == errno.EXDEV
    finally:
        os.close(fd_in)
        os.close(fd_out)


@pytest.mark.parametrize("args, error", [
    (("-1", -1, 10), TypeError),
    ((-1, -1.0, 10), TypeError),
    ((None, -1, 10), TypeError),
    ((-1, -1, "10"), TypeError),
    ((-1, -1, 10, 1.5), TypeError),
    ((-1, -1, 10, None, "0"), TypeError),
    ((-1, -1, 10, None, None, None), TypeError),
    ((-1, -1, -1), ValueError),
    ((-1, -1, 1 << 63), OverflowError),
    ((1 << 31, -1, 10), OverflowError),
    ((-1, -1, 10, 1 << 63), OverflowError),
    ((-1, -1, 10, None, -(1 << 63) - 1), OverflowError),
    ((-1, -1, 10, None, None, 1 << 32), OverflowError),
    ((-1, -1, 10, None, None, -1), OverflowError),
])
def test_wrong_types_and_ranges(args, error):
    with pytest.raises(error):
        splice_direct(*args)
