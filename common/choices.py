"""Labels of stored choices, looked up in a table per language instead of per row.

Django's ``get_FOO_display`` hashes every (lazy) label of the field's choices on each call; on a page of a few
hundred rows that was a measurable share of the time. The labels of one choices class in one language are built once.
"""

import functools

from django.utils.translation import get_language


@functools.cache
def _labels(choices, language: str | None) -> dict[str, str]:
    return {value: str(label) for value, label in choices.choices}


def choice_label(choices, value) -> str:
    """The label of ``value`` in the active language (the value itself when it is not one of the choices, as
    ``get_FOO_display`` does)."""
    return _labels(choices, get_language()).get(value, value)


def choice_labels(choices) -> dict[str, str]:
    """Every label of ``choices`` in the active language, for labelling many rows: ``labels.get(value, value)``."""
    return _labels(choices, get_language())
