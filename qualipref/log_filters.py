"""Logs never carry a secret link: tracking tokens are masked in every record (Django's and gunicorn's)."""

import logging
import re

SECRET_PATHS = re.compile(r"(/suivi/)[^/\s?\"']+")


def redact(text):
    return SECRET_PATHS.sub(r"\1[…]", text)


class RedactSecretsFilter(logging.Filter):
    def filter(self, record):
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


class RedactingGunicornLogger:
    """Gunicorn's logger with the filter on its access and error logs (see gunicorn.conf.py)."""

    def __new__(cls, cfg):
        from gunicorn.glogging import Logger

        logger = Logger(cfg)
        for log in (logger.access_log, logger.error_log):
            log.addFilter(RedactSecretsFilter())
        return logger
