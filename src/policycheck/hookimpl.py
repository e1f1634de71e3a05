"""The marker plugins use to implement hooks: `@policycheck.hookimpl`."""

import pluggy

hookimpl = pluggy.HookimplMarker("policycheck")
