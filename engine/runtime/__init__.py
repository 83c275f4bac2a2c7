"""The evaluation path: answers in, an outcome, and the ranked and cited result out.

`assess` holds the `Engine`; `backend` the backend interface with its two implementations,
`compiled` (plain Python) and `_durable` (durable_rules); `resolve` turns what fired into an
`outcome` (with `scoring`, the readiness levels, and `ranking`, the order of the
recommendations); `render` gives an outcome's result as JSON and `typed` as a typed model.
"""
