"""gunicorn's settings for Waymark in production (`gunicorn -c deploy/gunicorn.conf.py`).

Sync workers: every request is short (a check-in is ~13 SQL statements), and a crashed or
stuck worker costs one request, not many. Listens on loopback only; nginx in front of it
terminates TLS (deploy/nginx/waymark.conf).
"""

import multiprocessing
import os

wsgi_app = "waymark.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# (2 x cores) + 1 is gunicorn's own advice; with SQLite, 2-4 is plenty (one writer at a time).
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
# A request taking longer than this is stuck: its worker is killed and replaced.
timeout = 30
graceful_timeout = 30
# Recycle workers now and then so a slow leak never grows (jitter: not all at once).
max_requests = 2000
max_requests_jitter = 200
# Only nginx on this machine may say which scheme the client used.
forwarded_allow_ips = "127.0.0.1"
# The access log goes to journald. %(U)s is the path without the query string: queries can
# hold search terms (a patient's name); paths hold only ids.
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
# Limits on what a client can send before Django sees it.
limit_request_line = 8190
limit_request_fields = 100
