from django.http import HttpRequest

from .api_support import error_response
from .errors import Code, Refusal

API_PREFIX = "/api/"
_CODES_BY_STATUS = {404: Code.NOT_FOUND, 405: Code.METHOD_NOT_ALLOWED}


class ApiErrorBodyMiddleware:
    """Answers that never reach an API operation (an unknown path, a method the path does not have)
    get the contract's error body too, instead of Django's HTML pages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        response = self.get_response(request)
        code = _CODES_BY_STATUS.get(response.status_code)
        if (code is None or not request.path.startswith(API_PREFIX)
                or response.get("Content-Type", "").startswith("application/json")):
            return response
        rendered = error_response(request, Refusal(code))
        if "Allow" in response:
            rendered["Allow"] = response["Allow"]
        return rendered
