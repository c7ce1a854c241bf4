from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _


class AxesConfig(AxesAppConfig):
    """django-axes with a name the admin can show in Chinese (the library's app has no translatable name)."""

    verbose_name = _("Sign-in lockouts")
