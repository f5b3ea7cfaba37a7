#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Prints the first fenced code block of a language from a Markdown file, so
that the README's examples are compiled and run by the tests.

Usage: readme_snippet.py README.md c|python
"""

import re
import sys

with open(sys.argv[1], encoding="utf-8") as f:
    text = f.read()
match = re.search(r"^```" + re.escape(sys.argv[2]) + r"\n(.*?)^```$", text, re.S | re.M)
if match is None:
    sys.exit(f"no ```{sys.argv[2]} block in {sys.argv[1]}")
sys.stdout.write(match.group(1))
