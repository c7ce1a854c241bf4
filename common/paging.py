"""A list to paginate whose rows are joined after the page is chosen."""

from collections.abc import Callable

from django.db.models import QuerySet


class RowsJoinedAfterPage:
    """What ``Paginator`` pages through (``count()`` and slices) when a page's rows are read with their joins.

    A queryset that joins (``select_related``) before ``ORDER BY … LIMIT`` makes the database join every matching
    row before the sort keeps a page: a store's whole overdue queue joined to its members and accounts to show
    twenty. Here the page is one statement that picks the page's ids in order from the table alone (its index,
    stopping at the page's end), then joins those rows only::

        SELECT … FROM task JOIN member … WHERE task.id IN (SELECT id FROM task WHERE … ORDER BY … LIMIT 20)
        ORDER BY …

    ``queryset`` is the scoped, filtered, ordered queryset without joins; ``rows`` adds the joins (and column
    choice) to a queryset of the same model. Same number of queries as paginating the joined queryset: one count,
    one page.
    """

    def __init__(self, queryset: QuerySet, *, rows: Callable[[QuerySet], QuerySet]):
        if not queryset.ordered:
            raise ValueError("A page of an unordered queryset is not defined.")
        self.queryset = queryset
        self.rows = rows

    def count(self) -> int:
        return self.queryset.count()

    def __getitem__(self, key: slice) -> list:
        if not isinstance(key, slice):
            raise TypeError("Read a page (a slice), not one row.")
        page_ids = self.queryset.values("pk")[key]
        model = self.queryset.model
        ordering = self.queryset.query.order_by or model._meta.ordering
        return list(self.rows(model._default_manager.filter(pk__in=page_ids)).order_by(*ordering))
