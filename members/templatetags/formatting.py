"""``{% load formatting %}``: one way to show money and phone numbers everywhere (members.formatting)."""

from django import template

from members.formatting import format_money, format_percent, format_phone

register = template.Library()


@register.filter
def money(value) -> str:
    return format_money(value)


@register.filter
def money_number(value) -> str:
    """The amount without the ¥, for sentences that put the symbol themselves."""
    return format_money(value, symbol=False)


@register.filter
def percent(value) -> str:
    """0.3 → "30": a ratio as a percentage, for sentences that put the % themselves."""
    return format_percent(value)


@register.filter
def phone(value) -> str:
    return format_phone(value)


@register.simple_tag(takes_context=True)
def context_count(context, name: str) -> int:
    """A count the page's context holds by ``name`` (a badge of the "me" page), 0 when it has none."""
    return context.get(name) or 0 if name else 0
