"""Whether two policycheck JSON reports carry the same findings and outcomes, ignoring timings and versions.

    python benchmarks/same_findings.py BEFORE.json AFTER.json

A speed change must not change what is found: run the same check before and after it
(`policycheck --format json --output ...`) and compare. Exit 0 when the same, 1 with the
first differences printed.
"""

from __future__ import annotations

import json
import sys

# what differs between two runs of the same check without meaning anything
_VOLATILE = {"version", "generated", "duration", "seconds", "elapsed", "timing"}


def _stable(value):
    if isinstance(value, dict):
        return {key: _stable(item) for key, item in value.items() if key not in _VOLATILE}
    if isinstance(value, list):
        return [_stable(item) for item in value]
    return value


def differences(before, after, at: str = "") -> list[str]:
    if type(before) is not type(after):
        return [f"{at or '/'}: {before!r} != {after!r}"]
    if isinstance(before, dict):
        found = []
        for key in sorted(set(before) | set(after)):
            if key not in before or key not in after:
                found.append(f"{at}/{key}: only in {'after' if key not in before else 'before'}")
            else:
                found += differences(before[key], after[key], f"{at}/{key}")
        return found
    if isinstance(before, list):
        if len(before) != len(after):
            return [f"{at}: {len(before)} items != {len(after)}"]
        return [line for pair in zip(before, after) for line in differences(*pair, at=f"{at}[]")]
    return [] if before == after else [f"{at}: {before!r} != {after!r}"]


def main(argv: list[str]) -> int:
    before, after = (_stable(json.load(open(path, encoding="utf-8"))) for path in argv[:2])
    found = differences(before, after)
    for line in found[:20]:
        print(line)
    print("same findings" if not found else f"{len(found)} differences")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
