"""Hostile and broken input, end to end through the real CLI.

Every case must give the documented exit code, name the file (and line:col where
there is one), print no traceback, and never hang: each run is bounded by a
timeout (how fast they are answered is for benchmarks/, not a test). The large
inputs also run in a subprocess whose peak memory is compared with checking one
small clean file. Inputs are generated in tmp directories, never committed.

Unreadable files: a test run as root can read a chmod-000 file, so there the
EACCES is simulated by making `os.open` refuse that one path (read_source opens
files with os.open); otherwise the file really is chmod 000.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from policycheck import load
from policycheck.testing import starter

from reliability_support import COMMON, Run, activity, assert_clean_failure, cli, make_unreadable, subprocess_cli

# peak RSS a bounded run may add over checking one small file (KiB)
EXTRA_MEMORY_KB = 48 * 1024
LIMIT = 10 * 1024 * 1024


def _alias_bomb() -> str:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for level in "bcdefghi":
        bomb += f"{level}: &{level} [" + ", ".join([f"*{chr(ord(level) - 1)}"] * 10) + "]\n"
    return bomb


def _deep_aliases() -> str:
    # each anchor is 60 lists deep and nests the previous one: 2,400 levels if expanded
    lines = ["k0: &k0 " + "[" * 60 + "]" * 60]
    lines += [f"k{i}: &k{i} " + "[" * 60 + f"*k{i - 1}" + "]" * 60 for i in range(1, 40)]
    return "\n".join(lines) + "\n"


START_LINES = starter().count("\n")
BINARY = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))

# (id, file content, exit code, texts the output must contain; {f} is the file's path)
CASES = [
    ("empty", b"", 1, ["{f}:1:1 FAIL LOAD001", "empty"]),
    ("only-comments", b"# nothing\n# here\n", 1, ["{f}:1:1 FAIL LOAD001", "empty"]),
    ("top-level-scalar", b"hello\n", 1, ["{f}:1:1 FAIL LOAD001", "expected a mapping", "'hello'"]),
    ("top-level-list", b"- a\n- b\n", 1, ["{f}:1:1 FAIL LOAD001", "found a list"]),
    ("top-level-null", b"~\n", 1, ["{f}:1:1 FAIL LOAD001", "expected a mapping"]),
    (
        "invalid-utf8",
        b"schema: activity/v1\nid: \xff\xfe\n",
        1,
        ["{f}:2:5 FAIL LOAD001", "not valid UTF-8 (byte 0xff)", "save the file as UTF-8"],
    ),
    ("utf8-bom", b"\xef\xbb\xbf" + starter().encode(), 0, ["{f}", "no findings"]),
    ("utf16-bom", starter().encode("utf-16"), 1, ["{f}:1:1 FAIL LOAD001", "UTF-16", "save it as UTF-8"]),
    ("utf16-no-bom", starter().encode("utf-16-le"), 1, ["{f}:1:1 FAIL LOAD001", "UTF-16", "save it as UTF-8"]),
    ("nul-bytes", b"schema: activity/v1\nid: A\x00B\n", 1, ["{f}:2:6 FAIL LOAD001", "NUL"]),
    ("binary-png", BINARY, 1, ["{f}:3:1 FAIL LOAD001", "binary data"]),
    ("binary-no-nul", bytes(range(1, 256)) * 4, 1, ["{f}:", "FAIL LOAD001", "not valid UTF-8 (byte 0x80)"]),
    ("control-character", b"schema: activity/v1\ntitle: a\x01b\n", 1, ["{f}:2:9 FAIL LOAD001", "U+0001"]),
    (
        "tab-indentation",
        b"schema: activity/v1\npartner:\n\tcountry: ALB\n",
        1,
        ["{f}:3:1 FAIL LOAD001", "indent with spaces"],
    ),
    ("alias-bomb", _alias_bomb().encode(), 1, ["{f}:6:8 FAIL LOAD001", "more than 200000 nodes"]),
    ("recursive-alias-list", b"a: &x [1, *x]\n", 1, ["{f}:1:11 FAIL LOAD001", "recursive alias"]),
    ("recursive-alias-map", b"a: &x {b: {c: *x}}\n", 1, ["{f}:1:15 FAIL LOAD001", "recursive alias"]),
    (
        "nesting-flow-10000",
        b"a: " + b"[" * 10000 + b"]" * 10000 + b"\n",
        1,
        ["{f}:1:", "FAIL LOAD001", "nesting deeper than 64 levels"],
    ),
    (
        "nesting-flow-maps-10000",
        b"{a: " * 10000 + b"}" * 10000 + b"\n",
        1,
        ["{f}:1:", "FAIL LOAD001", "nesting deeper than 64 levels"],
    ),
    ("nesting-block-10000", b"- " * 10000 + b"x\n", 1, ["{f}:1:", "FAIL LOAD001", "nesting deeper than 64 levels"]),
    ("nesting-through-aliases", _deep_aliases().encode(), 1, ["{f}:2:69 FAIL LOAD001", "through aliases"]),
    (
        "huge-integer",
        b"schema: activity/v1\nid: " + b"9" * 5000 + b"\n",
        1,
        ["{f}:2:5 FAIL LOAD001", "too long (5000 digits, over the 4,300-digit limit)"],
    ),
    (
        "huge-hex-integer",
        b"schema: activity/v1\nid: 0x" + b"f" * 5000 + b"\n",
        1,
        ["{f}:2:5 FAIL LOAD001", "over the 4,300-digit limit"],
    ),
    (
        "huge-octal-integer",
        b"schema: activity/v1\nid: 0o" + b"7" * 5000 + b"\n",
        1,
        ["{f}:2:5 FAIL LOAD001", "over the 4,300-digit limit"],
    ),
    (
        "hex-integer-too-long-in-decimal",  # 4,000 hex digits are ~4,800 decimal ones: a rule's str() crashed
        b"schema: activity/v1\nid: 0x" + b"f" * 4000 + b"\n",
        1,
        ["{f}:2:5 FAIL LOAD001", "(4000 hex digits, over the 4,300-digit limit once written in decimal)"],
    ),
    ("not-a-number", b"schema: activity/v1\nbudget: {amount: .nan}\n", 1, ["{f}:2:18 FAIL LOAD001", "not a finite"]),
    ("infinity", b"schema: activity/v1\nbudget: {amount: -.inf}\n", 1, ["{f}:2:18 FAIL LOAD001", "not a finite"]),
    ("overflowing-float", b"schema: activity/v1\nbudget: {amount: 1e999}\n", 1, ["{f}:2:18 FAIL LOAD001", "infinite"]),
    (
        "very-long-line",
        activity(("summary: >\n", "summary: " + "word " * 1_000_000 + "\nx-was-summary: >\n")).encode(),
        0,
        ["{f}", "no findings"],
    ),
    # a plain key is at most 1024 characters; `?` makes an explicit one of any length
    (
        "very-long-duplicate-key",
        b"? " + b"k" * 1_000_000 + b"\n: 1\n? " + b"k" * 1_000_000 + b"\n: 2\n",
        1,
        ["{f}:3:3 FAIL LOAD001", "duplicate key 'kkkk"],
    ),
    # values quoted in messages (SCH001, rule messages, the id in every header) are cut short
    (
        "huge-title",
        activity(("title: Advisory", "title: " + "a" * 2_000_000 + " Advisory")).encode(),
        1,
        ["{f}:7:1 FAIL SCH001", "characters)"],
    ),
    (
        "huge-id",
        activity(("id: ALB-2027-NDS-01", "id: " + "A" * 2_000_000)).encode(),
        1,
        ["{f}:6:1 FAIL SCH001", "(2,000,000 characters)"],
    ),
    (
        "duplicate-key",
        (starter() + "id: OTHER-1\n").encode(),
        1,
        [f"{{f}}:{START_LINES + 1}:1 FAIL LOAD001", "duplicate key 'id' (first defined on line 6)"],
    ),
    (
        "multi-document",
        (starter() + "---\n" + starter()).encode(),
        1,
        [f"{{f}}:{START_LINES + 1}:1 FAIL LOAD001", "more than one YAML document"],
    ),
    (
        "python-object-tag",
        b"schema: activity/v1\nid: !!python/object:os.system x\n",
        1,
        ["{f}:2:5 FAIL LOAD001", "python/object:os.system' is not allowed"],
    ),
    (
        "python-apply-tag",
        b"schema: !!python/object/apply:os.system ['echo hi']\n",
        1,
        ["{f}:1:9 FAIL LOAD001", "is not allowed"],
    ),
    (
        "custom-tag",
        b"schema: activity/v1\npartner: !partner {country: ALB}\n",
        1,
        ["{f}:2:10 FAIL LOAD001", "'!partner' is not allowed"],
    ),
    (
        "mismatched-core-tag",
        b"schema: activity/v1\nid: !!map x\n",
        1,
        ["{f}:2:5 FAIL LOAD001", "cannot be tagged !!map"],
    ),
]


def _write(tmp_path: Path, case: str, content: bytes) -> str:
    path = tmp_path / f"{case}.yaml"
    path.write_bytes(content)
    return str(path)


@pytest.mark.parametrize(("case", "content", "code", "expected"), CASES, ids=[case[0] for case in CASES])
def test_hostile_file_gives_a_clean_finding(tmp_path, case, content, code, expected):
    path = _write(tmp_path, case, content)
    run = cli(path, *COMMON)
    assert_clean_failure(run, code, *(text.format(f=path) for text in expected))
    assert len(run.output) < 10_000, "messages quote document text only briefly"


def test_directory_named_like_a_yaml_file(tmp_path):
    folder = tmp_path / "x.yaml"
    (folder / "inner").mkdir(parents=True)
    run = cli(str(folder), *COMMON)
    assert_clean_failure(run, 1, f"{folder}:1:1 FAIL LOAD001 cannot read the file: is a directory")


def test_symlink_loop(tmp_path):
    (tmp_path / "a.yaml").symlink_to(tmp_path / "b.yaml")
    (tmp_path / "b.yaml").symlink_to(tmp_path / "a.yaml")
    run = cli(str(tmp_path / "a.yaml"), *COMMON)
    assert_clean_failure(
        run, 1, f"{tmp_path / 'a.yaml'}:1:1 FAIL LOAD001 cannot read the file: Too many levels of symbolic links"
    )


def test_symlink_loop_inside_a_directory_is_reported_not_skipped(tmp_path):
    (tmp_path / "ok.yaml").write_text(starter(), encoding="utf-8")
    (tmp_path / "loop.yaml").symlink_to(tmp_path / "loop.yaml")
    run = cli(str(tmp_path), *COMMON)
    assert_clean_failure(run, 1, f"{tmp_path / 'loop.yaml'}:1:1 FAIL LOAD001", f"{tmp_path / 'ok.yaml'}")


def test_dangling_symlink_exists_so_it_is_a_finding(tmp_path):
    (tmp_path / "gone.yaml").symlink_to(tmp_path / "nowhere.yaml")
    run = cli(str(tmp_path / "gone.yaml"), *COMMON)
    assert_clean_failure(
        run, 1, f"{tmp_path / 'gone.yaml'}:1:1 FAIL LOAD001 cannot read the file: No such file or directory"
    )


def test_path_that_does_not_exist_is_a_usage_error(tmp_path):
    missing = tmp_path / "missing.yaml"
    run = cli(str(missing), *COMMON)
    assert_clean_failure(run, 2, f"{missing}: no such file or directory")
    assert run.stdout == ""


def test_fifo_named_yaml_in_this_process(tmp_path):
    # O_NONBLOCK plus fstat: never blocks on a pipe with no writer (a regression hangs
    # here, so the subprocess test below, with a timeout, is the one to read first)
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    run = cli(str(fifo), *COMMON)
    assert_clean_failure(
        run, 1, f"{fifo}:1:1 FAIL LOAD001 cannot read the file: is not a regular file", "use - to read standard input"
    )


def test_unreadable_file(tmp_path, monkeypatch):
    path = tmp_path / "secret.yaml"
    path.write_text(starter(), encoding="utf-8")
    make_unreadable(path, monkeypatch)
    try:
        run = cli(str(path), *COMMON)
    finally:
        path.chmod(0o644)
    assert_clean_failure(run, 1, f"{path}:1:1 FAIL LOAD001 cannot read the file: Permission denied", "permissions")


# --- real processes: hangs, files that change under the run, memory ------------------


def test_fifo_in_a_real_process_does_not_hang(tmp_path):
    """`python -m policycheck` exactly as a user runs it; the timeout turns a hang into a failure."""
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    process = subprocess.run(
        [sys.executable, "-m", "policycheck", str(fifo), *COMMON],
        capture_output=True,
        text=True,
        timeout=20,
        cwd=tmp_path,
    )
    run = Run(process.returncode, process.stdout, process.stderr)
    assert_clean_failure(run, 1, f"{fifo}:1:1 FAIL LOAD001 cannot read the file: is not a regular file")


@pytest.mark.parametrize(
    ("action", "message"), [("delete", "No such file or directory"), ("fifo", "is not a regular file")]
)
def test_file_changed_while_the_run_goes(tmp_path, action, message):
    """A plugin rule, run on the first file, deletes the second (or swaps in a FIFO) before it is read."""
    first, second, third = (tmp_path / f"{name}.yaml" for name in ("a", "b", "c"))
    for index, path in enumerate((first, second, third)):
        path.write_text(activity(("id: ALB-2027-NDS-01", f"id: ALB-2027-NDS-0{index}")), encoding="utf-8")
    env = {"POLICYCHECK_SABOTAGE": action, "POLICYCHECK_SABOTAGE_PATH": str(second)}
    run = subprocess_cli(str(first), str(second), str(third), "-p", "sabotage_plugin", "--jobs", "1", *COMMON, env=env)
    assert_clean_failure(run, 1, f"{second}:1:1 FAIL LOAD001 cannot read the file: {message}")
    lines = run.stdout.splitlines()
    assert f"{first}  [CUI//REL TO USA, ALB]  ALB-2027-NDS-00" in lines
    assert f"{third}  [CUI//REL TO USA, ALB]  ALB-2027-NDS-02" in lines
    assert "3 files checked: 1 failed, 0 with warnings, 2 passed" in run.stdout


def test_file_deleted_mid_run_in_this_process(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(Path(__file__).parent))
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.write_text(starter(), encoding="utf-8")
    second.write_text(activity(("id: ALB-2027-NDS-01", "id: ALB-2027-NDS-02")), encoding="utf-8")
    monkeypatch.setenv("POLICYCHECK_SABOTAGE", "delete")
    monkeypatch.setenv("POLICYCHECK_SABOTAGE_PATH", str(second))
    run = cli(str(first), str(second), "-p", "sabotage_plugin", "--jobs", "1", *COMMON)
    assert_clean_failure(
        run, 1, f"{second}:1:1 FAIL LOAD001 cannot read the file: No such file or directory", f"{first}  [CUI"
    )


def test_file_swapped_for_a_fifo_between_stat_and_open(tmp_path, monkeypatch):
    """The race itself: stat sees a regular file, open finds a FIFO. O_NONBLOCK plus fstat
    of the descriptor refuse it; a plain open() would block forever (hence the thread)."""
    import threading

    from policycheck.discover import Source, UnreadableSource, read_source

    regular, fifo = tmp_path / "regular.yaml", tmp_path / "swapped.yaml"
    regular.write_text(starter(), encoding="utf-8")
    os.mkfifo(fifo)
    real_stat = os.stat
    monkeypatch.setattr(
        os,
        "stat",
        lambda path, *args, **kwargs: real_stat(regular if os.fspath(path) == str(fifo) else path, *args, **kwargs),
    )
    outcome = []

    def read():
        try:
            read_source(Source(str(fifo)), LIMIT)
        except UnreadableSource as error:
            outcome.append(str(error))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout=5)
    assert not reader.is_alive(), "read_source blocked on a FIFO"
    assert outcome == ["is not a regular file (a pipe, socket or device)"]


@pytest.fixture(scope="module")
def fifty_megabytes(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("big") / "big.yaml"
    line = b"  " + b"y" * 97 + b"\n"
    with open(path, "wb") as handle:
        handle.write(starter().encode() + b"x-padding: |\n")
        for _ in range(50):  # a megabyte at a time: the 50 MB are never in this process's memory
            handle.write(line * (1024 * 1024 // len(line)))
    return path


def test_fifty_megabyte_file_is_refused_before_it_is_read(fifty_megabytes, baseline_rss):
    run = subprocess_cli(str(fifty_megabytes), *COMMON)
    assert_clean_failure(
        run,
        1,
        f"{fifty_megabytes}:1:1 FAIL LOAD001",
        f"over the {LIMIT}-byte limit (max_file_size)",
        "raise max_file_size",
    )
    assert run.max_rss_kb < baseline_rss + 8 * 1024, (run.max_rss_kb, baseline_rss)


def test_size_limit_is_configurable(tmp_path):
    path = tmp_path / "ok.yaml"
    path.write_text(starter(), encoding="utf-8")
    config = tmp_path / "small.yaml"
    config.write_text("max_file_size: 1000\n", encoding="utf-8")
    run = cli(str(path), "--config", str(config), "--no-plugins", "--today", "2027-01-01")
    assert_clean_failure(
        run,
        1,
        f"{path}:1:1 FAIL LOAD001 cannot read the file: is {path.stat().st_size} bytes, over the 1000-byte limit",
    )
    config.write_text(f"max_file_size: {path.stat().st_size}\n", encoding="utf-8")
    run = cli(str(path), "--config", str(config), "--no-plugins", "--today", "2027-01-01")
    assert_clean_failure(run, 0, "no findings")


@pytest.mark.parametrize(
    "case",
    [
        "alias-bomb",
        "nesting-flow-10000",
        "nesting-through-aliases",
        "very-long-line",
        "very-long-duplicate-key",
        "huge-id",
    ],
)
def test_big_inputs_in_bounded_memory(tmp_path, case, baseline_rss):
    [(_, content, code, _)] = [entry for entry in CASES if entry[0] == case]
    path = _write(tmp_path, case, content)
    run = subprocess_cli(path, *COMMON)
    assert_clean_failure(run, code, path)
    assert run.max_rss_kb < baseline_rss + EXTRA_MEMORY_KB, (run.max_rss_kb, baseline_rss)


def test_endless_standard_input_is_cut_at_the_limit(tmp_path, baseline_rss):
    config = tmp_path / "config.yaml"
    config.write_text("max_file_size: 100000\n", encoding="utf-8")
    with open("/dev/zero", "rb") as zeros:
        run = subprocess_cli("-", "--config", str(config), "--no-plugins", "--today", "2027-01-01", stdin=zeros)
    assert_clean_failure(
        run, 1, "<stdin>:1:1 FAIL LOAD001 cannot read the file: standard input is larger than the 100000-byte limit"
    )
    assert run.max_rss_kb < baseline_rss + 8 * 1024


# --- the loader itself ---------------------------------------------------------------


def test_the_c_parser_is_used():
    from yaml._yaml import CParser

    assert load._EventParser is CParser


def _pure_python_parser():
    """The pure-Python event parser load.py falls back to, built the same way."""
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class PureParser(Reader, Scanner, Parser):
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)

    return PureParser


@pytest.mark.parametrize(
    "text",
    [
        starter(),
        "a: &x {b: [1, 2.5, NO, 0755, 1e3, 2027-01-15, ~, true]}\nc: *x\n",
        "a: 1\na: 2\n",
        "a: &x [1, *x]\n",
        "a: 1\n---\nb: 2\n",
        "a:\n\tb: 1\n",
        "x: y\nz: \u00e9\u00e9\x01\n",
        "a: " + "[" * 100 + "]" * 100 + "\n",
        _alias_bomb(),
        "a: !!python/object:os.system x\n",
        "a: [1, 2\n",
        "# only a comment\n",
    ],
    ids=[
        "starter",
        "scalars",
        "duplicate",
        "recursive",
        "multi",
        "tabs",
        "control",
        "deep",
        "bomb",
        "tag",
        "unclosed",
        "empty",
    ],
)
def test_pure_python_fallback_agrees_with_the_c_parser(monkeypatch, text):
    def outcome():
        try:
            loaded = load.parse(text)
            return ("ok", loaded.data, loaded.positions)
        except load.LoadError as error:
            return ("error", error.message, error.line, error.column)

    with_c = outcome()
    monkeypatch.setattr(load, "_EventParser", _pure_python_parser())
    with_python = outcome()
    if with_c[0] == "error" and "syntax error" in with_c[1]:
        # the two scanners word some syntax errors differently; the place must agree
        assert with_python[0] == "error" and with_python[2:] == with_c[2:]
    else:
        assert with_python == with_c


def test_no_recursion_error_at_any_stage(tmp_path):
    """10,000 levels (the deepest case above) never reach freeze or validation: prove
    the loader stops them, and that the deepest document it accepts goes through
    every stage without trouble."""
    deepest = load.Limits().max_depth
    nested = "[" * (deepest - 2) + "]" * (deepest - 2)
    path = tmp_path / "deep.yaml"
    path.write_text(starter() + f"x-deep: {nested}\n", encoding="utf-8")
    run = cli(str(path), *COMMON, "--format", "json")
    assert_clean_failure(run, 0, '"findings": []')
    with pytest.raises(load.LoadError, match="nesting deeper"):
        load.parse(starter() + "x-deep: " + "[" * deepest + "]" * deepest + "\n")


@pytest.mark.parametrize("output_format", ["text", "json", "github", "markdown"])
def test_document_text_cannot_drive_the_terminal_or_forge_lines(tmp_path, output_format):
    """ESC/BEL sequences, newlines and bidi overrides quoted from a document are shown escaped."""
    path = tmp_path / "escapes.yaml"
    path.write_text(
        activity(
            ("id: ALB-2027-NDS-01", 'id: "\\e]0;owned\\a\\e[2J"'),
            ("title: Advisory", '"x-\\e[31m": 1\n"x-\\e[31m": 2\ntitle: Advisory'),
        ),
        encoding="utf-8",
    )
    run = cli(str(path), *COMMON, "--format", output_format)
    assert_clean_failure(run, 1, "x1b")
    for character in ("\x1b", "\x07", "\r"):
        assert character not in run.output

    path.write_text(
        activity(("id: ALB-2027-NDS-01", 'id: "BAD\\nforged.yaml:1:1 PASS \\u202egnp.exe"')), encoding="utf-8"
    )
    run = cli(str(path), *COMMON, "--format", output_format)
    assert_clean_failure(run, 1, "BAD", "x0aforged.yaml")
    assert "\nforged.yaml" not in run.output and "\u202e" not in run.output
    if output_format == "text":
        assert f"{path}  [CUI//REL TO USA, ALB]  BAD\\x0aforged.yaml:1:1 PASS \\u202egnp.exe\n" in run.output
