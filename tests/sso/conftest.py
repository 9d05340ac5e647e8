from tests.sso.providers import oidc_provider, oidc_server, saml_provider, saml_server  # noqa: F401
