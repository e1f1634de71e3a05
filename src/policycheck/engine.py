"""The check stage: one source read, loaded, validated, and run through every enabled rule.

`Engine.check(source)` is a pure function of one source, so it runs in worker
processes; it returns the file's checked result: schema and rule findings, what
portfolio rules collected, and the waivers the document declares. Portfolio
rules, waivers and outcomes are the finishing stage's (`finish`).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from types import FrameType, GeneratorType, MappingProxyType, TracebackType

from . import waivers
from .activity import FROZEN_MAPPING, Activity, to_path, to_pointer
from .discover import Source, read_source
from .findings import FAIL, FileResult, Finding
from .load import Limits, LoadError, decode, parse
from .hints import did_you_mean
from .markings import banner
from .quoting import bounded, inert, shorten
from .rule import LEVELS, Rule, RuleContext, Skip, Violation, code_origin
from .validate import ActivityValidator

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any
    from .plugins import Registry
    from .policy import Policy


class Engine:
    """Rules resolved against the policy, ready to check sources."""

    def __init__(self, registry: "Registry", policy: "Policy"):
        self.registry = registry
        self.policy = policy  # what a worker process rebuilds this engine from
        self.config = config = policy.config
        self.today = policy.today
        self.limits = Limits(max_bytes=config.max_file_size)
        self.reference = registry.reference(config.reference)
        self.enabled = [rule for rule in registry.rules.values() if config.enabled(rule.id)]
        self.enabled_ids = frozenset(rule.id for rule in self.enabled)
        self.defaults = registry.parameter_defaults()
        self.contexts = {rule.id: self._context(rule) for rule in self.enabled}
        # what runs on each document, in order, worked out once: stage rules are the engine's own
        self._stage_ids = [rule.id for rule in self.enabled if rule.kind == "stage"]
        self._dispatch = [(rule, self.contexts[rule.id]) for rule in self.enabled if rule.kind != "stage"]
        self._validator: ActivityValidator | None = None

    @classmethod
    def from_policy(cls, policy: "Policy") -> "Engine":
        return cls(policy.registry(), policy)

    def _context(self, rule: Rule) -> RuleContext:
        params = {**self.defaults[rule.id], **self.config.params(rule.id)}
        return RuleContext(params=MappingProxyType(params), reference=self.reference, today=self.today)

    @property
    def validator(self) -> ActivityValidator:
        if self._validator is None:  # built for the first document, so a run of usage errors never builds it
            # each document against its own version's schema (issue 18)
            fragments, required = self.registry.schema_fragments, self.config.require_schema
            self._validator = ActivityValidator(self.reference, fragments, required)
        return self._validator

    def level(self, rule: Rule, violation: Violation | None = None) -> str:
        return self.config.level(rule.id) or (violation.level if violation and violation.level else None) or rule.level

    def _all_skipped(self, **outcomes: str) -> dict[str, str]:
        """The outcomes of a file no rule could judge: every rule skipped, but for `outcomes`."""
        return {rule.id: "skip" for rule in self.enabled} | outcomes

    def check(self, source: Source) -> FileResult:
        try:
            return self._check(source)
        except Exception as error:  # a bug past loading (validation, waivers): this file fails, the run goes on
            message = bounded(f"internal error while checking this file: {type(error).__name__}: {error}")
            hint = (
                "a bug in policycheck; every other file is still checked. Please report it, with what "
                "--show-tracebacks prints"
            )
            crash = Finding("ERR001", FAIL, message, source.path, hint=hint, traceback=_traceback(error, None))
            result = FileResult(file=source.path, findings=[crash])
            result.outcomes = self._all_skipped(ERR001="error")
            return result

    def _check(self, source: Source) -> FileResult:
        result = FileResult(file=source.path)
        try:
            text = decode(read_source(source, self.limits.max_bytes))
            loaded = parse(text, self.limits, frozen=True)
            if type(loaded.data) is not FROZEN_MAPPING:
                found = "a list" if type(loaded.data) is tuple else f"the single value {shorten(repr(loaded.data))}"
                raise LoadError(
                    f"expected a mapping of activity keys at the top level, found {found}",
                    hint="see `policycheck init` for a starter",
                )
        except LoadError as error:
            return self._unloadable(result, error.message, error.line, error.column, error.hint)
        except (OSError, ValueError) as error:
            reason = getattr(error, "strerror", None) or str(error)
            hint = getattr(error, "hint", None) or "check the path and its permissions"  # UnreadableSource knows better
            return self._unloadable(result, f"cannot read the file: {reason}", 1, 1, hint)

        activity = Activity.of_frozen(source.path, loaded.data, loaded.positions)
        result.activity_id = bounded(activity.id)  # the schema allows 64 characters; reports print it
        result.banner = banner(loaded.data, self.reference)
        result.waivers = waivers.read_waivers(loaded.data, loaded.positions)
        schema_errors = self.validator.violations(loaded.data)
        sch001 = self.registry.rules["SCH001"]
        result.findings.extend(self.finding(sch001, violation, activity) for violation in schema_errors)
        result.outcomes.update(dict.fromkeys(self._stage_ids, "pass"))
        ignored = self.config.ignored_for(source.path)
        invalid = bool(schema_errors)
        for rule, context in self._dispatch:
            if not ignored or not self.config.ignores(rule.id, ignored):
                self._run(rule, context, activity, result, invalid)
            elif rule.kind == "portfolio":
                # still collected, so that exempting this file changes no other file's findings;
                # the finishing stage drops the findings on this one
                self._run(rule, context, activity, result, invalid)
                result.outcomes.pop(rule.id, None)
        if self.policy.review_facts:
            result.facts = review_facts(loaded.data, self.reference.countries)
            lines = _context_lines(text, result, activity.position(("id",))[0])
            if lines:
                result.facts["lines"] = lines
        return result

    def _unloadable(self, result: FileResult, message: str, line: int, column: int, hint: str | None) -> FileResult:
        rule = self.registry.rules["LOAD001"]
        result.findings.append(
            Finding("LOAD001", self.level(rule), bounded(message), result.file, line, column, hint=hint)
        )
        result.outcomes = self._all_skipped(LOAD001="pass")  # becomes fail from its finding when finished
        return result

    def _run(self, rule: Rule, context: RuleContext, activity: Activity, result: FileResult, invalid: bool) -> None:
        try:
            if rule.kind == "portfolio":
                value = rule.collect(activity, context)
                _check_sendable(value, rule.collect)
                result.collected[rule.id] = value
                found = []
            else:
                produced = violations(rule.check(activity, context))
                for violation in produced:
                    if violation.fix is not None:
                        from .fixes import problem as fix_problem  # 1 ms: only a violation with a fix needs it

                        if broken := fix_problem(violation.fix, activity.data):
                            raise PluginMistake(broken, None)  # a fix whose paths do not fit this document
                found = [self.finding(rule, violation, activity) for violation in produced]
        except Skip:
            result.outcomes[rule.id] = "skip"
            return
        except (Exception, SystemExit) as error:  # a rule must never take the run down with it, nor end it
            if invalid:
                # the document already fails the schema, and rules may be written for valid documents:
                # not judged, which --show-passes and the JSON report say, rather than a second failure
                what, plugin, at, _where = self._located(rule, error)
                result.outcomes[rule.id] = "skip"
                result.notes[rule.id] = bounded(
                    f"not judged: it crashed on this document, which fails the schema: {what}, in plugin '{plugin}' "
                    f"at {at}"
                )
                return
            result.findings.append(self.crash(rule, error, activity.file, result.activity_id))
            result.outcomes[rule.id] = "error"
            return
        result.findings.extend(found)
        result.outcomes[rule.id] = "pass"

    def ignores(self, rule_id: str, file: str) -> bool:
        """Whether `per_file_ignores` exempts `file` from the rule."""
        return self.config.ignores(rule_id, self.config.ignored_for(file))

    def crash(self, rule: Rule, error: BaseException, file: str, activity_id: str | None) -> Finding:
        """The ERR001 finding of a rule that raised or broke the contract of a check, naming its plugin and line."""
        what, plugin, at, where = self._located(rule, error)
        return Finding(
            "ERR001",
            FAIL,
            bounded(f"rule {rule.id} crashed: {what}"),
            file,
            hint=(
                f"a bug in plugin '{plugin}' at {at}, not in this file; every other rule still ran. Report it to the "
                "plugin's authors, with what --show-tracebacks prints"
            ),
            activity_id=activity_id,
            traceback=_traceback(error, where),
        )

    def _located(self, rule: Rule, error: BaseException) -> tuple[str, str, str, tuple[str, int, str] | None]:
        """(what went wrong, the rule's plugin, `file:line` in it, (file, line, function)) of a crash."""
        plugin = self.registry.rule_plugin.get(rule.id, "?")
        declared = (*rule.origin, getattr(rule.check, "__name__", rule.id)) if rule.origin else None
        if isinstance(error, PluginMistake):
            where = error.where or declared
        else:
            where = _frame_in(error.__traceback__, declared)
        at = f"{_display(where[0])}:{where[1]}" if where else "an unknown place"
        what = str(error) if isinstance(error, PluginMistake) else f"{type(error).__name__}: {error}"
        return what, plugin, at, where

    def finding(self, rule: Rule, violation: Violation, activity: Activity | None) -> Finding:
        """A rule's violation as a finding, located in the activity (or where a portfolio rule says)."""
        path = to_path(violation.path)
        line, column = activity.position(path) if activity is not None else (1, 1)
        return Finding(
            rule_id=rule.id,
            level=self.level(rule, violation),
            message=bounded(violation.message),
            file=violation.file or (activity.file if activity else ""),
            line=violation.line or line,
            column=violation.column or column,
            pointer=to_pointer(path),
            hint=bounded(violation.hint),
            activity_id=bounded(activity.id) if activity else None,
            fix=violation.fix,
        )


# what a review record quotes of a document: enough to decide from, never the document
FACT_TEXT = 300  # characters of any one value
FACT_ITEMS = 20  # partners, controls, rel_to codes
CONTEXT_AROUND = 2  # source lines either side of a finding
CONTEXT_FINDINGS = 20  # findings of a file that get their source lines (the first, by line)
CONTEXT_TEXT = 200  # characters of a source line


def _fact(value: Any) -> Any:
    """A document value as a fact: text cut and inert, a date as ISO text, a finite number; else None."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        text = inert(value.strip()[: FACT_TEXT + 1])  # cut first: a 9 MB title is not escaped whole
        return (text if len(text) <= FACT_TEXT else text[: FACT_TEXT - 1] + "…") or None
    if (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and value == value
        and abs(value) != float("inf")
    ):
        return value
    return None


def _section(data: Mapping, key: str) -> Mapping:
    value = data.get(key)
    return value if type(value) is FROZEN_MAPPING or isinstance(value, Mapping) else {}


def _texts(value: Any) -> list[str]:
    items = value if isinstance(value, (list, tuple)) else ()  # the frozen document's lists are tuples
    return [text for text in map(_fact, items[:FACT_ITEMS]) if isinstance(text, str)]


def review_facts(data: Mapping, countries: Mapping[str, str]) -> dict[str, Any]:
    """What a reviewer reads of one document (v1 or v2), as the JSON report's file record names it.

    Only keys the document gives are set; every value is plain, bounded and inert.
    """
    activity, releasability = _section(data, "activity"), _section(data, "releasability")
    partners = []
    for partner in [
        data.get("partner"),
        *(data.get("partners") if isinstance(data.get("partners"), (list, tuple)) else ()),  # frozen: a tuple
    ]:
        if isinstance(partner, Mapping) and isinstance(_fact(partner.get("country")), str):
            country = _fact(partner["country"])
            name = countries.get(country) if isinstance(country, str) else None
            partners.append({"country": country, "name": _fact(name), "category": _fact(partner.get("category"))})
    budget = _section(activity, "budget")
    funding, notification = _section(data, "funding"), _section(data, "notification")
    facts: dict[str, Any] = {
        "title": _fact(data.get("title")),
        "partners": partners[:FACT_ITEMS] or None,
        "type": _fact(activity.get("type")),
        "authority": _fact(activity.get("authority")) or _fact(funding.get("citation")),
        "funding": _fact(funding.get("authority")),
        "start": _fact(activity.get("start")),
        "end": _fact(activity.get("end")),
        "vetting": _fact(_section(data, "governance").get("human_rights_vetting")),
    }
    amount, currency = _fact(budget.get("amount")), _fact(budget.get("currency"))
    if isinstance(amount, (int, float)) and isinstance(currency, str):
        facts["budget"] = {"amount": amount, "currency": currency}
    classification = _fact(releasability.get("classification"))
    if isinstance(classification, str):
        facts["marking"] = {
            "classification": classification,
            "dissemination": _texts(releasability.get("dissemination")),
            "rel_to": _texts(releasability.get("rel_to")),
        }
    if isinstance(notification.get("required"), bool):
        submitted = _fact(notification.get("submitted"))
        facts["notification"] = {
            "required": notification["required"],
            **({"submitted": submitted} if submitted else {}),
        }
    return {key: value for key, value in facts.items() if value is not None}


def _context_lines(text: str, result: FileResult, id_line: int) -> dict[int, str]:
    """The source lines around the file's first findings, its waivers and its id (where portfolio findings point)."""
    wanted = sorted({finding.line for finding in result.findings})[:CONTEXT_FINDINGS]
    wanted += [waiver.line for waiver in result.waivers[:CONTEXT_FINDINGS]] + [id_line]
    numbers = {number for line in wanted for number in range(line - CONTEXT_AROUND, line + CONTEXT_AROUND + 1)}
    lines = text.split("\n")  # as the loader counts lines: a \x85 or \u2028 is inside one
    return {
        number: inert(line.removesuffix("\r") if len(line) <= CONTEXT_TEXT else line[: CONTEXT_TEXT - 1] + "…")
        for number, line in ((number, lines[number - 1]) for number in sorted(numbers) if 0 < number <= len(lines))
    }


class PluginMistake(Exception):
    """A check that broke its contract without raising (a bad yield, an unknown level).

    `where` is (file, line, function) of the mistake, or None for the rule's declaration.
    """

    def __init__(self, message: str, where: tuple[str, int, str] | None):
        super().__init__(message)
        self.where = where


def violations(produced: Any) -> list[Violation]:
    """What a check produced, each checked to be a Violation the report can carry, else a PluginMistake.

    The checks are those the renderers rely on, so that no plugin mistake can cut an
    output after the run: a level they know, text where text belongs, lines from 1.
    """
    _check_produced(produced)
    found = []  # a list, not a generator over the check's: one call per rule and file costs less
    for item in produced:
        found.append(_fit(item, _problem(item), produced))
    return found


def each_violation(produced: Any, also: Callable[[Violation], str | None]) -> Iterator[Violation]:
    """As `violations`, one at a time, with the caller's own check of each (a portfolio rule's file): a portfolio
    rule may yield a violation for every file of a large run, never to be held all at once."""
    _check_produced(produced)
    for item in produced:
        yield _fit(item, _problem(item) or also(item), produced)


def _check_produced(produced: Any) -> None:
    if type(produced) in _ITERABLES:  # the usual generator or list needs none of these checks
        return
    if isinstance(produced, Violation):
        raise PluginMistake(
            "it returned a Violation instead of yielding it: write `yield Violation(...)` (or return a list of them)",
            None,
        )
    if produced is None or isinstance(produced, (str, bytes, Mapping)) or not hasattr(produced, "__iter__"):
        raise PluginMistake(
            f"it returned {_kind(produced)}: yield Violations, or return a list of them ([] for none)", None
        )


def _fit(item: Any, problem: str | None, produced: Any) -> Violation:
    if problem:
        raise PluginMistake(problem, suspended_at(produced))
    return item._replace(path=tuple(item.path)) if type(item.path) is list else item


_ITERABLES = frozenset({GeneratorType, list, tuple})


def _problem(item: Any) -> str | None:
    """What makes a yielded value unfit for a finding, or None."""
    if not isinstance(item, Violation):
        return f"it yielded {_kind(item)}, not a policycheck Violation"
    if item.level is not None and item.level not in LEVELS:
        guess = did_you_mean(item.level, LEVELS) if isinstance(item.level, str) else None
        return f"Violation(level={item.level!r}): a level is one of {', '.join(LEVELS)}, or None for the rule's own" + (
            f"; {guess}" if guess else ""
        )
    if not isinstance(item.path, (tuple, list, str)):
        return f"Violation(path={item.path!r}): a path is a JSON pointer string or a tuple of keys and indexes"
    if not isinstance(item.message, str) or not item.message.strip():
        return f"Violation(message={shorten(repr(item.message))}): a message is text saying what to do"
    for name in ("hint", "file"):
        value = getattr(item, name)
        if value is not None and not isinstance(value, str):
            return f"Violation({name}={shorten(repr(value))}): {name} is text or None"
    for name in ("line", "column"):
        value = getattr(item, name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            return f"Violation({name}={shorten(repr(value))}): {name} is a whole number from 1, or None"
    if item.fix is not None:
        from .fixes import problem as fix_problem  # 1 ms: only a violation with a fix needs it

        return fix_problem(item.fix)
    return None


def _kind(value: Any) -> str:
    return "None" if value is None else f"{type(value).__name__} {shorten(repr(value))}"


def suspended_at(produced: Any) -> tuple[str, int, str] | None:
    """Where a generator stands: (file, line, function) of the `yield` that gave the value just taken."""
    frame = getattr(produced, "gi_frame", None)
    return (frame.f_code.co_filename, frame.f_lineno, frame.f_code.co_name) if frame is not None else None


# plain data crosses to the parent process as it is; anything else must survive pickle
_PLAIN = (type(None), bool, int, float, str, bytes, date)
_PLAIN_TYPES = frozenset(_PLAIN)  # exactly these, the usual case, without a call


def _check_sendable(value: Any, collect: Any) -> None:
    """A `collect` value must reach the parent from a worker process: checked whatever --jobs is, so that
    every run gives the same findings (a value pickle cannot send is an ERR001 with one job as with many)."""
    if _plain(value):
        return
    import pickle  # 2 ms: only a value that is not plain data is tried

    try:
        pickle.dumps(value)
    except Exception as error:
        origin = code_origin(collect)
        raise PluginMistake(
            f"collect returned a value that cannot be sent between processes ({type(error).__name__}: "
            f"{shorten(str(error))}): return plain data (numbers, text, dates, tuples, lists, dicts of them)",
            (*origin, getattr(collect, "__name__", "collect")) if origin else None,
        ) from None


def _plain(value: Any, depth: int = 0) -> bool:
    if type(value) in _PLAIN_TYPES or isinstance(value, _PLAIN):
        return True
    if depth > 20:
        return False
    if type(value) in (tuple, list, frozenset, set):
        for item in value:  # a loop, not all(...): this runs for every file a portfolio rule collects from
            if type(item) not in _PLAIN_TYPES and not _plain(item, depth + 1):
                return False
        return True
    if type(value) is dict:
        return all(_plain(key, depth + 1) and _plain(item, depth + 1) for key, item in value.items())
    return False


# frames of the stages that call rules, left out of a rule's traceback
_CALLERS = frozenset({__name__, __name__.rsplit(".", 1)[0] + ".finish"})
MAX_FRAMES = 30


def _frames(tb: TracebackType | None) -> Iterator[tuple[FrameType, int]]:
    """(frame, line) from the outermost call down, as `traceback.walk_tb` (whose import a clean run does not need)."""
    while tb is not None:
        yield tb.tb_frame, tb.tb_lineno
        tb = tb.tb_next


def _frame_in(tb: TracebackType | None, declared: tuple[str, int, str] | None) -> tuple[str, int, str] | None:
    """(file, line, function) of the deepest line of the traceback in the rule's own file, else its declaration."""
    found = None
    for frame, line in _frames(tb):
        if declared is not None and frame.f_code.co_filename == declared[0]:
            found = (declared[0], line, frame.f_code.co_name)
    return found or declared


def _traceback(error: BaseException, where: tuple[str, int, str] | None) -> str:
    """The frames from the rule down (never the engine's), then the error made inert, as Python prints it."""
    import traceback  # 2 ms: only a crash needs it

    frames = [
        summary
        for summary, (frame, _line) in zip(traceback.extract_tb(error.__traceback__), _frames(error.__traceback__))
        if frame.f_globals.get("__name__") not in _CALLERS
    ]
    if isinstance(error, PluginMistake):
        frames = [traceback.FrameSummary(*where)] if where else []
    lines = traceback.format_list(frames[-MAX_FRAMES:])
    # the frames are the plugin's code; the message may quote the document: made inert like any message
    last = bounded(str(error) if isinstance(error, PluginMistake) else f"{type(error).__name__}: {error}")
    return "Traceback (most recent call last):\n" + "".join(lines) + last


def _display(file: str) -> str:
    """A plugin's file as its import path shows it (`my_office/rules.py`), the same on every machine."""
    roots = sorted((entry for entry in sys.path if entry and file.startswith(entry.rstrip(os.sep) + os.sep)), key=len)
    return os.path.relpath(file, roots[-1]) if roots else file
