"""The whole extension surface of policycheck, as pluggy hook specifications.

Implement any of these in a module or object decorated with
`policycheck.hookimpl` and register it through the `policycheck` entry-point
group, `-p MODULE`, or `plugins:` in configuration. The built-in rule families
are plugins of exactly this kind. Every hook is optional; results of all
implementations are merged in plugin load order.

Load order is stable: built-in plugins, then entry points sorted by name,
then `-p` and `plugins:` modules in the order given. Every hook is called
once per run (and once per worker process), takes no arguments, and returns
plain data. None is `firstresult` and none may be a `hookwrapper`: each
plugin adds to what the others gave, and a contribution that clashes with
another plugin's (or with the shipped rules, sections and reference data) is
an error naming both, never a silent override (except
`policycheck_rule_defaults`, where later plugins win by design). A hook that
raises, or returns the wrong type, is an error naming the plugin (exit 2), and
so is a schema fragment or reference data that is not valid. docs/plugin-api.md
has a complete example of each hook.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from .report import OutputFormat
    from .rule import Rule

hookspec = pluggy.HookspecMarker("policycheck")


@hookspec
def policycheck_rules() -> Sequence["Rule"]:
    """Register rules, document rules and portfolio rules alike.

    Called once when the rule registry is built.

    :return: a list of `policycheck.Rule`, built with `@policycheck.rule` (a
        check over one activity: `check(activity, ctx)` yields `Violation`s) or
        `@policycheck.portfolio_rule` (a rule over every activity of a run:
        `collect(activity, ctx)` runs per file, `check(collected, ctx)` once at
        the end and names the file of each violation). Ids are 2-5 capitals and
        3 digits; use a prefix of your own (`AUK001`). Two plugins that return
        the same rule id are a configuration error (exit 2) naming both.

    Whatever a check does wrong at run time (raising, yielding something that
    is not a `Violation`, an unknown level) is an ERR001 finding naming the
    rule, the plugin and the line, and every other rule still runs.
    """


@hookspec
def policycheck_rule_packs() -> Sequence[str]:
    """Register declarative rule packs (rules written in YAML, no Python).

    :return: a list of paths (str or `pathlib.Path`) of YAML rule-pack files in
        the format of `schemas/rule-pack.schema.json`, usually files shipped
        inside the plugin package. Their rules are loaded by the same loader as
        the built-in packs and users' `rule_packs:`, and clash like any rule. A
        pack that cannot be read, or refers to a parameter or reference data
        that does not exist, is an error naming its file and line.
    """


@hookspec
def policycheck_schema_fragments() -> Mapping[str, Mapping[str, Any]]:
    """Extend the activity schema with a section of your own.

    :return: a mapping of top-level key -> JSON Schema (draft 2020-12) that the
        value under that key must match. Use an `x-` key (`x-fms`) to validate
        an extension section, which is otherwise accepted unchecked, or a new
        name to add a section. A fragment may refer to the shipped definitions
        (`{"$ref": "#/$defs/date"}`). A built-in section (`partner`, ...) cannot
        be replaced, and a key claimed by two plugins is an error. A fragment is
        checked when loaded: it must be a valid JSON Schema whose `$ref`s point
        into the activity schema, else an error names the plugin, the key and
        the place. Violations are SCH001 findings; `policycheck schema` and
        `policycheck init` write the effective schema, for editor completion.
    """


@hookspec
def policycheck_output_formats() -> Mapping[str, "OutputFormat"]:
    """Register output formats.

    :return: a mapping of format name -> `policycheck.report.OutputFormat`,
        whose `render(report)` receives a `policycheck.report.Report` (results
        per file with their findings, decoded one file at a time as they are
        iterated; the rules that ran; the `fail_on` level) and returns the
        whole text. The name is what users pass to `--format`;
        a name registered twice is an error. `OutputFormat.stream`, when given,
        yields the text in pieces, written as they come.
    """


@hookspec
def policycheck_rule_defaults() -> Mapping[str, Mapping[str, Any]]:
    """Change the defaults of rules' parameters (your own rules' or others').

    :return: a mapping of rule id -> {parameter: value}. Applied over each
        rule's own `parameters` and under the user's `rules:` configuration;
        when two plugins set the same parameter, the later-loaded one wins.
        `policycheck explain ID` shows the effective defaults. A house plugin
        can tighten built-in rules this way for a whole organisation. A value
        outside a parameter's `Param(choices=...)` is an error naming the plugin.
    """


@hookspec
def policycheck_reference_data() -> Mapping[str, Any]:
    """Add reference data (country groups, code lists) that rules look up.

    :return: a mapping of kind -> data in the format of `reference:` in
        `schemas/config.schema.json` (validated when loaded), merged into the
        shipped data in `rules/data/` in plugin load order, before the user's
        `reference:` configuration: mapping kinds (`countries`, `currencies`,
        `tetragraphs`) gain keys, list kinds (`vague_verbs`,
        `adversary_suppliers`) gain entries. A plugin may add, never change:
        a key that the shipped data or another plugin defines with another
        value is an error naming both (configuration's `reference:` may change
        one: it is the user's policy). A new kind is available to rules as
        `ctx.reference[kind]` and to packs as `{reference: KIND/KEY}`; a new
        tetragraph is expanded by `ctx.reference.covers(code, country)` and the
        REL TO checks. `policycheck plugins` lists what each plugin adds.
    """
