"""Registers the built-in output formats through the public `policycheck_output_formats` hook."""

from __future__ import annotations

from ..hookimpl import hookimpl
from . import OutputFormat, json_format, text


@hookimpl
def policycheck_output_formats() -> dict[str, OutputFormat]:
    return {
        "text": OutputFormat("text", text.render, "grouped by file, for a terminal"),
        "json": OutputFormat("json", json_format.render, "stable, described by schemas/report.schema.json"),
    }
