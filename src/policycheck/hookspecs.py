"""The whole extension surface of policycheck, as pluggy hook specifications.

Implement any of these in a module or object decorated with
`policycheck.hookimpl` and register it through the `policycheck` entry-point
group, `-p MODULE`, or `plugins:` in configuration. The built-in rule families
are plugins of exactly this kind. Every hook is optional; results of all
implementations are merged in plugin load order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping, Sequence

import pluggy

if TYPE_CHECKING:
    from .report import OutputFormat
    from .rule import Rule

hookspec = pluggy.HookspecMarker("policycheck")


@hookspec
def policycheck_rules() -> Sequence["Rule"]:
    """Register rules.

    Called once when the rule registry is built. Return the `Rule` objects this
    plugin provides (build them with `@policycheck.rule` for a rule over one
    activity, or `@policycheck.portfolio_rule` for a rule over all activities of
    a run). Two plugins that return the same rule id are a configuration error
    naming both.
    """


@hookspec
def policycheck_rule_packs() -> Sequence[str]:
    """Register declarative rule packs.

    Return paths (str or `pathlib.Path`) of YAML rule-pack files, in the format
    of `schemas/rule-pack.schema.json`. Their rules are loaded by the same loader
    as the built-in packs and users' `rule_packs:` in configuration.
    """


@hookspec
def policycheck_schema_fragments() -> Mapping[str, Mapping[str, Any]]:
    """Extend the activity schema.

    Return a mapping of top-level key -> JSON Schema (draft 2020-12) for that
    key. Use an `x-` key (`x-aukus`) to validate an extension section, or a new
    name to add a section. The effective schema (`policycheck schema`) includes
    every fragment; a key claimed by two plugins is an error.
    """


@hookspec
def policycheck_output_formats() -> Mapping[str, "OutputFormat"]:
    """Register output formats.

    Return a mapping of format name -> `policycheck.report.OutputFormat`. The
    name is what users pass to `--format`. A name registered twice is an error.
    """


@hookspec
def policycheck_rule_defaults() -> Mapping[str, Mapping[str, Any]]:
    """Change rule parameters' defaults.

    Return rule id -> {parameter: value}. Applied over each rule's own defaults
    and under the user's configuration, in plugin load order.
    """


@hookspec
def policycheck_reference_data() -> Mapping[str, Any]:
    """Add reference data.

    Return kind -> data, merged into the shipped data in `rules/data/`: for
    mapping kinds (`countries`, `currencies`, `tetragraphs`) keys are added or
    replaced, for list kinds (`vague_verbs`, `adversary_suppliers`) entries are
    appended. A new kind is available to rules as `ctx.reference[kind]`.
    """
