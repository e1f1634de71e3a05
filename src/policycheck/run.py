"""The check command's work, from parsed options to an exit code, without click.

`policycheck PATH...` with no options is the command run on every save, so it
starts here and never imports click (~20 ms of a ~60 ms start); any option,
subcommand or `-` goes through `cli`, which parses it into the same
`CheckOptions` and calls the same `check`.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Mapping
from datetime import date
from typing import Any, NamedTuple

from . import __version__

EXIT_USAGE = 2
# set by main while the run is built: see _resume_collection
_collection_paused = False
# `cli`'s subcommands: an argument with one of these names is a command, not a path
COMMANDS = ("check", "explain", "init", "plugins", "rules", "schema")


class UsageError(Exception):
    """A usage or configuration problem: one line on stderr, exit code 2."""


class CheckOptions(NamedTuple):
    """`policycheck check`'s options; the defaults are those of a bare `policycheck PATH...`."""

    paths: tuple[str, ...] = ()
    # (format, output file or None for stdout) in command-line order, and the --format values
    targets: tuple[tuple[str, str | None], ...] = ()
    formats: tuple[str, ...] = ()
    select: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    fail_on: str | None = None
    today: date | None = None
    jobs: int | None = None
    progress: bool | None = None
    quiet: bool = False
    show_passes: bool = False
    no_color: bool = False
    baseline_file: str | None = None
    write_baseline: str | None = None
    plugin_modules: tuple[str, ...] = ()
    no_plugins: bool = False
    strict_plugins: bool = False
    config_file: str | None = None
    no_config: bool = False


def is_terminal(stream: Any) -> bool:
    """Whether a stream is an interactive terminal (colors, progress bars)."""
    return bool(getattr(stream, "isatty", lambda: False)())


def warn(message: str) -> None:
    print(f"policycheck: warning: {message}", file=sys.stderr)


def load_config(config_file: str | None, no_config: bool):
    from .config import Config, ConfigError, discover, read

    try:
        if no_config:
            return Config()
        path = config_file or discover(os.getcwd())
        if config_file and not os.path.isfile(config_file):
            raise ConfigError(f"{config_file}: no such configuration file")
        return read(path) if path else Config()
    except ConfigError as error:
        raise UsageError(str(error)) from None


def load_registry(config, plugin_modules=(), no_plugins=False, strict_plugins=False, today=None):
    """The run's options and plugin registry; a plugin that failed to load is a warning."""
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
        warn(f"plugin '{failed.name}' ({failed.module}) failed to load and is skipped: {failed.error}")
    return options, registry


def check(request: CheckOptions) -> int:
    """Run the whole pipeline and write every report; the exit code (docs/cli.md)."""
    from .config import ConfigError, check_selectors, with_overrides
    from .discover import DiscoveryError, discover
    from .engine import Engine
    from .findings import exit_code
    from .parallel import check_sources, wants_progress
    from .report import Report

    file_config = load_config(request.config_file, request.no_config)
    config = with_overrides(
        file_config,
        select=request.select,
        extend_select=request.extend_select,
        ignore=request.ignore,
        fail_on=request.fail_on,
    )
    run_date = request.today or date.today()
    options, registry = load_registry(
        config, request.plugin_modules, request.no_plugins, request.strict_plugins, run_date
    )
    try:
        file_config.check_rule_ids(registry.rules)
        check_selectors(
            {"--select": request.select, "--extend-select": request.extend_select, "--ignore": request.ignore},
            registry.rules,
        )
        config.check_params(registry.parameter_defaults())
    except ConfigError as error:
        raise UsageError(str(error)) from None
    targets = output_targets(list(request.targets) or [("text", None)], request.formats, registry.formats)
    baseline_file, write_baseline = request.baseline_file, request.write_baseline
    if baseline_file and write_baseline:
        raise UsageError(
            "give either --baseline FILE (report new findings) or --write-baseline FILE (record findings), not both"
        )
    recorded = None
    if baseline_file or write_baseline:
        from . import baseline  # only runs that use a baseline pay for it
    if baseline_file:
        try:
            recorded = baseline.read(baseline_file)
        except baseline.BaselineError as error:
            raise UsageError(str(error)) from None
    paths = request.paths or (".",)
    try:
        # one byte past the limit is enough to report it: never hold an endless stream in memory
        sources = discover(paths, config.is_excluded, lambda: sys.stdin.buffer.read(config.max_file_size + 1))
    except DiscoveryError as error:
        raise UsageError(str(error)) from None
    if not sources:
        raise UsageError(f"no activity files (*.yaml, *.yml) found in {', '.join(paths)}")
    _refuse_writing_inputs(
        sources, [*(("--output", output) for _, output in targets), ("--write-baseline", write_baseline)]
    )

    engine = Engine(registry, config, run_date)
    _resume_collection()
    if wants_progress(request.progress, len(sources), is_terminal(sys.stderr), os.environ):
        import click  # the bar is for long runs, where its import does not show

        with click.progressbar(length=len(sources), label="Checking", file=sys.stderr) as bar:
            results = check_sources(engine, options, sources, request.jobs, bar.update)
    else:
        results = check_sources(engine, options, sources, request.jobs)
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
    color = is_terminal(sys.stdout) and not request.no_color and "NO_COLOR" not in os.environ
    report = Report(
        results=results,
        rules=registry.rules,
        rule_plugins=registry.rule_plugin,
        fail_on=config.fail_on,
        version=__version__,
        show_passes=request.show_passes,
        quiet=request.quiet,
        baseline=baseline_result,
    )
    write_reports(report, targets, registry.formats, color)
    return exit_code(results, config.fail_on)


def _refuse_writing_inputs(sources, outputs: list[tuple[str, str | None]]) -> None:
    """The input is never written to: not even by a report sent to one of the inputs.

    A function of its own so the set of resolved input paths (~1.2 MB at 10,000
    files) is freed before the run, not held to its end.
    """
    inputs = {os.path.realpath(source.path) for source in sources if not source.is_stdin}
    for flag, output in outputs:
        if output is not None and os.path.realpath(output) in inputs:
            raise UsageError(f"{flag} {output} is one of the files being checked; write it elsewhere")


def output_targets(
    targets: list[tuple[str, str | None]], formats: tuple[str, ...], known: Mapping[str, Any]
) -> list[tuple[str, str | None]]:
    """The (format, output file or None for stdout) pairs, or a usage error saying what is wrong."""
    if formats and [name for name, _ in targets][-len(formats) :] != list(formats):
        # e.g. -qfjson: never guess which output a format goes to (an --output before any --format is text)
        raise UsageError(
            "cannot pair each --format with its --output; write them as separate options: --format NAME --output FILE"
        )
    written = [output for _, output in targets if output is not None]
    if len(set(written)) != len(written):
        raise UsageError("two formats write the same --output file; give each its own")
    for name, _ in targets:
        if name not in known:
            raise UsageError(f"unknown format '{name}' (available: {', '.join(sorted(known))})")
    if sum(1 for _, output in targets if output is None) > 1:
        raise UsageError("only one format can go to standard output; give the others --output FILE")
    return targets


class _Stdout:
    """Standard output, looked up at each write (a test runner may swap it), colors passed through."""

    def write(self, text: str) -> None:
        sys.stdout.write(text)


class _WindowsConsole:
    """Through click, which turns colors into console calls where the terminal needs it."""

    def write(self, text: str) -> None:
        import click

        click.echo(text, nl=False, color=True)


def write_reports(report, targets: list[tuple[str, str | None]], formats: Mapping[str, Any], color: bool) -> None:
    """Each format to its file, or to standard output (the only one that may be colored)."""
    for name, output in targets:
        if output is None:
            stdout = _WindowsConsole() if color and sys.platform == "win32" else _Stdout()
            formats[name].write(report._replace(color=color), stdout)
        else:
            with open(output, "w", encoding="utf-8", newline="\n") as handle:
                formats[name].write(report, handle)


def _resume_collection() -> None:
    """Collect cycles again once the run is built, leaving out what was built.

    Modules, rules, schemas and reference data are tens of thousands of objects
    that live to the end; collecting among them while they are created was ~5 ms
    of a cold start, and walking them again at every later collection slows a
    large portfolio. `main` pauses collection; `gc.freeze` sets them aside.
    """
    global _collection_paused
    if _collection_paused:
        _collection_paused = False
        gc.freeze()
        gc.enable()


def _plain(args: list[str]) -> bool:
    """Only paths: no option, no subcommand, no `-` for standard input."""
    return bool(args) and args[0] not in COMMANDS and not any(arg.startswith("-") for arg in args)


def main(argv: list[str] | None = None) -> None:
    """The `policycheck` command."""
    global _collection_paused
    gc.disable()  # until the run is built: see _resume_collection
    _collection_paused = True
    try:
        _main(sys.argv[1:] if argv is None else list(argv))
    finally:  # whatever ended the command (a subcommand, an error), a caller gets collection back
        _resume_collection()


def _main(args: list[str]) -> None:
    if not _plain(args):
        from .cli import main as click_main

        click_main(args)
        return
    try:
        code = check(CheckOptions(paths=tuple(args)))
    except UsageError as error:
        print(f"policycheck: error: {error}", file=sys.stderr)
        code = EXIT_USAGE
    except KeyboardInterrupt:  # as click reports it
        print("\nAborted!", file=sys.stderr)
        code = 1
    except BrokenPipeError:  # a reader that stopped early, e.g. `| head`: no traceback at exit either
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = 1
    sys.exit(code)
