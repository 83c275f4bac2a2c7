"""The evaluation path: answers in, ranked and cited result out.

`assess` holds the `Engine`; `backend` the backend interface with its two implementations,
`compiled` (plain Python) and `_durable` (durable_rules); `scoring` the readiness levels;
`ranking` the order of the recommendations; `render` the result's JSON.
"""
