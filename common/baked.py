"""Baked statements: the SQL of a queryset compiled once per process, caller and shape, then run again with the next
request's values (``.values()`` rows as dicts, model rows as objects with their ``select_related`` objects).

A page like the member 360 view runs a dozen small queries, each through its app's visibility selector. Their rows
are few; what costs is Django building each queryset and compiling it to SQL, on every request, to the same SQL
with other parameters. ``baked_rows`` keeps the SQL and which parameter is which value:

    rows = baked_rows(
        "360.messages",
        lambda *, user, member: notifications_visible_to(user=user, member=member).values("id", "subject")[:20],
        user=user, member=member,
    )

How a statement is baked, and why it is safe. The queryset is built and compiled twice: with the real values and
with stand-ins (a member whose key is a number no row has, a string no one types). The SQL must come out the same,
and each parameter must either be equal in both (a constant of the statement, e.g. a status) or be the stand-in in
one and the real value in the other (that value's place). Anything else (a parameter derived from a value, a time
of day, a date) means the statement cannot be baked: it is then run as a plain queryset every time. The key
holds everything of the caller that a visibility selector reads (account, role, store, flags), so a statement baked
for one caller is never run for another; sequences of ids are baked per length. Test settings set
``BAKED_STATEMENTS_VERIFY``: every reuse is compiled again and compared, so the suite checks each baked statement
against the queryset it stands for, for every caller the tests use.
"""

import copy
import datetime
import functools
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence

from django.conf import settings
from django.core.exceptions import EmptyResultSet, ObjectDoesNotExist
from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.query import ModelIterable, ValuesIterable, get_related_populators

# Compiled statements kept per process, the least recently used dropped first: about 15 KB each (the compiler is kept
# for the columns' places), so at most about 30 MB; the 360 bakes 18 per staff account.
MAX_BAKED = 2000


class _NotBakeable(Exception):
    pass


class _Empty:
    """The queryset can match nothing (``.none()``, ``IN ()``): no statement, no query."""


_EMPTY = _Empty()
_NOT_BAKEABLE = object()


class _Baked:
    """A statement's SQL, where each parameter comes from, and the compiler that made it (for the columns' places,
    converters and, for model rows, which model and related objects each column fills: the shape, not the values)."""

    __slots__ = ("compiler", "converters", "models", "params", "sql")

    def __init__(self, *, compiler, sql, params, models):
        self.compiler, self.sql, self.params, self.models = compiler, sql, params, models
        self.converters = _converters(compiler)


class _Slot:
    """A parameter that is one of the call's values: ``values[name]`` (or its ``index``-th item)."""

    __slots__ = ("index", "name")

    def __init__(self, name: str, index: int | None = None):
        self.name, self.index = name, index

    def value(self, values: dict):
        value = values[self.name]
        if isinstance(value, Model):
            return value.pk
        return value if self.index is None else value[self.index]


_cache: OrderedDict = OrderedDict()
_lock = threading.Lock()
# Stand-ins: inside a 32-bit integer column's range (Django leaves a lookup out of range unrun), far from any key.
_STAND_IN_INT = -1_987_654_321


def _caller_key(user) -> tuple:
    """What of the caller a visibility selector may read (None: a statement that depends on no caller)."""
    if user is None:
        return (None,)
    return (
        user.pk, getattr(user, "role", None), getattr(user, "store_id", None), user.is_staff, user.is_superuser,
        user.is_active, user.is_authenticated,
    )  # fmt: skip


# Django leaves a lookup with an integer out of its column's range unrun (no rows, no query): such a value changes
# the statement, so it is never put in a baked one.
_INT_RANGE = range(-(2**31), 2**31)


def _bakeable_value(value) -> bool:
    if isinstance(value, Model):
        return value.pk in _INT_RANGE
    if isinstance(value, bool) or not isinstance(value, (int, list, tuple)):
        return True
    if isinstance(value, int):
        return value in _INT_RANGE
    return all(isinstance(item, int) and item in _INT_RANGE for item in value)


def _shape(value) -> object:
    if isinstance(value, (list, tuple)):
        return ("seq", len(value))
    return type(value).__name__


def _model_stand_in(instance: Model, *, pk: int) -> Model:
    """The instance with another key and none of its field values or related objects (reading one fails, so a
    statement that depends on more than the key is not baked); marks such as ``member_visible_to``'s are kept."""
    stand_in = copy.copy(instance)
    for field in instance._meta.concrete_fields:
        stand_in.__dict__.pop(field.attname, None)
    stand_in._state = copy.copy(instance._state)
    stand_in._state.fields_cache = {}
    stand_in._prefetched_objects_cache = {}
    stand_in.pk = pk
    return stand_in


def _stand_ins(values: dict) -> tuple[dict, dict]:
    """Values of the same shape that no row has, and which place each stand-in marks."""
    stand_ins, places, counter = {}, {}, 0

    def next_int():
        nonlocal counter
        counter += 1
        return _STAND_IN_INT - counter

    for name, value in values.items():
        if isinstance(value, Model):
            stand_in = _model_stand_in(value, pk=next_int())
            places[stand_in.pk] = _Slot(name)
        elif isinstance(value, bool) or value is None:
            raise _NotBakeable(f"{name}: only ids, strings, models and sequences of ids are baked")
        elif isinstance(value, int):
            stand_in = next_int()
            places[stand_in] = _Slot(name)
        elif isinstance(value, str):
            stand_in = f"\x1fbaked-{name}-{next_int()}"
            places[stand_in] = _Slot(name)
        elif isinstance(value, (list, tuple)):
            stand_in = [next_int() for _ in value]
            for index, item in enumerate(stand_in):
                places[item] = _Slot(name, index)
        else:
            raise _NotBakeable(f"{name}: only ids, strings, models and sequences of ids are baked")
        stand_ins[name] = stand_in
    return stand_ins, places


def _compile(queryset: QuerySet):
    """(compiler, sql, params, whether it yields model objects), or _EMPTY when the queryset can match nothing."""
    # What the queryset yields must be what _rows builds: dicts (.values()) or model objects with select_related,
    # nothing to prefetch or attach afterwards.
    if queryset._iterable_class not in (ValuesIterable, ModelIterable):
        raise _NotBakeable("only .values() and model querysets are baked")
    if queryset._prefetch_related_lookups or queryset._known_related_objects:
        raise _NotBakeable("prefetch_related and related managers' querysets are not baked")
    compiler = queryset.query.get_compiler(using=queryset.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return _EMPTY
    return compiler, sql, tuple(params), queryset._iterable_class is ModelIterable


def _bake(build: Callable[..., QuerySet], *, user, values: dict):
    """The baked statement for these values (and the real compile, to run now), or _EMPTY / _NOT_BAKEABLE."""
    real = _compile(build(user=user, **values))
    try:
        stand_ins, places = _stand_ins(values)
        other = _compile(build(user=user, **stand_ins))
    except (_NotBakeable, ObjectDoesNotExist, TypeError, ValueError):
        # The statement reads more of a value than its key (or a value of a kind not baked).
        return _NOT_BAKEABLE, real
    if real is _EMPTY or other is _EMPTY:
        # Nothing to run for any value of this shape (a caller who may see nothing, an empty list), or only for these.
        return (_EMPTY if real is other else _NOT_BAKEABLE), real
    compiler, sql, params, models = real
    if other[1] != sql or len(other[2]) != len(params):
        return _NOT_BAKEABLE, real
    sources = []
    for mine, theirs in zip(params, other[2], strict=True):
        if isinstance(mine, (datetime.date, datetime.time)):
            return _NOT_BAKEABLE, real  # a day or time of day read when built: stale the next day
        place = places.get(theirs) if isinstance(theirs, (int, str)) else None
        if mine == theirs and place is None:
            sources.append(mine)
        elif place is not None and place.value(values) == mine:
            sources.append(place)
        else:
            return _NOT_BAKEABLE, real
    return _Baked(compiler=compiler, sql=sql, params=tuple(sources), models=models), real


def _cursor(connection):
    """Django's cursor; on PostgreSQL one that binds on the server, so that psycopg prepares the statement once per
    connection (``prepare_threshold`` in the settings) and PostgreSQL reuses its plan. Queries are logged and
    counted as Django's own are."""
    if connection.vendor != "postgresql" or connection.settings_dict["OPTIONS"].get("prepare_threshold") is None:
        return connection.cursor()
    import psycopg

    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    raw = psycopg.Cursor(connection.connection)
    return connection.make_debug_cursor(raw) if connection.queries_logged else connection.make_cursor(raw)


def _converters(compiler) -> dict:
    """What turns each column's database value into Python (dates on SQLite, decimals, JSON): by column, not row."""
    return compiler.get_converters([column[0] for column in compiler.select[: compiler.col_count]])


def _rows(compiler, sql: str, params: Sequence, models: bool, converters: dict | None = None) -> list:
    """Run the statement; its rows as ``.values()`` dicts or model objects, as Django's iterables make them."""
    connection = connections[compiler.using]
    with _cursor(connection) as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    width = compiler.col_count
    if converters is None:
        converters = _converters(compiler)
    rows = list(compiler.apply_converters(fetched, converters)) if converters else fetched
    if models:
        return _objects(compiler, [row[:width] for row in rows])
    query = compiler.query
    columns = (*query.extra_select, *query.values_select, *query.annotation_select)
    return [dict(zip(columns, row[:width], strict=True)) for row in rows]


def _objects(compiler, rows: list) -> list:
    """Model objects, with their select_related objects, as ``ModelIterable`` builds them."""
    select, klass_info, annotations = compiler.select, compiler.klass_info, compiler.annotation_col_map
    model = klass_info["model"]
    start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
    attnames = [column[0].target.attname for column in select[start:end]]
    populators = get_related_populators(klass_info, select, compiler.using)
    objects = []
    for row in rows:
        instance = model.from_db(compiler.using, attnames, row[start:end])
        for populator in populators:
            populator.populate(row, instance)
        for name, position in (annotations or {}).items():
            setattr(instance, name, row[position])
        objects.append(instance)
    return objects


@functools.cache
def _verify() -> bool:
    return bool(getattr(settings, "BAKED_STATEMENTS_VERIFY", False))


def baked_rows(name: str, build: Callable[..., QuerySet], *, user, **values) -> list:
    """``list(build(user=user, **values))``, compiled once per caller and shape: a ``.values()`` queryset's dicts or a
    model queryset's objects (``select_related`` and ``only`` allowed, ``prefetch_related`` not). ``values`` are the
    statement's inputs: ids, strings, model instances (their key) and lists of ids; ``build`` must read the caller
    only through the visibility selectors (see the module's docstring)."""
    if not all(map(_bakeable_value, values.values())):
        real = _compile(build(user=user, **values))
        return [] if real is _EMPTY else _rows(*real)
    key = (name, _caller_key(user), tuple((item, _shape(value)) for item, value in values.items()))
    with _lock:
        baked = _cache.get(key)
        if baked is not None:
            _cache.move_to_end(key)
    if baked is None:
        baked, real = _bake(build, user=user, values=values)
        with _lock:
            _cache[key] = baked
            while len(_cache) > MAX_BAKED:
                _cache.popitem(last=False)
        return [] if real is _EMPTY else _rows(*real)
    if baked is _EMPTY:
        if _verify() and _compile(build(user=user, **values)) is not _EMPTY:
            raise AssertionError(f"baked statement {name} found nothing to run, its queryset has")
        return []
    if baked is _NOT_BAKEABLE:
        real = _compile(build(user=user, **values))
        return [] if real is _EMPTY else _rows(*real)
    params = [source.value(values) if isinstance(source, _Slot) else source for source in baked.params]
    if _verify():
        real = _compile(build(user=user, **values))
        if real is _EMPTY or real[1] != baked.sql or list(real[2]) != params:
            raise AssertionError(f"baked statement {name} differs from its queryset")
    return _rows(baked.compiler, baked.sql, params, baked.models, baked.converters)


def forget_baked() -> None:
    """Drop every baked statement (tests that change a caller's scope in place, schema changes)."""
    with _lock:
        _cache.clear()
