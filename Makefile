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

# Web (gunicorn), Celery worker and Celery beat, as in docker-compose.yml; Ctrl-C stops all three.
run: demo
	@echo ""
	@echo "Stip runs at http://$${STIP_BIND:-127.0.0.1:8000}/  (Wagtail admin: /admin/; Ctrl-C stops it)"
	@echo ""
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" GUNICORN_RELOAD=1 \
		DJANGO_SETTINGS_MODULE="$${DJANGO_SETTINGS_MODULE:-config.settings.dev}" \
		$(VENV)/bin/honcho start --procfile Procfile

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

# The README's pictures of a baseline's annex (title page, a use case page), rendered from the
# demo with pdftoppm by the annex test into docs/screenshots/ (the tests alone write under var/).
screenshots: install dirs
	STIP_ANNEX_PICTURES="$(CURDIR)/docs/screenshots" $(VENV)/bin/pytest -q -p no:cacheprovider \
		tests/timeboxes/test_annex.py -k pictures

# A dump of the database (pg_dump, or SQLite's backup API) and a tar of the media, in
# var/backups/<time>/ (BACKUP_DIR to choose). restore takes BACKUP=<that folder> (default: newest).
backup: install dirs
	$(PY) -m config.backup backup $(if $(BACKUP_DIR),--to "$(BACKUP_DIR)")

restore: install dirs
	$(PY) -m config.backup restore $(if $(BACKUP),--from "$(BACKUP)")
