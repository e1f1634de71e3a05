"""Stages 4-6: run the rules on each document, then portfolio rules and waivers.

`Engine.check(source)` is a pure function of one source (it runs in worker
processes); `Engine.finish(results)` runs the portfolio rules once in the parent
and makes `results` finish each file (waivers, outcomes) as it is read.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple

from . import waivers as waiver_stage
from .activity import Activity, to_path, to_pointer
from .config import Config
from .discover import Source, read_source
from .findings import FAIL, FileResult, Finding, outcome
from .load import Limits, LoadError, decode, parse, shorten
from .markings import banner  # the CAPCO logic lives in markings (issue 18)
from .results import Results
from .rule import Rule, RuleContext, Skip, Violation

if TYPE_CHECKING:
    from .plugins import Registry


class RunOptions(NamedTuple):
    """Everything needed to rebuild an Engine in another process."""

    config: Config
    today: date
    plugin_modules: tuple[str, ...] = ()
    entry_points: bool = True
    strict_plugins: bool = False

    def registry(self) -> "Registry":
        from .plugins import load_registry

        return load_registry(
            modules=(*self.config.plugins, *self.plugin_modules),
            entry_points=self.entry_points,
            strict=self.strict_plugins,
            rule_packs=self.config.rule_packs,
        )


# Messages quote document values (SCH001 quotes what it rejects, rules quote ids):
# capped, so that a 9 MB title cannot become a 9 MB line in every report.
MAX_MESSAGE = 1000
# and escaped where they could drive a terminal (ESC, BEL, C1), forge report lines
# (CR, LF, U+2028/9) or reorder what a reader sees (bidirectional overrides)
_UNSAFE = {code: f"\\x{code:02x}" for code in (*range(0x09), *range(0x0A, 0x20), 0x7F, *range(0x80, 0xA0))}
_UNSAFE.update({code: f"\\u{code:04x}" for code in (0x2028, 0x2029, *range(0x202A, 0x202F), *range(0x2066, 0x206A))})


def _bounded(text: Any) -> Any:
    if not isinstance(text, str):
        return text
    escaped = text.translate(_UNSAFE)
    # the same string when nothing was escaped: a file's activity id is then one
    # string with the id portfolio rules collected, not two held through the run
    return shorten(text if escaped == text else escaped, MAX_MESSAGE)


class Engine:
    """Rules resolved against configuration, ready to check sources."""

    def __init__(self, registry: "Registry", config: Config, today: date):
        self.registry = registry
        self.config = config
        self.today = today
        self.limits = Limits(max_bytes=config.max_file_size)
        self.reference = registry.reference(config.reference)
        self.enabled = [rule for rule in registry.rules.values() if config.enabled(rule.id)]
        self.enabled_ids = frozenset(rule.id for rule in self.enabled)
        self.defaults = registry.parameter_defaults()
        self.contexts = {rule.id: self._context(rule) for rule in self.enabled}
        self._validator = None

    @classmethod
    def from_options(cls, options: RunOptions) -> "Engine":
        return cls(options.registry(), options.config, options.today)

    def _context(self, rule: Rule) -> RuleContext:
        params = {**self.defaults[rule.id], **self.config.params(rule.id)}
        return RuleContext(params=MappingProxyType(params), reference=self.reference, today=self.today)

    @property
    def validator(self):
        if self._validator is None:
            from .validate import ActivityValidator  # each document against its own version's schema (issue 18)

            fragments, required = self.registry.schema_fragments, self.config.require_schema
            self._validator = ActivityValidator(self.reference, fragments, required)
        return self._validator

    def level(self, rule: Rule, violation: Violation | None = None) -> str:
        return self.config.level(rule.id) or (violation.level if violation and violation.level else None) or rule.level

    # --- one document -------------------------------------------------------------

    def check(self, source: Source) -> FileResult:
        try:
            return self._check(source)
        except Exception as error:  # a bug past loading (validation, waivers): this file fails, the run goes on
            message = _bounded(f"internal error while checking this file: {type(error).__name__}: {error}")
            hint = "a bug in policycheck or in a plugin's schema; every other file is still checked. Please report it"
            result = FileResult(file=source.path, findings=[Finding("ERR001", FAIL, message, source.path, hint=hint)])
            result.outcomes = {rule.id: "skip" for rule in self.enabled} | {"ERR001": "error"}
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
        result.activity_id = _bounded(activity.id)  # the schema allows 64 characters; reports print it
        result.banner = banner(loaded.data, self.reference)
        result.waivers = waiver_stage.read_waivers(loaded.data, loaded.positions)
        schema_errors = self.validator.violations(loaded.data)
        sch001 = self.registry.rules["SCH001"]
        result.findings.extend(self.finding(sch001, violation, activity) for violation in schema_errors)
        result.outcomes.update((rule.id, "pass") for rule in self.enabled if rule.kind == "stage")
        ignored = self.config.ignored_for(source.path)
        for rule in self.enabled:
            if rule.kind == "stage" or any(rule.id.startswith(prefix) for prefix in ignored):
                continue
            self._run(rule, activity, result, invalid=bool(schema_errors))
        return result

    def _unloadable(self, result: FileResult, message: str, line: int, column: int, hint: str | None) -> FileResult:
        rule = self.registry.rules["LOAD001"]
        result.findings.append(
            Finding("LOAD001", self.level(rule), _bounded(message), result.file, line, column, hint=hint)
        )
        result.outcomes = {rule.id: "skip" for rule in self.enabled}
        result.outcomes["LOAD001"] = "pass"  # becomes fail from its finding in finish()
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
        plugin = self.registry.rule_plugin.get(rule.id, "?")
        return Finding(
            "ERR001",
            FAIL,
            _bounded(f"rule {rule.id} crashed: {type(error).__name__}: {error}"),
            file,
            hint=f"a bug in plugin '{plugin}'; every other rule still ran. Report it to the plugin's authors",
            activity_id=activity_id,
        )

    def finding(self, rule: Rule, violation: Violation, activity: Activity | None) -> Finding:
        if not isinstance(violation, Violation):
            raise TypeError(f"yielded {type(violation).__name__}, not a policycheck Violation")
        path = to_path(violation.path)
        line, column = activity.position(path) if activity is not None else (1, 1)
        return Finding(
            rule_id=rule.id,
            level=self.level(rule, violation),
            message=_bounded(violation.message),
            file=violation.file or (activity.file if activity else ""),
            line=violation.line or line,
            column=violation.column or column,
            pointer=to_pointer(path),
            hint=_bounded(violation.hint),
            activity_id=_bounded(activity.id) if activity else None,
        )

    # --- the whole run ----------------------------------------------------------

    def finish(self, results: Results) -> Results:
        """Portfolio rules now; waivers and each rule's outcome per file as `results` is read.

        Finishing a file is a pure function of its checked result and what the
        portfolio rules added to it, so every pass over `results` gives the same.
        """
        added: dict[int, list[Finding]] = {}
        for rule in self.enabled:
            if rule.kind == "portfolio":
                self._portfolio(rule, results, added)
        known = set(self.registry.rules)
        wvr_levels = {
            rule_id: self.level(self.registry.rules[rule_id])
            for rule_id in ("WVR001", "WVR002")
            if rule_id in self.enabled_ids
        }
        # Most files end with the same outcome map: share one dict per distinct map
        # (outcome maps are read-only from here on), so that a format that keeps
        # every result (markdown, SARIF) does not keep a copy per file.
        outcome_maps: dict[tuple, dict[str, str]] = {}

        def finish_file(index: int, result: FileResult) -> FileResult:
            result.findings.extend(added.get(index, ()))
            if result.waivers:
                result.findings = waiver_stage.apply(
                    result.findings,
                    result.waivers,
                    self.today,
                    known,
                    self.enabled_ids,
                    result.file,
                    result.activity_id,
                    wvr_levels,
                )
            result.findings.sort(key=Finding.sort_key)
            by_rule: dict[str, list[Finding]] = {}
            for finding in result.findings:
                by_rule.setdefault(finding.rule_id, []).append(finding)
            # a rule that ran ("pass" so far) fails, warns or is waived by its findings, if it has any;
            # only rules with findings are looked at, as this runs on every pass over the results
            ran = {
                rule_id: outcome(found) for rule_id, found in by_rule.items() if result.outcomes.get(rule_id) == "pass"
            }
            ordered = tuple(sorted({**result.outcomes, **ran}.items()))
            result.outcomes = outcome_maps.setdefault(ordered, dict(ordered))
            return result

        results.finish = finish_file
        return results

    def _portfolio(self, rule: Rule, results: Results, added: dict[int, list[Finding]]) -> None:
        """Run a portfolio rule over what it collected; its findings go to `added` by file index."""
        try:
            violations = list(rule.check(results.collected.get(rule.id, []), self.contexts[rule.id]))
            named = {violation.file for violation in violations}
            # a file checked twice (stdin given twice) gets its findings on its last result
            by_file = {file: index for index, file in enumerate(results.files) if file in named}
            for violation in violations:
                if violation.file not in by_file:
                    raise ValueError(f"violation names file {violation.file!r}, which is not part of this run")
            for violation in violations:
                index = by_file[violation.file]
                # the target's activity id: reports and baseline fingerprints use it
                finding = self.finding(rule, violation, None)._replace(activity_id=results[index].activity_id)
                added.setdefault(index, []).append(finding)
        except Exception as error:
            if len(results):
                first = results[0]
                added.setdefault(0, []).append(self.crash(rule, error, first.file, first.activity_id))


def check_all(engine: Engine, sources: Iterable[Source]) -> Results:
    """Check sources in order in this process (the parallel path lives in `parallel`)."""
    results = Results()
    for source in sources:
        results.append(engine.check(source))
    return engine.finish(results)
