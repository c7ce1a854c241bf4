from decimal import Decimal
from urllib.parse import urlencode

from django import template
from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

register = template.Library()

SUMMARY_LABELS = {
    "cars": _("Cars"),
    "points_outstanding": _("Points outstanding"),
    "members_with_points": _("Members holding points"),
}


@register.simple_tag
def cell(row: dict, column):
    """A table cell as the column's kind shows it: rates as percentages, money with two places."""
    value = row.get(column.key)
    if value is None or value == "":
        return "—"
    if column.kind == "rate":
        return f"{Decimal(value) * 100:.1f}%"
    if column.kind == "money":
        return number_format(value, decimal_pos=2, force_grouping=True)
    if column.kind == "decimal":
        return number_format(value, decimal_pos=1)
    if column.kind == "date":
        return value.isoformat()
    return value


@register.simple_tag
def table_rows(rows: list[dict], columns) -> str:
    """The table's body rows, each cell as ``cell`` shows it, in one go: a tag per cell cost more than the query on a
    report of a few hundred rows (task execution's agents)."""
    return format_html_join(
        "\n  ",
        "<tr>{}</tr>",
        ((format_html_join("", "<td>{}</td>", ((cell(row, column),) for column in columns)),) for row in rows),
    )


@register.simple_tag
def filter_input(form, name: str):
    """A filter's input with the value in force (the default when nothing was asked)."""
    field = form.fields[name]
    value = form.cleaned_data.get(name) if hasattr(form, "cleaned_data") else None
    if hasattr(field, "choices"):
        options = format_html_join(
            "", '<option value="{}"{}>{}</option>',
            ((key, " selected" if str(key) == str(value or "") else "", label) for key, label in field.choices),
        )  # fmt: skip
        return format_html('<select name="{}">{}</select>', _parameter(name), options)
    kind = "date" if name.startswith("date_") else "text"
    shown = value.isoformat() if hasattr(value, "isoformat") else (value or "")
    return format_html('<input type="{}" name="{}" value="{}">', kind, _parameter(name), shown)


def _parameter(name: str) -> str:
    return {"date_from": "from", "date_to": "to"}.get(name, name)


@register.simple_tag
def query_string(values: dict, **more) -> str:
    return urlencode({**values, **more})


@register.filter
def total_in_columns(result) -> bool:
    return bool(result.total) and bool(result.total.keys() & {column.key for column in result.columns})


@register.filter
def summary_label(key: str) -> str:
    return str(SUMMARY_LABELS.get(key, key))
