"""Fuzzing with Schemathesis against the app's own OpenAPI document (bounded, in make test).

Every operation is called with generated input, schema-valid and schema-violating, as the
chair (who may call nearly everything, so the generated requests reach the services) and as
the public. No answer may be a 5xx, and every answer must be what the document promises:
status code, content type, headers and body schema; schema-violating input must be refused.

Schemathesis's `positive_data_acceptance` check is left out: it holds that any request the
schema admits must succeed, while the coalition's rules refuse many schema-valid requests
with a 4xx that names the rule (a needed-by date before the need was raised, a tranche
larger than its pledge, a cursor this API never gave out).

The operations are driven through Schemathesis's strategies with Hypothesis directly (its
pytest plugin does not run on this pytest), one test per operation, mode and role.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode, checks

from ramstein.api.app import create_app
from ramstein.domain.releasability import Role
from ramstein.store.engine import Store
from tests.api.coalition import ApiCoalition, build

EXAMPLES = 6
CASES = [
    (method.upper(), path, mode)
    for path, ops in create_app().openapi()["paths"].items()
    for method, op in ops.items()
    for mode in GenerationMode
    # An operation that takes nothing has no input to get wrong.
    if mode is GenerationMode.POSITIVE or op.get("parameters") or op.get("requestBody")
]


@pytest.fixture(scope="module")
def coalition(tmp_path_factory: pytest.TempPathFactory) -> ApiCoalition:
    return build(tmp_path_factory.mktemp("fuzz"))


@pytest.fixture(scope="module")
def api_schema(
    coalition: ApiCoalition, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[schemathesis.BaseSchema]:
    copy: Path = tmp_path_factory.mktemp("fuzzed") / "fuzzed.sqlite"
    shutil.copyfile(coalition.path, copy)
    store = Store(f"sqlite:///{copy}", migrate=False)
    app = create_app(settings=coalition.settings, store=store)
    app.state.log_watch.latest()
    app.state.log_watch.wait()  # /readyz answers 503 until the log has been verified
    yield schemathesis.openapi.from_asgi("/api/openapi.json", app)
    store.dispose()


@pytest.mark.slow
@pytest.mark.parametrize("role", [Role.CHAIR, Role.PUBLIC], ids=lambda r: r.value)
@pytest.mark.parametrize(
    ("method", "path", "mode"), CASES, ids=[f"{m} {p} {g.value}" for m, p, g in CASES]
)
def test_no_input_makes_the_api_fail_or_break_its_document(
    api_schema: schemathesis.BaseSchema,
    coalition: ApiCoalition,
    method: str,
    path: str,
    mode: GenerationMode,
    role: Role,
) -> None:
    operation = api_schema[path][method]
    headers = coalition.headers(role)

    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def call(case: schemathesis.Case) -> None:
        case.call_and_validate(headers=headers, excluded_checks=[checks.positive_data_acceptance])

    call()
