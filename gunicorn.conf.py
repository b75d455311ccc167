# Read by gunicorn from the working directory (the image's /app): the access and error logs mask the secret
# links (/suivi/<token>/, /comite/mot-de-passe/<uid>/<token>/) like every other log of the portal
# (qualipref/log_filters.py: this logger class installs its record factory in the master, before any worker).
logger_class = "qualipref.log_filters.RedactingGunicornLogger"
