"""The reference portfolio of the HTML report: 50 proposals made from examples/, checked by the real CLI.

Every proposal starts from one of the project's examples and gets its own id, title,
partner, dates, budget and marking; a few get governance gaps, eight get waivers for
findings they really have (one of them expired), and one is hostile: markup, a
`javascript:` URL, CR/LF, ESC and a bidi override in its title, organisation and
waiver, and markup in its file name. `records` checks them with `policycheck check
--format json` and returns the records the HTML renderer takes.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
TODAY = date(2026, 11, 23)
COUNT = 50
HOSTILE_INDEX = 7
HOSTILE = (
    "<script>document.title='pwned'</script>\"><img src=x onerror=\"document.title='pwned'\">"
    " <a href=\"javascript:alert('pwned')\">javascript:alert(1)</a>\r\nsecond line \x1b[31mred\x1b[0m "
    "\u202eevil\u202c"
)
# base example -> partners it may move to (same category; rel_to follows the partner)
BASES = {
    "reference.yaml": ("ALB", "MKD", "MNE", "GEO", "MDA", "ARM", "BIH", "KAZ"),
    "albania-nds-advisory.yaml": ("ALB", "MNE", "GEO", "SRB"),
    "north-macedonia-nss-advisory.yaml": ("MKD", "BIH", "MDA"),
    "pacific-maritime-security.yaml": ("PLW", "FSM", "MHL", "FJI"),
    "ecuador-maritime-domain-awareness.yaml": ("ECU", "PER", "COL"),
    "frontline-partner-equipment.yaml": ("UKR",),
    "most-capable-coproduction.yaml": ("AUS", "GBR", "JPN", "CAN"),
    "poland-iamd-interoperability-training.yaml": ("POL", "EST", "LTU", "ROU"),
}
GOVERNANCE_GAPS = ("accountability", "transparency", "responsiveness")
# index -> (days until the waiver expires); the one in the past has expired (WVR001)
WAIVERS = {3: 12, 5: 25, 11: 41, 16: 58, 22: 74, 29: 88, 33: 150, 41: -3, HOSTILE_INDEX: 20}


def _proposal(index: int, rng: random.Random) -> tuple[str, dict]:
    name = list(BASES)[index % len(BASES)]
    document = yaml.safe_load((EXAMPLES / name).read_text(encoding="utf-8"))
    old, country = document["partner"]["country"], rng.choice(BASES[name])
    document["partner"]["country"] = country
    releasability = document["releasability"]
    if isinstance(releasability.get("rel_to"), list):
        releasability["rel_to"] = [country if code == old else code for code in releasability["rel_to"]]
    document["id"] = f"{country}-{2026 + index % 3}-R{index:03d}"
    document["title"] = f"{document['title']} (tranche {index})"
    start = TODAY + timedelta(days=rng.randrange(-40, 420))
    activity = document["activity"]
    activity["start"] = start.isoformat()
    activity["end"] = (start + timedelta(days=rng.randrange(120, 720))).isoformat()
    budget = activity["budget"]
    budget["amount"] = int(budget["amount"] * rng.uniform(0.3, 2.5)) // 1000 * 1000
    if name == "poland-iamd-interoperability-training.yaml" and index % 2:
        budget["currency"] = "EUR"
    for objective in document.get("objectives") or []:
        objective["statement"] = f"In tranche {index}, {objective['statement']}"
    if index % 5 == 2:
        document.setdefault("governance", {}).pop(GOVERNANCE_GAPS[index % 3], None)
    return name, document


def _hostile(document: dict) -> None:
    document["title"] = HOSTILE
    document["partner"].setdefault("organizations", []).append(HOSTILE)


def _write(folder: Path, index: int, document: dict) -> Path:
    name = f"activity-{index:03d}" + ("-<b>&amp;" if index == HOSTILE_INDEX else "") + ".yaml"
    path = folder / name
    path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100), encoding="utf-8")
    return path


def _cli(cwd: Path, *args: str) -> dict | list:
    command = [sys.executable, "-m", "policycheck", *args, "--no-plugins", "--no-config"]
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)


def _check(folder: Path) -> dict:
    return _cli(folder.parent, "check", folder.name, "--format", "json", "--today", TODAY.isoformat())


def write(folder: Path) -> list[tuple[Path, dict]]:
    """Write the portfolio into `folder`: (path, document) per proposal, in file order."""
    rng = random.Random(19)
    folder.mkdir(parents=True, exist_ok=True)
    proposals = []
    for index in range(COUNT):
        _name, document = _proposal(index, rng)
        if index == HOSTILE_INDEX:
            _hostile(document)
        proposals.append((_write(folder, index, document), document))
    # waivers name rules the proposal really breaks, so they waive something (or expire)
    checked = {Path(record["file"]).name: record for record in _check(folder)["files"]}
    for index, days in WAIVERS.items():
        path, document = proposals[index]
        rules = sorted({f["rule"] for f in checked[path.name]["findings"] if f["rule"][:3] not in ("SCH", "WVR")})
        rule = rules[0] if rules else "GOV002"
        hostile = index == HOSTILE_INDEX
        document["waivers"] = [
            {
                "rule": rule,
                "justification": HOSTILE if hostile else f"Accepted for tranche {index} pending the partner's plan.",
                "approved_by": HOSTILE if hostile else "Director, Office of Defense Cooperation",
                "expires": (TODAY + timedelta(days=days)).isoformat(),
            }
        ]
        path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100), encoding="utf-8")
    return proposals


def records(folder: Path) -> tuple[dict, list[dict]]:
    """Write the portfolio into `folder`, check it, and return (run, files): the JSON report's own records."""
    write(folder)
    report = _check(folder)
    return report, report["files"]
