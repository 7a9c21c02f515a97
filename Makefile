# The README's two commands are `make run` and `make test`; both set up what they need.
.PHONY: setup train validate run chat test eval accept deploy bench report clean lock-app

setup:  ## create .venv-rasa and .venv from their lock files (no-op when current)
	@scripts/setup.sh

train: setup  ## train the model unless one for the current inputs exists
	@.venv/bin/waypoint train

validate: setup  ## rasa data validate, then the data lint (duplicates, sizes, category map, leaks, personal details, banned words)
	@RASA_TELEMETRY_ENABLED=false PYTHONPATH=$(CURDIR) .venv-rasa/bin/rasa data validate --domain responses \
		--data nlu stories --config config.yml
	@.venv/bin/waypoint lint-data

run: setup train  ## start Rasa, the action server and the channel (console without a token)
	@.venv/bin/waypoint run

chat: setup train  ## console chat, reusing servers that already run
	@.venv/bin/waypoint chat

test: setup train  ## the whole suite, as CI runs it
	@.venv/bin/pytest

eval: setup train  ## cross-validation and the held-out evaluation, plots and JSON under results/
	@echo "== cross-validation (3 folds: three trainings, several minutes)"
	@RASA_TELEMETRY_ENABLED=false PYTHONPATH=$(CURDIR) .venv-rasa/bin/rasa test nlu --nlu nlu \
		--config config.yml --cross-validation --folds 3 --out results/cross-validation
	@echo "== held-out evaluation (tests/nlu/holdout.jsonl, never trained on)"
	@.venv/bin/waypoint classify --eval tests/nlu/holdout.jsonl --results results
	@echo "== fresh held-out set (written after the first tuning round; reported, not gated)"
	@.venv/bin/waypoint classify --eval tests/nlu/holdout_fresh.jsonl --results results
	@echo "== blind youth-voice set, test half (written 2026-12-05 by someone who saw no data; reported, never tuned on)"
	@.venv/bin/waypoint classify --eval tests/nlu/blind_youth_test.jsonl --results results
	@echo "== blind crisis and danger set, test half (a third writer, 2026-12-05; reported, never tuned on)"
	@.venv/bin/waypoint classify --eval tests/nlu/blind_crisis_test.jsonl --results results
	@echo "== blind writers set, test half (four more writers, 2026-12-06: crisis, danger, everyday; reported, never tuned on)"
	@.venv/bin/waypoint classify --eval tests/nlu/blind_writers_test.jsonl --results results
	@echo "== fifth blind writers set, test half (two more writers, 2026-12-06 stop 27: crisis, danger, everyday; reported, never tuned on)"
	@.venv/bin/waypoint classify --eval tests/nlu/blind_writers_5_test.jsonl --results results
	@echo "== external test half (public texts nobody here wrote, ../shared/corpora; tune on --external dev only)"
	-@.venv/bin/waypoint classify --external test --results results
	@echo "== regression gate (against results/accepted.json)"
	@.venv/bin/waypoint gate

accept:  ## record the model make eval just evaluated as the baseline (results/accepted.json; commit it)
	@.venv/bin/waypoint accept

deploy: setup train  ## switch the running bot (make run) to the model for the current data, losing no message
	@.venv/bin/waypoint swap-model

bench: setup train  ## speed measurements (not run by make test): NLU, then the Telegram channel
	@.venv/bin/python -m bench.nlu
	@.venv/bin/python -m bench.channel

report: setup  ## counts per day (categories, failures) from the database: a table and results/report.png
	@.venv/bin/waypoint report

lock-app:  ## re-resolve the app environment from pyproject.toml and rewrite requirements/app.lock
	@rm -rf .venv-lock && python3.11 -m venv .venv-lock
	@.venv-lock/bin/pip install -q --upgrade pip==24.3.1
	@.venv-lock/bin/pip install -q ".[test]"
	@{ head -2 requirements/app.lock; .venv-lock/bin/pip freeze --exclude waypoint; } > requirements/app.lock.new
	@mv requirements/app.lock.new requirements/app.lock && rm -rf .venv-lock build
	@echo "requirements/app.lock updated; run make setup"

clean:  ## remove environments, models and runtime state (var/ holds local secrets)
	rm -rf .venv .venv-rasa models .rasa results
