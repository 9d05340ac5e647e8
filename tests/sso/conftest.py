from tests.sso.providers import (  # noqa: F401
    oidc_provider,
    oidc_server,
    saml_provider,
    saml_server,
    sso_log,
)
