# Quartermaster: two commands, `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_URL ?= postgres://postgres@127.0.0.1:5432/quartermaster
REDIS_URL ?= redis://127.0.0.1:6379/0

.PHONY: run test test-services test-browser bench install sysdeps lint migrate seed clean messages

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q ".[dev]"
	touch $(STAMP)

install: $(STAMP) sysdeps

# WeasyPrint needs a CJK font (else Chinese renders as boxes) and libharfbuzz-subset0 (else font
# subsetting is ~9x slower). Installed with apt-get when we are root on Debian; otherwise we say how.
SYSPKGS := fonts-noto-cjk libharfbuzz-subset0
sysdeps:
	@missing=""; for p in $(SYSPKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing system packages:$$missing"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing) >/dev/null || exit 1; \
	  else \
	    echo "Missing system packages:$$missing"; echo "Run: sudo apt-get install -y$$missing"; exit 1; \
	  fi; \
	fi

migrate: install
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo

# The embedded set-up as users meet it: gunicorn on 127.0.0.1:$(PORT), DEBUG off, a secret key kept in
# var/secret_key, static files collected, and a background report worker on the embedded broker (message
# files under var/broker; no server). Ctrl-C stops it all. See core/management/commands/serve.py.
PORT ?= 8000
run: seed
	QM_EMBEDDED=1 $(BIN)/python manage.py serve --port $(PORT)

test: install
	$(BIN)/python -m pytest -m "not postgres and not browser"

test-services: install
	DATABASE_URL=$(PG_URL) CELERY_BROKER_URL=$(REDIS_URL) $(BIN)/python -m pytest -m "not browser and not embedded"

# Real browser tests (Playwright for Python driving Debian's Chromium; Playwright's own browser download
# is not used). Chromium is installed with apt-get when missing and we are root; otherwise we say how.
CHROMIUM ?= /usr/bin/chromium
test-browser: install
	@if [ ! -x "$(CHROMIUM)" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing chromium"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null || exit 1; \
	  else \
	    echo "Chromium is missing at $(CHROMIUM)."; echo "Run: sudo apt-get install -y chromium"; exit 1; \
	  fi; \
	fi
	QM_CHROMIUM=$(CHROMIUM) $(BIN)/python -m pytest tests/browser -m browser

bench: install
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py bench

# The English catalogues: <app>/locale/en/LC_MESSAGES/django.po (Chinese msgids, English msgstrs), compiled to
# the .mo files that are committed beside them. After editing a .po: make messages.
messages:
	@for po in */locale/en/LC_MESSAGES/django.po; do msgfmt --check-format -o "$${po%.po}.mo" "$$po" || exit 1; done

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) var/*.sqlite3
