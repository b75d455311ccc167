import socket

import pytest

from config.celery import app as celery_app
from tests.qualipref.factories import PrefectureFactory, ServiceFactory


def closed_port():
    """A loopback port nobody listens on: connections to it are refused at once, like a stopped Redis."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _reset_celery_connections():
    # Celery keeps its connection pools and its result backend once made: drop them so the
    # configuration below is the one used, and so that nothing dead outlives the test.
    celery_app._pool = None
    celery_app.__dict__.get("amqp") and setattr(celery_app.amqp, "_producer_pool", None)
    celery_app._backend_cache = None
    celery_app._local.__dict__.pop("backend", None)


class BrokerOutage:
    """Celery's broker and result backend on a closed port, tasks sent for real (not run eagerly).

    The machine's own Redis keeps running: only this process is cut from it. ``end()`` brings the
    broker back (tasks then run in the test's process, as everywhere in the suite).
    """

    def __init__(self):
        conf = celery_app.conf
        self.saved = {name: conf[name] for name in ("broker_url", "result_backend", "task_always_eager")}
        self.url = f"redis://127.0.0.1:{closed_port()}/0"
        conf.update(broker_url=self.url, result_backend=self.url, task_always_eager=False)
        _reset_celery_connections()
        self.over = False

    def end(self):
        if not self.over:
            celery_app.conf.update(self.saved)
            _reset_celery_connections()
            self.over = True


@pytest.fixture
def broker_down():
    outage = BrokerOutage()
    yield outage
    outage.end()


@pytest.fixture
def cache_down(settings):
    """The cache (and so the rate limits' counters) on a Redis that does not answer."""
    settings.CACHES = {
        "default": {
            "BACKEND": "qualipref.cache.ResilientRedisCache",  # production's (see test_settings)
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
            "KEY_PREFIX": "qualipref",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }
    yield


@pytest.fixture
def reunion(db):
    prefecture = PrefectureFactory(reunion=True)
    ServiceFactory(prefecture=prefecture, name="Titres de séjour")
    return prefecture
