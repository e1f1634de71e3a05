"""REL001-REL009 and REL011: markings, REL TO lists, technology transfer and end-use monitoring
(policycheck.builtin.releasability).

The starter's partner is ALB (most-capable), its activity `advisory`, marked
`dissemination: [REL TO]`, `rel_to: [USA, ALB]`.
"""

import pytest

from policycheck.testing import activity_text, assert_examples, assert_findings, check, starter

RULES = [*(f"REL00{n}" for n in range(1, 10)), "REL011"]


def marked(*controls: str, rel_to: str | None = "[USA, ALB]") -> str:
    lines = ["releasability:", f"  dissemination: [{', '.join(controls)}]"]
    lines.append(f"  rel_to: {rel_to}" if rel_to is not None else "  rel_to: null")
    return "\n".join(lines) + "\n"


def partner(country: str, category: str, activity_type: str) -> str:
    return f"partner: {{country: {country}, category: {category}}}\nactivity: {{type: {activity_type}}}\n"


def rel_to(codes: str, country: str = "ALB") -> str:
    return f"partner: {{country: {country}}}\nreleasability: {{rel_to: {codes}}}\n"


def transfers(*items: str) -> str:
    """technology_transfer items, each given as the inside of a flow mapping."""
    return "releasability:\n  technology_transfer:\n" + "".join(f"    - {{{item}}}\n" for item in items)


@pytest.mark.parametrize("rule_id", RULES)
def test_own_examples(rule_id):
    assert_examples(rule_id)


# --- REL001 -------------------------------------------------------------------


@pytest.mark.parametrize("controls, index", [(("NOFORN", "REL TO"), 0), (("ORCON", "REL TO", "NOFORN"), 2)])
def test_rel001_noforn_with_rel_to_points_at_noforn(only, controls, index):
    finding = only(marked(*controls), "REL001")
    assert finding.level == "fail"
    assert finding.pointer == f"/releasability/dissemination/{index}"
    assert finding.message == (
        "dissemination has both NOFORN and REL TO, which contradict each other: drop NOFORN and keep REL TO with "
        "the countries in `rel_to`"
    )


@pytest.mark.parametrize("controls", [("NOFORN",), ("REL TO",), ("ORCON", "PROPIN"), ()])
def test_rel001_silent_without_both(controls):
    assert_findings(marked(*controls), [], select=["REL001"])


# --- REL002 -------------------------------------------------------------------


@pytest.mark.parametrize(
    "category, activity_type, level",
    [
        ("most-capable", "information-sharing", "fail"),
        ("most-capable", "co-production", "fail"),
        ("most-capable", "advisory", "warn"),
        ("most-capable", "training", "warn"),
        ("frontline", "co-production", "warn"),
        ("frontline", "information-sharing", "warn"),
        ("institution-building", "equipment", "warn"),
        ("other", "hadr", "warn"),
    ],
)
def test_rel002_level_depends_on_partner_and_activity(only, category, activity_type, level):
    finding = only(partner("AUS", category, activity_type) + marked("NOFORN", rel_to=None), "REL002")
    assert finding.level == level
    assert finding.pointer == "/releasability/dissemination/0"
    assert finding.message.endswith(": drop NOFORN and release it with REL TO and `rel_to: [USA, AUS]`")
    assert finding.hint == "if it truly must stay NOFORN, record why in a waiver"


def test_rel002_messages(only):
    warn = only(partner("UKR", "frontline", "equipment") + marked("NOFORN", rel_to=None), "REL002")
    assert warn.message.startswith("NOFORN bars UKR from a proposal for an activity carried out with it: ")
    fail = only(partner("GBR", "most-capable", "information-sharing") + marked("NOFORN", rel_to=None), "REL002")
    assert fail.message.startswith(
        "NOFORN on information-sharing with a most-capable partner (GBR) blocks the sharing the activity exists for: "
    )


def test_rel002_configured_level_wins_over_the_fail_escalation(only):
    snippet = partner("AUS", "most-capable", "co-production") + marked("NOFORN", rel_to=None)
    assert only(snippet, "REL002", config={"rules": {"REL002": {"level": "warn"}}}).level == "warn"


def test_rel002_silent_on_an_fms_case():
    assert_findings(partner("AUS", "most-capable", "fms-case") + marked("NOFORN", rel_to=None), [], select=["REL002"])


def test_rel002_silent_without_noforn():
    assert_findings(partner("AUS", "most-capable", "co-production") + marked("REL TO", "ORCON"), [], select=["REL002"])


# --- REL003 -------------------------------------------------------------------


@pytest.mark.parametrize("codes", [None, "[]"])
def test_rel003_rel_to_marking_without_a_list(only, codes):
    finding = only(marked("ORCON", "REL TO", rel_to=codes), "REL003")
    assert finding.level == "fail"
    assert finding.pointer == "/releasability/dissemination/1"
    assert (
        finding.message
        == "dissemination has REL TO but `rel_to` names no country: list who may see it, e.g. `rel_to: [USA, ALB]`"
    )


@pytest.mark.parametrize("controls", [(), ("NOFORN",)])
def test_rel003_list_without_rel_to_marking(only, controls):
    finding = only(marked(*controls), "REL003")
    assert finding.pointer == "/releasability/rel_to"
    assert (
        finding.message == "`rel_to` names countries but dissemination has no REL TO: add `REL TO` to `dissemination`"
    )
    assert finding.hint == "or remove `rel_to` if the information is not releasable"


def test_rel003_list_without_any_dissemination_key():
    assert_findings("releasability: {dissemination: null}\n", ["REL003"], select=["REL003"])


@pytest.mark.parametrize("snippet", [marked("REL TO"), marked(rel_to="[]"), marked("NOFORN", rel_to=None)])
def test_rel003_silent_when_marking_and_list_agree(snippet):
    assert_findings(snippet, [], select=["REL003"])


# --- REL004 -------------------------------------------------------------------


def test_rel004_list_leaves_out_the_partner(only):
    finding = only(rel_to("[USA, GBR]"), "REL004")
    assert finding.level == "fail"
    assert finding.pointer == "/releasability/rel_to"
    assert finding.message == "`rel_to` [USA, GBR] does not include the partner, ALB: add ALB to `rel_to`"
    assert finding.hint == "or a tetragraph that contains it: NATO"


def test_rel004_hint_lists_every_tetragraph_of_the_partner(only):
    assert only(rel_to("[USA, NATO]", "AUS"), "REL004").hint == "or a tetragraph that contains it: ACGU, FVEY, TEYE"


def test_rel004_partner_in_no_tetragraph(only):
    finding = only(rel_to("[USA, NATO]", "UKR"), "REL004")
    assert finding.message.endswith(": add UKR to `rel_to`")
    assert finding.hint is None


@pytest.mark.parametrize(
    "codes, country",
    [
        ("[USA, ALB]", "ALB"),
        ("[USA, NATO]", "ALB"),
        ("[USA, NATO]", "POL"),
        ("[USA, FVEY]", "NZL"),
        ("[USA, GBR, TEYE]", "AUS"),
    ],
)
def test_rel004_covered_directly_or_through_a_tetragraph(codes, country):
    assert_findings(rel_to(codes, country), [], select=["REL004"])


def test_rel004_silent_without_rel_to():
    assert_findings(marked("NOFORN", rel_to="[]"), [], select=["REL004"])


def test_rel004_waits_for_a_valid_partner_country():
    assert_findings(rel_to("[USA, GBR]", "Albania"), ["SCH001"], select=["REL004"])


# --- REL005 -------------------------------------------------------------------


@pytest.mark.parametrize(
    "codes, index, problem, correct",
    [
        ("[ALB, USA]", 0, "USA comes first", "[USA, ALB]"),
        ("[NATO, USA, ALB]", 0, "USA comes first", "[USA, ALB, NATO]"),
        ("[USA, POL, DEU]", 1, "trigraphs go in alphabetical order: DEU before POL", "[USA, DEU, POL]"),
        ("[USA, NATO, ALB]", 1, "trigraph ALB comes before tetragraph NATO", "[USA, ALB, NATO]"),
        (
            "[USA, ALB, NATO, FVEY]",
            2,
            "tetragraphs go in alphabetical order: FVEY before NATO",
            "[USA, ALB, FVEY, NATO]",
        ),
    ],
)
def test_rel005_each_ordering_mistake(only, codes, index, problem, correct):
    finding = only(rel_to(codes), "REL005")
    assert finding.level == "warn"
    assert finding.pointer == f"/releasability/rel_to/{index}"
    assert finding.message == f"`rel_to` is not in marking order ({problem}): write `rel_to: {correct}`"


@pytest.mark.parametrize("codes, correct", [("[ALB]", "[USA, ALB]"), ("[NATO, ALB]", "[USA, ALB, NATO]")])
def test_rel005_a_list_without_usa_points_at_the_list(only, codes, correct):
    # CAPCO: every REL TO list begins with USA, so leaving it out is never "in order"
    finding = only(rel_to(codes), "REL005")
    assert finding.pointer == "/releasability/rel_to"
    assert (
        finding.message
        == f"`rel_to` does not include USA, which every REL TO list begins with: write `rel_to: {correct}`"
    )


def test_rel005_one_finding_for_a_list_with_several_mistakes():
    assert_findings(rel_to("[NATO, GBR, USA, ALB, FVEY]"), ["REL005"], select=["REL005"])


@pytest.mark.parametrize("codes", ["[USA, ALB]", "[USA, ALB, GBR, FVEY, NATO]", "[USA]", "[USA, NATO]"])
def test_rel005_silent_in_marking_order(codes):
    assert_findings(rel_to(codes), [], select=["REL005"])


# --- REL006 -------------------------------------------------------------------


@pytest.mark.parametrize(
    "code, hint",
    [
        ("GER", "did you mean 'DEU' (Germany)?"),
        ("FVYE", "did you mean 'FVEY'?"),
        ("NAT", "did you mean 'NATO'?"),
        ("NZE", "did you mean 'NZL' (New Zealand)?"),
        ("POLN", "did you mean 'POL' (Poland)?"),
    ],
)
def test_rel006_unknown_code_points_at_the_entry_and_hints_the_closest(only, code, hint):
    finding = only(rel_to(f"[USA, ALB, {code}]"), "REL006")
    assert finding.level == "fail"
    assert finding.pointer == "/releasability/rel_to/2"
    assert finding.message == (
        f"'{code}' in `rel_to` is neither a GENC country trigraph nor a known tetragraph: write the country's "
        "trigraph (its ISO 3166-1 alpha-3 code, or a GENC code such as XKS) or a tetragraph such as NATO"
    )
    assert finding.hint == hint


@pytest.mark.parametrize("code", ["XKS", "XWB", "XSP", "DGA"])
def test_rel006_accepts_genc_codes_iso_does_not_assign(code):
    # US markings use GENC: Kosovo is XKS, a code no ISO 3166 list has
    assert_findings(rel_to(f"[USA, {code}]", country="XKS"), [], select=["REL006", "SCH001"])


@pytest.mark.parametrize(
    "code, write",
    [("PSE", "write XGZ (Gaza Strip) or XWB (West Bank)"), ("SJM", "write XSV (Svalbard) or XJM (Jan Mayen)")],
)
def test_rel006_flags_the_iso_codes_genc_does_not_use(only, code, write):
    finding = only(rel_to(f"[USA, ALB, {code}]"), "REL006")
    assert finding.pointer == "/releasability/rel_to/2"
    assert finding.message.endswith(f"GENC, the code list of US markings, does not use: {write}")


@pytest.mark.parametrize("code", ["XKX", "RKS"])
def test_rel006_points_kosovo_s_other_codes_to_its_genc_code(only, code):
    assert only(rel_to(f"[USA, {code}]"), "REL006").hint == "did you mean 'XKS' (Kosovo)?"


@pytest.mark.parametrize(
    "code, hint",
    [
        ("UK", "did you mean 'GBR' (United Kingdom)?"),
        ("alb", "did you mean 'ALB' (Albania)?"),
        ("Poland", "did you mean 'POL' (Poland)?"),
    ],
)
def test_rel006_also_hints_for_codes_the_schema_rejects(code, hint):
    found = check(rel_to(f"[USA, {code}]"), select=["REL006"])
    assert sorted(f.rule_id for f in found) == ["REL006", "SCH001"]
    assert next(f for f in found if f.rule_id == "REL006").hint == hint


def test_rel006_one_finding_per_unknown_code():
    assert_findings(rel_to("[USA, ALB, GER, NED]"), ["REL006", "REL006"], select=["REL006"])


def test_rel006_silent_for_countries_and_tetragraphs():
    assert_findings(rel_to("[USA, ALB, NOR, ACGU, FVEY, NATO, TEYE]"), [], select=["REL006"])


def test_rel006_line_and_column_of_the_unknown_code(locate):
    text = starter().replace("rel_to: [USA, ALB]", "rel_to: [USA, ALB, GER]")
    [finding] = check(text, select=["REL006"], base=False)
    assert (finding.line, finding.column) == locate(text, "GER]")


# --- REL007 / REL008 / REL009 -------------------------------------------------


def test_rel007_denied_disclosure_points_at_the_decision(only):
    finding = only(
        transfers(
            "item: Radar, disclosure_decision: approved, license: DSP-5",
            "item: Mode 5 IFF, disclosure_decision: denied",
        ),
        "REL007",
    )
    assert finding.level == "fail"
    assert finding.pointer == "/releasability/technology_transfer/1/disclosure_decision"
    assert finding.message == (
        "disclosure of 'Mode 5 IFF' was denied, so it cannot be transferred: remove it from the activity or replace "
        "it with a releasable item"
    )


@pytest.mark.parametrize("decision", ["approved", "pending", "not-required"])
def test_rel007_silent_unless_denied(decision):
    assert_findings(transfers(f"item: Radar, disclosure_decision: {decision}"), [], select=["REL007"])


def test_rel008_pending_points_at_the_decision(only):
    finding = only(transfers("item: Mode 5 IFF, usml_category: XI, disclosure_decision: pending"), "REL008")
    assert finding.level == "warn"
    assert finding.pointer == "/releasability/technology_transfer/0/disclosure_decision"
    assert finding.message == (
        "technology transfer 'Mode 5 IFF' is still pending disclosure: obtain the foreign disclosure decision "
        "before the activity is approved"
    )


def test_rel008_missing_decision_points_at_the_item():
    found = assert_findings(
        transfers("item: Radar", "item: Mode 5 IFF, usml_category: XI"), ["REL008", "REL008"], select=["REL008"]
    )
    assert [f.pointer for f in found] == [
        "/releasability/technology_transfer/0",
        "/releasability/technology_transfer/1",
    ]
    assert found[1].message.startswith("technology transfer 'Mode 5 IFF' has no disclosure_decision: ")


@pytest.mark.parametrize("decision", ["approved", "denied", "not-required"])
def test_rel008_silent_once_decided(decision):
    assert_findings(transfers(f"item: Radar, disclosure_decision: {decision}"), [], select=["REL008"])


def test_rel009_approved_usml_item_without_licence(only):
    snippet = transfers("item: Link 16 terminal, usml_category: XI, disclosure_decision: approved")
    finding = only(snippet, "REL009", base="activity/v1")
    assert finding.level == "warn"
    assert finding.pointer == "/releasability/technology_transfer/0"
    assert finding.message == (
        "'Link 16 terminal' (USML Category XI) has an approved disclosure but no licence or exemption named: "
        "name its export authorization in `license`"
    )
    assert "ITAR exemption" in finding.hint
    # an activity/v2 document is pointed at the field v2 has for it
    assert only(snippet, "REL009").message.endswith(
        "name its export authorization in `export_authorization` (kind license, exemption or loa, and its reference)"
    )


def test_rel009_a_disclosure_not_required_still_needs_an_export_authorization(only):
    snippet = transfers("item: Radar, usml_category: XI, disclosure_decision: not-required")
    assert only(snippet, "REL009", base="activity/v1").message == (
        "'Radar' (USML Category XI) needs no disclosure decision but still needs an export authorization, and has "
        "no licence or exemption named: name its export authorization in `license`"
    )


@pytest.mark.parametrize("licence", ["'  '", "N/A", "TBD", "'-'", "pending"])
def test_rel009_blank_or_placeholder_licence_is_no_licence(only, licence):
    snippet = transfers(f"item: Radar, usml_category: XI, disclosure_decision: approved, license: {licence}")
    finding = only(snippet, "REL009", base="activity/v1")
    if licence != "'  '":
        assert "only a placeholder (`license: " in finding.message


@pytest.mark.parametrize(
    "item",
    [
        "item: Radar, usml_category: XI, disclosure_decision: approved, license: DSP-5",
        "item: Radar, usml_category: XI, disclosure_decision: approved, license: ITAR 126.4 exemption",
        "item: Radar, disclosure_decision: approved",
        "item: Radar, usml_category: XI, disclosure_decision: pending",
        "item: Radar, usml_category: XI, disclosure_decision: denied",
        "item: Radar, usml_category: XI",
    ],
)
def test_rel009_silent_with_a_licence_or_exemption_or_when_not_applicable(item):
    assert_findings(transfers(item), [], select=["REL009"], base="activity/v1")


@pytest.mark.parametrize(
    "authorization",
    [
        "{kind: license, reference: DSP-5 050112233}",
        "{kind: loa, reference: EC-B-UAB}",
        "{kind: exemption, reference: 22 CFR 126.4(a)}",
        "{kind: exemption, reference: ITAR 126.18 (dual and third-country nationals)}",
    ],
)
def test_rel009_v2_export_authorization_counts(authorization):
    item = f"item: Radar, usml_category: XI, disclosure_decision: approved, export_authorization: {authorization}"
    assert_findings(transfers(item), [], select=["REL009"])


def test_rel009_an_exemption_must_name_its_itar_section(only):
    item = "item: Radar, usml_category: XI, disclosure_decision: approved, export_authorization: "
    finding = only(transfers(item + "{kind: exemption, reference: AUKUS exemption}"), "REL009")
    assert finding.pointer == "/releasability/technology_transfer/0/export_authorization/reference"
    assert "'AUKUS exemption' names no ITAR section" in finding.message


def test_rel009_a_placeholder_reference_is_no_authorization(only):
    item = "item: Radar, usml_category: XI, disclosure_decision: approved, export_authorization: "
    assert only(transfers(item + "{kind: license, reference: TBD}"), "REL009").pointer == (
        "/releasability/technology_transfer/0"
    )


def test_rel009_export_authorization_is_an_activity_v2_field():
    # in a v1 document the key is unknown to the schema; it must not quietly satisfy the rule
    item = "item: Radar, usml_category: XI, disclosure_decision: approved, export_authorization: "
    found = check(transfers(item + "{kind: license, reference: DSP-5}"), select=["REL009"], base="activity/v1")
    assert sorted(f.rule_id for f in found) == ["REL009", "SCH001"]


@pytest.mark.parametrize("rule_id", ["REL007", "REL008", "REL009"])
def test_transfer_rules_silent_without_technology_transfer(rule_id):
    assert_findings("releasability: {technology_transfer: []}\n", [], select=[rule_id])
    assert_findings("releasability: {technology_transfer: null}\n", [], select=[rule_id])


def test_transfer_finding_line(locate):
    text = activity_text(transfers("item: Radar, usml_category: XI, disclosure_decision: pending"))
    [finding] = check(text, select=["REL008"], base=False)
    assert (finding.line, finding.column) == locate(text, "disclosure_decision: pending")


# --- REL004 with partners (activity/v2) -----------------------------------------


REGIONAL = (
    "partners: [{country: FSM, category: institution-building}, {country: MHL, category: institution-building}]\n"
)


def test_rel004_every_additional_partner_must_be_covered():
    found = check(REGIONAL + "partner: {country: PLW}\nreleasability: {rel_to: [USA, FSM, PLW]}\n", select=["REL004"])
    assert [finding.message for finding in found] == [
        "`rel_to` [USA, FSM, PLW] does not include partner MHL: add MHL to `rel_to`"
    ]
    assert found[0].pointer == "/releasability/rel_to"


def test_rel004_one_finding_per_country_left_out_and_tetragraphs_cover_partners():
    nato = "partners: [{country: MKD, category: institution-building}, {country: MNE, category: other}]\n"
    assert_findings(nato + "releasability: {rel_to: [USA, ALB]}\n", ["REL004", "REL004"], select=["REL004"])
    assert_findings(nato + "releasability: {rel_to: [USA, NATO]}\n", [], select=["REL004"])


# --- REL011 -------------------------------------------------------------------


def eum(item: str, monitoring: str | None) -> str:
    field = f", end_use_monitoring: {monitoring}" if monitoring else ""
    return transfers(f"item: {item}, usml_category: IV, disclosure_decision: approved{field}")


@pytest.mark.parametrize(
    "item",
    [
        "FIM-92 Stinger missiles",
        "Javelin Lightweight Command Launch Units",
        "AN/PVS-14 monocular night vision devices",
        "Thermal sights and NVGs",
        "AIM-9X Block II missiles",
        "AIM-120C-8 AMRAAM",
        "BGM-71 TOW-2B missiles",
        "Harpoon Block II coastal defense missiles",
    ],
)
def test_rel011_items_on_the_enhanced_list_need_enhanced_monitoring(only, item):
    finding = only(eum(item, "routine"), "REL011")
    assert finding.level == "fail"
    assert finding.pointer == "/releasability/technology_transfer/0/end_use_monitoring"
    assert finding.message.startswith(f"'{item}' is designated for enhanced end-use monitoring (")
    assert only(eum(item, None), "REL011").pointer == "/releasability/technology_transfer/0"
    assert_findings(eum(item, "enhanced"), [], select=["REL011"])


@pytest.mark.parametrize("item", ["Tow truck", "Link 16 terminal", "Sentinel radar", "Stingray patrol boat"])
def test_rel011_other_items_need_no_enhanced_monitoring(item):
    assert_findings(eum(item, "routine"), [], select=["REL011"])


def test_rel011_a_provided_system_on_the_list_needs_a_transfer_item():
    system = "interoperability:\n  systems:\n    - {name: FGM-148 Javelin CLU, origin: USA, quantity: 10"
    found = check(system + "}\n", select=["REL011"])
    assert [(finding.pointer, "no technology transfer item lists it" in finding.message) for finding in found] == [
        ("/interoperability/systems/0", True)
    ]
    assert found[0].message.endswith(
        "list it in `releasability.technology_transfer` with `end_use_monitoring: enhanced`"
    )
    # the partner's own Javelins need nothing from this activity, and a transfer item covers a delivered one
    assert_findings(system + ", provided: false}\n", [], select=["REL011"])
    covered = eum("Javelin missiles", "enhanced") + system + "}\n"
    assert_findings(covered, [], select=["REL011"])


def test_rel011_the_list_is_reference_data_extendable_by_configuration(only):
    config = {"reference": {"enhanced_eum": [{"name": "Case-unique EEUM: Coyote interceptors", "match": ["coyote"]}]}}
    assert only(eum("Coyote Block 2 interceptors", "routine"), "REL011", config=config).message.endswith(
        "plan the serial-number inventories and security checks it needs"
    )


def test_rel011_applies_to_activity_v2():
    assert_findings(eum("Stinger missiles", None), [], select=["REL011"], base="activity/v1")
