# Stip: the two commands that matter are `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: install dirs browser-tools migrate demo run test lint format check messages bench bench-rendering screenshots backup restore

# Folders the zero-setup default writes to: the Celery broker on the file system, e-mail as files.
VAR_DIRS := var/celery/queue var/celery/processed var/celery/control var/mail var/media var/static

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

dirs:
	@mkdir -p $(VAR_DIRS)

migrate: install dirs
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0

demo: migrate
	$(PY) manage.py load_demo

# Web (gunicorn), Celery worker and Celery beat, as in docker-compose.yml, under a small
# supervisor (config/supervise.py) that restarts a process that exits; Ctrl-C stops all three.
# One line per step here; the steps' details go to var/log/make-run.log, the processes' output
# to var/log/web.log, worker.log and beat.log.
RUN_LOG := var/log/make-run.log
# $(call step,What is done,command): the command's output goes to the log; if it fails, its
# last lines are shown.
step = { $(2); } >>$(RUN_LOG) 2>&1 || { echo "$(1) failed. Its last lines (all of it in $(RUN_LOG)):"; \
	tail -n 25 $(RUN_LOG); exit 1; }

run:
	@mkdir -p var/log $(VAR_DIRS) && : > $(RUN_LOG)
	@if ! $(MAKE) --no-print-directory -q $(VENV)/.installed 2>/dev/null; then \
		echo "Installing dependencies, about a minute… (details in $(RUN_LOG))"; \
		$(call step,Installing,$(MAKE) --no-print-directory $(VENV)/.installed); fi
	@echo "Migrating the database…"
	@$(call step,Migrating,$(PY) manage.py migrate --noinput)
	@echo "Collecting static files…"
	@$(call step,Collecting static files,$(PY) manage.py collectstatic --noinput --verbosity 0)
	@echo "Loading the demo…"
	@$(call step,Loading the demo,$(PY) manage.py load_demo)
	@echo "Starting web, worker and beat (their output: var/log/web.log, worker.log, beat.log)…"
	@echo ""
	@echo "  Stip runs at $$($(PY) -c 'from config.addresses import bind_address, url_of; print(url_of(bind_address()))')/"
	@echo "  Wagtail admin: /admin/; log-ins of the demo: README.md. Ctrl-C stops it."
	@echo ""
	@PATH="$(CURDIR)/$(VENV)/bin:$$PATH" GUNICORN_RELOAD=1 \
		DJANGO_SETTINGS_MODULE="$${DJANGO_SETTINGS_MODULE:-config.settings.dev}" \
		exec $(PY) -m config.supervise --procfile Procfile --log-dir var/log

# The browser tests' tools (axe-core, pinned in package-lock.json), where npm exists.
browser-tools:
	@if ! command -v npm >/dev/null; then echo "npm not found: accessibility checks will skip"; \
	elif [ ! node_modules/.package-lock.json -nt package-lock.json ]; then npm ci --no-audit --no-fund; fi

test: install dirs browser-tools
	$(VENV)/bin/pytest --durations=15

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# The apps' layers and the absence of cycles (import-linter's contracts in pyproject.toml).
check: lint dirs
	PYTHONPATH=. $(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check
	DJANGO_SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(60))')" \
		DJANGO_ALLOWED_HOSTS=stip.example.org \
		$(PY) manage.py check --deploy --fail-level WARNING --settings=config.settings.production

# The Dutch catalogue. The .mo files are committed: a fresh machine may lack gettext.
MESSAGES_IGNORE := --ignore=.venv --ignore=var --ignore=bench --ignore=node_modules
messages: install
	$(PY) manage.py makemessages --locale nl --no-obsolete $(MESSAGES_IGNORE)
	$(PY) manage.py makemessages --domain djangojs --locale nl --no-obsolete $(MESSAGES_IGNORE)
	$(PY) manage.py compilemessages --locale nl $(MESSAGES_IGNORE)

# Stip side by side with django-wiki, and against its goals: bench/README.md. Not a test.
bench: install dirs
	$(PY) bench/run.py

# The worst case of rendering: the pathological corpus at the longest length a text may have.
bench-rendering: install
	$(PY) bench/rendering.py

# The README's pictures: the demo's main pages (Chromium) and two pages of a baseline's annex
# (pdftoppm), taken by the tests that check them, into docs/screenshots/ (a test run alone
# writes them under var/test-renders/ and leaves the checkout as it was).
screenshots: install dirs browser-tools
	STIP_SCREENSHOTS="$(CURDIR)/docs/screenshots" STIP_ANNEX_PICTURES="$(CURDIR)/docs/screenshots" \
		$(VENV)/bin/pytest -q -p no:cacheprovider tests/e2e/test_screenshots.py \
		tests/timeboxes/test_annex.py -k "screenshots or pictures"

# A dump of the database (pg_dump, or SQLite's backup API) and a tar of the media, in
# var/backups/<time>/ (BACKUP_DIR to choose). restore takes BACKUP=<that folder> (default: newest).
backup: install dirs
	$(PY) -m config.backup backup $(if $(BACKUP_DIR),--to "$(BACKUP_DIR)")

restore: install dirs
	$(PY) -m config.backup restore $(if $(BACKUP),--from "$(BACKUP)")
