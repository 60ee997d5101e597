# SPDX-License-Identifier: MIT
# readme-examples.awk: the C programs of a Markdown file (README.md), as a reader copies them.
# Every ```c block that has a main() is written to OUT-1.c, OUT-2.c, ... in order; blocks
# without one (declarations) are left out. Used by tests/core/examples.sh (the build's
# library) and scripts/deb-test (the installed Debian packages).
#   awk -v out=OUT -f readme-examples.awk README.md
/^```c[ \t]*$/ { code = 1; text = ""; next }
code && /^```[ \t]*$/ {
	code = 0
	if (text ~ /(^|[^A-Za-z0-9_])main[ \t]*\(/) {
		n++
		printf "%s", text > (out "-" n ".c")
		close(out "-" n ".c")
	}
	next
}
code { text = text $0 "\n" }
