"""The OpenAPI schema tells the truth: schemathesis generates requests from /api/schema/ and checks every answer
against it, as a member, as staff and anonymously, over real data, and requests built to break the schema. The
committed docs/openapi.yaml matches the code."""

import difflib
import io

import pytest
import schemathesis
from django.conf import settings
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from members.services import issue_access_token
from notifications.services import queue_notification
from orders.enums import OrderState
from orders.models import Installment
from points.services import earn_points
from tests.points.factories import RewardFactory

CONFORMANCE_CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# Small and fixed: the same requests on every run, a few seconds per actor.
EXAMPLES_PER_OPERATION = 6


def _describe(error: BaseException) -> str:
    if isinstance(error, BaseExceptionGroup):
        return "\n".join(_describe(inner) for inner in error.exceptions)
    return f"  {type(error).__name__}: {str(error)[:1500]}"


def _exercise(
    schema, *, app, user, path_parameters: dict, mode=GenerationMode.POSITIVE, examples=EXAMPLES_PER_OPERATION
) -> list[str]:
    """Every operation, ``examples`` generated requests each; the failures, one entry per operation."""
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        known = {name: value for name, value in path_parameters.items() if f"{{{name}}}" in operation.path}

        @hypothesis_settings(
            max_examples=examples,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(mode, path_parameters=known or None))
        def run(case):
            # A fresh token each time: the sign-out operation revokes the one it is called with.
            headers = {"Authorization": f"Bearer {issue_access_token(user=user)}"} if user is not None else {}
            response = case.call(app=app, headers=headers)
            case.validate_response(response, checks=CONFORMANCE_CHECKS, headers=headers)

        try:
            run()
        except Unsatisfiable as error:
            if mode is GenerationMode.NEGATIVE:
                continue  # nothing in this operation can be made invalid (no parameters, no body)
            failures.append(f"{operation.label}:\n{_describe(error)}")
        except (Exception, BaseExceptionGroup) as error:  # schemathesis groups its failures in a BaseExceptionGroup
            failures.append(f"{operation.label}:\n{_describe(error)}")
    return failures


@pytest.fixture
def wsgi_app(db):
    """The project's WSGI application, in-process, inside the test's transaction.

    Like Django's test client, it must not close the connection at the end of each request: that would end the
    test's transaction."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield WSGIHandler()
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def live_schema(wsgi_app):
    return schemathesis.openapi.from_wsgi("/api/schema/?format=json", wsgi_app)


@pytest.fixture
def world(cast):
    """An application far enough along to have documents, a signing date, a plate, a loan and a car."""
    order = cast.advance(cast.new_order(), OrderState.DELIVERED)
    earn_points(member_id=cast.member.pk, event="campaign", idempotency_key="schema-test", points=5000, reason="test")
    RewardFactory(cost_points=100)
    document = order.documents.first()
    vehicle = cast.member.vehicles.first()
    installment = Installment.objects.filter(loan__order=order).first()
    [message] = queue_notification(
        recipient_id=cast.member_user.pk, event="test.event", subject="主题", body="内容", dedupe_key="schema-test"
    )
    assert installment is not None
    assert vehicle is not None
    assert document is not None
    return {
        "order_id": order.pk,
        "document_id": document.pk,
        "vehicle_id": vehicle.pk,
        "message_id": message.pk,
    }


def test_schema_tells_the_truth_to_a_member(live_schema, wsgi_app, cast, world):
    failures = _exercise(live_schema, app=wsgi_app, user=cast.member_user, path_parameters=world)
    assert failures == [], f"{len(failures)} operations disagree with the schema:\n\n" + "\n\n".join(failures)


def test_schema_tells_the_truth_to_staff(live_schema, wsgi_app, cast, world):
    failures = _exercise(live_schema, app=wsgi_app, user=cast.store_staff, path_parameters=world)
    assert failures == [], f"{len(failures)} operations disagree with the schema:\n\n" + "\n\n".join(failures)


def test_schema_holds_for_requests_that_break_it(live_schema, wsgi_app, cast, world):
    """Requests that do not fit the schema (wrong types, missing fields, values out of range) get a documented 4xx."""
    failures = _exercise(
        live_schema, app=wsgi_app, user=cast.member_user, path_parameters=world,
        mode=GenerationMode.NEGATIVE, examples=4,
    )  # fmt: skip
    assert failures == [], f"{len(failures)} operations disagree with the schema:\n\n" + "\n\n".join(failures)


def test_schema_tells_the_truth_to_anonymous_callers(live_schema, wsgi_app, cast, world):
    failures = _exercise(live_schema, app=wsgi_app, user=None, path_parameters=world)
    assert failures == [], f"{len(failures)} operations disagree with the schema:\n\n" + "\n\n".join(failures)


def test_the_committed_schema_matches_the_code():
    """docs/openapi.yaml is what `make schema` writes; an endpoint changed without regenerating it fails here."""
    output = io.StringIO()
    call_command("spectacular", "--lang", "en", "--validate", "--fail-on-warn", stdout=output)
    generated = output.getvalue()
    committed = (settings.BASE_DIR / "docs" / "openapi.yaml").read_text(encoding="utf-8")
    if generated != committed:
        diff = difflib.unified_diff(
            committed.splitlines(), generated.splitlines(), "docs/openapi.yaml", "the code", lineterm="", n=1
        )
        pytest.fail(
            "docs/openapi.yaml differs from the schema the code generates: run `make schema` and commit the file.\n"
            + "\n".join(list(diff)[:60]),
            pytrace=False,
        )
