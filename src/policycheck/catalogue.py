"""The rule catalogue as text: `policycheck explain ID` and `docs/rules.md` come from here.

Both read each rule's own declaration (title, description, rationale, source,
examples, parameters), so the documentation cannot drift from the rules: as
with `ruff rule`, the page and the command are the same text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .rule import Rule
from .waivers import DEFAULT_UNWAIVABLE, UNWAIVABLE

# The order families appear in the catalogue; a plugin's own families follow, by name.
FAMILIES = ("threat-informed", "measurable-success", "releasability", "interoperability", "governance", "core")
REGENERATE = "policycheck rules --format markdown --no-plugins --no-config > docs/rules.md"


def explain(
    rule: Rule,
    plugin: str,
    params: Mapping[str, Any],
    heading: str = "##",
    configured: Mapping[str, Any] | None = None,
    source: str = "configuration",
) -> str:
    """A rule's documentation: what it checks, why, its examples and its parameters.

    `params` are the defaults (the rule's, then plugins'); `configured` the values
    configuration (`source`) sets, shown as the effective ones.
    """
    parts = [
        f"{heading} What it checks\n\n{rule.description or rule.title + '.'}\n",
        f"{heading} Why it matters\n\n{rule.rationale}\n\nSource: {rule.source}\n",
    ]
    files = (
        "One run of these files, each merged over the `policycheck init` starter:\n\n"
        if rule.kind == "portfolio"
        else ""
    )
    waivers = _waivers(rule)
    if waivers:
        parts.append(f"{heading} Waivers\n\n{waivers}\n")
    for name, snippet in (("Fails", rule.fails), ("Passes", rule.passes)):
        if snippet:
            parts.append(f"{heading} {name}\n\n{files}```yaml\n{snippet.rstrip(chr(10))}\n```\n")
        else:
            parts.append(f"{heading} {name}\n\n(no snippet: this finding comes from the engine, not the document)\n")
    if params:
        lines = [_parameter(rule, name, value, configured or {}, source) for name, value in params.items()]
        parts.append(f"{heading} Parameters\n\n" + "\n".join(lines) + "\n")
    else:
        parts.append(f"{heading} Parameters\n\nNone.\n")
    return "\n".join(parts)


def _waivers(rule: Rule) -> str:
    """Who may excuse the rule's findings, where that is not anyone the waiver policy allows."""
    if rule.id in UNWAIVABLE:
        return "Never waived: no waiver and no configuration can hide this finding."
    if rule.id in DEFAULT_UNWAIVABLE:
        return "Never waived by default (`waivers: {unwaivable: [...]}` in configuration lists the rules)."
    if rule.waiver_authority:
        offices = " or ".join(rule.waiver_authority)
        return (
            f"Only the {offices} may grant an exception: a waiver names the office in `authority`, else it is "
            "WVR003 and hides nothing (`waivers: {authorities: ...}` in configuration may name others)."
        )
    return ""


def _parameter(rule: Rule, name: str, default: Any, configured: Mapping[str, Any], source: str) -> str:
    spec = rule.parameter_specs.get(name)
    if name in configured:
        value = f"{configured[name]!r} (set in {source}; default: {default!r})"
    else:
        value = f"(default: {default!r})"
    line = f"- `{name}` {value}"
    if spec is not None and spec.description:
        line += f": {spec.description.rstrip('.')}"
    if spec is not None and spec.choices is not None:
        line += f"; one of: {', '.join(map(str, spec.choices))}"
    return line + f"; set with `rules: {{{rule.id}: {{{name}: ...}}}}`"


def header(rule: Rule, plugin: str, level: str | None = None) -> str:
    fix = f"    Fix: {rule.fix}" if rule.fix else ""  # as ruff's "Fix is always available"
    return f"Family: {rule.family}    Level: {level or rule.level}    Plugin: {plugin}{fix}\n"


def _family_order(family: str) -> tuple[int, str]:
    return (FAMILIES.index(family) if family in FAMILIES else len(FAMILIES), family)


def markdown(rules: Mapping[str, Rule], plugins: Mapping[str, str], params: Mapping[str, Mapping[str, Any]]) -> str:
    """The whole catalogue as one markdown page: a table per family, then every rule."""
    families = sorted({rule.family for rule in rules.values()}, key=_family_order)
    out = [
        "# Rule catalogue",
        "",
        f"<!-- Generated from the rules' own declarations; do not edit. Regenerate with: {REGENERATE} -->",
        "",
        f"{len(rules)} rules. Each has a stable id, a default level (`fail`: the proposal is not ready; "
        "`warn`: a reviewer should look; `info`: advice that never gates), a rationale with its source, and a "
        "failing and a passing example that the test suite runs. `policycheck explain ID` prints the same text; "
        "configuration may change a rule's level or parameters (see docs/cli.md).",
        "",
    ]
    for family in families:
        members = [rule for rule in rules.values() if rule.family == family]
        out += [f"## {family}", "", "| id | level | title |", "|---|---|---|"]
        out += [f"| [{rule.id}](#{rule.id.lower()}) | {rule.level} | {rule.title} |" for rule in members]
        out.append("")
        for rule in members:
            out += [f"### {rule.id}", "", f"**{rule.title}**", "", header(rule, plugins.get(rule.id, "?"))]
            out.append(explain(rule, plugins.get(rule.id, "?"), params.get(rule.id, {}), heading="####"))
    return "\n".join(out).rstrip("\n") + "\n"
