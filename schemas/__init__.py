"""The public data contract, as pydantic models, one module per part.

`schemas.assessment` (the request), `schemas.result` (the result), `schemas.batch`,
`schemas.catalog` and `schemas.questionnaire` (read-only views), `schemas.rounds` (assessment
rounds), `schemas.problem` (error bodies), `schemas.codes` (every error code), `schemas.scales`
and `schemas.vocabulary` (closed answer scales and vocabularies), `schemas.citation`.
"""
