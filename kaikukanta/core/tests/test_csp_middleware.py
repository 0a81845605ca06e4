"""The header our CSP middleware builds once is the header django-csp would build on each response."""

from csp.constants import HEADER
from csp.decorators import csp_exempt, csp_update
from csp.middleware import CSPMiddleware
from django.http import HttpResponse
from django.test import RequestFactory

from kaikukanta.core.middleware import ContentSecurityPolicyMiddleware


def _header(middleware_class, view, settings):
    settings.DEBUG = False
    request = RequestFactory().get("/somewhere/")
    middleware = middleware_class(view)
    return middleware(request).get(HEADER)


def _plain(request):
    return HttpResponse("ok")


def test_the_header_is_django_csps_and_follows_a_change_of_policy(settings):
    assert _header(ContentSecurityPolicyMiddleware, _plain, settings) == _header(CSPMiddleware, _plain, settings)
    assert "script-src 'self'" in _header(ContentSecurityPolicyMiddleware, _plain, settings)

    middleware = ContentSecurityPolicyMiddleware(_plain)
    first = middleware(RequestFactory().get("/")).get(HEADER)
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    second = middleware(RequestFactory().get("/")).get(HEADER)

    assert first != second and second == "default-src 'none'"


def test_a_views_own_policy_is_still_honoured(settings):
    exempt = csp_exempt()(_plain)
    widened = csp_update({"img-src": ["https://example.org"]})(_plain)

    assert _header(ContentSecurityPolicyMiddleware, exempt, settings) is None
    assert "https://example.org" in _header(ContentSecurityPolicyMiddleware, widened, settings)
