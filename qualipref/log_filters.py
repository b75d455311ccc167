"""Logs never carry a secret link: whatever follows a secret URL's fixed prefix is masked in every log record.

The secret URLs are declared once, by name, in the root URL configuration (``secret_urls`` in
``config/urls.py``); their prefixes (``/suivi/``, ``/comite/mot-de-passe/``) are read from the URL patterns.
A prefix is recognised whatever its spelling: percent-encoded (once or several times, letters and slashes
included), in any case, under ``/en/``, with doubled or back slashes; everything after it in the same value
(path, query, even a space or a quote that a mangled link carries) is replaced by ``[…]``.

One mechanism for every logger of every process: a log record factory (``install()``) cleans each record
as it is made, before any handler, filter or formatter sees it — Django's (``django.request``'s "Not
Found: %s", ``django.server``), gunicorn's access and error logs, Celery's, and any library's. Each
argument of a record is cleaned on its own (a path is masked to its end, gunicorn's request line keeps its
protocol), then the whole message (a link written into the text is masked to the end of its line), the
traceback and the stack. Django installs the factory when it configures logging (``LOGGING_CONFIG``:
every process that runs Django — gunicorn's workers, Celery, ``manage.py``); gunicorn's master through its
logger class (``gunicorn.conf.py``).
"""

import collections.abc
import copy
import logging
import logging.config
import re
import threading

MASK = "[…]"

# Characters that continue a path segment: "/suivi" followed by one of them is another address.
_SEGMENT_CHARS = "a-z0-9_-"
_PERCENT = re.compile(r"%([0-9a-fA-F]{2})")
# Gunicorn's request line ends with the protocol: kept, the rest of the line masked.
_PROTOCOL = re.compile(r" HTTP/[0-9.]+$")
# A request line gunicorn could not parse is quoted, cut anywhere ("Invalid HTTP Version: '<token>/ HTTP/1.1'"
# for "/suivi/ <token>/" sent with a raw space): no prefix left to find, the quoted text is masked whole.
_UNPARSED_REQUEST = re.compile(r"^(Invalid request from ip=\S*: [^']*)'.*'", re.DOTALL)
# Enough for any encoding a client can slip through a proxy and Django (%25252F…).
_MAX_DECODING_ROUNDS = 6


# --- The secret prefixes, from the URL configuration -------------------------------------------------------


def secret_prefixes():
    """The fixed part of every secret URL, e.g. ``["suivi/", "comite/mot-de-passe/"]``.

    Read from the root URL configuration's ``secret_urls`` (URL names): each pattern's route, from its
    first fixed segment to its first variable part (a route that starts with a variable, e.g. a
    prefecture's slug, is recognised by what follows it).
    """
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.urls import URLPattern, URLResolver, get_resolver
    from django.urls.resolvers import LocalePrefixPattern, RoutePattern
    from django.utils.module_loading import import_string

    names = set(import_string(f"{settings.ROOT_URLCONF}.secret_urls"))
    routes = {}

    def walk(patterns, namespace, route):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                here = "" if isinstance(entry.pattern, LocalePrefixPattern) else str(entry.pattern)
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(entry.url_patterns, inner, route + here)
            elif isinstance(entry, URLPattern) and f"{namespace}{entry.name}" in names:
                if not isinstance(entry.pattern, RoutePattern):
                    raise ImproperlyConfigured(f"The secret URL {namespace}{entry.name} must be declared with path().")
                routes[f"{namespace}{entry.name}"] = route + str(entry.pattern)

    walk(get_resolver().url_patterns, "", "")
    if missing := names - routes.keys():
        raise ImproperlyConfigured(f"secret_urls names URLs that do not exist: {', '.join(sorted(missing))}.")
    prefixes = set()
    for name, route in routes.items():
        # Leading variable segments (a slug) dropped; then up to the first variable part.
        fixed = re.sub(r"^(<[^>]*>/)+", "", route).split("<", 1)[0].lstrip("/")
        if not fixed.strip("/"):
            raise ImproperlyConfigured(f"The secret URL {name} has no fixed segment to recognise it by.")
        prefixes.add(fixed)
    return sorted(prefixes)


def _pattern_of(prefixes):
    """One regular expression, run on the decoded text, whose match ends where the mask starts."""
    alternatives = []
    for prefix in prefixes:
        segments = r"[/\\]+".join(re.escape(segment) for segment in prefix.strip("/").split("/"))
        # A prefix that ends a segment ("suivi/") is followed by a separator, whichever: "/suivi%20…" is
        # masked, "/suivie/" is another address. One that ends inside a segment ("borne-") by anything.
        end = rf"(?![{_SEGMENT_CHARS}])[/\\]?" if prefix.endswith("/") else ""
        alternatives.append(segments + end)
    return re.compile(rf"(?:^|(?<=[/\\]))(?:{'|'.join(alternatives)})", re.IGNORECASE | re.MULTILINE)


_state = threading.local()
_compiled = None


def _secret_pattern():
    """The pattern, made once Django's applications are ready (their URL configuration with them)."""
    global _compiled
    if _compiled is None:
        from django.apps import apps

        if not apps.ready or getattr(_state, "reading", False):
            # A record made while Django starts, or while the URL configuration is being read:
            # no request has been served yet, no link can be in it.
            return None
        _state.reading = True
        try:
            _compiled = _pattern_of(secret_prefixes())
        except Exception:  # noqa: BLE001 (a URL configuration that does not load serves no link; tried again)
            return None
        finally:
            _state.reading = False
    return _compiled


def reset():
    """Forget the prefixes (for tests that change the URL configuration)."""
    global _compiled
    _compiled = None


# --- Redaction of a text --------------------------------------------------------------------------------


def _decoded(text):
    """``text`` percent-decoded until nothing is left to decode; where each character starts in ``text``."""
    positions = list(range(len(text) + 1))
    for _round in range(_MAX_DECODING_ROUNDS):
        if not _PERCENT.search(text):
            break
        decoded, starts, index = [], [], 0
        for match in _PERCENT.finditer(text):
            decoded.append(text[index : match.start()])
            starts.extend(positions[index : match.start()])
            decoded.append(chr(int(match.group(1), 16)))
            starts.append(positions[match.start()])
            index = match.end()
        decoded.append(text[index:])
        starts.extend(positions[index:])
        text, positions = "".join(decoded), starts
    return text, positions


def _mask_starts(text, pattern):
    """Where, in ``text``, each secret prefix ends (its rest to be masked)."""
    if "%" in text:
        decoded, positions = _decoded(text)
        return [positions[match.end()] for match in pattern.finditer(decoded)]
    return [match.end() for match in pattern.finditer(text)]


def redact_value(value, pattern=None):
    """One value (a path, a request line, a referrer): masked from a secret prefix to its end."""
    pattern = pattern or _secret_pattern()
    if pattern is None or not value:
        return value
    starts = [start for start in _mask_starts(value, pattern) if start < len(value)]
    if not starts:
        return value
    start = starts[0]
    protocol = _PROTOCOL.search(value)
    end = protocol.start() if protocol and protocol.start() > start else len(value)
    return value[:start] + MASK + value[end:]


def redact(text, pattern=None):
    """Free text (a message, a traceback): each line masked from a secret prefix to the line's end."""
    pattern = pattern or _secret_pattern()
    if pattern is None or not text:
        return text
    lines = text.splitlines(keepends=True)
    for number, line in enumerate(lines):
        body = line.rstrip("\r\n")
        for start in _mask_starts(body, pattern):
            if start < len(body) and not body.startswith(MASK, start):
                lines[number] = body[:start] + MASK + line[len(body) :]
                break
    return "".join(lines)


# --- Redaction of a log record ----------------------------------------------------------------------------


def _clean_arg(value, pattern):
    if isinstance(value, str):
        return redact_value(value, pattern)
    if isinstance(value, bytes):
        text = value.decode("utf-8", "replace")
        cleaned = redact_value(text, pattern)
        return value if cleaned == text else cleaned
    if value is None or isinstance(value, int | float):
        return value
    try:
        text = str(value)
    except Exception:
        return value
    cleaned = redact_value(text, pattern)
    return value if cleaned == text else cleaned


def _clean_args(args, pattern):
    if isinstance(args, dict):
        # A copy of the same class: gunicorn's atoms answer "-" for a header the request did not have.
        cleaned = copy.copy(args)
        for key, value in args.items():
            cleaned[key] = _clean_arg(value, pattern)
        return cleaned
    if isinstance(args, collections.abc.Mapping):
        return {key: _clean_arg(value, pattern) for key, value in args.items()}
    if isinstance(args, tuple):
        return tuple(_clean_arg(value, pattern) for value in args)
    return _clean_arg(args, pattern)


def clean_record(record):
    """Mask every secret link in ``record``: its arguments, its message, its traceback and its stack."""
    pattern = _secret_pattern()
    if pattern is None:
        return record
    try:
        original = record.getMessage()
        if record.args:
            args = _clean_args(record.args, pattern)
            try:
                message = str(record.msg) % args
            except (TypeError, ValueError, KeyError):
                # Logging reports the bad format with the arguments: the cleaned ones.
                record.args = args
                message = original
        else:
            message = original
        message = _UNPARSED_REQUEST.sub(rf"\1'{MASK}'", redact(message, pattern))
        if message != original:
            record.msg, record.args = message, ()
        if record.exc_info and record.exc_info[0] is not None and not record.exc_text:
            trace = logging.Formatter().formatException(record.exc_info)
            record.exc_text = redact(trace, pattern)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, pattern)
    except Exception as error:  # noqa: BLE001 (a record that cannot be cleaned is not written as it is)
        record.msg, record.args = f"Log record withheld: its secret links could not be masked ({error!r}).", ()
        record.exc_info = record.exc_text = record.stack_info = None
    return record


# --- Installation -----------------------------------------------------------------------------------------


class _RedactingFactory:
    def __init__(self, make):
        self.make = make

    def __call__(self, *args, **kwargs):
        return clean_record(self.make(*args, **kwargs))


def install():
    """Make every log record of this process go through ``clean_record`` (idempotent)."""
    factory = logging.getLogRecordFactory()
    if not isinstance(factory, _RedactingFactory):
        logging.setLogRecordFactory(_RedactingFactory(factory))


def configure_logging(config):
    """Django's ``LOGGING_CONFIG``: the redacting record factory, then ``LOGGING`` as usual."""
    install()
    logging.config.dictConfig(config)


class RedactingGunicornLogger:
    """Gunicorn's logger, the redacting factory installed first (see gunicorn.conf.py)."""

    def __new__(cls, cfg):
        from gunicorn.glogging import Logger

        install()
        return Logger(cfg)
