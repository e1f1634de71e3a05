"""The documents the built-in rules cite, named once (each rule's `source` and rationale quote them)."""

SEED = "Atlantic Council, Evolving cooperative security approaches for tomorrow's realities (December 2023)"
AME = (
    "DoD Instruction 5132.14, Assessment, Monitoring, and Evaluation Policy for the Security Cooperation Enterprise"
    " (2017)"
)
CAPCO = (
    "ODNI, Intelligence Community Authorized Classification and Control Markings Register and Manual (CAPCO), REL TO"
)
ITAR = (
    "International Traffic in Arms Regulations, 22 CFR 120-130 (USML 22 CFR 121.1; licences parts 123-124; exemptions"
    " such as 126.4)"
)
TOTAL_PACKAGE = "DSCA Security Assistance Management Manual, Total Package Approach"
GENC = (
    "GENC Standard (Geopolitical Entities, Names, and Codes), the US Government profile of ISO 3166"
    " (IC-GENC CES, CVEnumGENCCountryCode)"
)
LEAHY = "Leahy laws: Foreign Assistance Act section 620M (22 U.S.C. 2378d) and 10 U.S.C. 362"
LEAHY_VETTING = "US Department of State, 'An Overview of the Leahy Vetting Process' (HumanRights.gov)"
AECA_36B = "Arms Export Control Act section 36(b) (22 U.S.C. 2776(b)); DSCA SAMM C5.5 (congressional notification)"
SEC_333 = "10 U.S.C. 333(e), notice to the congressional committees"
GOLDEN_SENTRY = (
    "DSCA Security Assistance Management Manual, chapter 8 (Golden Sentry end-use monitoring, C8.4 enhanced EUM);"
    " AECA section 40A (22 U.S.C. 2785)"
)

# the schemas' enums a parameter's values are chosen from (tests/test_builtin_params.py keeps them equal)
ACTIVITY_TYPES = (
    "advisory",
    "training",
    "equipment",
    "exercise",
    "education",
    "key-leader-engagement",
    "hadr",
    "fms-case",
    "co-production",
    "information-sharing",
)
FUNDING_AUTHORITIES = (
    "10-usc-321",
    "10-usc-332",
    "10-usc-333",
    "10-usc-2561",
    "fmf",
    "imet",
    "pda",
    "pko",
    "usai",
    "fms",
    "other",
)
