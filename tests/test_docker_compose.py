"""The container setup (Dockerfile, .dockerignore, docker-compose.yml), read as text.

No Docker engine runs where the tests run, so nothing is built or started: these tests parse
the files and hold them to what the settings (config/settings.py) read and require.
Compose's `${VAR:-default}` / `${VAR:?message}` interpolation is applied by a small helper,
with the values an operator's `.env` would give, so URLs are checked as the containers see them.
"""

import ast
import fnmatch
import json
import re
import shlex
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
SETTINGS_FILE = ROOT / "config" / "settings.py"

SERVICES = {"postgres", "redis", "clamav", "web", "worker", "beat"}
APP_SERVICES = ("web", "worker", "beat")
# What an operator puts in `.env` beside docker-compose.yml: the variables with no default.
DOTENV = {
    "SECRET_KEY": "a-long-random-secret-for-the-test",
    "POSTGRES_PASSWORD": "pg-password-for-the-test",
    "QUALIPREF_BASE_URL": "https://qualipref.example.gouv.fr",
}


# --- Compose interpolation -------------------------------------------------------------------


class MissingVariableError(Exception):
    """A `${VAR:?message}` whose variable is unset: `docker compose` refuses to start."""


_INTERPOLATION = re.compile(
    r"\$(?:(?P<escaped>\$)"
    r"|\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}"
    r"|(?P<bare>[A-Za-z_][A-Za-z0-9_]*))"
)


def interpolate(value, environ):
    """Resolve compose's `$VAR`, `${VAR}`, `${VAR-x}`, `${VAR:-x}`, `${VAR?m}`, `${VAR:?m}` and `$$`."""
    if not isinstance(value, str):
        return value

    def replace(match):
        if match["escaped"]:
            return "$"
        name = match["name"] or match["bare"]
        current, op = environ.get(name), match["op"]
        if op is None:
            return current or ""
        if current is not None and not (op.startswith(":") and current == ""):
            return current
        if op.endswith("-"):
            return match["arg"]
        raise MissingVariableError(f"{name}: {match['arg']}")

    return _INTERPOLATION.sub(replace, value)


def test_interpolate_follows_compose_rules():
    assert interpolate("${A:-x}/${B-y}/$$HOME/${C}", {"A": "", "B": ""}) == "x//$HOME/"
    assert interpolate("${A:?needed}", {"A": "set"}) == "set"
    with pytest.raises(MissingVariableError, match="A: needed"):
        interpolate("${A:?needed}", {"A": ""})


# --- Loading the files ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose():
    # safe_load resolves anchors, aliases and `<<` merge keys.
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def services(compose):
    return compose["services"]


def app_environment(service, environ=DOTENV):
    """The environment a service's container gets, as compose would interpolate it."""
    raw = service.get("environment") or {}
    if isinstance(raw, list):
        raw = dict(item.split("=", 1) if "=" in item else (item, None) for item in raw)
    # A key with no value takes the operator's (`.env` or the shell), or stays unset (None).
    return {name: environ.get(name) if value is None else interpolate(value, environ) for name, value in raw.items()}


def argv(command, environ=DOTENV):
    """A compose `command` (list or string) as the argument vector the container starts."""
    if isinstance(command, str):
        return shlex.split(interpolate(command, environ))
    return [interpolate(str(item), environ) for item in command]


def shell_steps(command):
    """The commands a `sh -c "a && exec b"` runs, each as an argument vector without `exec`."""
    args = argv(command)
    if args[:2] != ["sh", "-c"]:
        return [args]
    steps = [shlex.split(step) for step in args[2].split("&&")]
    return [step[1:] if step[:1] == ["exec"] else step for step in steps]


def option(args, name):
    """The value following `name` in an argument vector (also `name=value`)."""
    for index, arg in enumerate(args):
        if arg == name:
            return args[index + 1]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    raise AssertionError(f"{name} not in {args}")


def settings_env_reads():
    """Every variable config/settings.py reads through django-environ: name -> has a default."""
    tree = ast.parse(SETTINGS_FILE.read_text(encoding="utf-8"))
    reads = {}
    for node in ast.walk(tree):
        name = _env_call_name(node)
        if name:
            has_default = len(node.args) >= 2 or any(keyword.arg == "default" for keyword in node.keywords)
            reads[name] = reads.get(name, True) and has_default
    return reads


def _env_call_name(node):
    if not (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)):
        return None
    func = node.func
    is_env = (isinstance(func, ast.Name) and func.id == "env") or (
        isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "env"
    )
    return node.args[0].value if is_env and isinstance(node.args[0].value, str) else None


def settings_required_env():
    """Variables the settings cannot start without when DEBUG is off.

    Those read with no default, and those whose setting is tested by `if not SETTING:` with a
    `raise` beneath (SECRET_KEY: an empty default, refused unless DEBUG is on).
    """
    tree = ast.parse(SETTINGS_FILE.read_text(encoding="utf-8"))
    required = {name for name, has_default in settings_env_reads().items() if not has_default}
    setting_to_env = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name = _env_call_name(node.value)
            if name:
                setting_to_env[node.targets[0].id] = name
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.If)
            and isinstance(node.test, ast.UnaryOp)
            and isinstance(node.test.op, ast.Not)
            and isinstance(node.test.operand, ast.Name)
            and node.test.operand.id in setting_to_env
            and any(isinstance(child, ast.Raise) for statement in node.body for child in ast.walk(statement))
        ):
            required.add(setting_to_env[node.test.operand.id])
    return required


def dockerfile_instructions():
    """(INSTRUCTION, arguments) pairs, line continuations joined and comments dropped."""
    instructions, current = [], ""
    for line in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        keyword, _, arguments = (current + stripped).partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
        current = ""
    assert not current, "the Dockerfile ends inside a line continuation"
    return instructions


def dockerfile(keyword):
    return [arguments for instruction, arguments in dockerfile_instructions() if instruction == keyword]


# --- docker-compose.yml: services and commands --------------------------------------------------


def test_compose_defines_the_six_services(services):
    assert set(services) == SERVICES
    assert services["postgres"]["image"].split(":") == ["postgres", "16"]
    assert services["redis"]["image"].split(":") == ["redis", "7"]
    assert services["clamav"]["image"].split(":")[0] == "clamav/clamav"
    for name in APP_SERVICES:
        assert services[name]["build"] in (".", {"context": "."}), name


def test_every_service_restarts_unless_stopped(services):
    assert {name: service.get("restart") for name, service in services.items()} == dict.fromkeys(
        SERVICES, "unless-stopped"
    )


def test_web_migrates_then_starts_gunicorn_on_port_8000(services):
    web = services["web"]
    migrate, gunicorn = shell_steps(web["command"])
    assert migrate == ["python", "manage.py", "migrate", "--noinput"]
    assert gunicorn[:2] == ["gunicorn", "config.wsgi:application"]
    assert option(gunicorn, "--bind") == "0.0.0.0:8000"
    assert int(option(gunicorn, "--workers")) >= 2
    assert int(option(gunicorn, "--threads")) >= 1
    assert 30 <= int(option(gunicorn, "--timeout")) <= 120
    assert option(gunicorn, "--access-logfile") == "-"
    # `&& exec`: gunicorn only starts if migrate succeeded, and becomes PID 1 to get SIGTERM.
    assert re.search(r"&&\s*exec\s+gunicorn\b", argv(web["command"])[2])
    assert [interpolate(port, {}).split(":")[-1] for port in web["ports"]] == ["8000"]


def test_worker_runs_a_celery_worker_with_memory_and_concurrency_limits(services):
    args = argv(services["worker"]["command"])
    assert args[0] == "celery"
    assert option(args, "-A") == "config"
    assert "worker" in args and "beat" not in args
    assert option(args, "--loglevel").upper() == "INFO"
    assert int(option(args, "--concurrency")) >= 1
    assert int(option(args, "--max-memory-per-child")) > 0


def test_beat_runs_celery_beat_with_a_writable_schedule(services):
    args = argv(services["beat"]["command"])
    assert args[0] == "celery"
    assert option(args, "-A") == "config"
    assert "beat" in args and "worker" not in args
    # The image's code folder, beat's default place for its schedule, is not writable.
    assert option(args, "--schedule").startswith("/tmp/")


# --- docker-compose.yml: the shared environment ---------------------------------------------------


def test_app_services_share_one_environment(services):
    environments = [services[name]["environment"] for name in APP_SERVICES]
    assert environments[0] == environments[1] == environments[2]
    for name in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY"):
        values = {app_environment(services[service])[name] for service in APP_SERVICES}
        assert len(values) == 1 and None not in values and "" not in values, name


def test_database_url_points_at_the_compose_postgres(services):
    url = urlsplit(app_environment(services["web"])["DATABASE_URL"])
    postgres = app_environment(services["postgres"])
    assert url.scheme in {"postgres", "postgresql"}
    assert (url.hostname, url.port) == ("postgres", 5432)
    assert url.username == postgres["POSTGRES_USER"] == "qualipref"
    assert url.password == postgres["POSTGRES_PASSWORD"] == DOTENV["POSTGRES_PASSWORD"]
    assert url.path == "/" + postgres["POSTGRES_DB"] == "/qualipref"


def test_redis_url_points_at_the_compose_redis(services):
    url = urlsplit(app_environment(services["web"])["REDIS_URL"])
    assert (url.scheme, url.hostname, url.port) == ("redis", "redis", 6379)


@pytest.mark.parametrize("variable", ["SECRET_KEY", "POSTGRES_PASSWORD"])
def test_secrets_come_from_the_operator_and_have_no_default(services, variable):
    environ = {name: value for name, value in DOTENV.items() if name != variable}
    with pytest.raises(MissingVariableError, match=variable):
        app_environment(services["web"], environ)
    assert DOTENV[variable] in json.dumps(app_environment(services["web"]))


def test_the_public_address_comes_from_the_operator_for_every_app_service(services):
    """Links in e-mails, QR codes and PDFs (sent by the worker too) are built on it: no default that would
    give citizens dead links."""
    environ = {name: value for name, value in DOTENV.items() if name != "QUALIPREF_BASE_URL"}
    for name in APP_SERVICES:
        with pytest.raises(MissingVariableError, match="QUALIPREF_BASE_URL"):
            app_environment(services[name], environ)
        assert app_environment(services[name])["QUALIPREF_BASE_URL"] == DOTENV["QUALIPREF_BASE_URL"]


def test_app_runs_in_production_mode(services):
    env = app_environment(services["web"])
    assert env["DEBUG"] == "false"
    assert env["EMAIL_URL"]
    # No TLS proxy in front by default: no redirect to HTTPS, unless the operator asks for it.
    assert env["SECURE_SSL_REDIRECT"] == "false"
    assert app_environment(services["web"], {**DOTENV, "SECURE_SSL_REDIRECT": "true"})["SECURE_SSL_REDIRECT"] == "true"
    public = app_environment(services["web"], {**DOTENV, "ALLOWED_HOSTS": "qualipref.example.org"})
    assert "qualipref.example.org" in public["ALLOWED_HOSTS"].split(",")


def test_the_settings_read_what_the_regex_finds():
    """The AST walk misses no `env.<type>("NAME"` call of the settings file."""
    text = SETTINGS_FILE.read_text(encoding="utf-8")
    assert set(settings_env_reads()) == set(re.findall(r"\benv(?:\.\w+)?\(\s*[\"']([A-Z][A-Z0-9_]*)[\"']", text))
    assert {"DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "MEDIA_ROOT"} <= set(settings_env_reads())


def test_every_variable_compose_sets_for_the_app_is_read_by_the_settings(services):
    unknown = set(services["web"]["environment"]) - set(settings_env_reads())
    assert not unknown, f"compose sets variables the settings never read: {sorted(unknown)}"


def test_every_variable_the_settings_require_is_provided_by_compose(services):
    required = settings_required_env()
    assert "SECRET_KEY" in required  # refused when empty and DEBUG is off
    env = app_environment(services["web"])
    missing = {name for name in required if not env.get(name)}
    assert not missing, f"the settings need {sorted(missing)}, compose does not provide them"


# --- docker-compose.yml: FranceConnect and the mailboxes ----------------------------------------------

GITIGNORE = ROOT / ".gitignore"
FRANCECONNECT_SETTINGS = {
    "FRANCECONNECT_CLIENT_ID": "qualipref-prod",
    "FRANCECONNECT_CLIENT_SECRET": "fc-secret-for-the-test",
    "FRANCECONNECT_DISCOVERY_URL": "https://oidc.franceconnect.gouv.fr/api/v2/.well-known/openid-configuration",
    "FRANCECONNECT_SCOPES": "openid given_name family_name email",
    "FRANCECONNECT_ACR_VALUES": "eidas1",
    "FRANCECONNECT_PROMPT": "login consent",
    "FRANCECONNECT_ID_TOKEN_ALGORITHMS": "RS256",
    "FRANCECONNECT_TIMEOUT": "5",
    "FRANCECONNECT_SESSION_SECONDS": "1800",
}
MAILBOX_SETTINGS = {
    "QUALIPREF_MAILBOX_CA_FILE": "/run/secrets/imap-ca.pem",
    "QUALIPREF_MAILBOX_TIMEOUT": "30",
    "QUALIPREF_MAILBOX_MAX_MESSAGE_BYTES": "10485760",
    "QUALIPREF_MAILBOX_BATCH": "20",
    "QUALIPREF_MAILBOX_ACKNOWLEDGEMENTS": "3",
    "QUALIPREF_MAILBOX_ACKNOWLEDGEMENT_HOURS": "12",
    "QUALIPREF_MAILBOX_MESSAGE_ID_DAYS": "180",
}


def documented_variables(prefix):
    """The variables of the README's *Production settings* table that start with ``prefix``."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Production settings", 1)[1].split("\n## ", 1)[0]
    return {name for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", table) if name.startswith(prefix)}


@pytest.mark.parametrize(
    "settings_passed", [FRANCECONNECT_SETTINGS, MAILBOX_SETTINGS], ids=["franceconnect", "mailbox"]
)
def test_franceconnect_and_mailbox_settings_reach_every_app_service_from_the_operator(services, settings_passed):
    for name in APP_SERVICES:
        env = app_environment(services[name], {**DOTENV, **settings_passed})
        assert {key: env.get(key) for key in settings_passed} == settings_passed, name
        # Unset by the operator: left unset in the container, the settings' defaults apply (FranceConnect off).
        assert not set(settings_passed) & {key for key, value in app_environment(services[name]).items() if value}


def test_every_franceconnect_and_mailbox_setting_the_readme_documents_is_passed(services):
    documented = documented_variables("FRANCECONNECT_") | documented_variables("QUALIPREF_MAILBOX_")
    # The passwords' names depend on the prefectures (QUALIPREF_MAILBOX_PASSWORD_974): they come from a file.
    documented = {name for name in documented if not name.startswith("QUALIPREF_MAILBOX_PASSWORD_")}
    assert set(FRANCECONNECT_SETTINGS) | set(MAILBOX_SETTINGS) == documented
    assert documented <= set(services["web"]["environment"])
    assert documented <= set(settings_env_reads())


def test_mailbox_passwords_come_from_an_optional_file_given_to_web_and_worker_only(services):
    """One line per prefecture's mailbox (QUALIPREF_MAILBOX_PASSWORD_<code>), names compose cannot list in advance:
    web's start-up check and the worker, which reads the mailboxes, get the file; beat reads no mailbox. Without the
    file (no mailbox yet), the stack starts all the same."""
    for name in ("web", "worker"):
        (entry,) = services[name]["env_file"]
        assert entry == {"path": ".env.mailboxes", "required": False}, name
    assert "env_file" not in services["beat"]
    header = COMPOSE_FILE.read_text(encoding="utf-8").split("x-app-environment", 1)[0]
    assert "QUALIPREF_MAILBOX_PASSWORD_974=" in header and ".env.mailboxes" in header
    # A secret: never committed, never copied into the image.
    assert docker_ignored(".env.mailboxes")
    assert {".env", ".env.*"} <= set(GITIGNORE.read_text(encoding="utf-8").splitlines())


# --- docker-compose.yml: health, dependencies, volumes ------------------------------------------


def healthcheck_test(service):
    test = service["healthcheck"]["test"]
    return test if isinstance(test, list) else ["CMD-SHELL", test]


def test_postgres_and_redis_have_healthchecks(services):
    postgres = healthcheck_test(services["postgres"])
    assert postgres[0] in {"CMD", "CMD-SHELL"} and "pg_isready" in " ".join(postgres[1:])
    redis = healthcheck_test(services["redis"])
    assert redis[0] in {"CMD", "CMD-SHELL"} and "redis-cli ping" in " ".join(redis[1:])


def test_web_healthcheck_calls_healthz_with_python_and_an_allowed_host(services):
    test = healthcheck_test(services["web"])
    assert test[:3] == ["CMD", "python", "-c"], "the slim image has no curl"
    code = test[3]
    compile(code, "web-healthcheck", "exec")
    url = re.search(r"['\"](http://[^'\"]+)['\"]", code)[1]
    assert urlsplit(url).path == "/healthz"  # no trailing slash, exempt from the HTTPS redirect
    assert urlsplit(url).port == 8000
    host_header = re.search(r"['\"]Host['\"]\s*:\s*['\"]([^'\"]+)['\"]", code)
    host = host_header[1] if host_header else urlsplit(url).hostname
    # Django answers 400 to a Host it does not allow: the check must pass whatever the operator sets.
    for environ in (DOTENV, {**DOTENV, "ALLOWED_HOSTS": "qualipref.example.org"}):
        assert host in app_environment(services["web"], environ)["ALLOWED_HOSTS"].split(","), environ


def test_app_services_wait_for_healthy_postgres_and_redis(services):
    for name in APP_SERVICES:
        depends_on = services[name]["depends_on"]
        for backing in ("postgres", "redis"):
            assert depends_on[backing]["condition"] == "service_healthy", (name, backing)
        for dependency, condition in depends_on.items():
            if condition["condition"] == "service_healthy":
                assert "healthcheck" in services[dependency], f"{name} waits on {dependency}, which has no healthcheck"


def named_volumes(service):
    for volume in service.get("volumes", []):
        source, target = (volume["source"], volume["target"]) if isinstance(volume, dict) else volume.split(":")[:2]
        if not source.startswith((".", "/", "~")):
            yield source, target


def test_volumes_are_declared_and_used(compose, services):
    declared = set(compose["volumes"])
    used = {source for service in services.values() for source, _ in named_volumes(service)}
    assert declared == used
    assert {"media"} < declared
    assert "/var/lib/postgresql/data" in {target for _, target in named_volumes(services["postgres"])}


def test_uploads_are_scanned_by_the_compose_clamav_unless_the_operator_turns_it_off(services):
    """The virus scan is on in this stack (off by default elsewhere): clamd of the clamav service, over TCP."""
    url = urlsplit(app_environment(services["web"])["CLAMAV_URL"])
    assert (url.scheme, url.hostname, url.port) == ("tcp", "clamav", 3310)
    assert app_environment(services["web"], {**DOTENV, "CLAMAV_URL": ""})["CLAMAV_URL"] == ""
    assert "/var/lib/clamav" in {target for _, target in named_volumes(services["clamav"])}  # signatures kept
    assert "clamdcheck" in " ".join(healthcheck_test(services["clamav"]))
    assert "ports" not in services["clamav"]
    assert "clamav" in services["web"]["depends_on"]


def test_web_and_worker_share_the_media_volume_at_media_root(services):
    media_root = app_environment(services["web"])["MEDIA_ROOT"]
    assert media_root == "/app/media"
    for name in ("web", "worker"):
        assert ("media", media_root) in set(named_volumes(services[name])), name


# --- Dockerfile ------------------------------------------------------------------------------------


def test_dockerfile_starts_from_python_311_slim():
    (base,) = dockerfile("FROM")
    assert base.startswith("python:3.11")
    assert base == "python:3.11-slim-bookworm"


def test_dockerfile_runs_as_a_user_that_is_not_root():
    users = dockerfile("USER")
    assert users, "no USER: the container would run as root"
    user, _, group = users[-1].partition(":")
    assert user not in {"root", "0"} and group not in {"root", "0"}


def test_dockerfile_installs_gettext_and_the_project():
    runs = dockerfile("RUN")
    assert any(re.search(r"apt-get install\b.*\bgettext\b", run) for run in runs)
    assert any(re.search(r"pip install (--\S+ )*\.(\s|$)", run) for run in runs)


def test_dockerfile_builds_translations_and_static_files_with_a_build_only_key():
    (build_run,) = [run for run in dockerfile("RUN") if "collectstatic" in run]
    assert "manage.py compilemessages" in build_run
    assert re.search(r"manage\.py collectstatic\b.*--noinput", build_run)
    assert re.search(r"\bDEBUG=false\b", build_run)
    assert re.search(r"\bSECRET_KEY=\S+", build_run)
    # The dummy key exists only during that RUN: never in the image's environment or build args.
    declared = " ".join(dockerfile("ENV") + dockerfile("ARG"))
    assert "SECRET_KEY" not in declared
    assert not re.search(r"\bDEBUG\b", declared)


def test_dockerfile_exposes_8000_and_serves_with_gunicorn():
    assert dockerfile("EXPOSE") == ["8000"]
    (cmd,) = dockerfile("CMD")
    args = json.loads(cmd)  # exec form: gunicorn is PID 1 and receives SIGTERM
    assert args[:2] == ["gunicorn", "config.wsgi:application"]
    assert option(args, "--bind") == "0.0.0.0:8000"
    assert option(args, "--access-logfile") == "-"
    assert int(option(args, "--workers")) >= 2
    assert int(option(args, "--threads")) >= 1
    assert 30 <= int(option(args, "--timeout")) <= 120


# --- .dockerignore ---------------------------------------------------------------------------------


def docker_ignored(path):
    """Whether .dockerignore keeps `path` out of the build context (fnmatch approximates Go's Match)."""
    ignored = False
    for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines():
        pattern = line.strip()
        if not pattern or pattern.startswith("#"):
            continue
        negate = pattern.startswith("!")
        pattern = pattern.lstrip("!").strip("/")
        parts = path.split("/")
        if any(fnmatch.fnmatch("/".join(parts[:depth]), pattern) for depth in range(1, len(parts) + 1)):
            ignored = not negate
    return ignored


def test_dockerignore_keeps_secrets_and_local_state_out():
    for path in (".git/HEAD", ".venv/bin/python", ".env", "db.sqlite3", "media/attachments/a.pdf", "staticfiles/x"):
        assert docker_ignored(path), path


def test_dockerignore_keeps_what_the_image_needs():
    needed = ["pyproject.toml", "manage.py", "config/settings.py", "config/wsgi.py", "templates", "static"]
    for path in needed:
        assert (ROOT / path).exists(), path
        assert not docker_ignored(path), path
    assert not docker_ignored("locale/en/LC_MESSAGES/django.po")
