"""Realistic portfolios of activity files for benchmarks and scale tests.

Every file starts from a real activity (the starter `policycheck init` writes,
or one of examples/), keeps its comments, and gets its own id, title, budget
and indicator targets; clean proposals may move to another partner country.
The mix, fixed by the seed: most files clean, about a third with policy
findings, some with schema errors, a few duplicate ids (a portfolio finding)
and a few that do not parse.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

from policycheck.testing import starter

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

CLEAN = ("albania-nds-advisory.yaml", "north-macedonia-nss-advisory.yaml", "poland-iamd-interoperability-training.yaml")
FLAWED = (
    "ecuador-maritime-domain-awareness.yaml",
    "frontline-partner-equipment.yaml",
    "most-capable-coproduction.yaml",
    "pacific-maritime-security.yaml",
)
BROKEN = ("broken/typo-in-keys.yaml",)
# Institution-building partners the starter (an Albanian strategy advisor) can move to.
STARTER_COUNTRIES = ("ALB", "MKD", "MNE", "BIH", "GEO", "MDA", "ARM", "KAZ", "MNG", "SRB")

_ID = re.compile(r"^id: (.+)$", re.MULTILINE)
_TITLE = re.compile(r"^title: (.+)$", re.MULTILINE)
# each file's objectives its own, as in a real portfolio (the same one twice is PRT002)
_STATEMENT = re.compile(r"^(\s*(?:- )?statement: (?:[>|]-?\n\s+)?)(?=\S)", re.MULTILINE)
_AMOUNT = re.compile(r"^(\s+amount: )(\d+)", re.MULTILINE)
_TARGET = re.compile(r"^(\s+target: )(\d+)$", re.MULTILINE)


def _bases() -> dict[str, list[tuple[str, str]]]:
    def read(names):
        return [(name, (EXAMPLES / name).read_text(encoding="utf-8")) for name in names]

    return {"clean": [("starter", starter()), *read(CLEAN)], "flawed": read(FLAWED), "broken": read(BROKEN)}


def _kind(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.60:
        return "clean"
    if roll < 0.90:
        return "flawed"
    if roll < 0.95:
        return "broken"
    if roll < 0.98:
        return "duplicate"
    return "unparseable"


def _vary(text: str, index: int, rng: random.Random, movable: bool, activity_id: str | None = None) -> str:
    country = _ID.search(text).group(1).strip().strip('"').split("-")[0]
    if movable and rng.random() < 0.7:
        country = rng.choice(STARTER_COUNTRIES)
        text = re.sub(r"\bALB\b", country, text)
    activity_id = activity_id or f"{country}-{2026 + index % 3}-P{index:06d}"
    text = _ID.sub(f"id: {activity_id}", text, count=1)
    text = _TITLE.sub(lambda m: f"title: {m.group(1).strip()} (tranche {index})", text, count=1)
    text = _STATEMENT.sub(lambda m: f"{m.group(1)}In tranche {index}, ", text)
    text = _AMOUNT.sub(lambda m: f"{m.group(1)}{int(m.group(2)) + rng.randrange(0, 50) * 1000}", text)
    return _TARGET.sub(lambda m: f"{m.group(1)}{int(m.group(2)) + rng.randrange(0, 5)}", text)


def generate(folder: Path, count: int, seed: int = 0) -> list[Path]:
    """Write `count` activity files into `folder` (created); the same seed, the same files."""
    rng = random.Random(seed)
    bases = _bases()
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    ids: list[str] = []
    for index in range(count):
        kind = _kind(rng) if count > 1 else "clean"
        name, text = rng.choice(bases["clean" if kind in ("duplicate", "unparseable") else kind])
        duplicate = rng.choice(ids) if kind == "duplicate" and ids else None
        text = _vary(text, index, rng, movable=name == "starter", activity_id=duplicate)
        if kind == "unparseable":
            text = text.replace("\n  country:", "\n\tcountry:", 1)  # a tab where YAML wants spaces
        ids.append(_ID.search(text).group(1))
        path = folder / f"{index // 1000:03d}" / f"activity-{index:06d}.yaml"
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
