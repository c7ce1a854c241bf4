"""The admin is the call center's all-day workbench: in zh-hans every app, model, field and choice it shows reads in
Chinese — our own models and the third-party ones it registers (audit log, sign-in lockouts)."""

import re

import pytest
from django.apps import apps
from django.contrib import admin
from django.utils import translation

CHINESE = re.compile(r"[\u4e00-\u9fff]")
# Words that are the same in Chinese (body types), and a library field no admin page shows.
LATIN_BY_NATURE = {"MPV", "SUV"}
NOT_SHOWN = {("auditlog.LogEntry", "serialized_data")}


def _labels_left_in_english() -> list[tuple[str, str, str]]:
    left = []
    with translation.override("zh-hans"):
        for model in admin.site._registry:
            meta = model._meta
            texts = [
                ("app", apps.get_app_config(meta.app_label).verbose_name),
                ("verbose_name", meta.verbose_name),
                ("verbose_name_plural", meta.verbose_name_plural),
            ]
            for field in meta.get_fields():
                if (field.auto_created and not field.concrete) or field.name == "id":
                    continue
                if (meta.label, field.name) in NOT_SHOWN:
                    continue
                texts.append((field.name, field.verbose_name))
                texts += [(f"{field.name} choice", label) for _value, label in getattr(field, "flatchoices", [])]
            left += [
                (meta.label, where, str(text))
                for where, text in texts
                if not CHINESE.search(str(text)) and str(text) not in LATIN_BY_NATURE
            ]
    return left


def test_every_admin_label_reads_in_chinese():
    assert _labels_left_in_english() == []


@pytest.mark.django_db
def test_the_admin_index_has_no_english_model_names(admin_client):
    html = admin_client.get("/admin/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    for english in ["Points accounts", "Credit checks", "Loans", "Access attempts", "Log entries", "Axes"]:
        assert english not in html
    assert "积分账户" in html


@pytest.mark.django_db
def test_the_outbox_shows_events_by_their_name_not_their_code(admin_client, member):
    from notifications.services import queue_notification

    queue_notification(
        recipient_id=member.user.pk, event="points.earn", subject="您获得了 100 积分", body="…", dedupe_key="labels"
    )
    html = admin_client.get("/admin/notifications/notification/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert '您获得了 … 积分 <span class="quiet">points.earn</span>' in html
    # The filter lists events by name too.
    assert "您获得了 … 积分 · points.earn" in html
