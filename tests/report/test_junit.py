"""JUnit XML: read back by junitparser (the parser behind the publish-unit-test-result action)."""

from __future__ import annotations

from pathlib import Path


from junitparser import Error, Failure, JUnitXml, Skipped

HERE = Path(__file__).resolve().parent
STABLE_RULES = "SCH001,DAT001,PRT001,WVR001,WVR002,LOAD001"


def parse(text: str, tmp_path: Path) -> JUnitXml:
    path = tmp_path / "report.xml"
    path.write_text(text, encoding="utf-8")
    return JUnitXml.fromfile(str(path))


def cases(xml: JUnitXml) -> dict[tuple[str, str], object]:
    return {(suite.name, case.name.split()[0]): case for suite in xml for case in suite}


def kinds(case) -> list[str]:
    return [type(result).__name__ for result in case.result]


def test_one_suite_per_file_and_one_case_per_rule(run, tmp_path):
    xml = parse(run("fixtures", "--select", STABLE_RULES, "--format", "junit").output, tmp_path)
    suites = [suite.name for suite in xml]
    names = ("broken", "clean", "duplicate", "expired", "typo", "waived")
    assert suites == [*(f"fixtures/{name}.yaml" for name in names), "policycheck"]  # the last: the effective policy
    xml = [suite for suite in xml if suite.name != "policycheck"]
    for suite in xml:
        assert sorted(case.name.split()[0] for case in suite) == [
            "DAT001",
            "ERR001",
            "LOAD001",
            "PRT001",
            "SCH001",
            "WVR001",
            "WVR002",
            "WVR003",
        ]
        assert suite.tests == 8
    assert [sum(getattr(suite, key) for suite in xml) for key in ("tests", "failures", "errors", "skipped")] == [
        48,
        5,
        0,
        8,
    ]


def test_outcomes_map_to_pass_failure_and_skipped(run, tmp_path):
    found = cases(parse(run("fixtures", "--select", STABLE_RULES, "--format", "junit").output, tmp_path))
    assert found[("fixtures/clean.yaml", "DAT001")].is_passed
    expired = found[("fixtures/expired.yaml", "DAT001")]
    [failure] = expired.result
    assert isinstance(failure, Failure)
    assert failure.message == "the activity ends (2027-06-30) before it starts (2028-03-01)"
    assert failure.text.startswith("fixtures/expired.yaml:12:3 FAIL DAT001")
    assert kinds(found[("fixtures/broken.yaml", "LOAD001")]) == ["Failure"]
    assert kinds(found[("fixtures/broken.yaml", "DAT001")]) == ["Skipped"]  # nothing to judge in an unreadable file
    waived = found[("fixtures/waived.yaml", "DAT001")]
    [skipped] = waived.result
    assert isinstance(skipped, Skipped)
    assert skipped.message.startswith("waived: Dates follow the partner's fiscal year")
    assert "approved by Director, Office of Defense Cooperation, expires 2027-06-30" in skipped.message
    assert "WAIVED DAT001" in waived.system_out


def test_a_warning_passes_unless_fail_on_warn(run, tmp_path):
    warned = cases(parse(run("fixtures/waived.yaml", "--select", STABLE_RULES, "--format", "junit").output, tmp_path))
    case = warned[("fixtures/waived.yaml", "WVR002")]
    assert case.is_passed
    assert "WARN WVR002 the waiver for DAT001 at /activity/start matches no finding" in case.system_out
    gated = cases(
        parse(
            run("fixtures/waived.yaml", "--select", STABLE_RULES, "--fail-on", "warn", "--format", "junit").output,
            tmp_path,
        )
    )
    assert kinds(gated[("fixtures/waived.yaml", "WVR002")]) == ["Failure"]
    assert kinds(gated[("fixtures/waived.yaml", "DAT001")]) == ["Skipped"]  # waived never gates


def test_a_crashed_rule_is_an_error(run, tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(HERE.parent / "plugin_modules"))
    result = run("fixtures/clean.yaml", "-p", "crashing_plugin", "--select", "TST901", "--format", "junit")
    assert result.exit_code == 3
    found = cases(parse(result.output, tmp_path))
    [error] = found[("fixtures/clean.yaml", "TST901")].result
    assert isinstance(error, Error)
    assert error.message == "rule TST901 crashed: RuntimeError: boom"


def test_characters_xml_cannot_carry_are_replaced(run, tmp_path):
    text = (HERE / "fixtures" / "waived.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "bell.yaml"
    bad.write_text(text.replace("Dates follow", "Bell\\a and escape\\e: dates follow"), encoding="utf-8")
    output = run(str(bad), "--select", "DAT001", "--format", "junit").output
    case = cases(parse(output, tmp_path))[(bad.as_posix(), "DAT001")]
    assert "Bell\\x07 and escape\\x1b: dates follow" in case.result[0].message
