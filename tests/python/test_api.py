# SPDX-License-Identifier: MIT
"""The package's surface: constants as in the header, names, Stats, loading the library."""

import dataclasses
import os
import re
import subprocess
import sys

import pytest

import splicedirect

HEADER = os.environ.get("SD_HEADER") or os.path.join(
    os.path.dirname(__file__), "..", "..", "include", "splicedirect.h")


def header_values():
    """{name: value} of the header's #defines and of enum splice_direct_method."""
    with open(HEADER) as f:
        text = f.read()
    values = {m[1]: int(m[2], 0)
              for m in re.finditer(r"#define\s+(SPLICE\w+)\s+(0x[0-9a-fA-F]+|\d+)u?\b", text)}
    enum = re.search(r"enum splice_direct_method \{(.*?)\};", text, re.S)[1]
    enum = re.sub(r"/\*.*?\*/", "", enum)
    n = 0
    for item in filter(None, (s.strip() for s in enum.split(","))):
        name, _, value = (s.strip() for s in item.partition("="))
        n = int(value, 0) if value else n
        values[name] = n
        n += 1
    return values


def test_constants_are_the_headers():
    values = header_values()
    assert {"SPLICE_F_DIRECT", "SPLICE_F_ATOMIC", "SPLICE_DIRECT_STATX_MASK",
            "SPLICE_DIRECT_DIRECTIO", "SPLICE_DIRECT_METHODS"} <= set(values)
    for name, value in values.items():
        assert getattr(splicedirect, name) == value, name


def test_all_names_exist():
    for name in splicedirect.__all__:
        assert hasattr(splicedirect, name), name


def test_the_library_in_use_is_the_one_named():
    wanted = os.environ.get("SPLICEDIRECT_LIBRARY")
    if not wanted:
        pytest.skip("SPLICEDIRECT_LIBRARY not set")
    assert splicedirect._lib._name == wanted


def test_method_names_are_the_librarys():
    for i, name in enumerate(splicedirect.METHODS):
        assert splicedirect.method_name(i) == name
        assert getattr(splicedirect, "SPLICE_DIRECT_" + name.upper()) == i
    assert splicedirect.method_name(len(splicedirect.METHODS)) is None
    assert splicedirect.method_name(splicedirect.SPLICE_DIRECT_METHODS) is None
    assert splicedirect.method_name(-1) is None


def test_stats_fields_are_the_methods_and_holes():
    names = [f.name for f in dataclasses.fields(splicedirect.Stats)]
    assert names == list(splicedirect.METHODS) + ["holes"]


def test_stats_add_up():
    a = splicedirect.Stats(clone=10, pipe=5, holes=3)
    b = splicedirect.Stats(clone=1, rw=2)
    total = a + b
    assert total == splicedirect.Stats(clone=11, pipe=5, rw=2, holes=3)
    assert total.copied == 18
    assert total.methods() == {"clone": 11, "pipe": 5, "rw": 2}
    assert splicedirect.Stats().copied == 0
    with pytest.raises(TypeError):
        a + 1
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.clone = 0


def load(library):
    """Import the package in a fresh interpreter with SPLICEDIRECT_LIBRARY=library."""
    env = dict(os.environ, SPLICEDIRECT_LIBRARY=library)
    return subprocess.run([sys.executable, "-c", "import splicedirect"], env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def test_a_missing_library_is_an_import_error():
    r = load("/nonexistent/libsplicedirect.so.0")
    assert r.returncode != 0
    assert "ImportError: splicedirect: cannot load libsplicedirect.so.0" in r.stdout
    assert "SPLICEDIRECT_LIBRARY" in r.stdout


def test_another_library_is_an_import_error():
    r = load("libc.so.6")
    assert r.returncode != 0
    assert "ImportError: splicedirect: libc.so.6 is not libsplicedirect" in r.stdout
