"""A small portfolio run through check and finish, shared by the finishing and results-store tests."""

from datetime import date

from policycheck.config import Config
from policycheck.discover import Source
from policycheck.engine import Engine
from policycheck.finish import finish
from policycheck.parallel import check_sources
from policycheck.policy import Policy
from policycheck.testing import activity_text

TODAY = date(2027, 1, 1)


def source(name: str, activity_id: str, snippet: str = "") -> Source:
    return Source(name, activity_text(f"id: {activity_id}\n{snippet}").encode("utf-8"))


def portfolio() -> list[Source]:
    return [
        source("a.yaml", "ALB-2026-FMF-A"),
        source("b.yaml", "ALB-2026-FMF-B", 'activity:\n  start: "2028-01-01"\n  end: "2027-01-01"\n'),
        source("c.yaml", "ALB-2026-FMF-A"),  # a's id again: PRT001
        Source("d.yaml", b"id: [unclosed\n"),  # LOAD001
    ]


def engine(*plugins: str) -> Engine:
    # every file is the starter, whose one objective would repeat across the portfolio (PRT002)
    return Engine.from_policy(Policy(Config(ignore=("PRT002",)), TODAY, plugin_modules=plugins, entry_points=False))


def finished(files=None, *plugins: str, baseline=None):
    built = engine(*plugins)
    return finish(built, check_sources(built, portfolio() if files is None else files, jobs=1), baseline)


def seen(results) -> list[tuple]:
    return [(r.file, r.activity_id, r.banner, r.findings, r.outcomes, r.waivers) for r in results]
