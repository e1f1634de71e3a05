"""The reviewer's view as pure functions of report records: the report's own classification
banner, each proposal's suggested decision, the decision queue's order, and the roll-ups.

Nothing here draws HTML (`html.py` does) or reads a file: the records are plain dicts
shaped like the JSON report's (`policycheck-report/v2`), any key of which may be missing.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from ..records import Record

CLASSIFICATIONS = ("UNCLASSIFIED", "CUI", "CONFIDENTIAL", "SECRET", "TOP SECRET")
CLASSIFIED = frozenset(CLASSIFICATIONS[2:])
# CAPCO's order of the dissemination controls the activity format allows
CONTROL_ORDER = ("ORCON", "NOFORN", "PROPIN", "REL TO")
NOFORN, REL_TO = "NOFORN", "REL TO"
# a file's status, worst first: the queue's first sort key
SEVERITY = ("error", "fail", "warn", "waived", "pass")
RETURN, CONDITIONS, APPROVE = "return", "approve with conditions", "approve"
DECISIONS = (RETURN, CONDITIONS, APPROVE)
# a proposal since the last review (`--compare`), and a finding
CHANGES = ("new", "changed", "unchanged")
FINDING_CHANGES = ("new", "persisting")
NO_FAMILY = "other"
# a queue row quotes this much of a title or a finding; the proposal's own section has it all
ROW_TEXT = 160

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# --- the report's classification banner -----------------------------------------


class Marking(Record):
    """One quoted activity's classification and dissemination controls."""

    classification: str
    dissemination: tuple[str, ...] = ()
    rel_to: tuple[str, ...] = ()


def _strings(value: Any) -> tuple[str, ...]:
    if not isinstance(value, (list, tuple)):
        return ()
    return tuple(item.strip() for item in value if isinstance(item, str) and item.strip())


def parse_banner(text: Any) -> Marking | None:
    """`CUI//REL TO USA, ALB` or `SECRET//ORCON/NOFORN` back into a Marking (None if it is not one)."""
    if not isinstance(text, str) or not text.strip():
        return None
    classification, _, rest = text.strip().partition("//")
    dissemination, rel_to = [], ()
    for control in filter(None, (part.strip() for part in rest.split("/"))):
        if control.startswith(REL_TO + " ") or control == REL_TO:
            dissemination.append(REL_TO)
            rel_to = tuple(code.strip() for code in control[len(REL_TO) :].split(",") if code.strip())
        else:
            dissemination.append(control)
    return Marking(classification.strip(), tuple(dissemination), rel_to)


def marking_of(record: Mapping[str, Any]) -> Marking | None:
    """A record's marking: its `marking` object, else its `banner` read back (records before v2 have only that)."""
    marking = record.get("marking")
    if isinstance(marking, Mapping) and isinstance(marking.get("classification"), str):
        return Marking(
            marking["classification"].strip(), _strings(marking.get("dissemination")), _strings(marking.get("rel_to"))
        )
    return parse_banner(record.get("banner"))


class PortfolioBanner(Record):
    """The report's own banner, and how many quoted files it could not account for."""

    text: str
    classification: str
    controls: tuple[str, ...]
    unmarked: int = 0


def is_group(code: str, tetragraphs: Mapping[str, Sequence[str]]) -> bool:
    """A tetragraph (NATO, FVEY...): a known one, or any code longer than a trigraph."""
    return code in tetragraphs or len(code) > 3


def rel_to_order(codes: Iterable[str], tetragraphs: Mapping[str, Sequence[str]]) -> list[str]:
    """CAPCO order: USA first, then trigraphs alphabetically, then tetragraphs alphabetically."""
    return sorted(set(codes), key=lambda code: (0 if code == "USA" else 2 if is_group(code, tetragraphs) else 1, code))


class BannerRollup:
    """Folds the markings of every quoted activity into the report's banner (see `result`)."""

    def __init__(self, tetragraphs: Mapping[str, Sequence[str]]) -> None:
        self.tetragraphs = tetragraphs
        self.level = -1
        self.unmarked = 0
        self.noforn = False
        self.controls: set[str] = set()  # ORCON, PROPIN and any control this module does not know
        self.countries: set[str] | None = None  # whom every REL TO list so far releases to; None: no list yet
        self.groups: set[str] | None = None  # tetragraphs every REL TO list so far names
        self.named: set[str] | None = None  # trigraphs every REL TO list so far names

    def _members(self, code: str) -> tuple[str, ...]:
        return tuple(self.tetragraphs.get(code, ())) or (code,)

    def add(self, marking: Marking | None) -> None:
        if marking is None or marking.classification not in CLASSIFICATIONS:
            self.unmarked += 1
            return
        self.level = max(self.level, CLASSIFICATIONS.index(marking.classification))
        self.controls.update(control for control in marking.dissemination if control not in (NOFORN, REL_TO))
        if NOFORN in marking.dissemination:
            self.noforn = True
        elif REL_TO in marking.dissemination:
            codes = set(marking.rel_to)
            countries = {"USA"}.union(*(self._members(code) for code in codes))
            groups = {code for code in codes if is_group(code, self.tetragraphs)}
            self.countries = countries if self.countries is None else self.countries & countries
            self.groups = groups if self.groups is None else self.groups & groups
            self.named = codes - groups if self.named is None else self.named & (codes - groups)
        elif marking.classification in CLASSIFIED:
            # classified with no foreign disclosure decision recorded: not releasable
            self.noforn = True

    def rel_to(self) -> list[str]:
        """The codes every quoted REL TO list releases to, in marking order; [] when none beyond USA."""
        if self.countries is None:
            return []
        groups = self.groups or set()
        covered = set(groups).union(*(self._members(group) for group in groups))
        # a member of a kept tetragraph is written only where every list wrote it
        trigraphs = (self.countries - covered | (self.named or set())) - {"USA"}
        if not trigraphs and not groups:
            return []
        return rel_to_order(["USA", *trigraphs, *groups], self.tetragraphs)

    def result(self) -> PortfolioBanner:
        """The highest classification and the union of the controls, in CAPCO form.

        NOFORN when any quoted activity is NOFORN, is classified without a REL TO, or
        when the REL TO lists have no country in common but the USA; otherwise REL TO
        the countries all the lists share (a tetragraph stands for its members, and is
        kept as such when every list names it; a trigraph it covers is then written only
        if every list writes it too). ORCON and PROPIN carry over.
        """
        classification = CLASSIFICATIONS[max(self.level, 0)]
        rel_to = [] if self.noforn else self.rel_to()
        noforn = self.noforn or (self.countries is not None and not rel_to)
        controls = [
            control for control in CONTROL_ORDER[:3] if control in self.controls or (control == NOFORN and noforn)
        ]
        controls += sorted(self.controls - set(CONTROL_ORDER))  # unknown to us: kept, never dropped
        if rel_to:
            controls.append(f"{REL_TO} {', '.join(rel_to)}")
        text = classification + ("//" + "/".join(controls) if controls else "")
        return PortfolioBanner(text, classification, tuple(controls), self.unmarked)


def portfolio_banner(
    markings: Iterable[Marking | None], tetragraphs: Mapping[str, Sequence[str]] | None = None
) -> PortfolioBanner:
    """The banner of a report that quotes activities with these markings (None: an unmarked one)."""
    rollup = BannerRollup(tetragraphs or {})
    for marking in markings:
        rollup.add(marking)
    return rollup.result()


# --- one proposal ----------------------------------------------------------------


def parse_date(value: Any) -> date | None:
    if not isinstance(value, str) or not _DATE.match(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def days_between(today: date | None, value: Any) -> int | None:
    """Days from `today` to the date `value` (negative: in the past); None when either is unknown."""
    day = parse_date(value)
    return None if today is None or day is None else (day - today).days


def status_of(record: Mapping[str, Any]) -> str:
    """The record's status, or the worst level of its findings when it has none."""
    status = record.get("status")
    if status in SEVERITY:
        return status
    findings = findings_of(record)
    if any(finding.get("rule") == "ERR001" for finding in findings):
        return "error"
    levels = {finding.get("level") for finding in findings}
    return next((level for level in ("fail", "warn", "waived") if level in levels), "pass")


def findings_of(record: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The record's findings that are objects (anything else in the list is skipped)."""
    findings = record.get("findings")
    return [finding for finding in findings if isinstance(finding, Mapping)] if isinstance(findings, list) else []


def mappings(value: Any) -> list[Mapping[str, Any]]:
    """The objects in a list (a stored record may hold anything where a list of them belongs)."""
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


def resolved_of(record: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The findings a comparison found resolved since the previous report (--compare)."""
    return mappings(record.get("resolved"))


def waivers_of(record: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    waivers = record.get("waivers")
    return [waiver for waiver in waivers if isinstance(waiver, Mapping)] if isinstance(waivers, list) else []


def waiver_days_left(waiver: Mapping[str, Any], today: date | None) -> int | None:
    days = waiver.get("days_left")
    if isinstance(days, int) and not isinstance(days, bool):
        return days
    return days_between(today, waiver.get("expires"))


def suggested_decision(status: str, live_waivers: int = 0) -> str:
    """`return` on any fail or error; `approve with conditions` on warnings or live waivers; else `approve`."""
    if status in ("error", "fail"):
        return RETURN
    if status in ("warn", "waived") or live_waivers:
        return CONDITIONS
    return APPROVE


def top_finding(findings: Iterable[Mapping[str, Any]]) -> tuple[int, Mapping[str, Any]] | None:
    """(position, finding) of the finding that blocks most: a crash, then the first fail, then the first warning."""
    ranked = []
    for position, finding in enumerate(findings):
        level = finding.get("level")
        if finding.get("rule") == "ERR001":
            ranked.append((0, position, finding))
        elif level in ("fail", "warn"):
            ranked.append((1 if level == "fail" else 2, position, finding))
    if not ranked:
        return None
    _, position, finding = min(ranked, key=lambda item: item[:2])
    return position, finding


class Money(Record):
    amount: Decimal
    currency: str


def budget_of(record: Mapping[str, Any]) -> Money | None:
    budget = record.get("budget")
    if not isinstance(budget, Mapping):
        return None
    amount, currency = budget.get("amount"), budget.get("currency")
    if isinstance(amount, bool) or not isinstance(amount, (int, float, Decimal)) or not isinstance(currency, str):
        return None
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        return None
    return Money(value, currency.strip().upper()) if value.is_finite() and currency.strip() else None


def format_money(amount: Decimal, currency: str) -> str:
    """`USD 1,250,000`, or with cents when there are any."""
    text = f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount:,.2f}"
    return f"{currency} {text}"


class Partner(Record):
    country: str
    name: str | None
    category: str | None


def partners_of(record: Mapping[str, Any]) -> tuple[Partner, ...]:
    partners = record.get("partners")
    if not isinstance(partners, list):
        return ()
    found = []
    for partner in partners:
        if isinstance(partner, Mapping) and isinstance(partner.get("country"), str):
            name, category = partner.get("name"), partner.get("category")
            found.append(
                Partner(
                    partner["country"],
                    name if isinstance(name, str) else None,
                    category if isinstance(category, str) else None,
                )
            )
    return tuple(found)


def _string(record: Mapping[str, Any], key: str) -> str | None:
    value = record.get(key)
    return value if isinstance(value, str) and value else None


def notification_pending(record: Mapping[str, Any]) -> bool | None:
    """True when a congressional notification is required and not submitted; None when the record does not say."""
    notification = record.get("notification")
    if not isinstance(notification, Mapping) or not isinstance(notification.get("required"), bool):
        return None
    return notification["required"] and not notification.get("submitted")


class Row(Record):
    """What the queue and the roll-ups keep of one file: small, so a 10,000-file run can hold every row."""

    index: int
    file: str
    activity_id: str | None
    title: str | None
    partners: tuple[Partner, ...]
    type: str | None
    authority: str | None
    start: str | None
    days_to_start: int | None
    budget: Money | None
    banner: str | None
    marking: Marking | None
    status: str
    top: tuple[int, str, str, str] | None  # (position, rule, level, message shortened)
    decision: str
    waivers: int
    live_waivers: int
    vetting: str | None
    notification_pending: bool | None
    change: str | None = None  # since the last review (--compare): new, changed or unchanged

    @property
    def lead(self) -> str:
        """The lead partner's country code, or `-` when the record names none."""
        return self.partners[0].country if self.partners else "-"

    def sort_key(self) -> tuple:
        """Worst status first, then the soonest start (none last), then id and file."""
        return (SEVERITY.index(self.status), self.start or "9999-99-99", self.activity_id or "", self.file, self.index)


def shorten(text: str, limit: int = ROW_TEXT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _unshared(value):
    return value


def row_of(index: int, record: Mapping[str, Any], today: date | None, share=_unshared) -> Row:
    """The summary row of files[index].

    `share(value)` returns one equal value many rows can hold instead of their own (codes,
    types, markings, partners, messages): the rows are what grows with the portfolio.
    """
    status = status_of(record)
    findings = findings_of(record)
    top = top_finding(findings)
    waivers = waivers_of(record)
    live = sum(1 for waiver in waivers if (waiver_days_left(waiver, today) or 0) >= 0)
    start = _string(record, "start")
    title = _string(record, "title")
    vetting = record.get("vetting")
    return Row(
        index=index,
        file=str(record.get("file") or f"file {index + 1}"),
        activity_id=_string(record, "activity_id"),
        title=shorten(title) if title else None,
        partners=share(partners_of(record)),
        type=share(_string(record, "type")),
        authority=share(_string(record, "authority")),
        start=share(start) if parse_date(start) else None,
        days_to_start=days_between(today, start),
        budget=budget_of(record),
        banner=share(_string(record, "banner")),
        marking=share(marking_of(record)),
        status=status,
        top=None
        if top is None
        else share(
            (
                top[0],
                str(top[1].get("rule") or "?"),
                str(top[1].get("level") or ""),
                shorten(str(top[1].get("message") or ""), ROW_TEXT * 3 // 4),
            )
        ),
        decision=suggested_decision(status, live),
        waivers=len(waivers),
        live_waivers=live,
        vetting=share(vetting) if isinstance(vetting, str) else None,
        notification_pending=notification_pending(record),
        change=record.get("change") if record.get("change") in CHANGES else None,
    )


# --- the portfolio ---------------------------------------------------------------


class Group:
    """A roll-up line (one partner, one activity type...): proposals by status, findings, budgets per currency."""

    __slots__ = ("statuses", "levels", "budget", "at_risk")

    def __init__(self) -> None:
        self.statuses: Counter = Counter()
        self.levels: Counter = Counter()
        self.budget: dict[str, Decimal] = {}
        self.at_risk: dict[str, Decimal] = {}

    @property
    def proposals(self) -> int:
        return sum(self.statuses.values())

    def add(self, row: Row, levels: Counter) -> None:
        self.statuses[row.status] += 1
        self.levels.update(levels)
        if row.budget is not None:
            _add_money(self.budget, row.budget)
            if row.decision == RETURN:
                _add_money(self.at_risk, row.budget)


def _add_money(totals: dict[str, Decimal], money: Money) -> None:
    totals[money.currency] = totals.get(money.currency, Decimal(0)) + money.amount


class RuleTally:
    """How often one rule fired: in how many proposals, how many times, at which levels."""

    __slots__ = ("proposals", "levels")

    def __init__(self) -> None:
        self.proposals = 0
        self.levels: Counter = Counter()


class Portfolio:
    """Every roll-up of a run, built one file at a time: nothing here grows with the findings, only with
    the distinct partners, types, rules and months."""

    def __init__(self, rules: Mapping[str, Mapping[str, Any]] | None = None) -> None:
        self.rules = rules or {}
        self.total = Group()
        self.by_partner: dict[str, Group] = {}
        self.by_type: dict[str, Group] = {}
        self.by_family: dict[str, RuleTally] = {}
        self.by_rule: dict[str, RuleTally] = {}
        self.decisions: Counter = Counter()
        self.heat: Counter = Counter()  # (family, lead partner) -> open findings
        self.budget_status: dict[str, Counter] = {}  # currency -> Counter((lead partner, status) -> amount)
        self.starts: Counter = Counter()  # (YYYY-MM, vetting or "unknown") -> proposals
        self.notifications: Counter = Counter()  # YYYY-MM -> proposals whose notification is pending
        self.notification_known = False
        self.partner_names: dict[str, str] = {}

    def family(self, rule_id: str) -> str:
        meta = self.rules.get(rule_id)
        family = meta.get("family") if isinstance(meta, Mapping) else None
        return family if isinstance(family, str) and family else NO_FAMILY

    def add(self, row: Row, findings: Iterable[Mapping[str, Any]]) -> None:
        found: dict[tuple[str, str], int] = {}  # (rule, level) -> findings: few keys, however many findings
        for finding in findings:
            key = (str(finding.get("rule") or "?"), str(finding.get("level") or "?"))
            found[key] = found.get(key, 0) + 1
        levels: Counter = Counter()
        families: dict[str, Counter] = {}
        rules: dict[str, Counter] = {}
        for (rule_id, level), count in found.items():
            levels[level] += count
            families.setdefault(self.family(rule_id), Counter())[level] += count
            rules.setdefault(rule_id, Counter())[level] += count
        self.total.add(row, levels)
        self.by_partner.setdefault(row.lead, Group()).add(row, levels)
        self.by_type.setdefault(row.type or "-", Group()).add(row, levels)
        for partner in row.partners:
            if partner.name:
                self.partner_names.setdefault(partner.country, partner.name)
        for name, counts in families.items():
            tally = self.by_family.setdefault(name, RuleTally())
            tally.proposals += 1
            tally.levels.update(counts)
            self.heat[(name, row.lead)] += counts["fail"] + counts["warn"]
        for rule_id, counts in rules.items():
            tally = self.by_rule.setdefault(rule_id, RuleTally())
            tally.proposals += 1
            tally.levels.update(counts)
        self.decisions[row.decision] += 1
        if row.budget is not None:
            amounts = self.budget_status.setdefault(row.budget.currency, Counter())
            amounts[(row.lead, row.status)] += row.budget.amount
        if row.start:
            self.starts[(row.start[:7], row.vetting or "unknown")] += 1
            if row.notification_pending is not None:
                self.notification_known = True
                self.notifications[row.start[:7]] += int(row.notification_pending)

    def rules_by_reach(self) -> list[tuple[str, RuleTally]]:
        """Rules that fired, those in most proposals first."""
        return sorted(self.by_rule.items(), key=lambda item: (-item[1].proposals, item[0]))

    def groups(self, groups: Mapping[str, Group]) -> list[tuple[str, Group]]:
        """Roll-up lines, those with the most proposals to return first, then the largest."""
        return sorted(
            groups.items(),
            key=lambda item: (-(item[1].statuses["error"] + item[1].statuses["fail"]), -item[1].proposals, item[0]),
        )


def months(first: str, last: str) -> list[str]:
    """Every `YYYY-MM` from `first` to `last`, both included."""
    year, month = int(first[:4]), int(first[5:7])
    found = []
    while f"{year:04d}-{month:02d}" <= last:
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found
