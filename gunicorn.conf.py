# Read by gunicorn from the directory it starts in (README's production section starts it here).
# Access and error logs go through the one masking function: no card number or token secret is written.
logger_class = "kaikukanta.core.log_masking.GunicornLogger"
