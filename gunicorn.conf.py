# Read by gunicorn from the directory it starts in (README's production section starts it here).
# Access and error logs go through the one masking function: no card number or token secret is written.
logger_class = "kaikukanta.core.log_masking.GunicornLogger"


def post_worker_init(worker):
    """Each worker imports the views and opens its database connection before it accepts a request
    (operations/warmup.py), so that the first request after a (re)start is not the one to wait for it."""
    from kaikukanta.operations.warmup import warm_up

    worker.log.info("worker warmed up in %.2f s", warm_up())


# Threaded workers keep a client's connection open between requests (the sync worker closes it after every
# answer, so each desk request paid a new TCP connection and a worker's accept). Measured with `make bench`'s
# load (README, "Close to the physical limit"): 4 workers × 4 threads answered 1.4–2.5 × the card checks and
# 1.5–1.6 × the registrations of 4 sync workers on two cores. Each thread holds its own database connection
# (workers × threads per app host). `--worker-class sync` on the command line goes back to the old model.
worker_class = "gthread"
threads = 4
