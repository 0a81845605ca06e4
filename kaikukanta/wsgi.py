import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kaikukanta.settings")
application = get_wsgi_application()

# Each server worker loads this module before it accepts a request (operations/serve.py): the desk's views are
# imported now rather than by the first desk of the morning. KAIKUKANTA_WARM_UP=0 leaves that to the first request.
if os.environ.get("KAIKUKANTA_WARM_UP", "1") != "0":
    from kaikukanta.operations.warmup import warm_up

    warm_up()
