"""The language server (`policycheck server`, docs/editors.md).

`checking` runs the command line's stages on a buffer and on a workspace folder,
`locate` finds the path under the cursor, `suggest` says what the schema and the
reference data allow there, `actions` writes waivers (and, later, rules' fixes) as
edits; only `lsp` imports pygls and lsprotocol, and only the `server` command
imports `lsp`.
"""
