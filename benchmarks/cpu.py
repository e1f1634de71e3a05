"""In-process CPU per file, and where it goes: parse, schema, rules by family, engine bookkeeping.

    python benchmarks/cpu.py FOLDER [--repeats 3]

CPU time (`time.process_time`, which a busy machine inflates far less than wall time) of
`Engine.check` over every file of FOLDER, in one process with the engine built as a run
builds it (no configuration, entry-point plugins off, today 2027-01-01, the text report's
engine, which takes no review facts), after a warm-up
over 50 files; the best of `--repeats` passes. Then one pass times each stage apart, as
the engine runs it: reading the file, parsing it into the frozen document, the schema,
each rule (summed by family); bookkeeping is the whole check less those. Prints JSON.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from collections import defaultdict
from datetime import date

from policycheck import policy
from policycheck.activity import FROZEN_MAPPING, Activity
from policycheck.discover import discover, read_source
from policycheck.engine import Engine
from policycheck.findings import FileResult
from policycheck.load import LoadError, decode, parse


def build() -> Engine:
    config = policy.read_config(None, True, None, False)
    run_policy, registry = policy.load(config, (), True, False, date(2027, 1, 1))
    # as the benchmark's runs build it: they write the text report, which reads no review facts
    engine = Engine(registry, run_policy._replace(review_facts=False))
    gc.freeze()  # as startup.resume_collection does once a run is built
    return engine


def split(folder: str, repeats: int = 3) -> dict:
    engine = build()
    sources = discover([folder], engine.config.is_excluded, lambda: b"")
    for source in sources[:50]:
        engine.check(source)
    clock = time.process_time
    whole, passes = [], []
    for _ in range(repeats):  # interleaved, so that a busy spell hits both alike
        started = clock()
        for source in sources:
            engine.check(source)
        whole.append((clock() - started) / len(sources))
        passes.append(_stages(engine, sources, clock))
    stages = min(passes, key=lambda found: sum(found.values()))
    families = _families(engine, sources, clock)
    per_file = {name: seconds / len(sources) * 1e6 for name, seconds in stages.items()}
    # the rules' share by family, from a pass that times each rule (its clock calls cost a little too)
    timed = sum(families.values())
    for family, seconds in sorted(families.items()):
        per_file[f"rules:{family}"] = per_file["rules"] * seconds / timed
    best = min(whole) * 1e6
    per_file["engine"] = best - sum(per_file[name] for name in ("read", "parse", "schema", "rules"))
    return {
        "files": len(sources),
        "cpu_us_per_file": round(best, 1),
        "split_us_per_file": {name: round(value, 1) for name, value in per_file.items()},
    }


def _stages(engine: Engine, sources, clock) -> dict[str, float]:
    """CPU seconds of reading, parsing, validating and running the rules (as one block) over every file."""
    stages = dict.fromkeys(("read", "parse", "schema", "rules"), 0.0)
    for source in sources:
        started = clock()
        raw = read_source(source, engine.limits.max_bytes)
        read = clock()
        stages["read"] += read - started
        try:
            loaded = parse(decode(raw), engine.limits, frozen=True)
        except LoadError:
            stages["parse"] += clock() - read
            continue
        parsed = clock()
        stages["parse"] += parsed - read
        if type(loaded.data) is not FROZEN_MAPPING:
            continue  # not a mapping: the engine stops there too
        activity = Activity.of_frozen(source.path, loaded.data, loaded.positions)
        invalid = bool(engine.validator.violations(loaded.data))
        validated = clock()
        stages["schema"] += validated - parsed
        result = FileResult(file=source.path)
        for rule, context in engine._dispatch:
            engine._run(rule, context, activity, result, invalid)
        stages["rules"] += clock() - validated
    return stages


def _families(engine: Engine, sources, clock) -> dict[str, float]:
    """CPU seconds of each family's rules over every file, each rule timed apart."""
    families: dict[str, float] = defaultdict(float)
    for source in sources:
        try:
            loaded = parse(decode(read_source(source, engine.limits.max_bytes)), engine.limits, frozen=True)
        except LoadError:
            continue
        if type(loaded.data) is not FROZEN_MAPPING:
            continue
        activity = Activity.of_frozen(source.path, loaded.data, loaded.positions)
        invalid = bool(engine.validator.violations(loaded.data))
        result = FileResult(file=source.path)
        for rule, context in engine._dispatch:
            started = clock()
            engine._run(rule, context, activity, result, invalid)
            families[rule.family] += clock() - started
    return families


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    print(json.dumps(split(args.folder, args.repeats), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
