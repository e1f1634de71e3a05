"""The check stage: one source read, loaded, validated, and run through every enabled rule.

`Engine.check(source)` is a pure function of one source, so it runs in worker
processes; it returns the file's checked result: schema and rule findings, what
portfolio rules collected, and the waivers the document declares. Portfolio
rules, waivers and outcomes are the finishing stage's (`finish`).
"""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING

from . import waivers
from .activity import Activity, to_path, to_pointer
from .discover import Source, read_source
from .findings import FAIL, FileResult, Finding
from .load import Limits, LoadError, decode, parse
from .markings import banner
from .quoting import bounded, shorten
from .rule import Rule, RuleContext, Skip, Violation
from .validate import ActivityValidator

if TYPE_CHECKING:
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
            hint = "a bug in policycheck or in a plugin's schema; every other file is still checked. Please report it"
            result = FileResult(file=source.path, findings=[Finding("ERR001", FAIL, message, source.path, hint=hint)])
            result.outcomes = self._all_skipped(ERR001="error")
            return result

    def _check(self, source: Source) -> FileResult:
        result = FileResult(file=source.path)
        try:
            loaded = parse(decode(read_source(source, self.limits.max_bytes)), self.limits)
            if not isinstance(loaded.data, dict):
                found = "a list" if isinstance(loaded.data, list) else f"the single value {shorten(repr(loaded.data))}"
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

        activity = Activity(source.path, loaded.data, loaded.positions)
        result.activity_id = bounded(activity.id)  # the schema allows 64 characters; reports print it
        result.banner = banner(loaded.data, self.reference)
        result.waivers = waivers.read_waivers(loaded.data, loaded.positions)
        schema_errors = self.validator.violations(loaded.data)
        sch001 = self.registry.rules["SCH001"]
        result.findings.extend(self.finding(sch001, violation, activity) for violation in schema_errors)
        result.outcomes.update((rule.id, "pass") for rule in self.enabled if rule.kind == "stage")
        ignored = self.config.ignored_for(source.path)
        for rule in self.enabled:
            if rule.kind == "stage" or self.config.ignores(rule.id, ignored):
                continue
            self._run(rule, activity, result, invalid=bool(schema_errors))
        return result

    def _unloadable(self, result: FileResult, message: str, line: int, column: int, hint: str | None) -> FileResult:
        rule = self.registry.rules["LOAD001"]
        result.findings.append(
            Finding("LOAD001", self.level(rule), bounded(message), result.file, line, column, hint=hint)
        )
        result.outcomes = self._all_skipped(LOAD001="pass")  # becomes fail from its finding when finished
        return result

    def _run(self, rule: Rule, activity: Activity, result: FileResult, invalid: bool) -> None:
        context = self.contexts[rule.id]
        try:
            if rule.kind == "portfolio":
                result.collected[rule.id] = rule.collect(activity, context)
                found = []
            else:
                found = [self.finding(rule, violation, activity) for violation in rule.check(activity, context)]
        except Skip:
            result.outcomes[rule.id] = "skip"
            return
        except Exception as error:  # a rule must never take the run down with it
            if invalid:
                # the document already fails the schema; a rule tripping on its shape adds nothing
                result.outcomes[rule.id] = "skip"
                return
            result.findings.append(self.crash(rule, error, activity.file, result.activity_id))
            result.outcomes[rule.id] = "error"
            return
        result.findings.extend(found)
        result.outcomes[rule.id] = "pass"

    def crash(self, rule: Rule, error: BaseException, file: str, activity_id: str | None) -> Finding:
        """The ERR001 finding of a rule that raised."""
        plugin = self.registry.rule_plugin.get(rule.id, "?")
        return Finding(
            "ERR001",
            FAIL,
            bounded(f"rule {rule.id} crashed: {type(error).__name__}: {error}"),
            file,
            hint=f"a bug in plugin '{plugin}'; every other rule still ran. Report it to the plugin's authors",
            activity_id=activity_id,
        )

    def finding(self, rule: Rule, violation: Violation, activity: Activity | None) -> Finding:
        """A rule's violation as a finding, located in the activity (or where a portfolio rule says)."""
        if not isinstance(violation, Violation):
            raise TypeError(f"yielded {type(violation).__name__}, not a policycheck Violation")
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
        )
