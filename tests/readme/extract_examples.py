#!/usr/bin/python3
"""Writes every ```cpp block that follows a `<!-- example: NAME -->` line of README.md to
OUTDIR/NAME.cpp, so that the README's examples are compiled and run by the test suite."""
import pathlib
import re
import sys

readme = pathlib.Path(sys.argv[1]).read_text()
out = pathlib.Path(sys.argv[2])
out.mkdir(parents=True, exist_ok=True)
found = re.findall(r"<!-- example: (\w+) -->\s*```cpp\n(.*?)```", readme, re.S)
if not found:
    sys.exit("no examples found in README.md")
for name, code in found:
    target = out / f"{name}.cpp"
    if not target.exists() or target.read_text() != code:
        target.write_text(code)
