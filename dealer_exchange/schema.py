"""OpenAPI description of the dealer systems' API-key authentication (drf-spectacular extension)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class DealerApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "dealer_exchange.api.DealerApiKeyAuthentication"
    name = "dealerApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Api-Key <key>`: a key issued to the dealer system in the admin.",
        }
