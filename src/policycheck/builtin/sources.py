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
