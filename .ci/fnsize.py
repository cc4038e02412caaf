#!/usr/bin/env python3
"""The longest functions of the non-test, non-migration code; fails past the limit.

A function runs from its `fn` line to the brace that closes its body (comments and
strings are blanked first, so braces in them do not count). `#[cfg(test)]` items and
`tests/`, `migration/` are left out. Usage: fnsize.py [LIMIT] (default 150 lines).
"""

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from modgraph import ROOT, strip_tests  # noqa: E402

LIMIT = int(sys.argv[1]) if len(sys.argv) > 1 else 150
DIRS = ["src", "api/src", "api/domain/src", "api/demo/src", "entity/src"]


def functions(text: str):
    for m in re.finditer(r"\bfn\s+(\w+)[^;{]*\{", text):
        depth, i = 0, m.end() - 1
        while i < len(text):
            if text[i] == "{":
                depth += 1
            elif text[i] == "}":
                depth -= 1
                if depth == 0:
                    break
            i += 1
        start = text.count("\n", 0, m.start()) + 1
        yield m.group(1), start, text.count("\n", 0, i) + 1 - start + 1


def main() -> int:
    found = []
    for d in DIRS:
        for f in sorted((ROOT / d).rglob("*.rs")):
            # Keep line numbers: blank what strip_tests drops instead of removing it.
            text = f.read_text(encoding="utf-8")
            stripped = strip_tests(text)
            for name, line, length in functions(stripped):
                found.append((length, f"{f.relative_to(ROOT)}:{name}"))
    found.sort(reverse=True)
    for length, where in found[:5]:
        print(f"{length:5} lines  {where}")
    over = [w for n, w in found if n >= LIMIT]
    if over:
        print(f"fnsize: {len(over)} functions of {LIMIT} lines or more")
        return 1
    print(f"fnsize: every function under {LIMIT} lines")
    return 0


if __name__ == "__main__":
    sys.exit(main())
