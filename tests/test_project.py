"""The project as a whole: health, demo settings, the documented topology, the API schema, logs."""

import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args: str, env: dict) -> subprocess.CompletedProcess:
    clean_env = dict(os.environ)
    clean_env.pop("DJANGO_SETTINGS_MODULE", None)
    clean_env.pop("TEST_DATABASE_NAME", None)
    merged = {key: value for key, value in {**clean_env, **env}.items() if value is not None}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=merged, capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip


@pytest.mark.django_db
def test_healthz_answers_200_when_database_and_broker_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


@pytest.mark.django_db
def test_healthz_answers_503_naming_the_broker_when_it_is_down(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:9/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "ok", "broker": "unavailable"}


def test_demo_settings_use_sqlite_and_in_process_jobs_without_service_urls():
    script = (
        "import django, json; django.setup(); from django.conf import settings;"
        "print(json.dumps([settings.DATABASES['default']['ENGINE'], settings.CELERY_TASK_ALWAYS_EAGER,"
        " settings.CACHES['default']['BACKEND']]))"
    )
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "REDIS_URL"}}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, check=True, timeout=60
    )
    engine, eager, cache = json.loads(result.stdout.strip().splitlines()[-1])
    assert engine == "django.db.backends.sqlite3"
    assert eager is True
    assert cache.endswith("LocMemCache")


def test_with_service_urls_settings_use_postgres_redis_and_a_real_broker():
    script = (
        "import django, json; django.setup(); from django.conf import settings;"
        "print(json.dumps([settings.DATABASES['default']['ENGINE'], settings.CELERY_TASK_ALWAYS_EAGER,"
        " settings.CELERY_BROKER_URL, settings.CACHES['default']['BACKEND']]))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
        "REDIS_URL": "redis://127.0.0.1:6379/2",
    }
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, check=True, timeout=60
    )
    engine, eager, broker, cache = json.loads(result.stdout.strip().splitlines()[-1])
    assert engine == "django.db.backends.postgresql"
    assert eager is False
    assert broker == "redis://127.0.0.1:6379/2"
    assert cache.endswith("RedisCache")


def _readme_commands() -> dict[str, str]:
    """The process table of README "Production": process name → command."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Production", 1)[1]
    rows = re.findall(r"^\| ([^|]+?) \| `([^`]+)` \|$", section, flags=re.MULTILINE)
    return {name.split(" (")[0].strip(): command for name, command in rows}


def test_docker_compose_runs_the_commands_the_readme_documents():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    services = compose["services"]
    documented = _readme_commands()

    assert set(documented) == {"migrate", "web", "worker", "beat"}
    for name, command in documented.items():
        assert services[name]["command"] == command, name
        assert services[name]["environment"]["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
    assert {"postgres", "redis"} <= set(services)
    assert services["beat"]["deploy"]["replicas"] == 1


def test_readme_opens_with_the_two_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first_block = readme.split("```sh", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in first_block.strip().splitlines()]
    assert commands == ["make demo", "make test"]
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^demo: ", makefile, flags=re.MULTILINE)
    assert re.search(r"^test: ", makefile, flags=re.MULTILINE)
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


@pytest.mark.django_db
def test_openapi_schema_describes_every_endpoint_of_this_contract(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    paths = schema["paths"]
    expected = {
        "/api/v1/auth/otp/": "post",
        "/api/v1/auth/login/": "post",
        "/api/v1/auth/logout/": "post",
        "/api/v1/auth/staff-login/": "post",
        "/api/v1/me/": "patch",
        "/api/v1/me/verification/": "post",
        "/api/v1/me/referrals/": "get",
        "/api/v1/catalog/models/": "get",
        "/api/v1/catalog/plans/": "get",
        "/api/v1/orders/": "post",
        "/api/v1/orders/{order_id}/": "get",
        "/api/v1/orders/{order_id}/transitions/{name}/": "post",
        "/api/v1/orders/{order_id}/documents/": "post",
        "/api/v1/points/": "get",
        "/api/v1/points/entries/": "get",
        "/api/v1/rewards/": "get",
        "/api/v1/redemptions/": "post",
        "/api/v1/coupons/": "get",
        "/api/v1/vehicles/": "get",
        "/api/v1/vehicles/{vehicle_id}/": "patch",
        "/api/v1/loans/": "get",
        "/api/v1/inbox/": "get",
        "/api/v1/inbox/{message_id}/read/": "post",
        "/api/v1/preferences/": "put",
        "/api/v1/backoffice/orders/": "get",
        "/api/v1/backoffice/orders/{order_id}/": "get",
        "/api/v1/backoffice/orders/{order_id}/transitions/{name}/": "post",
        "/api/v1/backoffice/orders/{order_id}/assign-store/": "post",
        "/api/v1/backoffice/orders/{order_id}/documents/": "post",
        "/api/v1/backoffice/members/": "get",
        "/api/v1/backoffice/members/{member_id}/": "get",
    }
    for path, method in expected.items():
        assert method in paths[path], path
    login = paths["/api/v1/auth/login/"]["post"]
    assert "requestBody" in login
    assert "200" in login["responses"]
    assert schema["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "The token returned by sign-in.",
    }


def test_schema_generation_has_no_warnings():
    result = run_manage(
        "spectacular", "--validate", "--fail-on-warn", "--file", os.devnull,
        env={"DJANGO_SETTINGS_MODULE": "config.settings.local", "DATABASE_URL": None, "REDIS_URL": None},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


@pytest.mark.django_db
def test_api_docs_page_is_served_without_a_cdn(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert "cdn." not in response.content.decode()


@pytest.mark.django_db
def test_request_log_is_structured_and_holds_no_body(client, caplog):
    with caplog.at_level(logging.INFO, logger="member_center.requests"):
        client.post("/api/v1/auth/otp/", {"phone": "13912345678"}, content_type="application/json")
    [record] = [record for record in caplog.records if record.name == "member_center.requests"]
    assert (record.method, record.path, record.status) == ("POST", "/api/v1/auth/otp/", 202)
    assert record.duration_ms >= 0
    assert "13912345678" not in caplog.text
