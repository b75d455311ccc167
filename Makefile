# Qualipref: `make run` serves the portal with demo data, `make test` runs the whole suite.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# The embedded defaults need DEBUG on; production sets DEBUG=false and real services.
export DEBUG ?= true

.PHONY: run test lint fmt worker beat bench install install-dev messages clean imap mail-sample oidc-provider

$(VENV)/bin/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) is required (set PYTHON=…)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# The demo mailbox of La Réunion (complaints by e-mail) is on the local Dovecot of `make imap`: its password and
# certificate (never a real one: production sets its own variables, see the README).
DEMO_MAILBOX_ENV := QUALIPREF_MAILBOX_PASSWORD_974=$${QUALIPREF_MAILBOX_PASSWORD_974:-demo} \
	QUALIPREF_MAILBOX_CA_FILE=$${QUALIPREF_MAILBOX_CA_FILE:-$(CURDIR)/.imap/cert.pem}

# Links in e-mails, QR codes and PDFs point at the port served (QUALIPREF_BASE_URL, unless already set).
run: export QUALIPREF_BASE_URL ?= http://127.0.0.1:$(PORT)
run: install
	$(PY) manage.py compilemessages --ignore "$(VENV)" --ignore ".venv*" -v 0
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py load_demo
	@echo "Qualipref: http://127.0.0.1:$(PORT)/ (administration: http://127.0.0.1:$(PORT)/admin/)"
	@echo "Complaints by e-mail: 'make imap' in another terminal, then 'make mail-sample' (see the README)."
	$(DEMO_MAILBOX_ENV) $(PY) manage.py runserver 127.0.0.1:$(PORT)

# Debian's Dovecot (apt-get install dovecot-imapd) serving the demo mailbox on 127.0.0.1:10993, in the foreground.
imap: install-dev
	$(PY) -m tests.imapserver --dir .imap --port 10993 --user reclamations-974 --password demo

# A citizen's e-mail delivered to the demo mailbox, then the mailboxes read: it becomes a case (in the admin).
mail-sample: install
	$(DEMO_MAILBOX_ENV) $(PY) manage.py mailbox_deliver_sample --prefecture 974
	$(DEMO_MAILBOX_ENV) $(PY) manage.py mailbox_fetch --prefecture 974

test: install-dev
	$(PY) manage.py compilemessages --ignore "$(VENV)" --ignore ".venv*" -v 0
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

fmt: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

messages: install-dev
	$(PY) manage.py makemessages -l fr --ignore "$(VENV)/*" --ignore ".venv*" --ignore "tests/*" --ignore "bench/*"

worker: install
	$(VENV)/bin/celery -A config worker --loglevel INFO

beat: install
	$(VENV)/bin/celery -A config beat --loglevel INFO

# Every benchmark under bench/, then one summary table (BENCH="load surveys_results" runs only those).
bench: install-dev
	$(PY) bench/run_all.py $(BENCH)

# The test OpenID Connect provider standing in for FranceConnect (README: Complaints › FranceConnect), for `make run`.
oidc-provider: install-dev
	$(PY) -m tests.oidc_provider.serve --port $(or $(OIDC_PORT),9000) --portal http://127.0.0.1:$(PORT) --portal http://localhost:$(PORT)

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
