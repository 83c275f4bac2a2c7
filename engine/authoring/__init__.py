"""Tools for the people who write rules: lint, rule cases, coverage, editor schemas, outcome diffs.

Nothing on the evaluation path imports these modules; the API uses `lint` and `ruletests` only to
check a rules folder before it is loaded.
"""
