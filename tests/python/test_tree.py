# SPDX-License-Identifier: MIT
"""copy2() and copytree(): shutil's metadata and walk, the library's data and Stats."""

import os
import shutil
import stat

import pytest

import splicedirect
from helpers import read, shares_extents, write_random
from splicedirect import copy2, copytree

MTIME_NS = 1_234_567_890_123_456_789


def make_file(path, size, mode=0o640, seed=0):
    data = write_random(path, size, seed)
    os.chmod(path, mode)
    os.utime(path, ns=(MTIME_NS - 10**9, MTIME_NS))
    return data


def test_copy2_keeps_data_mode_and_times(scratch):
    src, dst = os.path.join(scratch, "src"), os.path.join(scratch, "dst")
    data = make_file(src, 70_000, 0o604)
    stats = copy2(src, dst)
    assert stats.copied == 70_000
    # the times before the data is read back: with relatime, reading the copy updates its
    # atime whenever the clock ticked between the copy's atime and its ctime (copystat's)
    s, d = os.stat(src), os.stat(dst)
    assert read(dst) == data
    assert stat.S_IMODE(d.st_mode) == 0o604
    assert d.st_mtime_ns == s.st_mtime_ns == MTIME_NS
    assert d.st_atime_ns == s.st_atime_ns


def test_copy2_into_a_folder(scratch):
    src = os.path.join(scratch, "src")
    folder = os.path.join(scratch, "folder")
    os.mkdir(folder)
    data = make_file(src, 1000)
    assert copy2(src, folder).copied == 1000
    assert read(os.path.join(folder, "src")) == data
    assert os.stat(os.path.join(folder, "src")).st_mtime_ns == MTIME_NS


def test_copy2_atomic_sets_the_times_of_the_new_file(scratch):
    src, dst = os.path.join(scratch, "src"), os.path.join(scratch, "dst")
    data = make_file(src, 1000)
    write_random(dst, 10, seed=1)
    copy2(src, dst, atomic=True)
    assert read(dst) == data
    assert os.stat(dst).st_mtime_ns == MTIME_NS
    assert sorted(os.listdir(scratch)) == ["dst", "src"]


def test_copy2_of_a_link_without_following(scratch):
    src, link, dst = (os.path.join(scratch, n) for n in ("src", "link", "dst"))
    make_file(src, 10)
    os.symlink("src", link)
    assert copy2(link, dst, follow_symlinks=False) == splicedirect.Stats()
    assert os.readlink(dst) == "src"


def test_copy2_keeps_extended_attributes(scratch):
    src, dst = os.path.join(scratch, "src"), os.path.join(scratch, "dst")
    make_file(src, 10)
    try:
        os.setxattr(src, "user.sdtest", b"kept")
    except OSError as e:
        pytest.skip(f"no user xattrs here: {e}")
    copy2(src, dst)
    assert os.getxattr(dst, "user.sdtest") == b"kept"


def make_tree(root):
    """A tree with files, an empty folder, nested folders, and three kinds of link."""
    os.makedirs(os.path.join(root, "a", "b", "c"))
    os.mkdir(os.path.join(root, "empty"))
    sizes = {"top": 5000, "a/one": 70_000, "a/b/two": 0, "a/b/c/three": 300_000}
    for i, (name, size) in enumerate(sizes.items()):
        make_file(os.path.join(root, name), size, 0o600 + i, seed=i)
    os.symlink("one", os.path.join(root, "a", "to-file"))
    os.symlink("b", os.path.join(root, "a", "to-folder"))
    os.symlink("nowhere", os.path.join(root, "dangling"))
    os.chmod(os.path.join(root, "a", "b"), 0o750)
    os.utime(os.path.join(root, "a", "b"), ns=(MTIME_NS, MTIME_NS))
    return sum(sizes.values())


def describe(root):
    """{relative path: what shutil.copytree keeps of it} for the whole tree."""
    found = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = os.path.join(folder, name)
            rel = os.path.relpath(path, root)
            st = os.lstat(path)
            if stat.S_ISLNK(st.st_mode):
                found[rel] = ("link", os.readlink(path))
            elif stat.S_ISDIR(st.st_mode):
                found[rel] = ("folder", st.st_mode, st.st_mtime_ns)
            else:
                found[rel] = ("file", st.st_mode, st.st_mtime_ns, read(path))
    return found


def test_copytree_keeps_the_tree_and_its_links_as_shutil_does(scratch):
    src = os.path.join(scratch, "src")
    size = make_tree(src)
    expected = os.path.join(scratch, "by-shutil")
    shutil.copytree(src, expected, symlinks=True)
    dst = os.path.join(scratch, "dst")
    stats = copytree(src, dst, symlinks=True)
    assert describe(dst) == describe(expected)
    assert describe(dst)["a/to-file"] == ("link", "one")
    assert describe(dst)["a/b"][1:] == (stat.S_IFDIR | 0o750, MTIME_NS)
    assert stats.copied == size


def test_copytree_following_links_as_shutil_does(scratch):
    src = os.path.join(scratch, "src")
    size = make_tree(src)
    os.unlink(os.path.join(src, "dangling"))
    expected = os.path.join(scratch, "by-shutil")
    shutil.copytree(src, expected)
    dst = os.path.join(scratch, "dst")
    stats = copytree(src, dst)
    assert describe(dst) == describe(expected)
    assert describe(dst)["a/to-file"][0] == "file"
    # the link to a file and the folder behind a link are copied as well
    assert stats.copied == size + 70_000 + 300_000


def test_copytree_reports_what_shutil_reports(scratch):
    src = os.path.join(scratch, "src")
    make_tree(src)
    with pytest.raises(shutil.Error) as shutil_error:
        shutil.copytree(src, os.path.join(scratch, "by-shutil"))  # the dangling link
    with pytest.raises(shutil.Error) as ours:
        copytree(src, os.path.join(scratch, "dst"))
    assert len(ours.value.args[0]) == len(shutil_error.value.args[0]) == 1
    assert ours.value.args[0][0][0] == os.path.join(src, "dangling")
    stats = copytree(src, os.path.join(scratch, "ignoring"), ignore_dangling_symlinks=True)
    assert stats.copied > 0


def test_copytree_ignore_and_dirs_exist_ok(scratch):
    src, dst = os.path.join(scratch, "src"), os.path.join(scratch, "dst")
    make_tree(src)
    with pytest.raises(FileExistsError):
        copytree(src, scratch, symlinks=True)
    os.mkdir(dst)
    stats = copytree(src, dst, symlinks=True, dirs_exist_ok=True,
                     ignore=shutil.ignore_patterns("three"))
    assert not os.path.exists(os.path.join(dst, "a", "b", "c", "three"))
    assert stats.copied == 5000 + 70_000


def test_copytree_within_btrfs_clones_every_file(btrfs):
    src, dst = os.path.join(btrfs, "src"), os.path.join(btrfs, "dst")
    make_tree(src)
    stats = copytree(src, dst, symlinks=True, clone=True)
    assert stats.methods() == {"clone": 5000 + 70_000 + 300_000}
    assert shares_extents(os.path.join(src, "a", "b", "c", "three"),
                          os.path.join(dst, "a", "b", "c", "three"))


def test_copytree_across_filesystems(tmpfs, xfs):
    src, dst = os.path.join(tmpfs, "src"), os.path.join(xfs, "dst")
    size = make_tree(src)
    stats = copytree(src, dst, symlinks=True, nocache=True, atomic=True)
    assert stats.copied == size
    assert describe(dst) == describe(src)


def test_copytree_wrong_types(scratch):
    with pytest.raises(TypeError):
        copytree(1, os.path.join(scratch, "dst"))
    with pytest.raises(TypeError):
        copytree(scratch, os.path.join(scratch, "dst"), clone="always")
