"""A serializer's output without DRF's per-request machinery, for long read-only answers (the member 360 view, the
task queues).

``represent(Customer360Serializer, view)`` equals ``Customer360Serializer(view).data``: the serializer classes stay
the contract (and the OpenAPI schema); only how the answer is produced differs. DRF deep-copies every declared field
of every nested serializer on each request and walks each row through generic per-field code; here each serializer
class is turned once per process into a list of steps (name, where the value comes from, how it is written) and
each row is one loop over them. Fields whose output has rules of their own (dates and times in the request's time
zone, decimals with their places) are still written by the DRF field itself.
"""

import contextvars
import datetime
import functools
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Manager
from django.utils import timezone
from rest_framework import ISO_8601, fields, serializers
from rest_framework.settings import api_settings

# How a value that is missing (``KeyError``/``AttributeError`` on the way) is written: as Field.get_attribute does.
_DEFAULT, _NULL, _SKIP, _RAISE = range(4)


def _missing_rule(field) -> tuple[int, object]:
    if field.default is not fields.empty:
        return _DEFAULT, field.default
    if field.allow_null:
        return _NULL, None
    if not field.required:
        return _SKIP, None
    return _RAISE, None


def _read(instance, attrs: tuple[str, ...]):
    """``rest_framework.fields.get_attribute`` for the common cases, with its rules: a mapping by key, anything else
    by attribute, a missing related object is None, a method without arguments is called."""
    for attr in attrs:
        try:
            instance = instance[attr] if type(instance) is dict else getattr(instance, attr)
        except ObjectDoesNotExist:
            return None
        if callable(instance) and fields.is_simple_callable(instance):
            instance = instance()
    return instance


def _writer(field) -> Callable:
    """How one field writes a value that is not None."""
    if isinstance(field, serializers.ListSerializer):
        write_row = _writer(field.child)
        return lambda value: [write_row(row) for row in (value.all() if isinstance(value, Manager) else value)]
    if isinstance(field, serializers.Serializer):
        if type(field).to_representation is not serializers.Serializer.to_representation:
            return field.to_representation  # a serializer with its own rules keeps them
        return _row_writer(field)
    if isinstance(field, serializers.SerializerMethodField):
        return getattr(field.parent, field.method_name)
    if type(field) is serializers.CharField:
        return str
    if type(field) is serializers.IntegerField:
        return int
    if type(field) is serializers.DateTimeField:
        return _datetime_writer(field)
    return field.to_representation


# The request's time zone, read once per answer: a long answer writes a few hundred times.
_time_zone: contextvars.ContextVar = contextvars.ContextVar("represent_time_zone")


def _datetime_writer(field: serializers.DateTimeField) -> Callable:
    """DateTimeField.to_representation for an aware datetime written in ISO 8601 in the request's time zone (the
    common case); anything else goes to the field itself."""
    if hasattr(field, "timezone") or not settings.USE_TZ:
        return field.to_representation
    if str(getattr(field, "format", api_settings.DATETIME_FORMAT) or "").lower() != ISO_8601:
        return field.to_representation

    def write(value):
        if type(value) is not datetime.datetime or value.tzinfo is None:
            return field.to_representation(value)
        text = value.astimezone(_time_zone.get()).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return write


def _row_writer(serializer: serializers.Serializer) -> Callable[[object], dict]:
    steps = []
    for field in serializer.fields.values():
        if field.write_only:
            continue
        rule, default = _missing_rule(field)
        attrs = () if isinstance(field, serializers.SerializerMethodField) else tuple(field.source_attrs)
        steps.append((field.field_name, attrs, _writer(field), rule, default))

    def write(instance) -> dict:
        row = {}
        for name, attrs, write_value, rule, default in steps:
            try:
                value = _read(instance, attrs)
            except (KeyError, AttributeError):
                if rule == _RAISE:
                    raise
                if rule == _SKIP:
                    continue
                value = default() if rule == _DEFAULT and callable(default) else default
            row[name] = None if value is None else write_value(value)
        return row

    return write


@functools.cache
def _class_writer(serializer_class: type[serializers.Serializer]) -> Callable[[object], dict]:
    return _row_writer(serializer_class())


def represent(serializer_class: type[serializers.Serializer], instance, *, many: bool = False):
    """What ``serializer_class(instance, many=many).data`` answers, for a serializer that needs no context."""
    write = _class_writer(serializer_class)
    token = _time_zone.set(timezone.get_current_timezone())
    try:
        if many:
            return [write(row) for row in (instance.all() if isinstance(instance, Manager) else instance)]
        return write(instance)
    finally:
        _time_zone.reset(token)
