from tests.sso.providers import (  # noqa: F401
    albeda,
    oidc_provider,
    oidc_server,
    saml_provider,
    saml_server,
    sso_log,
)
