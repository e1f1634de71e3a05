"""The command line, through click: options parsed into `pipeline.CheckOptions` for
`pipeline.execute` (a bare `policycheck PATH...` goes there from `main`, without click),
and the subcommands that list, explain and write rules and schemas.

Exit codes (docs/cli.md, and `--help`): 0 clean, 1 findings at or above --fail-on,
2 usage or configuration error, 3 internal error, 4 an output could not be written,
130 Ctrl-C, 141 standard output closed early, 143 SIGTERM; how each ends is `exits`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from . import __version__, cache, catalogue, exits, files
from .errors import UsageError
from .hints import close_matches
from .pipeline import CheckOptions, execute
from .policy import load, read_config
from .report.builtin import policycheck_output_formats
from .validate import effective_schema


EXIT_CODES = """\b
Exit codes (docs/cli.md):
  0    nothing at or above --fail-on
  1    findings at or above --fail-on (an unreadable or invalid file counts)
  2    usage or configuration error
  3    internal error: a rule, a plugin or policycheck crashed
  4    an output could not be written (the others still were)
  130  interrupted (Ctrl-C); no file is ever left half-written
  141  standard output's reader stopped early (`| head`)
  143  terminated (SIGTERM)"""


class DefaultCommandGroup(click.Group):
    """`policycheck PATH...` is `policycheck check PATH...`, as with ruff."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h", "--version"):
            args = ["check", *args]
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        cache.disable(False)  # until this command's --no-cache: a process (a test) may run many commands
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise  # click's own ways out: an exit code, a usage message
        except BaseException as error:  # from any stage: its exit code and at most one line (exits.py)
            code = exits.ending(error)
            if code is None:
                raise
            ctx.exit(code)


def _format_outputs(args: list[str], takes_value: frozenset[str] = frozenset()) -> list[tuple[str, str | None]]:
    """Pair each `--format F` with the `--output FILE` that follows it, in command-line order.

    Reads the options as click does: nothing after `--` (file names, whatever they
    look like), and never the value of another option (`takes_value`), so that
    `--today -oreport.yaml` or `-- -oreport.yaml` is no `--output`.
    """
    pairs: list[list[Any]] = []
    index = 0
    while index < len(args):
        arg = args[index]
        index += 1
        if arg == "--":
            break
        if arg in ("--format", "-f", "--output", "-o"):
            if index >= len(args):
                break
            slot, value = (0 if arg in ("--format", "-f") else 1), args[index]
            index += 1
        elif arg.startswith(("--format=", "--output=")):
            slot, value = (0 if arg.startswith("--format=") else 1), arg.split("=", 1)[1]
        elif arg[:2] in ("-f", "-o") and len(arg) > 2:  # -fjson, -oout.json
            slot, value = (0 if arg[:2] == "-f" else 1), arg[2:]
        else:
            if arg in takes_value:
                index += 1  # its value, whatever it looks like
            continue
        if slot == 0:
            pairs.append([value, None])
        elif pairs and pairs[-1][1] is None:
            pairs[-1][1] = value
        elif not pairs:
            pairs.append(["text", value])
        else:
            raise UsageError(f"--output {value}: each --output follows its own --format")
    return [(fmt, out) for fmt, out in pairs]


class CheckCommand(click.Command):
    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        takes_value = frozenset(
            name
            for param in self.params
            if isinstance(param, click.Option) and not param.is_flag and not param.count
            for name in param.opts
        )
        ctx.meta["format_outputs"] = _format_outputs(args, takes_value)
        return super().parse_args(ctx, args)


@click.group(cls=DefaultCommandGroup, context_settings={"help_option_names": ["-h", "--help"]}, epilog=EXIT_CODES)
@click.version_option(__version__, "--version", prog_name="policycheck", message="%(prog)s %(version)s")
def main() -> None:
    """Check security cooperation activity proposals against policy rules.

    \b
    policycheck activity.yaml          check files, directories, globs, or - (stdin)
    policycheck rules                  list every rule
    policycheck explain REL002         what a rule checks, why, and examples
    """


def _plugin_options(function):
    function = click.option(
        "-p",
        "plugin_modules",
        multiple=True,
        metavar="MODULE",
        help="Load a plugin module (repeatable); -p no:NAME disables the installed plugin NAME.",
    )(function)
    function = click.option("--no-plugins", is_flag=True, help="Built-in rules only: skip entry-point plugins.")(
        function
    )
    function = click.option("--strict-plugins", is_flag=True, help="A plugin that fails to load is an error (exit 2).")(
        function
    )
    function = click.option(
        "--config",
        "config_file",
        type=click.Path(dir_okay=False, readable=False),
        help="Configuration file (default: discovered upward).",
    )(function)
    function = click.option("--no-config", is_flag=True, help="Ignore configuration files.")(function)
    function = click.option(
        "--no-cache",
        is_flag=True,
        expose_value=False,
        callback=lambda ctx, param, value: cache.disable() if value else None,
        help="Use no cache folder (also POLICYCHECK_NO_CACHE=1).",
    )(function)
    return function


def _selectors(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


def _formats_epilog() -> str:
    """The built-in formats with what each is for; plugins' formats are listed by `policycheck plugins`."""
    formats = policycheck_output_formats().values()
    lines = [f"  {output.name:<9} {output.description}" for output in formats]
    return "\b\nFormats (and any a plugin adds: `policycheck plugins`):\n" + "\n".join(lines) + "\n\n" + EXIT_CODES


@main.command("check", cls=CheckCommand, epilog=_formats_epilog())
# readable=False: an unreadable input is the loader's LOAD001, in the report, not click's usage error
@click.argument("paths", nargs=-1, type=click.Path(readable=False))
@click.option(
    "-f",
    "--format",
    "formats",
    multiple=True,
    metavar="FORMAT",
    help="Output format, repeatable (default: text; the formats are listed below).",
)
@click.option(
    "-o",
    "--output",
    "outputs",
    multiple=True,
    type=click.Path(dir_okay=False, readable=False),
    help="Write the preceding --format to FILE.",
)
@click.option("--select", multiple=True, metavar="IDS", help="Only these rules: ids or prefixes, comma-separated.")
@click.option("--extend-select", multiple=True, metavar="IDS", help="Rules to add to the selection.")
@click.option("--ignore", multiple=True, metavar="IDS", help="Rules not to run.")
@click.option("--fail-on", type=click.Choice(["fail", "warn"]), help="Lowest level that fails the run (default: fail).")
@click.option(
    "--today", type=click.DateTime(formats=["%Y-%m-%d"]), help="Judge waivers and dates as of this day (YYYY-MM-DD)."
)
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="Worker processes (default: all cores).")
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Progress bar on stderr (default: on a terminal, outside CI, for more than 20 files).",
)
@click.option("-q", "--quiet", is_flag=True, help="Only files with findings, and the summary.")
@click.option("--show-passes", is_flag=True, help="List every rule's pass or skip per file.")
@click.option("--show-tracebacks", is_flag=True, help="A crashed rule's ERR001 carries its traceback, in every format.")
@click.option("--no-color", is_flag=True, help="No colors (also NO_COLOR).")
@click.option(
    "--baseline",
    "baseline_file",
    type=click.Path(dir_okay=False, readable=False),
    help="Report only findings that FILE does not record (see --write-baseline).",
)
@click.option(
    "--write-baseline",
    type=click.Path(dir_okay=False, readable=False),
    help="Record today's findings in FILE; report only what a baseline cannot record.",
)
@click.option(
    "--isolated",
    is_flag=True,
    help="Take no policy from the checkout: no configuration file, plugin or rule pack; built-in rules only.",
)
@click.option(
    "--trusted-ref",
    metavar="REF",
    help="Read configuration, rule packs and baseline at this git revision (git show REF:path), e.g. origin/main.",
)
@click.option("--no-waivers", is_flag=True, help="Audit: waivers hide nothing; show what they would hide.")
@click.option(
    "--compare",
    metavar="PREVIOUS.json",
    type=click.Path(readable=False),
    help="Mark findings new or persisting, and name those resolved, since this earlier JSON report.",
)
@click.option("--fix", is_flag=True, help="Apply the safe fixes to the files, then report what remains.")
@click.option(
    "--unsafe-fixes",
    is_flag=True,
    help="With --fix or --diff, the unsafe fixes too (judgment calls); alone, the report marks them [*] too.",
)
@click.option("--diff", is_flag=True, help="Print the fixes as a unified diff and write nothing; exit 1 if any.")
@_plugin_options
@click.pass_context
def check_command(
    ctx: click.Context,
    paths,
    formats,
    outputs,
    select,
    extend_select,
    ignore,
    fail_on,
    today,
    jobs,
    progress,
    quiet,
    show_passes,
    show_tracebacks,
    no_color,
    baseline_file,
    write_baseline,
    plugin_modules,
    no_plugins,
    strict_plugins,
    config_file,
    no_config,
    isolated,
    trusted_ref,
    no_waivers,
    compare,
    fix,
    unsafe_fixes,
    diff,
) -> None:
    """Check activity files, directories (recursively), globs, or - for stdin."""
    request = CheckOptions(
        paths=tuple(paths),
        targets=tuple(ctx.meta.get("format_outputs") or ()),
        formats=tuple(formats),
        select=_selectors(select),
        extend_select=_selectors(extend_select),
        ignore=_selectors(ignore),
        fail_on=fail_on,
        today=today.date() if today else None,
        jobs=jobs,
        progress=progress,
        quiet=quiet,
        show_passes=show_passes,
        show_tracebacks=show_tracebacks,
        no_color=no_color,
        baseline_file=baseline_file,
        write_baseline=write_baseline,
        plugin_modules=tuple(plugin_modules),
        no_plugins=no_plugins,
        strict_plugins=strict_plugins,
        config_file=config_file,
        no_config=no_config,
        isolated=isolated,
        trusted_ref=trusted_ref,
        no_waivers=no_waivers,
        compare=compare,
        fix=fix,
        diff=diff,
        unsafe_fixes=unsafe_fixes,
    )
    ctx.exit(execute(request))


STORED_FORMATS = ("html", "json", "markdown")


@main.command(
    "report", epilog="\b\nExit codes: 0 written, 2 not a JSON report (or a bad option), 4 the output not written."
)
# a folder or a missing file is the command's own one-line error, as with --compare
@click.argument("stored", metavar="REPORT.json", type=click.Path(readable=False))
@click.option("-f", "--format", "output_format", type=click.Choice(STORED_FORMATS), default="html", show_default=True)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, readable=False), help="Write to FILE instead of standard output."
)
@click.option(
    "--compare",
    metavar="PREVIOUS.json",
    type=click.Path(readable=False),
    help="Mark what changed since this earlier JSON report.",
)
def report_command(stored, output_format, output, compare) -> None:
    """Render a stored JSON report (`--format json`) without checking again: the record a review board is handed."""
    from . import compare as comparing

    if output is not None and os.path.realpath(output) in {
        os.path.realpath(stored),
        *([os.path.realpath(compare)] if compare else []),
    }:
        raise UsageError(f"-o {output}: that is an input of this command; write the report to another file")
    record = comparing.read_report(stored, "policycheck report")
    comparison = comparing.read(compare) if compare else None
    if output_format == "html":
        from .report import html

        pieces = html.stream(record, record["files"], comparison)
    elif output_format == "json":
        from .report import json_format

        pieces = json_format.stream_stored(record, comparison)
    else:
        from .report import markdown

        lines, note = comparing.statement_lines(record), comparing.baseline_note(record)
        pieces = iter([markdown.render_stored(record, comparison, lines, note)])
    if output is None:
        for piece in pieces:
            click.echo(piece, nl=False)
        return
    files.write_atomically(output, lambda handle: [handle.write(piece) for piece in pieces])


@main.command("rules")
@click.option(
    "--format", "output_format", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True
)
@_plugin_options
def rules_command(output_format, plugin_modules, no_plugins, strict_plugins, config_file, no_config) -> None:
    """List every rule: id, family, level, title, plugin."""
    import json  # 3.5 ms: only these subcommands print JSON

    config = read_config(config_file, no_config)
    _, registry = load(config, plugin_modules, no_plugins, strict_plugins)
    rows = [
        {
            "id": rule.id,
            "family": rule.family,
            "level": config.level(rule.id) or rule.level,
            "enabled": config.enabled(rule.id),
            "title": rule.title,
            "plugin": registry.rule_plugin[rule.id],
        }
        for rule in registry.rules.values()
    ]
    if output_format == "json":
        click.echo(json.dumps(rows, indent=2))
    elif output_format == "markdown":
        click.echo(catalogue.markdown(registry.rules, registry.rule_plugin, registry.parameter_defaults()), nl=False)
    else:
        for row in rows:
            level = row["level"] if row["enabled"] else "off"
            click.echo(f"{row['id']:<8} {row['family']:<18} {level:<5} {row['title']}  ({row['plugin']})")


@main.command("explain")
@click.argument("rule_id")
@_plugin_options
def explain_command(rule_id, plugin_modules, no_plugins, strict_plugins, config_file, no_config) -> None:
    """What a rule checks, why it matters, failing and passing examples, parameters."""
    config = read_config(config_file, no_config)
    _, registry = load(config, plugin_modules, no_plugins, strict_plugins)
    rule = registry.rules.get(rule_id.upper())
    if rule is None:
        close = close_matches(rule_id.upper(), registry.rules)
        hint = f"; did you mean {close[0]}?" if close else "; see `policycheck rules`"
        raise UsageError(f"unknown rule '{rule_id}'{hint}")
    plugin = registry.rule_plugin[rule.id]
    # what this configuration makes of the rule, not only its defaults
    source = config.source or "configuration"
    level = config.level(rule.id)
    if not config.enabled(rule.id):
        level = f"off in {source} (default: {rule.level})"
    elif level and level != rule.level:
        level = f"{level} in {source} (default: {rule.level})"
    click.echo(f"{rule.id}: {rule.title}\n\n{catalogue.header(rule, plugin, level)}")
    defaults = registry.parameter_defaults()[rule.id]
    configured = {name: value for name, value in config.params(rule.id).items() if name in defaults}
    click.echo(catalogue.explain(rule, plugin, defaults, configured=configured, source=source), nl=False)


@main.command("schema")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, readable=False), help="Write to FILE instead of standard output."
)
@click.option(
    "--version",
    "version",
    type=click.Choice(["v1", "v2"]),
    default="v2",
    show_default=True,
    help="The activity format version whose schema to print.",
)
@_plugin_options
def schema_command(output, version, plugin_modules, no_plugins, strict_plugins, config_file, no_config) -> None:
    """Print the effective activity JSON Schema (with plugin extensions)."""
    import json  # 3.5 ms: only these subcommands print JSON

    config = read_config(config_file, no_config)
    _, registry = load(config, plugin_modules, no_plugins, strict_plugins)
    schema = effective_schema(registry.reference(config.reference), registry.schema_fragments, f"activity/{version}")
    text = json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
    if output:
        files.write_text(output, text)
    else:
        click.echo(text, nl=False)


@main.command("init")
@click.argument("path", default="activity.yaml", type=click.Path(dir_okay=False, readable=False))
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@_plugin_options
def init_command(path, force, plugin_modules, no_plugins, strict_plugins, config_file, no_config) -> None:
    """Write a commented starter activity that passes every rule, and its schema (with plugins' sections) beside it."""
    import json  # 3.5 ms: only these subcommands print JSON

    from .testing import starter

    target = Path(path)
    if target.exists() and not force:
        raise UsageError(f"{path} already exists; use --force to overwrite it")
    config = read_config(config_file, no_config)
    _, registry = load(config, plugin_modules, no_plugins, strict_plugins)
    # the schema `policycheck schema` prints: editors then complete the plugins' `x-` sections too
    schema = effective_schema(registry.reference(config.reference), registry.schema_fragments)
    files.write_text(str(target), starter())
    schema_file = target.with_name("activity.schema.json")
    if not schema_file.exists():
        files.write_text(str(schema_file), json.dumps(schema, indent=2) + "\n")
    click.echo(f"wrote {target} (and {schema_file} for editor completion); check it with: policycheck {target}")


@main.command("server")
@click.option(
    "--debounce",
    type=click.IntRange(min=0),
    metavar="MS",
    help="Check an edited document this many milliseconds after the last change (default: 150).",
)
@_plugin_options
def server_command(debounce, plugin_modules, no_plugins, strict_plugins, config_file, no_config) -> None:
    """Run the language server on stdin/stdout for editors (docs/editors.md)."""
    try:
        from .server.lsp import serve  # pygls and lsprotocol: only this command imports them
    except ImportError as error:
        missing = (error.name or "").partition(".")[0]
        if missing not in ("pygls", "lsprotocol", "cattrs", "attrs"):  # the extra's packages and theirs
            raise
        raise UsageError(
            f'policycheck server needs the "server" extra ({missing} is not installed): '
            'pip install "policycheck[server]"'
        ) from None
    from .server.checking import ServerOptions

    options = ServerOptions(
        plugin_modules=tuple(plugin_modules),
        no_plugins=no_plugins,
        strict_plugins=strict_plugins,
        config_file=config_file,
        no_config=no_config,
    )
    serve(options if debounce is None else options._replace(debounce=debounce / 1000))


def _distribution_of(module: str) -> tuple[str | None, str | None]:
    """The installed distribution (name, version) that provides a `-p` module, if any."""
    from importlib.metadata import PackageNotFoundError, packages_distributions, version  # 15-25 ms

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
    import json  # 3.5 ms: only these subcommands print JSON

    config = read_config(config_file, no_config)
    _, registry = load(config, plugin_modules, no_plugins, strict_plugins)

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
        rows.append(
            {
                "name": plugin.name,
                "module": plugin.module,
                "distribution": distribution,
                "version": version,
                "rules": owned(registry.rule_plugin, plugin.name),
                "formats": owned(registry.format_plugin, plugin.name),
                "schema": owned(registry.schema_plugin, plugin.name),
                "reference": registry.reference_added.get(plugin.name, {}),
                "error": plugin.error,
            }
        )
    if output_format == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    origins = [f"{row['distribution'] or '-'} {row['version'] or ''}".strip() for row in rows]
    name_width, origin_width = max(len(row["name"]) for row in rows), max(map(len, origins))
    for row, origin in zip(rows, origins):
        parts = [
            f"{label}: {', '.join(row[key])}"
            for key, label in (("rules", "rules"), ("formats", "formats"), ("schema", "schema sections"))
            if row[key]
        ]
        if row["reference"]:
            added = "; ".join(f"{kind} {', '.join(keys)}".strip() for kind, keys in row["reference"].items())
            parts.append(f"reference data: {added}")
        status = f"FAILED: {row['error']}" if row["error"] else ("; ".join(parts) or "adds nothing")
        click.echo(f"{row['name']:<{name_width}}  {origin:<{origin_width}}  {status}")
