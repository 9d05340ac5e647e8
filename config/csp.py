"""Content-Security-Policy with one allowance: the admin sites.

Our own pages get the strict policy from `CONTENT_SECURITY_POLICY` (no inline script, no
eval, no plugins). Wagtail's admin and Django's admin still ship inline `<script>` blocks in a
few widgets and panels, so paths under `STIP_CSP_ADMIN_PREFIXES` get the directives of
`STIP_CSP_ADMIN_UPDATE` added. See docs/decisions/0004-csp-and-login-throttling.md.
"""

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings


class StipCSPMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if request.path_info.startswith(tuple(settings.STIP_CSP_ADMIN_PREFIXES)):
            parts.update = {**settings.STIP_CSP_ADMIN_UPDATE, **(parts.update or {})}
        return parts
