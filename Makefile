# Two commands: `make run` serves the demo, `make test` passes the tests.
PYTHON ?= python3
VENV ?= .venv
HOST ?= 127.0.0.1
PORT ?= 5000
BIN := $(VENV)/bin

.PHONY: run test install lint format bench clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed

run: install
	$(BIN)/mawid init-db
	$(BIN)/mawid demo --if-empty --base-url http://$(HOST):$(PORT)
	$(BIN)/mawid run --host $(HOST) --port $(PORT)

# One worker process per CPU, at most 4 (PYTEST_WORKERS=0: all in this process). A module's
# tests stay together on one worker, so its module-scoped servers start once.
PYTEST_WORKERS ?= logical
test: install
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --maxprocesses 4 --dist loadscope $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check webapp tests bench
	$(BIN)/ruff format --check webapp tests bench

format: install
	$(BIN)/ruff format webapp tests bench
	$(BIN)/ruff check --fix webapp tests bench

bench: install
	$(BIN)/python bench/availability.py
	$(BIN)/python bench/booking_race.py --database both
	$(BIN)/python bench/public_pages.py --freeze-gc
	$(BIN)/python bench/widget.py
	$(BIN)/python bench/notifications.py --database both
	$(BIN)/python bench/admin_bookings.py
	$(BIN)/python bench/walk_in_queue.py --database both

.PHONY: translations
# After changing user-facing text: collect the strings, merge them into each language, compile.
translations: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --ignore-dirs=".* __pycache__" \
		--no-location --sort-output --project Mawid --copyright-holder "Mawid contributors" \
		-o webapp/translations/messages.pot .
	$(BIN)/pybabel update -i webapp/translations/messages.pot -d webapp/translations -D messages \
		--ignore-pot-creation-date
	$(BIN)/pybabel compile -d webapp/translations -D messages --statistics

clean:
	rm -rf $(VENV) instance .pytest_cache .hypothesis
