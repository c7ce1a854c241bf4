"""OpenAPI description of the partners' API-key authentication (drf-spectacular extension)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class PartnerApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "crm.leads.api.PartnerApiKeyAuthentication"
    name = "partnerApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Api-Key <key>`: a key issued to the partner in the admin.",
        }
