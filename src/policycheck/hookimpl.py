"""The marker plugins use to implement hooks: `@policycheck.hookimpl`.

It marks a function as pluggy's `HookimplMarker("policycheck")` does, with the same
`policycheck_impl` options, so pluggy registers it as its own; but it does not import
pluggy, which with the `inspect` module it needs was a fifth of a cold start: a run
with no plugin installed reads the built-ins' marks without pluggy (`plugins.py`,
issue 21). tests/plugins/test_bare_registry.py holds the two markers to the same marks.
"""

from __future__ import annotations

from collections.abc import Callable

IMPL_ATTRIBUTE = "policycheck_impl"


def hookimpl(
    function: Callable | None = None,
    hookwrapper: bool = False,
    optionalhook: bool = False,
    tryfirst: bool = False,
    trylast: bool = False,
    specname: str | None = None,
    wrapper: bool = False,
) -> Callable:
    """Mark `function` as a hook implementation; without it, return a decorator with these options."""
    options = {
        "wrapper": wrapper,
        "hookwrapper": hookwrapper,
        "optionalhook": optionalhook,
        "tryfirst": tryfirst,
        "trylast": trylast,
        "specname": specname,
    }

    def mark(marked: Callable) -> Callable:
        setattr(marked, IMPL_ATTRIBUTE, dict(options))
        return marked

    return mark if function is None else mark(function)
