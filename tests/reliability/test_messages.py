"""The messages issue 16 found wanting say what is wrong and what to do, through the real CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from reliability_support import COMMON, activity, assert_clean_failure, cli, subprocess_cli

FORMATS = ["text", "json", "sarif", "junit", "markdown", "github"]


def _check(tmp_path, text: str, *options: str):
    path = tmp_path / "activity.yaml"
    path.write_text(text, encoding="utf-8")
    return path, cli(str(path), *COMMON, *options)


def test_a_cyrillic_look_alike_letter_is_named(tmp_path):
    path, run = _check(tmp_path, activity(("country: ALB", "country: \u0410LB")))
    assert_clean_failure(
        run,
        1,
        f"{path}:13:3 FAIL SCH001 partner.country: '\u0410LB' is not an ISO 3166-1 alpha-3 country code "
        "['\u0410LB' contains the Cyrillic letter '\u0410' (U+0410) where the Latin 'A' was probably meant: "
        "did you mean 'ALB' (Albania)?]",
    )
    assert "SLB" not in run.output


def test_a_greek_look_alike_in_a_list_of_codes_is_named(tmp_path):
    _, run = _check(tmp_path, activity(("rel_to: [USA, ALB]", "rel_to: [USA, \u0391LB]")))
    assert_clean_failure(run, 1, "contains the Greek letter '\u0391' (U+0391)", "did you mean 'ALB' (Albania)?")


def test_a_merge_key_says_merge_keys_are_not_supported(tmp_path):
    text = activity(("partner:\n", "partner:\n  <<: {category: frontline}\n"))
    path, run = _check(tmp_path, text)
    assert_clean_failure(
        run,
        1,
        f"{path}:13:3 FAIL SCH001 a merge key ('<<') in partner: merge keys are not supported "
        "[write the keys out in full (YAML 1.2, which policycheck reads, has no merge keys)]",
    )
    assert "unknown key" not in run.output


def test_waivers_left_empty_says_what_to_write(tmp_path):
    path, run = _check(tmp_path, activity(("waivers: []", "waivers:")))
    assert_clean_failure(
        run,
        1,
        "FAIL SCH001 waivers is empty: expected a list [write its entries under `waivers:` (each a '- ' item with "
        "rule, justification, approved_by, expires), or remove `waivers:`]",
    )
    assert "(None)" not in run.output


# waivers whose text is ~2 MB each: cut to quoting.MAX_MESSAGE in every format (1.2-1.5 GB for 20 files)
HUGE = 2_000_000
# REL002 fails it: the waiver below excuses a real finding, so every format quotes it
FAILING = Path(__file__).resolve().parents[2] / "examples" / "most-capable-coproduction.yaml"


@pytest.fixture(scope="module")
def huge_waivers(tmp_path_factory):
    folder = tmp_path_factory.mktemp("waivers")
    waiver = (
        "waivers:\n  - rule: REL002\n    justification: " + "j" * HUGE + "\n    approved_by: " + "a" * HUGE + "\n"
        '    expires: "2027-06-30"\n'  # within the default 365-day limit of --today
    )
    text = FAILING.read_text(encoding="utf-8") + waiver
    for index in range(4):
        (folder / f"a{index}.yaml").write_text(text.replace("AUS-2026-GWEO-GMLRS", f"AUS-2026-X-{index}"))
    return folder


@pytest.mark.parametrize("output_format", FORMATS)
def test_huge_waiver_text_is_cut_in_every_format(huge_waivers, output_format, baseline_rss):
    run = subprocess_cli(str(huge_waivers), *COMMON, "--no-cache", "--format", output_format)
    assert_clean_failure(run, 1)
    assert run.stdout.count("jjjj") >= 4 and "(2,000,000 characters)" in run.stdout, "the waiver is quoted, cut"
    assert len(run.stdout) < 300_000, "each waiver is quoted briefly (uncut: 16 MB)"
    assert run.max_rss_kb < baseline_rss + 64 * 1024, (run.max_rss_kb, baseline_rss)
