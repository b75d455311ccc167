# Qualipref portal: one image for the web server (gunicorn), the Celery worker and Celery beat.
# docker-compose.yml beside this file runs it with PostgreSQL and Redis.
FROM python:3.11-slim-bookworm

# PYTHONPATH: BASE_DIR is computed from settings.py's location, and templates/, static/ and
# locale/ live beside manage.py, outside the installed packages. The code therefore runs from
# the source tree in /app, which must come before the copy `pip install .` puts in
# site-packages (manage.py gets this from its own folder; gunicorn and celery need it said).
ENV PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=config.settings \
    MEDIA_ROOT=/app/media

# gettext: compilemessages needs msgfmt. Pango, HarfBuzz and a font: WeasyPrint (posters, audit reports).
RUN apt-get update \
    && apt-get install --yes --no-install-recommends gettext \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

# A fixed numeric id, so that volumes and orchestrators (runAsNonRoot) can rely on it. The
# home folder is the process's one writable place besides /tmp and the media volume:
# gunicorn (25.1 and later) puts its control socket in ~/.gunicorn and logs an error when it
# cannot, and caches (fontconfig, later) go to ~/.cache.
RUN groupadd --system --gid 10001 qualipref \
    && useradd --system --uid 10001 --gid qualipref --create-home --home-dir /home/qualipref \
        --shell /usr/sbin/nologin qualipref

WORKDIR /app

# Dependencies first, in their own layer: it is rebuilt only when pyproject.toml changes.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install --requirement /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY . .
RUN pip install . \
    && rm -rf build ./*.egg-info

# Translations and static files are built into the image. DEBUG=false selects whitenoise's
# compressed manifest storage, as at run time; the settings refuse to load without a
# SECRET_KEY when DEBUG is off, so this RUN (and only this RUN: it is no ENV or ARG, and is
# not in the image's environment) gets a dummy one that signs nothing.
# `mkdir -p locale`: compilemessages fails when no locale folder exists at all, as in a
# fresh clone before the first catalogue is committed (git keeps no empty folder).
RUN export DEBUG=false SECRET_KEY=build-only-dummy-key-not-used-at-run-time \
    && mkdir -p locale \
    && python manage.py compilemessages \
    && python manage.py collectstatic --noinput \
    && python -m compileall -q /app \
    && mkdir -p /app/media \
    && chown qualipref:qualipref /app/media

# The code stays owned by root and read-only for the process, which writes only to its home,
# /tmp and MEDIA_ROOT (a volume in compose, which takes this folder's owner when first created).
USER 10001:10001

EXPOSE 8000

# Threads (gthread workers) serve the requests that wait on the database; heavy work
# (reports, imports, e-mails) runs in Celery, hence a modest timeout. /dev/shm keeps the
# workers' heartbeat files off the container's overlay file system.
CMD ["gunicorn", "config.wsgi:application", \
     "--bind", "0.0.0.0:8000", \
     "--workers", "3", \
     "--threads", "4", \
     "--timeout", "60", \
     "--graceful-timeout", "30", \
     "--max-requests", "1000", \
     "--max-requests-jitter", "100", \
     "--worker-tmp-dir", "/dev/shm", \
     "--access-logfile", "-", \
     "--error-logfile", "-"]
