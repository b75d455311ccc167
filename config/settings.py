"""Settings of the Qualipref portal, read from the environment.

With no environment variable at all (and ``DEBUG=true``) the portal runs on its embedded
defaults: SQLite, Celery tasks run eagerly, cache in memory, e-mails printed to the console.
Production sets ``DATABASE_URL``, ``REDIS_URL``, ``SECRET_KEY``, ``ALLOWED_HOSTS`` and
``EMAIL_URL``. See https://django-environ.readthedocs.io/ for the URL formats.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-embedded-development-key-never-use-it-in-production"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# The portal's own apps, named once: roles grant on them, tests walk them (docs/architecture.md has their layers).
QUALIPREF_APPS = [
    "qualipref",
    "complaints",
    "committee",
    "delays",
    "surveys",
    "measures",
    "engagements",
    "evidence",
    "audits",
    "reports",
    "demo",
]

# The label's audit cycle (audits/cycle.py): a label is granted for this many months, with a surveillance audit
# every this many months in between; the renewal audit is due by the label's end. The national referential's
# periods are 36 and 12; change them only if the referential does.
LABEL_VALIDITY_MONTHS = env.int("LABEL_VALIDITY_MONTHS", default=36)
LABEL_SURVEILLANCE_MONTHS = env.int("LABEL_SURVEILLANCE_MONTHS", default=12)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "dsfr",
    "widget_tweaks",
    "crispy_forms",
    "simple_history",
    "django_ratelimit",
    "csp",
    "axes",
    "rest_framework",
    "drf_spectacular",
    *QUALIPREF_APPS,
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before anything reads a form: a body larger than its page accepts is refused (413) unread.
    "qualipref.request_limits.RequestSizeLimitMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Times in the zone of the prefecture the request is about (La Réunion's, not Paris's): qualipref/timezones.py.
    "qualipref.timezones.PrefectureTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "qualipref.context_processors.site",
                "csp.context_processors.nonce",
            ],
            # Replaces Django's `date` filter: « 1er juillet » in French (qualipref/dates.py).
            "builtins": ["qualipref.templatetags.dates"],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
# Persistent connections with health checks: opening a connection per request cuts a
# one-query page's throughput about eight-fold on PostgreSQL.
# https://docs.djangoproject.com/en/5.2/ref/databases/#persistent-connections
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite shares the file between the web process and eager tasks; wait rather than fail.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "qualipref.User"

# --- Redis: cache, rate limits, Celery ------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")

# django-ratelimit does not list Django's own Redis backend, which counts atomically all the same.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's Redis cache, failing soft: if Redis stops, pages and forms work without a cache.
            "BACKEND": "qualipref.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "qualipref",
            # A Redis host that stops answering must cost a request a second, not the OS's minutes.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # The embedded default serves one process, so a per-process cache counts rate limits right;
    # production counts them in Redis, shared by every worker.
    SILENCED_SYSTEM_CHECKS += ["django_ratelimit.E003"]

# https://docs.celeryq.dev/en/stable/userguide/configuration.html
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = REDIS_URL or None
# Without a broker, tasks run in the web process as soon as they are sent.
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
# A task is acknowledged once done, so a worker killed mid-task gives it back to the queue.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis re-delivers an unacknowledged task after this delay: every retry countdown and
# every time limit must stay well below it, or a long task would run twice.
CELERY_BROKER_VISIBILITY_TIMEOUT = 3600
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_BROKER_VISIBILITY_TIMEOUT}
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_TIME_LIMIT = 300
CELERY_RETRY_MAX_COUNTDOWN = 600
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_TIMEZONE = "Europe/Paris"
CELERY_WORKER_MAX_MEMORY_PER_CHILD = 400_000  # KiB
# Audit reports (WeasyPrint) take longer than other tasks: their own limits, still below the visibility
# timeout; a worker child past the memory limit above is replaced after its task.
AUDIT_REPORT_SOFT_TIME_LIMIT = env.int("AUDIT_REPORT_SOFT_TIME_LIMIT", default=600)
AUDIT_REPORT_TIME_LIMIT = AUDIT_REPORT_SOFT_TIME_LIMIT + 60
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Periodic jobs, run by `celery -A config beat`. Each app adds its own entries here.
CELERY_BEAT_SCHEDULE = {
    "refresh-next-audits": {"task": "qualipref.tasks.refresh_all_next_audits", "schedule": crontab(hour=3, minute=0)},
    "sweep-outbox": {"task": "qualipref.tasks.sweep_outbox", "schedule": crontab(minute="*/5")},
    # 7:00 in Paris: 9:00 or 10:00 in La Réunion, 1:00 or 2:00 in the Antilles (still the same
    # day there); each prefecture's cases are judged by its own today.
    "complaints-daily-digest": {"task": "complaints.tasks.send_daily_digests", "schedule": crontab(hour=7, minute=0)},
    "complaints-retention": {"task": "complaints.tasks.apply_retention", "schedule": crontab(hour=3, minute=30)},
    # The prefectures' mailboxes (complaints/mailbox): new messages become cases within a few minutes.
    "complaints-read-mailboxes": {"task": "complaints.tasks.read_mailboxes", "schedule": crontab(minute="*/5")},
    # Their Message-IDs (kept against importing a message twice), once past QUALIPREF_MAILBOX_MESSAGE_ID_DAYS.
    "complaints-purge-imported-emails": {
        "task": "complaints.tasks.purge_imported_emails",
        "schedule": crontab(hour=3, minute=40),
    },
    # After the day's answers and ratings: the last three months of every prefecture's engagement figures.
    "engagements-refresh-monthly-indicators": {
        "task": "qualipref.engagements.tasks.refresh_all_monthly_indicators",
        "schedule": crontab(hour=4, minute=45),
    },
    "delays-expire-stale-imports": {
        "task": "delays.tasks.expire_stale_delivery_imports",
        "schedule": crontab(hour=4, minute=15),
    },
    # Audit reports of the period just over, for every prefecture. 6:30 in Paris on the 1st: already the 1st
    # everywhere, the Antilles included. Safe to run twice: a schedule asks once per period.
    "reports-monthly": {
        "task": "qualipref.reports.tasks.schedule_audit_reports",
        "schedule": crontab(day_of_month=1, hour=6, minute=30),
        "args": ("month",),
    },
    "reports-quarterly": {
        "task": "qualipref.reports.tasks.schedule_audit_reports",
        "schedule": crontab(month_of_year="1,4,7,10", day_of_month=1, hour=6, minute=40),
        "args": ("quarter",),
    },
    "reports-yearly": {
        "task": "qualipref.reports.tasks.schedule_audit_reports",
        "schedule": crontab(month_of_year=1, day_of_month=1, hour=6, minute=50),
        "args": ("year",),
    },
    "reports-sweep": {"task": "qualipref.reports.tasks.sweep_audit_reports", "schedule": crontab(minute="*/10")},
    # 6:00 in Paris: the morning in La Réunion, still the same day in the Antilles; each document is judged by its
    # prefecture's own today. Safe to run twice: a reminder is recorded once per document version.
    "evidence-reminders": {"task": "evidence.tasks.send_evidence_reminders", "schedule": crontab(hour=6, minute=0)},
}

# --- Passwords ---------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # First: refuses any login attempt from a locked-out address and account (django-axes).
    "axes.backends.AxesStandaloneBackend",
    "qualipref.auth.RoleBackend",
]
# Brute-force protection on every login form (admin, members' space), counted per identity: the address typed,
# folded as the login folds it (``qualipref.models.login_identity``: case, blanks, full-width letters), so every
# spelling of an account shares its guesses. 5 failures lock that account from that address for an hour; 20
# failures from one address, whatever the accounts tried, lock every login from it for an hour (password
# spraying; raise it if many agents reach the portal through one proxy address).
# https://django-axes.readthedocs.io/en/latest/4_configuration.html
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_IP_FAILURE_LIMIT = env.int("AXES_IP_FAILURE_LIMIT", default=20)
AXES_HANDLER = "qualipref.auth.LockoutHandler"  # axes' database handler, plus AXES_IP_FAILURE_LIMIT
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True  # a login wipes its own identity's failures from its address, nobody else's
# Every login form of the portal (admin, members' space) posts the e-mail as "username".
AXES_USERNAME_FORM_FIELD = "username"
# The login's identity of the address, cut to the column's length (an overlong name must fail to log in, not
# fail to be recorded).
AXES_USERNAME_CALLABLE = "qualipref.auth.axes_username"
AXES_LOCKOUT_TEMPLATE = "axes_lockout.html"
AXES_IPWARE_META_PRECEDENCE_ORDER = [env.str("RATELIMIT_IP_META_KEY", default="REMOTE_ADDR")]
AXES_VERBOSE = False
LOGIN_URL = "admin:login"

# --- Languages and time --------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["qualipref.formats"]  # French thousands: « 1 201 » with a narrow no-break space
USE_I18N = True
TIME_ZONE = "Europe/Paris"
USE_TZ = True

# --- Static and private files ----------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded files (attachments, reports) are private: no MEDIA_URL is served, every download
# goes through a view that checks the permission.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            # whitenoise's compressed manifest storage, leaving django-dsfr's files byte-identical (their SRI).
            else "qualipref.storage.StaticFilesStorage"
        )
    },
}

# --- E-mail --------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Qualipref <ne-pas-repondre@qualipref.example.org>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security --------------------------------------------------------------------------------
# Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Django's database sessions, without a query and a transaction each new session did not need (qualipref/sessions.py).
SESSION_ENGINE = "qualipref.sessions"
SESSION_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_HTTPONLY = True
# The language switch's cookie: flagged like the others (only the server reads it).
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
# A form refused for its CSRF token gets a DSFR page in the visitor's language, with the way back to the form.
CSRF_FAILURE_VIEW = "qualipref.errors.csrf_failure"

# Content Security Policy (django-csp): scripts only from our own origin, with a per-request
# nonce for the DSFR's module loader; no inline script anywhere. Styles allow inline
# attributes, which the Django admin still uses.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- Forms -----------------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = ("dsfr",)
CRISPY_TEMPLATE_PACK = "dsfr"
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
# The DSFR asks forms to mark optional fields "(facultatif)" rather than required ones with "*".
DSFR_MARK_OPTIONAL_FIELDS = True
# django-dsfr's tags would otherwise mark their content safe: citizens' text must stay escaped.
DSFR_CONTENT_IS_SAFE = False

# --- Logging: no personal data, ever (no request bodies, no e-mail addresses) -------------------
# No secret link either: every record of every logger is cleaned as it is made (qualipref/log_filters.py;
# the secret URLs are named in config/urls.py's ``secret_urls``).
LOGGING_CONFIG = "qualipref.log_filters.configure_logging"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Replace Django's default handlers (which print unfiltered in debug) with ours.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint and fontTools narrate every PDF step at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # pikepdf announces its C++ logger at INFO whenever it is imported (every management command).
        "pikepdf": {"level": "WARNING"},
    },
}

# --- The portal -------------------------------------------------------------------------------
QUALIPREF_SITE_TITLE = env.str("QUALIPREF_SITE_TITLE", default="Qualipref")
QUALIPREF_PUBLISHER = env.str("QUALIPREF_PUBLISHER", default="Ministère de l’Intérieur")
QUALIPREF_CONTACT_EMAIL = env.str("QUALIPREF_CONTACT_EMAIL", default="qualipref@example.org")
# The portal's public address, for the links read outside a page: e-mails, QR codes, posters, PDFs, calendar
# invitations (qualipref/links.py; a page builds its own links from the request). `make run` sets it from PORT;
# production sets its https address: `check --deploy` warns while it is a loopback one (qualipref/checks.py).
QUALIPREF_BASE_URL = env.str("QUALIPREF_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")

# --- Uploads (qualipref/uploads.py: every file a citizen or an officer sends) ------------------------------
# Images with more pixels than this are refused before being decoded (decompression bombs): 40 million pixels
# take a phone's photos and an A4 page scanned at 600 dpi (35 million), and at most 160 MB of memory decoded.
UPLOADS_MAX_IMAGE_PIXELS = env.int("UPLOADS_MAX_IMAGE_PIXELS", default=40_000_000)
# Virus scan by clamd, off when empty: unix:///run/clamav/clamd.ctl or tcp://clamav:3310 (docker-compose.yml).
# While it is set, a file clamd cannot scan (down, timed out) is refused with a "try again later" message.
CLAMAV_URL = env.str("CLAMAV_URL", default="")
CLAMAV_TIMEOUT = env.int("CLAMAV_TIMEOUT", default=30)

# --- Complaints ------------------------------------------------------------------------------------
# Personal data of cases closed for longer than this is anonymised (counts and durations stay).
COMPLAINTS_RETENTION_MONTHS = env.int("COMPLAINTS_RETENTION_MONTHS", default=24)
COMPLAINTS_MAX_ATTACHMENTS = 3
COMPLAINTS_MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
# Submissions per address and hour on the public forms (complaints, lost link, tracking replies).
COMPLAINTS_SUBMIT_RATE = env.str("COMPLAINTS_SUBMIT_RATE", default="5/h")
# E-mail intake (complaints/mailbox): each prefecture's mailbox, declared in the administration, is read over IMAP
# with TLS; its password comes from QUALIPREF_MAILBOX_PASSWORD_<department code> (e.g. QUALIPREF_MAILBOX_PASSWORD_974).
# The servers' certificates are checked against the system's authorities, or this file's (a private authority).
QUALIPREF_MAILBOX_CA_FILE = env.str("QUALIPREF_MAILBOX_CA_FILE", default="")
QUALIPREF_MAILBOX_TIMEOUT = env.int("QUALIPREF_MAILBOX_TIMEOUT", default=60)
# A larger message becomes a case from its headers alone (its text and files left in the mailbox, listed as refused).
QUALIPREF_MAILBOX_MAX_MESSAGE_BYTES = env.int("QUALIPREF_MAILBOX_MAX_MESSAGE_BYTES", default=50 * 1024 * 1024)
# Messages imported per mailbox and run (every five minutes): the rest wait for the next run.
QUALIPREF_MAILBOX_BATCH = env.int("QUALIPREF_MAILBOX_BATCH", default=50)
# Acknowledgements e-mailed to one sender's address for the cases their messages open: at most this many within the
# last this many hours (every message still becomes a case). A robot or a loop writing to the mailbox gets a few
# answers, not one per message; 0 acknowledges none.
QUALIPREF_MAILBOX_ACKNOWLEDGEMENTS = env.int("QUALIPREF_MAILBOX_ACKNOWLEDGEMENTS", default=5)
QUALIPREF_MAILBOX_ACKNOWLEDGEMENT_HOURS = env.int("QUALIPREF_MAILBOX_ACKNOWLEDGEMENT_HOURS", default=24)
# Days the Message-ID of a message read is kept, so that the same message met again is not imported twice (it is met
# again within days: left in the folder by a worker that died, or sent twice); then deleted by a daily job.
QUALIPREF_MAILBOX_MESSAGE_ID_DAYS = env.int("QUALIPREF_MAILBOX_MESSAGE_ID_DAYS", default=90)

# --- FranceConnect (OpenID Connect): citizens log in to see their cases (complaints/franceconnect.py) ---------------
# Off (no button anywhere) unless the client id and the provider's discovery address are both set; the checks of
# complaints/checks.py then refuse to start without the secret or with a provider reached over plain HTTP.
FRANCECONNECT_CLIENT_ID = env.str("FRANCECONNECT_CLIENT_ID", default="")
FRANCECONNECT_CLIENT_SECRET = env.str("FRANCECONNECT_CLIENT_SECRET", default="")
# e.g. https://oidc.franceconnect.gouv.fr/api/v2/.well-known/openid-configuration
FRANCECONNECT_DISCOVERY_URL = env.str("FRANCECONNECT_DISCOVERY_URL", default="")
FRANCECONNECT_SCOPES = env.str("FRANCECONNECT_SCOPES", default="openid given_name family_name email")
FRANCECONNECT_ACR_VALUES = env.str("FRANCECONNECT_ACR_VALUES", default="eidas1")
# FranceConnect v2 asks for "login consent"; empty sends no prompt.
FRANCECONNECT_PROMPT = env.str("FRANCECONNECT_PROMPT", default="login consent")
# ID tokens signed otherwise are refused, whatever the provider announces.
FRANCECONNECT_ID_TOKEN_ALGORITHMS = env.list("FRANCECONNECT_ID_TOKEN_ALGORITHMS", default=["RS256", "ES256"])
FRANCECONNECT_TIMEOUT = env.int("FRANCECONNECT_TIMEOUT", default=10)
# How long a citizen stays logged in on the portal (seconds), whatever they do.
FRANCECONNECT_SESSION_SECONDS = env.int("FRANCECONNECT_SESSION_SECONDS", default=3600)

# --- Delivery delays -------------------------------------------------------------------------------
# The longest line a delivery file may hold, in bytes: a row is a few dozen; a longer line refuses the file, naming it
# (delays/csvformat.py), so that reading it never holds more than this of one line.
DELAYS_IMPORT_MAX_LINE_BYTES = env.int("DELAYS_IMPORT_MAX_LINE_BYTES", default=8192)
# The largest delivery file the administration takes (its form says "1 GB"); the request-size middleware
# (qualipref/request_limits.py) lets the import page receive this much and no more.
DELAYS_IMPORT_MAX_BYTES = 1024 * 1024 * 1024

# --- Phone, counter and mystery-shopper measures (measures/) ------------------------------------------------------
# How long one ring lasts, in seconds: a telephony export that counts rings is turned into seconds with it, and a call
# "answered within five rings" is one answered within MEASURES_ANSWER_WITHIN_RINGS × MEASURES_RING_SECONDS seconds.
MEASURES_RING_SECONDS = env.int("MEASURES_RING_SECONDS", default=5)
MEASURES_ANSWER_WITHIN_RINGS = 5
# The counter's waiting target, in minutes: the share of tickets called within it is shown beside the mean.
MEASURES_COUNTER_TARGET_MINUTES = env.int("MEASURES_COUNTER_TARGET_MINUTES", default=20)
# The longest line of a calls or tickets file (a row is a few dozen bytes), and the largest file taken.
MEASURES_IMPORT_MAX_LINE_BYTES = 4096
MEASURES_IMPORT_MAX_BYTES = 100 * 1024 * 1024

# --- Evidence library (evidence/) ---------------------------------------------------------------------------
# The prefecture's quality officers are reminded this many days before a document's "valid until" date, then once
# more when it has lapsed (each reminder once per version of the document).
EVIDENCE_REMINDER_DAYS = env.int("EVIDENCE_REMINDER_DAYS", default=30)
# The largest file a version of a document may be (a scanned procedure, a photo of a poster).
EVIDENCE_MAX_BYTES = 20 * 1024 * 1024

# --- Surveys -----------------------------------------------------------------------------------------
# Responses recorded per address and hour: a prefecture's public Wi-Fi is shared by a whole waiting room.
SURVEYS_SUBMIT_RATE = env.str("SURVEYS_SUBMIT_RATE", default="30/h")
# Cases accepted per hour from one app through the Open311 API (complaints/open311.py), whatever its users.
OPEN311_RATE = env.str("OPEN311_RATE", default="600/h")
# A counter tablet (kiosk link) is one device for many citizens: its answers are counted per device, not per address.
SURVEYS_KIOSK_RATE = env.str("SURVEYS_KIOSK_RATE", default="120/h")
# The public results page is cached this long: new answers show within it (officer changes clear it at once).
SURVEYS_RESULTS_CACHE_SECONDS = env.int("SURVEYS_RESULTS_CACHE_SECONDS", default=600)

# --- Open data (delays): a read-only JSON API described by OpenAPI ---------------------------------
# https://www.django-rest-framework.org/api-guide/settings/ and https://drf-spectacular.readthedocs.io/
REST_FRAMEWORK = {"DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema"}
SPECTACULAR_SETTINGS = {
    "TITLE": "Qualipref – délais de délivrance des titres",
    "DESCRIPTION": "Délais mensuels de délivrance publiés par les préfectures (données ouvertes).",
    "VERSION": "1.0.0",
    "LICENSE": {
        "name": "Licence Ouverte / Etalab 2.0",
        "url": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
    },
    "SERVE_INCLUDE_SCHEMA": False,
    # One name for the title categories, whichever field carries them.
    "ENUM_NAME_OVERRIDES": {
        "TitleCategoryEnum": "delays.enums.TitleCategory",
        "ComparatorEnum": "engagements.enums.Comparator",
        "UnitEnum": "engagements.enums.Unit",
    },
}

# --- Rate limits (django-ratelimit), counted in the cache: Redis in production --------------------------
RATELIMIT_ENABLE = env.bool("RATELIMIT_ENABLE", default=True)
# Behind a reverse proxy, REMOTE_ADDR is the proxy: name the header it sets (e.g. HTTP_X_REAL_IP).
RATELIMIT_IP_META_KEY = env.str("RATELIMIT_IP_META_KEY", default="REMOTE_ADDR")
# If the cache is down, let citizens through rather than lose their complaint.
RATELIMIT_FAIL_OPEN = True

# --- Request sizes (qualipref/request_limits.py) -------------------------------------------------------
# A request larger than its page accepts is refused (413) before it is read: the public forms with attachments take
# their files (COMPLAINTS_MAX_ATTACHMENTS × COMPLAINTS_MAX_ATTACHMENT_BYTES) and DATA_UPLOAD_MAX_MEMORY_SIZE, the
# delivery import its 1 GB file and as much, the rest of the administration REQUEST_ADMIN_MAX_BYTES, any other page
# DATA_UPLOAD_MAX_MEMORY_SIZE. Django's limits below answer with the same 413 page (qualipref/errors.py).
# Uploads bigger than this go to a temporary file rather than memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# A form's fields other than its files, and any other request body: 2.5 MB.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Fields in a form or a query string (the administration's largest pages post a few hundred), and files in a form
# (three on the public forms; a meeting's documents in the administration).
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 20
# The administration's pages other than the delivery import: a meeting's committee documents (20 MB each), five at
# a time.
REQUEST_ADMIN_MAX_BYTES = env.int("REQUEST_ADMIN_MAX_BYTES", default=100 * 1024 * 1024 + DATA_UPLOAD_MAX_MEMORY_SIZE)
