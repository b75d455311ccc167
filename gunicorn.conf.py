# Read by gunicorn from the working directory (the image's /app): the access and error logs mask the secret
# links (/suivi/<token>/, /comite/mot-de-passe/<uid>/<token>/) like every other log of the portal
# (qualipref/log_filters.py: this logger class installs its record factory in the master, before any worker).
logger_class = "qualipref.log_filters.RedactingGunicornLogger"

# Limits on what gunicorn reads before the portal sees a request (its defaults, stated here for the security review):
# the request line (method, path and query string), the number of headers and a header's size. A larger one is
# refused with a 400 before any application code runs. Request bodies are bounded per page by the portal
# (qualipref/request_limits.py) and, in front, by the reverse proxy (README, "Request and file sizes").
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190
