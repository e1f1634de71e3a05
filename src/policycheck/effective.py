"""The effective policy: what a run judged by, stated in every report.

A reader of a passing report must be able to see whether the gate was weakened:
where the policy came from (`--isolated`, a trusted revision, the checkout), which
rules were off or below their default level and which setting (file and line) or
flag did it, which plugins ran, and how waivers are governed. The baseline and
waivers' part (what each hid) is in the report's baseline result, counts and
per-file waivers. `describe` builds it once, in the parent, before rendering.
"""

from __future__ import annotations

from collections.abc import Mapping

from .config import ALWAYS_ON, FROM_CHECKOUT, FROM_DEFAULTS, FROM_REVISION, ISOLATED, OFF, Config
from .config_file import where
from .records import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .plugins import Registry
    from .waivers import Governance


class Change(Record):
    """Rules a setting turned off or lowered: `effect` is `off`, `warn`, or `off in GLOB`."""

    rules: tuple[str, ...]
    effect: str
    source: str  # `file:line`, or the flag

    def line(self) -> str:
        return f"{_ranges(self.rules)} {self.effect} ({self.source})"


def _ranges(rule_ids: tuple[str, ...]) -> str:
    """`GOV001-GOV006, PRT002`: runs of consecutive ids of one prefix written as a range."""
    runs: list[list[str]] = []
    for rule_id in rule_ids:
        last = runs[-1][-1] if runs else None
        if last and last[:-3] == rule_id[:-3] and int(last[-3:]) + 1 == int(rule_id[-3:]):
            runs[-1].append(rule_id)
        else:
            runs.append([rule_id])
    return ", ".join(run[0] if len(run) == 1 else f"{run[0]}-{run[-1]}" for run in runs)


class EffectivePolicy(Record):
    """Where the policy came from and how it departs from the rules' defaults."""

    origin: str  # config.FROM_CHECKOUT, FROM_DEFAULTS, FROM_REVISION or ISOLATED
    configuration: str | None = None  # the file read: a path, or `REF:path`
    revision: str | None = None  # "REF (commit)" under --trusted-ref
    changes: tuple[Change, ...] = ()
    plugins: tuple[str, ...] = ()  # loaded besides the built-ins
    fail_on: str = "fail"
    audit_waivers: bool = False
    approvers: tuple[str, ...] = ()
    max_days: int = 365
    unwaivable: tuple[str, ...] = ()
    authorities: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def source_line(self) -> str:
        """One sentence: where the policy came from."""
        if self.origin == ISOLATED:
            return "--isolated: no configuration file, plugin or rule pack from the checkout; built-in rules only"
        if self.origin == FROM_REVISION:
            read = f"configuration {self.configuration}" if self.configuration else "no configuration file"
            return f"--trusted-ref {self.revision}: {read}, rule packs and baseline read at that revision"
        if self.origin == FROM_CHECKOUT:
            return (
                f"configuration {self.configuration} from the working tree (not a trusted revision: on pull requests"
                " use --trusted-ref or --isolated)"
            )
        return "no configuration file: every rule at its default level"

    def lines(self) -> list[str]:
        """The statement, one line each, for the text-like formats (every line starts with fixed words)."""
        lines = [f"policy: {self.source_line()}"]
        lines.extend(f"policy: {change.line()}" for change in self.changes)
        if self.plugins:
            lines.append(f"policy: plugins loaded: {', '.join(self.plugins)}")
        if self.fail_on != "fail":
            lines.append(f"policy: --fail-on {self.fail_on}")
        lines.append(f"policy: {self.waiver_line()}")
        return lines

    def waiver_line(self) -> str:
        approvers = ", ".join(self.approvers) if self.approvers else "anyone named"
        authorities = "; ".join(f"{rule} by {' or '.join(offices)}" for rule, offices in self.authorities)
        text = (
            f"waivers approved by {approvers}, for at most {self.max_days} days; never waived: "
            f"{', '.join(self.unwaivable)}"
        )
        text += f"; only waived with an authority: {authorities}" if authorities else ""
        return ("--no-waivers (audit): waivers hide nothing; " if self.audit_waivers else "") + text

    def as_dict(self) -> dict:
        return {
            "origin": self.origin,
            "configuration": self.configuration,
            "revision": self.revision,
            "changes": [{"rules": list(c.rules), "effect": c.effect, "source": c.source} for c in self.changes],
            "plugins": list(self.plugins),
            "fail_on": self.fail_on,
            "waivers": {
                "audit": self.audit_waivers,
                "approvers": list(self.approvers),
                "max_days": self.max_days,
                "unwaivable": list(self.unwaivable),
                "authorities": {rule: list(offices) for rule, offices in self.authorities},
            },
        }


def describe(
    config: Config,
    file_config: Config,
    flags: Mapping[str, tuple[str, ...]],
    registry: Registry,
    governance: Governance,
) -> EffectivePolicy:
    """The effective policy of `config` (file and flags merged); `file_config` and `flags` say where each came from."""
    changes: dict[tuple[str, str], list[str]] = {}
    for rule in registry.rules.values():
        if rule.id in ALWAYS_ON:
            continue
        if not config.enabled(rule.id):
            changes.setdefault(("off", _why_off(rule.id, config, file_config, flags)), []).append(rule.id)
        elif config.level(rule.id) == "warn" and rule.level == "fail":
            changes.setdefault(("lowered to warn", where(file_config, ("rules", rule.id, "level"))), []).append(rule.id)
    found = [Change(tuple(ids), effect, source) for (effect, source), ids in changes.items()]
    for glob, selectors in config.per_file_ignores.items():
        ids = tuple(rule_id for rule_id in registry.rules if rule_id not in ALWAYS_ON and rule_id.startswith(selectors))
        if ids:
            found.append(Change(ids, f"off in {glob}", where(file_config, ("per_file_ignores", glob))))
    builtin = {"policycheck"}
    plugins = tuple(
        plugin.name for plugin in registry.plugins if plugin.distribution not in builtin and not plugin.error
    )
    return EffectivePolicy(
        origin=config.origin,
        configuration=config.source if config.origin in (FROM_CHECKOUT, FROM_REVISION) else None,
        revision=config.revision,
        changes=tuple(found),
        plugins=plugins,
        fail_on=config.fail_on,
        audit_waivers=governance.audit,
        approvers=governance.approvers,
        max_days=governance.max_days,
        unwaivable=tuple(sorted(governance.unwaivable)),
        authorities=tuple(sorted(governance.authorities.items())),
    )


def _why_off(rule_id: str, config: Config, file_config: Config, flags: Mapping[str, tuple[str, ...]]) -> str:
    """The setting or flag that turned a rule off (ruff's selection: the longest selector wins)."""
    if config.rules.get(rule_id, {}).get("level") == OFF:
        return where(file_config, ("rules", rule_id, "level"))

    def longest(selectors) -> str | None:
        matching = [selector for selector in selectors if rule_id.startswith(selector)]
        return max(matching, key=len) if matching else None

    ignored = longest(config.ignore)
    if ignored is not None:
        if ignored in flags.get("--ignore", ()):
            return f"--ignore {ignored}"
        return where(file_config, ("ignore", file_config.ignore.index(ignored)))
    if flags.get("--select"):
        return f"--select {','.join(flags['--select'])}"
    return where(file_config, ("select",)) if file_config.select else FROM_DEFAULTS
