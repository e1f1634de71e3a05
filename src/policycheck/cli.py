"""Stage 0: the command line. Parses options, runs the pipeline, sets the exit code.

Exit codes (cli.md): 0 clean, 1 findings at or above --fail-on, 2 usage or
configuration error, 3 a rule crashed.
"""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path
from typing import Any, Mapping

import click

from . import __version__

EXIT_USAGE = 2


class UsageError(click.ClickException):
    """A usage or configuration problem: one line on stderr, exit code 2."""

    exit_code = EXIT_USAGE

    def show(self, file: Any = None) -> None:
        click.echo(f"policycheck: error: {self.format_message()}", err=True)


class DefaultCommandGroup(click.Group):
    """`policycheck PATH...` is `policycheck check PATH...`, as with ruff."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h", "--version"):
            args = ["check", *args]
        return super().parse_args(ctx, args)


class _Echo:
    """Standard output as a writable stream, through click (which strips colors off a terminal)."""

    def __init__(self, color: bool):
        self.color = color

    def write(self, text: str) -> None:
        click.echo(text, nl=False, color=self.color)


def is_terminal(stream: Any) -> bool:
    """Whether a stream is an interactive terminal (colors, progress bars)."""
    return bool(getattr(stream, "isatty", lambda: False)())


def _format_outputs(args: list[str]) -> list[tuple[str, str | None]]:
    """Pair each `--format F` with the `--output FILE` that follows it, in command-line order."""
    pairs: list[list[Any]] = []
    iterator = iter(range(len(args)))
    for index in iterator:
        arg = args[index]
        for flag, slot in (("--format", 0), ("-f", 0), ("--output", 1), ("-o", 1)):
            value = None
            if arg == flag and index + 1 < len(args):
                value = args[index + 1]
                next(iterator, None)
            elif arg.startswith(flag + "=") and flag.startswith("--"):
                value = arg.split("=", 1)[1]
            elif len(flag) == 2 and arg.startswith(flag) and len(arg) > 2:  # -fjson, -oout.json
                value = arg[2:]
            if value is None:
                continue
            if slot == 0:
                pairs.append([value, None])
            elif pairs and pairs[-1][1] is None:
                pairs[-1][1] = value
            elif not pairs:
                pairs.append(["text", value])
            else:
                raise UsageError(f"--output {value}: each --output follows its own --format")
            break
    return [(fmt, out) for fmt, out in pairs]


class CheckCommand(click.Command):
    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta["format_outputs"] = _format_outputs(args[: args.index("--")] if "--" in args else args)
        return super().parse_args(ctx, args)


@click.group(cls=DefaultCommandGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="policycheck", message="%(prog)s %(version)s")
def main() -> None:
    """Check security cooperation activity proposals against policy rules.

    \b
    policycheck activity.yaml          check files, directories, globs, or - (stdin)
    policycheck rules                  list every rule
    policycheck explain REL002         what a rule checks, why, and examples
    """


def _plugin_options(function):
    function = click.option("-p", "plugin_modules", multiple=True, metavar="MODULE", help="Load a plugin module (repeatable).")(function)
    function = click.option("--no-plugins", is_flag=True, help="Built-in rules only: skip entry-point plugins.")(function)
    function = click.option("--strict-plugins", is_flag=True, help="A plugin that fails to load is an error (exit 2).")(function)
    function = click.option("--config", "config_file", type=click.Path(dir_okay=False), help="Configuration file (default: discovered upward).")(function)
    function = click.option("--no-config", is_flag=True, help="Ignore configuration files.")(function)
    return function


def _load_config(config_file: str | None, no_config: bool):
    from .config import Config, ConfigError, discover, read

    try:
        if no_config:
            return Config()
        path = Path(config_file) if config_file else discover(Path.cwd())
        if config_file and not path.is_file():
            raise ConfigError(f"{config_file}: no such configuration file")
        return read(path) if path else Config()
    except ConfigError as error:
        raise UsageError(str(error)) from None


def _registry(config, plugin_modules, no_plugins, strict_plugins, today=None):
    from .engine import RunOptions
    from .plugins import PluginError

    options = RunOptions(
        config=config,
        today=today or date.today(),
        plugin_modules=tuple(plugin_modules),
        entry_points=not no_plugins,
        strict_plugins=strict_plugins,
    )
    try:
        registry = options.registry()
    except PluginError as error:
        raise UsageError(str(error)) from None
    for failed in registry.failed:
        click.echo(f"policycheck: warning: plugin '{failed.name}' ({failed.module}) failed to load and is skipped: {failed.error}", err=True)
    return options, registry


def _selectors(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


@main.command("check", cls=CheckCommand)
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("-f", "--format", "formats", multiple=True, metavar="FORMAT", help="text, json, ... (repeatable; see `policycheck rules --help`).")
@click.option("-o", "--output", "outputs", multiple=True, type=click.Path(dir_okay=False), help="Write the preceding --format to FILE.")
@click.option("--select", multiple=True, metavar="IDS", help="Only these rules: ids or prefixes, comma-separated.")
@click.option("--extend-select", multiple=True, metavar="IDS", help="Rules to add to the selection.")
@click.option("--ignore", multiple=True, metavar="IDS", help="Rules not to run.")
@click.option("--fail-on", type=click.Choice(["fail", "warn"]), help="Lowest level that fails the run (default: fail).")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), help="Judge waivers and dates as of this day (YYYY-MM-DD).")
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="Worker processes (default: all cores).")
@click.option("--progress/--no-progress", default=None, help="Progress bar on stderr (default: on a terminal, outside CI, for more than 20 files).")
@click.option("-q", "--quiet", is_flag=True, help="Only files with findings, and the summary.")
@click.option("--show-passes", is_flag=True, help="List every rule's pass or skip per file.")
@click.option("--no-color", is_flag=True, help="No colors (also NO_COLOR).")
@click.option("--baseline", "baseline_file", type=click.Path(dir_okay=False), help="Report only findings that FILE does not record (see --write-baseline).")
@click.option("--write-baseline", type=click.Path(dir_okay=False), help="Record today's findings in FILE; report only what a baseline cannot record.")
@_plugin_options
@click.pass_context
def check_command(ctx: click.Context, paths, formats, outputs, select, extend_select, ignore, fail_on, today, jobs, progress, quiet, show_passes, no_color, baseline_file, write_baseline, plugin_modules, no_plugins, strict_plugins, config_file, no_config) -> None:
    """Check activity files, directories (recursively), globs, or - for stdin."""
    from .config import ConfigError, check_selectors, with_overrides
    from .discover import DiscoveryError, discover
    from .engine import Engine
    from .findings import exit_code
    from .parallel import check_sources, wants_progress
    from .report import Report

    file_config = _load_config(config_file, no_config)
    config = with_overrides(
        file_config,
        select=_selectors(select),
        extend_select=_selectors(extend_select),
        ignore=_selectors(ignore),
        fail_on=fail_on,
    )
    run_date = today.date() if today else date.today()
    options, registry = _registry(config, plugin_modules, no_plugins, strict_plugins, run_date)
    try:
        file_config.check_rule_ids(registry.rules)
        check_selectors({"--select": _selectors(select), "--extend-select": _selectors(extend_select), "--ignore": _selectors(ignore)}, registry.rules)
        config.check_params(registry.parameter_defaults())
    except ConfigError as error:
        raise UsageError(str(error)) from None
    targets = _output_targets(ctx.meta.get("format_outputs") or [("text", None)], formats, registry.formats)
    if baseline_file and write_baseline:
        raise UsageError("give either --baseline FILE (report new findings) or --write-baseline FILE (record findings), not both")
    recorded = None
    if baseline_file or write_baseline:
        from . import baseline  # only runs that use a baseline pay for it
    if baseline_file:
        try:
            recorded = baseline.read(baseline_file)
        except baseline.BaselineError as error:
            raise UsageError(str(error)) from None
    try:
        # one byte past the limit is enough to report it: never hold an endless stream in memory
        sources = discover(paths or (".",), config.is_excluded, lambda: sys.stdin.buffer.read(config.max_file_size + 1))
    except DiscoveryError as error:
        raise UsageError(str(error)) from None
    if not sources:
        raise UsageError(f"no activity files (*.yaml, *.yml) found in {', '.join(paths or ('.',))}")
    # the input is never written to: not even by a report sent to one of the inputs
    inputs = {os.path.realpath(source.path) for source in sources if not source.is_stdin}
    for flag, output in [*(("--output", output) for _, output in targets), ("--write-baseline", write_baseline)]:
        if output is not None and os.path.realpath(output) in inputs:
            raise UsageError(f"{flag} {output} is one of the files being checked; write it elsewhere")

    engine = Engine(registry, config, run_date)
    if wants_progress(progress, len(sources), is_terminal(sys.stderr), os.environ):
        with click.progressbar(length=len(sources), label="Checking", file=sys.stderr) as bar:
            results = check_sources(engine, options, sources, jobs, bar.update)
    else:
        results = check_sources(engine, options, sources, jobs)
    # the baseline stage: after every rule and waiver, before rendering
    baseline_result = None
    if write_baseline or baseline_file:
        try:
            if write_baseline:
                baseline_result = baseline.record(write_baseline, results)
            else:
                baseline_result = baseline.apply(results, recorded, baseline_file)
        except baseline.BaselineError as error:
            raise UsageError(str(error)) from None
    color = is_terminal(sys.stdout) and not no_color and "NO_COLOR" not in os.environ
    report = Report(
        results=results,
        rules=registry.rules,
        rule_plugins=registry.rule_plugin,
        fail_on=config.fail_on,
        version=__version__,
        show_passes=show_passes,
        quiet=quiet,
        baseline=baseline_result,
    )
    _write_reports(report, targets, registry.formats, color)
    ctx.exit(exit_code(results, config.fail_on))


def _output_targets(targets: list[tuple[str, str | None]], formats: tuple[str, ...], known: Mapping[str, Any]) -> list[tuple[str, str | None]]:
    """The (format, output file or None for stdout) pairs, or a usage error saying what is wrong."""
    if formats and [name for name, _ in targets][-len(formats):] != list(formats):
        # e.g. -qfjson: never guess which output a format goes to (an --output before any --format is text)
        raise UsageError("cannot pair each --format with its --output; write them as separate options: --format NAME --output FILE")
    written = [output for _, output in targets if output is not None]
    if len(set(written)) != len(written):
        raise UsageError("two formats write the same --output file; give each its own")
    for name, _ in targets:
        if name not in known:
            raise UsageError(f"unknown format '{name}' (available: {', '.join(sorted(known))})")
    if sum(1 for _, output in targets if output is None) > 1:
        raise UsageError("only one format can go to standard output; give the others --output FILE")
    return targets


def _write_reports(report, targets: list[tuple[str, str | None]], formats: Mapping[str, Any], color: bool) -> None:
    """Each format to its file, or to standard output (the only one that may be colored)."""
    from dataclasses import replace

    for name, output in targets:
        if output is None:
            formats[name].write(replace(report, color=color), _Echo(color))
        else:
            with open(output, "w", encoding="utf-8", newline="\n") as handle:
                formats[name].write(report, handle)


@main.command("rules")
@click.option("--format", "output_format", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True)
@_plugin_options
def rules_command(output_format, plugin_modules, no_plugins, strict_plugins, config_file, no_config) -> None:
    """List every rule: id, family, level, title, plugin."""
    import json

    config = _load_config(config_file, no_config)
    _, registry = _registry(config, plugin_modules, no_plugins, strict_plugins)
    rows = [
        {"id": rule.id, "family": rule.family, "level": config.level(rule.id) or rule.level, "enabled": config.enabled(rule.id), "title": rule.title, "plugin": registry.rule_plugin[rule.id]}
        for rule in registry.rules.values()
    ]
    if output_format == "json":
        click.echo(json.dumps(rows, indent=2))
    elif output_format == "markdown":
        click.echo("| id | family | level | title | plugin |\n|---|---|---|---|---|")
        for row in rows:
            click.echo(f"| {row['id']} | {row['family']} | {row['level']} | {row['title']} | {row['plugin']} |")
    else:
        for row in rows:
            level = row["level"] if row["enabled"] else "off"
            click.echo(f"{row['id']:<8} {row['family']:<18} {level:<5} {row['title']}  ({row['plugin']})")


@main.command("explain")
@click.argument("rule_id")
@_plugin_options
def explain_command(rule_id, plugin_modules, no_plugins, strict_plugins, config_file, no_config) -> None:
    """What a rule checks, why it matters, failing and passing examples, parameters."""
    import difflib

    config = _load_config(config_file, no_config)
    _, registry = _registry(config, plugin_modules, no_plugins, strict_plugins)
    rule = registry.rules.get(rule_id.upper())
    if rule is None:
        close = difflib.get_close_matches(rule_id.upper(), list(registry.rules), n=1)
        hint = f"; did you mean {close[0]}?" if close else "; see `policycheck rules`"
        raise UsageError(f"unknown rule '{rule_id}'{hint}")
    params = registry.parameter_defaults()[rule.id]
    click.echo(f"{rule.id}: {rule.title}\n")
    click.echo(f"Family: {rule.family}    Level: {rule.level}    Plugin: {registry.rule_plugin[rule.id]}\n")
    click.echo("## What it checks\n")
    click.echo(f"{rule.description or rule.title + '.'}\n")
    click.echo("## Why it matters\n")
    click.echo(f"{rule.rationale}\n\nSource: {rule.source}\n")
    for heading, snippet in (("Fails", rule.fails), ("Passes", rule.passes)):
        click.echo(f"## {heading}\n")
        if snippet:
            click.echo("```yaml\n" + snippet.rstrip("\n") + "\n```\n")
        else:
            click.echo("(no snippet: this finding comes from the engine, not the document)\n")
    click.echo("## Parameters\n")
    if params:
        for name, value in params.items():
            click.echo(f"- `{name}` (default: {value!r}); set with `rules: {{{rule.id}: {{{name}: ...}}}}`")
    else:
        click.echo("None.")


@main.command("schema")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE instead of standard output.")
@_plugin_options
def schema_command(output, plugin_modules, no_plugins, strict_plugins, config_file, no_config) -> None:
    """Print the effective activity JSON Schema (with plugin extensions)."""
    import json

    from .validate import effective_schema

    config = _load_config(config_file, no_config)
    _, registry = _registry(config, plugin_modules, no_plugins, strict_plugins)
    text = json.dumps(effective_schema(registry.reference(config.reference), registry.schema_fragments), indent=2, ensure_ascii=False) + "\n"
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


@main.command("init")
@click.argument("path", default="activity.yaml", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def init_command(path, force) -> None:
    """Write a commented starter activity that passes every rule, and its schema beside it."""
    import json

    from .reference import Reference
    from .testing import starter
    from .validate import effective_schema

    target = Path(path)
    if target.exists() and not force:
        raise UsageError(f"{path} already exists; use --force to overwrite it")
    target.write_text(starter(), encoding="utf-8")
    schema_file = target.with_name("activity.schema.json")
    if not schema_file.exists():
        schema_file.write_text(json.dumps(effective_schema(Reference(), {}), indent=2) + "\n", encoding="utf-8")
    click.echo(f"wrote {target} (and {schema_file} for editor completion); check it with: policycheck {target}")


def _distribution_of(module: str) -> tuple[str | None, str | None]:
    """The installed distribution (name, version) that provides a `-p` module, if any."""
    from importlib.metadata import PackageNotFoundError, packages_distributions, version

    names = packages_distributions().get(module.partition(".")[0], [])
    if not names:
        return None, None
    try:
        return names[0], version(names[0])
    except PackageNotFoundError:
        return names[0], None


@main.command("plugins")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@_plugin_options
def plugins_command(output_format, plugin_modules, no_plugins, strict_plugins, config_file, no_config) -> None:
    """List loaded plugins in load order: distribution, version, and what each adds."""
    import json

    config = _load_config(config_file, no_config)
    _, registry = _registry(config, plugin_modules, no_plugins, strict_plugins)

    def owned(owners: dict[str, str], name: str) -> list[str]:
        # rules from a plugin's rule packs are owned by "plugin:pack.yaml"
        return sorted(key for key, owner in owners.items() if owner == name or owner.startswith(name + ":"))

    rows = []
    for plugin in registry.plugins:
        distribution, version = plugin.distribution, plugin.version
        if distribution == "policycheck":
            version = version or __version__
        elif distribution is None:
            distribution, version = _distribution_of(plugin.module)
        rows.append({
            "name": plugin.name,
            "module": plugin.module,
            "distribution": distribution,
            "version": version,
            "rules": owned(registry.rule_plugin, plugin.name),
            "formats": owned(registry.format_plugin, plugin.name),
            "schema": owned(registry.schema_plugin, plugin.name),
            "error": plugin.error,
        })
    if output_format == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    origins = [f"{row['distribution'] or '-'} {row['version'] or ''}".strip() for row in rows]
    name_width, origin_width = max(len(row["name"]) for row in rows), max(map(len, origins))
    for row, origin in zip(rows, origins):
        parts = [f"{label}: {', '.join(row[key])}" for key, label in (("rules", "rules"), ("formats", "formats"), ("schema", "schema sections")) if row[key]]
        status = f"FAILED: {row['error']}" if row["error"] else ("; ".join(parts) or "adds nothing")
        click.echo(f"{row['name']:<{name_width}}  {origin:<{origin_width}}  {status}")
