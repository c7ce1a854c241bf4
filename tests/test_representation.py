"""``common.representation.represent`` answers exactly what the DRF serializer answers: missing values, defaults,
nulls, nested and listed serializers, methods, managers, dates in the request's time zone, decimals."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from rest_framework import serializers

from common.api import ChoiceLabelField
from common.representation import represent
from staff_tasks.enums import TaskKind


class Line(serializers.Serializer):
    number = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=8, decimal_places=2)


class Everything(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    kind = serializers.CharField()
    kind_label = ChoiceLabelField(source="kind", choices=TaskKind)
    at = serializers.DateTimeField()
    on = serializers.DateField(allow_null=True)
    paid = serializers.BooleanField()
    owner = serializers.CharField(source="owner.name", default=None, allow_null=True)
    nickname = serializers.CharField(allow_null=True)
    optional = serializers.CharField(required=False)
    lines = Line(many=True)
    latest = Line(source="history.latest", allow_null=True)
    itself = Line(source="*")
    shout = serializers.SerializerMethodField()
    secret = serializers.CharField(write_only=True)

    def get_shout(self, row) -> str:
        return row["name"].upper()


def a_row(**changes) -> dict:
    row = {
        "pk": 7, "name": "王", "kind": "return_visit",
        "at": datetime.datetime(2026, 12, 1, 16, 30, tzinfo=datetime.UTC),
        "on": datetime.date(2026, 12, 2), "paid": 1, "owner": None, "nickname": "小王", "optional": "x",
        "lines": [{"number": 1, "amount": Decimal("1.5")}, {"number": 2, "amount": Decimal("2764.145")}],
        "number": 3, "amount": Decimal("0"), "secret": "never shown", "history": {"latest": None},
    }  # fmt: skip
    row.update(changes)
    return row


@pytest.mark.parametrize(
    "row",
    [
        a_row(),
        a_row(owner={"name": "李"}, on=None, nickname=None, paid=0, lines=[]),
        a_row(owner=object()),  # an owner without a name: the default
    ],
)
def test_a_row_is_written_as_drf_writes_it(row):
    with translation.override("en"), timezone.override("Asia/Shanghai"):
        assert represent(Everything, row) == Everything(row).data
        assert represent(Everything, [row, row], many=True) == Everything([row, row], many=True).data


def test_a_missing_optional_value_is_left_out_and_a_missing_default_is_used():
    row = a_row(owner=object())
    del row["optional"]

    written = represent(Everything, row)

    assert written == Everything(row).data
    assert "optional" not in written
    assert written["owner"] is None


def test_a_missing_required_value_fails_as_in_drf():
    row = a_row()
    del row["name"]

    with pytest.raises(KeyError):
        Everything(row).data  # noqa: B018  (the property raises)
    with pytest.raises(KeyError):
        represent(Everything, row)


def test_times_are_written_in_the_active_time_zone():
    row = a_row()
    with timezone.override("Asia/Shanghai"):
        assert represent(Everything, row)["at"] == "2026-12-02T00:30:00+08:00"
    with timezone.override("UTC"):
        assert represent(Everything, row)["at"] == "2026-12-01T16:30:00Z"
    assert [line["amount"] for line in represent(Everything, row)["lines"]] == ["1.50", "2764.14"]


class Stamps(serializers.Serializer):
    at = serializers.DateTimeField()
    formatted = serializers.DateTimeField(format="%Y-%m-%d %H:%M", source="at")
    in_utc = serializers.DateTimeField(default_timezone=datetime.UTC, source="at")


@pytest.mark.parametrize(
    "at",
    [
        datetime.datetime(2026, 12, 1, 16, 30, tzinfo=datetime.UTC),
        datetime.datetime(2026, 12, 1, 16, 30, 5, 123456, tzinfo=datetime.timezone(datetime.timedelta(hours=-5))),
        datetime.datetime(2026, 12, 1, 16, 30),  # noqa: DTZ001  (naive: made aware in the active zone, as DRF does)
        "2026-12-01 16:30",  # text is written as it is
    ],
)
def test_times_in_every_form_are_written_as_drf_writes_them(at):
    for zone in ("Asia/Shanghai", "UTC"):
        with timezone.override(zone):
            assert represent(Stamps, {"at": at}) == Stamps({"at": at}).data
