"""The JSON Schema (draft 2020-12) of the `x-fms` section, merged into the activity schema."""

X_FMS = {
    "title": "Foreign Military Sales case (policycheck-fms)",
    "description": "The Letter of Offer and Acceptance (LOA) an fms-case activity is carried out under.",
    "type": "object",
    "required": ["case_id", "implementing_agency"],
    "properties": {
        "case_id": {
            "title": "LOA case identifier",
            "description": "Country code, implementing agency code, case designator, e.g. AT-B-ZAA.",
            "type": "string",
            "pattern": "^[A-Z]{2}-[A-Z]-[A-Z]{3}$",
        },
        "implementing_agency": {
            "title": "Implementing agency",
            "description": "The US agency that manages the case.",
            "enum": ["Army", "Navy", "Air Force", "DSCA", "DLA", "DISA", "DTRA", "MDA", "NGA", "NSA"],
        },
        "status": {
            "title": "Case status",
            "enum": ["letter-of-request", "in-development", "offered", "accepted", "implemented", "closed"],
        },
        "offer_date": {"title": "Date the LOA was offered", "$ref": "#/$defs/date"},
        "offer_expiration": {"title": "Offer expiration date (OED)", "$ref": "#/$defs/date"},
        "case_value": {"title": "Total case value", "$ref": "#/$defs/budget"},
    },
    "additionalProperties": False,
}
