"""Registers the built-in output formats through the public `policycheck_output_formats` hook."""

from __future__ import annotations

from ..hookimpl import hookimpl
from . import OutputFormat, github, json_format, junit, markdown, sarif, text


@hookimpl
def policycheck_output_formats() -> dict[str, OutputFormat]:
    return {
        "text": OutputFormat("text", text.render, "grouped by file, for a terminal", text.stream),
        "json": OutputFormat("json", json_format.render, "stable, described by schemas/report.schema.json", json_format.stream),
        "sarif": OutputFormat("sarif", sarif.render, "SARIF 2.1.0, for GitHub code scanning"),
        "junit": OutputFormat("junit", junit.render, "JUnit XML, one testcase per file and rule, for CI test reports"),
        "markdown": OutputFormat("markdown", markdown.render, "summary table per file and family, for $GITHUB_STEP_SUMMARY"),
        "github": OutputFormat("github", github.render, "GitHub Actions workflow commands (annotations)"),
    }
