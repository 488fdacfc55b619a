# The two commands a newcomer needs: `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
TEST_DATABASE_URL ?= $(or $(DATABASE_URL),postgres://postgres@127.0.0.1:5432/postgres)
PYTEST_WORKERS ?= 2
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test lint typecheck migrations-check test-sqlite test-postgres messages lock clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.base-installed: $(BIN)/python requirements/base.txt pyproject.toml
	$(BIN)/pip install -q -r requirements/base.txt
	$(BIN)/pip install -q --no-deps -e .
	touch $@

$(VENV)/.test-installed: $(VENV)/.base-installed requirements/test.txt
	$(BIN)/pip install -q -r requirements/test.txt
	touch $@

## make run: set up everything on first use, then serve the demo city on $(PORT).
run: $(VENV)/.base-installed
	@$(BIN)/sunflower migrate --noinput -v 0
	@$(BIN)/sunflower demo --if-empty
	@$(BIN)/sunflower serve --port $(PORT) --show-logins

## make test: lint, types, migrations, the suite on SQLite and PostgreSQL, browser tests
## (the database-free scoring engine once, on SQLite).
test: lint typecheck migrations-check test-sqlite test-postgres

lint: $(VENV)/.test-installed
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

typecheck: $(VENV)/.test-installed
	SUNFLOWER_ENV=test SUNFLOWER_VAR_DIR=var/test $(BIN)/mypy sunflower

migrations-check: $(VENV)/.test-installed
	SUNFLOWER_ENV=test SUNFLOWER_VAR_DIR=var/test $(BIN)/sunflower makemigrations --check --dry-run

test-sqlite: $(VENV)/.test-installed
	SUNFLOWER_ENV=test SUNFLOWER_VAR_DIR=var/test DATABASE_URL=sqlite:///var/test/db.sqlite3 \
		$(BIN)/pytest -n $(PYTEST_WORKERS) -m "not browser"

# PostgreSQL and the browser tests. Outside CI a missing server is reported and skipped;
# with CI=true it fails the run. The instrument library and scoring engine (sunflower/scales)
# are pure Python with no Django and no database (ADR 11): they run once, in the SQLite half.
test-postgres: $(VENV)/.test-installed
	@if $(BIN)/python -m sunflower.lib.dbcheck "$(TEST_DATABASE_URL)"; then \
		SUNFLOWER_ENV=test SUNFLOWER_VAR_DIR=var/test DATABASE_URL="$(TEST_DATABASE_URL)" \
			$(BIN)/pytest -n $(PYTEST_WORKERS) --ignore=sunflower/scales; \
	elif [ "$$CI" = "true" ]; then \
		echo "PostgreSQL is required in CI but $(TEST_DATABASE_URL) is unreachable" >&2; exit 1; \
	else \
		echo "*** PostgreSQL unreachable at $(TEST_DATABASE_URL): PostgreSQL tests NOT run;" \
			"running the browser tests on SQLite instead ***" >&2; \
		SUNFLOWER_ENV=test SUNFLOWER_VAR_DIR=var/test DATABASE_URL=sqlite:///var/test/db.sqlite3 \
			$(BIN)/pytest -n $(PYTEST_WORKERS) -m browser; \
	fi

## make messages: refresh the English catalogue (needs GNU gettext) and compile it.
messages: $(VENV)/.test-installed
	cd sunflower && ../$(BIN)/sunflower makemessages -l en --no-obsolete
	$(BIN)/python -m sunflower.lib.i18n_compile

## make lock: re-resolve requirements/*.in into the exact pins of requirements/*.txt.
lock:
	rm -rf /tmp/sunflower-lock && $(PYTHON) -m venv /tmp/sunflower-lock
	/tmp/sunflower-lock/bin/pip install -q -r requirements/base.in
	/tmp/sunflower-lock/bin/pip freeze --exclude-editable | sort -f > requirements/base.txt
	/tmp/sunflower-lock/bin/pip install -q -r requirements/test.in
	(echo "-r base.txt"; /tmp/sunflower-lock/bin/pip freeze --exclude-editable | sort -f \
		| grep -vxiFf requirements/base.txt) > requirements/test.txt

clean:
	rm -rf $(VENV) var/test
