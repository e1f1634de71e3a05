"""An opt-in house policy: tighter defaults for the AUKUS rules.

Not an entry point, so installing the plugin changes no defaults; a programme
office that wants these enables them with `plugins: [policycheck_aukus.strict]`
in `.policycheck.yaml` (or `-p policycheck_aukus.strict`). A value in the
user's own `rules:` configuration still wins over these.
"""

from __future__ import annotations

import policycheck


@policycheck.hookimpl
def policycheck_rule_defaults() -> dict:
    return {
        "AUK003": {"max_total_per_partner": 25_000_000},
        # fire control and sensors (XII) and directed energy (XVIII) stay under licence in this office's practice
        "AUK002": {"excluded_usml_categories": ["XII", "XVIII"]},
    }
