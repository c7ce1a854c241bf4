from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DealerExchangeConfig(AppConfig):
    name = "dealer_exchange"
    verbose_name = _("Dealer system exchange")

    def ready(self) -> None:
        from dealer_exchange import schema  # noqa: F401  (registers the OpenAPI description of the API key)
