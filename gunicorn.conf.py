# Read by gunicorn from the directory it starts in (README's production section starts it here).
# Access and error logs go through the one masking function: no card number or token secret is written.
logger_class = "kaikukanta.core.log_masking.GunicornLogger"


def post_worker_init(worker):
    """Each worker imports the views and opens its database connection before it accepts a request
    (operations/warmup.py), so that the first request after a (re)start is not the one to wait for it."""
    from kaikukanta.operations.warmup import warm_up

    worker.log.info("worker warmed up in %.2f s", warm_up())
