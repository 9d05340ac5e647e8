"""Identity providers configured through the environment (the SSO_* variables of .env.example).

Read by the settings, so it imports nothing of Django's apps. One OpenID Connect provider and one
SAML 2.0 identity provider can be configured this way; any number more in /django-admin/ under
Social accounts → Social applications (docs/sso.md). Without the variables there are none, and
the log-in page shows only the password form.
"""

import re

# The claims and attributes that name a person's organisation, tried in this order when a
# provider does not name its own (`organisation_claim`): SURFconext's schacHomeOrganization
# (OpenID Connect claim and SAML attribute, by name and by OID) and Entra ID's tenant.
ORGANISATION_CLAIMS = [
    "schac_home_organization",
    "urn:mace:terena.org:attr:schacHomeOrganization",
    "urn:oid:1.3.6.1.4.1.25178.1.2.9",
    "tid",
    "http://schemas.microsoft.com/identity/claims/tenantid",
]

# SAML attributes that carry name and e-mail address (SURFconext, Entra ID, ADFS, Keycloak).
SAML_ATTRIBUTE_MAPPING = {
    "uid": [
        "urn:oasis:names:tc:SAML:attribute:subject-id",
        "urn:mace:dir:attribute-def:eduPersonPrincipalName",
        "urn:oid:1.3.6.1.4.1.5923.1.1.1.6",
    ],
    "email": [
        "urn:mace:dir:attribute-def:mail",
        "urn:oid:0.9.2342.19200300.100.1.3",
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
        "email",
    ],
    "first_name": [
        "urn:mace:dir:attribute-def:givenName",
        "urn:oid:2.5.4.42",
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname",
        "firstName",
    ],
    "last_name": [
        "urn:mace:dir:attribute-def:sn",
        "urn:oid:2.5.4.4",
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname",
        "lastName",
    ],
}


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "sso"


def _pem_body(value: str) -> str:
    """A certificate or key as python3-saml wants it: PEM with or without its armour; literal
    \\n in an environment variable become line breaks."""
    return value.replace("\\n", "\n").strip()


def providers_from_environment(env) -> dict:
    providers: dict = {}
    oidc_url = env("SSO_OIDC_SERVER_URL", default="")
    if oidc_url:
        name = env("SSO_OIDC_NAME", default="SURFconext")
        settings = {
            "server_url": oidc_url,
            "verified_email": env.bool("SSO_OIDC_TRUST_EMAIL", default=False),
            "slo": env.bool("SSO_OIDC_SINGLE_LOGOUT", default=True),
        }
        claim = env("SSO_OIDC_ORGANISATION_CLAIM", default="")
        if claim:
            settings["organisation_claim"] = claim
        scopes = env.list("SSO_OIDC_SCOPES", default=[])
        if scopes:
            settings["scope"] = scopes
        providers["openid_connect"] = {
            "APPS": [
                {
                    "provider_id": env("SSO_OIDC_ID", default=_slug(name)),
                    "name": name,
                    "client_id": env("SSO_OIDC_CLIENT_ID"),
                    "secret": env("SSO_OIDC_CLIENT_SECRET", default=""),
                    "settings": settings,
                }
            ]
        }
    saml_entity = env("SSO_SAML_IDP_ENTITY_ID", default="")
    if saml_entity:
        name = env("SSO_SAML_NAME", default="SURFconext")
        idp = {"entity_id": saml_entity}
        metadata_url = env("SSO_SAML_IDP_METADATA_URL", default="")
        if metadata_url:
            idp["metadata_url"] = metadata_url
        else:
            idp["sso_url"] = env("SSO_SAML_IDP_SSO_URL")
            idp["x509cert"] = _pem_body(env("SSO_SAML_IDP_CERT"))
            slo_url = env("SSO_SAML_IDP_SLO_URL", default="")
            if slo_url:
                idp["slo_url"] = slo_url
        advanced = {
            "want_assertion_signed": True,
            "reject_idp_initiated_sso": True,
        }
        sp_cert = env("SSO_SAML_SP_CERT", default="")
        if sp_cert:
            advanced.update(
                {
                    "x509cert": _pem_body(sp_cert),
                    "private_key": _pem_body(env("SSO_SAML_SP_KEY")),
                    "authn_request_signed": True,
                    "logout_request_signed": True,
                    "logout_response_signed": True,
                }
            )
            new_cert = env("SSO_SAML_SP_CERT_NEW", default="")
            if new_cert:
                advanced["x509cert_new"] = _pem_body(new_cert)
        settings = {
            "idp": idp,
            "advanced": advanced,
            "attribute_mapping": SAML_ATTRIBUTE_MAPPING,
            "verified_email": env.bool("SSO_SAML_TRUST_EMAIL", default=False),
        }
        sp_entity = env("SSO_SAML_SP_ENTITY_ID", default="")
        if sp_entity:
            settings["sp"] = {"entity_id": sp_entity}
        attribute = env("SSO_SAML_ORGANISATION_ATTRIBUTE", default="")
        if attribute:
            settings["organisation_claim"] = attribute
        slug = env("SSO_SAML_ID", default=_slug(name))
        providers["saml"] = {
            "APPS": [{"provider_id": slug, "name": name, "client_id": slug, "settings": settings}]
        }
    return providers
