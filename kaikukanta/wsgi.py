import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kaikukanta.settings")
django_application = get_wsgi_application()


def application(environ, start_response):
    """Django's WSGI application, with a response that is already whole in memory (every answer but a
    streamed file or export) handed over as a one-item list: the server (granian) then sends it in one piece,
    where for an iterable it hands each chunk across from Python and calls back to close it. The response
    is closed here first, which sends Django's request_finished as closing it at the end would."""
    response = django_application(environ, start_response)
    if getattr(response, "streaming", True):
        return response
    try:
        return [response.content]
    finally:
        response.close()


# Each server worker loads this module before it accepts a request (operations/serve.py): the desk's views are
# imported now rather than by the first desk of the morning. KAIKUKANTA_WARM_UP=0 leaves that to the first request.
if os.environ.get("KAIKUKANTA_WARM_UP", "1") != "0":
    from kaikukanta.operations.warmup import warm_up

    warm_up()
