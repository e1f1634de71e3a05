"""The check command from its options to its exit code, one stage after another.

    discover -> check (load, validate, rules) -> finish -> render -> exit code

Each stage is a module of its own (`discover`, `engine` with `parallel`, `finish`,
`report`); this one only passes their records along. `main` calls `execute` for a
bare `policycheck PATH...`, `cli` after parsing any other command line.
"""

from __future__ import annotations

import errno
import itertools
import os
import sys
from datetime import date

from . import __version__, outputs, plugins, policy, startup
from .config import check_selectors, with_overrides
from .config_file import check as check_config
from .discover import discover
from .effective import describe
from .engine import Engine
from .errors import EXIT_OUTPUT, UsageError
from .finish import finish
from .gitref import Revision, find_root, open_revision
from .parallel import check_sources, wants_progress
from .plugins import PROJECT
from .records import Record
from .report import Report
from .waivers import Governance

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .fixes import FixRun


class CheckOptions(Record):
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
    show_tracebacks: bool = False
    no_color: bool = False
    baseline_file: str | None = None
    write_baseline: str | None = None
    plugin_modules: tuple[str, ...] = ()
    no_plugins: bool = False
    strict_plugins: bool = False
    config_file: str | None = None
    no_config: bool = False
    # where the policy comes from: nowhere in the checkout, or a trusted git revision (SECURITY.md)
    isolated: bool = False
    trusted_ref: str | None = None
    # audit: waivers are judged and listed, but hide nothing
    no_waivers: bool = False
    # a JSON report of an earlier run, to mark what changed since (`compare.py`)
    compare: str | None = None
    # --fix writes the safe fixes (and the unsafe ones with --unsafe-fixes); --diff shows them, writing nothing
    fix: bool = False
    diff: bool = False
    unsafe_fixes: bool = False


def is_terminal(stream) -> bool:
    """Whether a stream is an interactive terminal (colors, progress bars)."""
    return bool(getattr(stream, "isatty", lambda: False)())


def execute(options: CheckOptions) -> int:
    """Run the whole pipeline and write every report; the exit code (docs/cli.md)."""
    _refuse_untrusted_policy(options)
    if options.fix and not options.diff and "-" in options.paths:
        raise UsageError("--fix cannot write standard input: give the files to fix, or --diff to see the fixes")
    revision = open_revision(options.trusted_ref) if options.trusted_ref else None
    file_config = policy.read_config(options.config_file, options.no_config, revision, options.isolated)
    config = with_overrides(
        file_config,
        select=options.select,
        extend_select=options.extend_select,
        ignore=options.ignore,
        fail_on=options.fail_on,
        audit_waivers=options.no_waivers,
    )
    run_policy, registry = policy.load(
        config, options.plugin_modules, options.no_plugins or options.isolated, options.strict_plugins, options.today
    )
    selectors = {"--select": options.select, "--extend-select": options.extend_select, "--ignore": options.ignore}
    plugins.check_failed_plugins(registry, file_config, selectors)
    check_config(file_config, file_config.unknown_rules(registry.rules))
    check_selectors(selectors, registry.rules)
    check_config(config, config.bad_parameters(registry.parameter_defaults(), registry.parameter_specs()))
    targets = outputs.targets(list(options.targets) or [("text", None)], options.formats, registry.formats)
    written = [*(("--output", output) for _, output in targets), ("--write-baseline", options.write_baseline)]
    outputs.refuse_unwritable(written)
    baseline = _baseline_stage(options, revision)
    comparison = _comparison(options.compare) if options.compare else None
    governance = Governance.of(config.waivers, registry.rules, config.audit_waivers)
    statement = describe(config, file_config, selectors, registry, governance)

    paths = options.paths or (".",)
    sources = discover(paths, config.is_excluded, lambda: _read_stdin(config.max_file_size))
    if not sources:
        raise UsageError(f"no activity files (*.yaml, *.yml) found in {', '.join(paths)}")
    policy_files = [options.baseline_file, file_config.source, options.compare, *config.rule_packs]
    inputs = itertools.chain((source.path for source in sources if not source.is_stdin), filter(None, policy_files))
    outputs.refuse_writing_inputs(inputs, written)

    # a text or SARIF run does not take what only a reviewer's formats show; --compare compares it
    shown = options.compare is not None or any(registry.formats[name].reads_facts for name, _ in targets)
    engine = Engine(registry, run_policy._replace(review_facts=shown))
    startup.resume_collection()  # the run is built
    fixing = None
    if options.fix or options.diff:
        from . import fixes  # 1 ms: only --fix and --diff need it

        fixing = _fix_stage(engine, sources, options, config.max_file_size)
        if options.diff:
            return fixes.show_diff(fixing)
    checked = _check(engine, sources, options)
    del sources, inputs  # the checked store keeps every path: the Source records are done with (~80 B a file)
    finished = finish(engine, checked, baseline, tracebacks=options.show_tracebacks)
    del checked  # the finished records replace the checked ones

    color = is_terminal(sys.stdout) and not options.no_color and "NO_COLOR" not in os.environ
    report = Report(
        results=finished.results,
        rules=registry.rules,
        rule_plugins=registry.rule_plugin,
        tally=finished.tally,
        fail_on=config.fail_on,
        version=__version__,
        show_passes=options.show_passes,
        quiet=options.quiet,
        baseline=finished.baseline,
        policy=statement,
        root=find_root(os.getcwd()),
        today=run_policy.today,
        catalogue=_catalogue(engine),
        compare=comparison,
        unsafe_fixes=options.unsafe_fixes,
    )
    if getattr(baseline, "error", None) is not None:  # --write-baseline failed; the reports are still written
        print(f"policycheck: error: {baseline.error}", file=sys.stderr)
        outputs.write(report, targets, registry.formats, color)
        return EXIT_OUTPUT
    code = outputs.write(report, targets, registry.formats, color) or finished.tally.exit_code(config.fail_on)
    return code if fixing is None else fixes.summarize(fixing, finished.tally, code)


def _fix_stage(engine: Engine, sources, options: CheckOptions, max_bytes: int) -> "FixRun":
    """Every applicable fix made in memory, each pass re-checked; written (atomically) unless --diff."""
    from . import fixes

    first = finish(engine, _check(engine, sources, options))
    run = fixes.fix_run(
        sources,
        first,
        lambda fixed: finish(engine, check_sources(engine, fixed, options.jobs)),
        options.unsafe_fixes,
        max_bytes,
    )
    if not options.diff:
        fixes.write(run)
    return run


def _catalogue(engine: Engine) -> dict:
    """The rules as this run applied them, and the plugins that gave them: what the JSON report hashes."""
    rules = {
        rule.id: {"level": engine.level(rule), "parameters": dict(engine.contexts[rule.id].params)}
        for rule in engine.enabled
    }
    plugins = [
        # the built-ins are policycheck's own: its version is theirs
        {"name": plugin.name, "version": plugin.version or (__version__ if plugin.distribution == PROJECT else None)}
        for plugin in engine.registry.plugins
        if not plugin.error
    ]
    return {"rules": rules, "plugins": sorted(plugins, key=lambda plugin: (plugin["name"], plugin["version"] or ""))}


def _read_stdin(limit: int) -> bytes:
    """One byte past the limit is enough to report it: never hold an endless stream in memory."""
    if sys.stdin is None:  # started with standard input closed
        raise OSError(errno.EBADF, "standard input is closed")
    return sys.stdin.buffer.read(limit + 1)


def _refuse_untrusted_policy(options: CheckOptions) -> None:
    """`--isolated` takes nothing from the checkout: options that would are usage errors, not ignored."""
    if not options.isolated:
        return
    refused = [
        (options.plugin_modules, f"-p {' -p '.join(options.plugin_modules)}", "loads no plugin"),
        (options.config_file, f"--config {options.config_file}", "reads no configuration file"),
        (options.trusted_ref, f"--trusted-ref {options.trusted_ref}", "takes no policy from a revision either"),
        (options.baseline_file, f"--baseline {options.baseline_file}", "reads no baseline from the checkout"),
    ]
    for given, option, why in refused:
        if given:
            hint = "; to read a baseline, use --trusted-ref REF instead" if option.startswith("--baseline") else ""
            raise UsageError(f"{option} is refused: --isolated {why}{hint}")


def _baseline_stage(options: CheckOptions, revision: Revision | None = None):
    """What the finishing stage does with a baseline: apply one, record one, or nothing.

    With a trusted revision the baseline is the one that revision has.
    """
    if options.baseline_file and options.write_baseline:
        raise UsageError(
            "give either --baseline FILE (report new findings) or --write-baseline FILE (record findings), not both"
        )
    if not (options.baseline_file or options.write_baseline):
        return None
    from . import baseline  # as compare below: a run that needs neither does not import them (issue 21)

    if options.write_baseline:
        return baseline.Recording(options.write_baseline)
    if revision is not None:
        path = revision.path_of(options.baseline_file)
        label = revision.label(path)
        return baseline.Applying(baseline.read(label, revision.read(path, "baseline")), label)
    return baseline.Applying(baseline.read(options.baseline_file), options.baseline_file)


def _comparison(path: str):
    from . import compare

    return compare.read(path)


def _check(engine: Engine, sources, options: CheckOptions):
    if not wants_progress(options.progress, len(sources), is_terminal(sys.stderr), os.environ):
        return check_sources(engine, sources, options.jobs)
    import click  # the bar is for long runs, where its import does not show

    with click.progressbar(length=len(sources), label="Checking", file=sys.stderr) as bar:
        return check_sources(engine, sources, options.jobs, bar.update)
