"""`policycheck --fix`, `--diff` and `--unsafe-fixes` through the real command, on copies of the examples
and on hostile documents: every byte outside the fixed nodes kept, nothing written that cannot be
reproduced exactly, never standard input."""

import difflib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from policycheck.fixes import _Tree
from policycheck.load import parse
from policycheck.testing import check

ROOT = Path(__file__).resolve().parents[2]
COMMAND = str(Path(sys.executable).parent / "policycheck")
TODAY = "2027-01-01"  # testing.check's day, so the in-process check and the command agree


def run(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [COMMAND, *args, "--no-config", "--no-plugins", "--today", TODAY],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _allowed(text: str, findings) -> list[tuple[int, int]]:
    """The spans a fix may change: the container of each node an edit names, through the end of its last line."""
    tree = _Tree(text)
    spans = []
    for finding in findings:
        for edit in finding.fix.edits:
            path = tuple(edit.path) if not isinstance(edit.path, str) else None
            assert path is not None
            container = path if edit.op == "reorder" else path[:-1]
            node = tree.nodes[container]
            spans.append((node.start_mark.index, tree.next_line(tree.end(node))))
    return spans


def test_fix_on_every_example_changes_only_the_fixed_nodes_and_the_fixed_findings_go(tmp_path):
    shutil.copytree(ROOT / "examples", tmp_path, dirs_exist_ok=True)
    found = sorted(path for path in tmp_path.rglob("*") if path.suffix in (".yaml", ".yml"))
    before = {str(path.relative_to(tmp_path)): path.read_text(encoding="utf-8") for path in found}
    assert "broken/typo-in-keys.yaml" in before
    first = {name: check(text, base=False, file=name) for name, text in before.items()}
    fixable = {name: [f for f in found if f.fix is not None and f.fix.safe] for name, found in first.items()}
    assert any(fixable.values()), "the examples should give the fixes something to do"

    result = run("--fix", *before, cwd=tmp_path)
    assert "fixed" in result.stderr and "Traceback" not in result.stderr
    for name, old in before.items():
        new = (tmp_path / name).read_text(encoding="utf-8")
        if not fixable[name]:
            assert new == old, name
            continue
        spans = _allowed(old, fixable[name])
        matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
        for tag, start, end, _s, _e in matcher.get_opcodes():
            if tag != "equal":
                assert any(low <= start and end <= high for low, high in spans), (name, old[start:end], new[_s:_e])
        again = check(new, base=False, file=name)
        assert [f for f in again if f.fix is not None and f.fix.safe] == [], name
        gone = {(f.rule_id, f.message) for f in fixable[name]} & {(f.rule_id, f.message) for f in again}
        assert not gone, name


def test_diff_writes_nothing_and_its_diff_applies_to_give_what_fix_writes(tmp_path):
    example = ROOT / "examples" / "pif-regional-maritime-training.yaml"
    target = tmp_path / "a.yaml"
    shutil.copy(example, target)
    original = target.read_bytes()
    result = run("--diff", "a.yaml", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert target.read_bytes() == original
    assert result.stdout.startswith("--- a.yaml\n+++ a.yaml\n@@ ")
    patch = tmp_path / "fix.patch"
    patch.write_text(result.stdout, encoding="utf-8")
    subprocess.run(["patch", "-s", "-o", str(tmp_path / "patched.yaml"), str(target), str(patch)], check=True)
    assert run("--fix", "a.yaml", cwd=tmp_path).returncode in (0, 1)
    assert (tmp_path / "patched.yaml").read_bytes() == target.read_bytes() != original


def test_diff_with_nothing_to_fix_is_empty_and_exit_0(tmp_path):
    shutil.copy(ROOT / "examples" / "reference.yaml", tmp_path / "a.yaml")
    result = run("--diff", "a.yaml", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (0, "")


def test_fix_on_standard_input_is_a_usage_error():
    text = (ROOT / "examples" / "pif-regional-maritime-training.yaml").read_text(encoding="utf-8")
    result = run("--fix", "-", cwd=ROOT, stdin=text)
    assert result.returncode == 2 and "--fix cannot write standard input" in result.stderr


UNSAFE = "releasability:\n  classification: CUI\n  dissemination: [NOFORN, REL TO]\n  rel_to: [USA, ALB]\n"


def _starter(tmp_path: Path, releasability: str) -> Path:
    from policycheck.testing import activity_text

    target = tmp_path / "a.yaml"
    target.write_text(activity_text(releasability), encoding="utf-8")
    return target


def test_unsafe_fixes_only_with_unsafe_fixes(tmp_path):
    target = _starter(tmp_path, UNSAFE)
    original = target.read_text(encoding="utf-8")
    result = run("--fix", "a.yaml", cwd=tmp_path)
    assert target.read_text(encoding="utf-8") == original and result.returncode == 1
    assert "REL001" in result.stdout
    result = run("--fix", "--unsafe-fixes", "a.yaml", cwd=tmp_path)
    assert parse(target.read_text(encoding="utf-8")).data["releasability"]["dissemination"] == ["REL TO"]
    assert "REL001" not in result.stdout and "1 fixed" in result.stderr


def test_a_fix_that_cannot_be_made_exactly_leaves_the_file_untouched_with_a_message(tmp_path):
    target = tmp_path / "a.yaml"
    from policycheck.testing import activity_text

    text = activity_text("releasability:\n  rel_to: [ALB, USA]\n")
    # the list is shared through an anchor: reordering it would reorder the alias too
    text = text.replace("rel_to:\n  - ALB\n  - USA\n", "rel_to: &codes [ALB, USA]\n") + "x-copy: *codes\n"
    target.write_text(text, encoding="utf-8")
    os.chmod(target, 0o640)
    result = run("--fix", "a.yaml", cwd=tmp_path)
    assert target.read_text(encoding="utf-8") == text
    assert result.returncode == 1
    assert "a.yaml: REL005 at line" in result.stderr and "anchor" in result.stderr


def test_fix_keeps_the_files_mode_and_exits_0_when_everything_is_fixed(tmp_path):
    target = _starter(tmp_path, "releasability:\n  rel_to: [ALB, USA]\n")
    os.chmod(target, 0o640)
    result = run("--fix", "a.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "found 1 findings (1 fixed, 0 remaining)" in result.stderr
    assert os.stat(target).st_mode & 0o777 == 0o640


HOSTILE = [
    # flow style, odd quoting and spacing, a comment between keys
    'releasability:\n  classification: CUI\n  dissemination: [ "REL TO" ]\n  # between\n'
    "  rel_to: [ 'alb' ,USA ]   # trailing\n",
    # CRLF line ends and a tab inside a quoted string
    "releasability:\r\n  classification: CUI\r\n  dissemination: [REL TO]\r\n  rel_to:\r\n  - alb\r\n  - USA\r\n"
    'x-note: "a\tb"\r\n',
    # anchors and aliases
    "releasability:\n  classification: CUI\n  dissemination: &d [REL TO]\n  rel_to: [USA, GBR]\nx-again: *d\n",
    # a flow mapping for the whole section
    "releasability: {classification: CUI, dissemination: [REL TO], rel_to: [ALB, USA]}\n",
    # no line end at the end of the file
    "releasability:\n  classification: CUI\n  rel_to:\n    - USA\n    - ALB",
]


@pytest.mark.parametrize("tail", HOSTILE, ids=range(len(HOSTILE)))
def test_a_hostile_document_is_fixed_correctly_or_refused_never_corrupted(tmp_path, tail):
    from policycheck.testing import starter

    head = starter().split("releasability:")[0]
    rest = starter().split("releasability:")[1].split("\n", 1)[1]
    rest = "".join(line + "\n" for line in rest.splitlines() if not line.startswith("  "))
    text = ((head + rest).replace("\n", "\r\n") if "\r\n" in tail else head + rest) + tail
    target = tmp_path / "a.yaml"
    target.write_bytes(text.encode("utf-8"))
    before = check(text, base=False)
    run("--fix", "a.yaml", cwd=tmp_path)
    after = target.read_bytes().decode("utf-8")
    if after == text:
        return  # refused (or nothing to fix): untouched
    found = check(after, base=False)
    assert "LOAD001" not in {f.rule_id for f in found}
    assert len(found) < len(before)
    assert not [f for f in found if f.fix is not None and f.fix.safe]
    if "\r\n" in text:  # the new lines end as the others do
        assert after.count("\n") == after.count("\r\n")
    if "\t" in text:
        assert '"a\tb"' in after


def test_a_waived_findings_fix_is_not_applied(tmp_path):
    target = _starter(tmp_path, "releasability:\n  rel_to: [ALB, USA]\n")
    text = target.read_text(encoding="utf-8").split("waivers:")[0] + (
        "waivers:\n  - rule: REL005\n    at: /releasability/rel_to/0\n    justification: the partner asked for it\n"
        "    approved_by: Director, Security Cooperation\n    expires: '2027-06-01'\n"
    )
    target.write_text(text, encoding="utf-8")
    assert "REL005" in {f.rule_id for f in check(text, base=False)}  # waived, still found
    result = run("--fix", "a.yaml", cwd=tmp_path)
    assert target.read_text(encoding="utf-8") == text
    assert result.returncode == 0 and "0 fixed" in result.stderr


def test_fix_never_writes_through_a_symlink(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    target = _starter(outside, "releasability:\n  rel_to: [ALB, USA]\n")
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    (checkout / "a.yaml").symlink_to(target)
    text = target.read_text(encoding="utf-8")
    result = run("--fix", ".", cwd=checkout)
    assert target.read_text(encoding="utf-8") == text and (checkout / "a.yaml").is_symlink()
    assert "not written: it is a symlink" in result.stderr and result.returncode == 1


def test_diff_reads_standard_input_and_writes_nothing():
    text = (ROOT / "examples" / "broken" / "typo-in-keys.yaml").read_text(encoding="utf-8")
    result = run("--diff", "-", cwd=ROOT, stdin=text)
    assert result.returncode == 1 and "-sumary: >\n+summary: >\n" in result.stdout


def test_a_file_that_does_not_load_is_never_written(tmp_path):
    target = tmp_path / "a.yaml"
    target.write_bytes(b"schema: activity/v1\nsumary: [\n\xff")
    result = run("--fix", "a.yaml", cwd=tmp_path)
    assert target.read_bytes() == b"schema: activity/v1\nsumary: [\n\xff"
    assert result.returncode == 1 and "LOAD001" in result.stdout and "0 fixed" in result.stderr
