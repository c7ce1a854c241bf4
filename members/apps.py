from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Members")

    def ready(self) -> None:
        from members import (
            audit,  # noqa: F401  (registers models with the audit log)
            schema,  # noqa: F401  (registers the OpenAPI description of bearer tokens)
        )
