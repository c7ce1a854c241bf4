"""The admin side of "whom may this staff account see" (the rule is in members.selectors): every admin class of a
model that belongs to a store or a member uses ``StaffScopedAdminMixin`` with the selector of its own app.

Everything the admin shows or changes starts from ``get_queryset``: the changelist, the change, delete and history
pages and any object lookup (another store's row is "not found"), admin actions (they act on the changelist's
rows), exports, and autocomplete and raw-id pop-ups (they list the related model through its own admin). Foreign
keys that point to a scoped model offer only the rows the user may see, so a typed-in id of another store's row is
refused like any invalid choice.
"""

from collections.abc import Callable

from django.db.models import QuerySet


class StaffScopedAdminMixin:
    """Put before ``admin.ModelAdmin`` (or an inline) and set ``visible_to = staticmethod(<the app's selector>)``:
    ``visible_to(user=...)`` returns the rows of the model this user may see."""

    visible_to: Callable[..., QuerySet]

    def get_queryset(self, request):
        # `&` keeps the admin's own ordering and joins; for head-office roles the selector adds no condition.
        return super().get_queryset(request) & self.visible_to(user=request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related_admin = self.admin_site._registry.get(db_field.remote_field.model)
        if "queryset" not in kwargs and isinstance(related_admin, StaffScopedAdminMixin):
            kwargs["queryset"] = related_admin.get_queryset(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
