# Read by gunicorn from the working directory (the image's /app): the access log masks the
# secret tracking links (/suivi/<token>/) like every other log of the portal.
logger_class = "qualipref.log_filters.RedactingGunicornLogger"
