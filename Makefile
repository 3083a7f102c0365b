# genesys-participant-data: every command a user or CI needs. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# The Lambda runtime is python3.13: use the first candidate that really runs 3.13 (a pyenv shim may exist
# without the version being selected), or say what to install.
ifndef PYTHON313
PYTHON313 := $(shell for p in python3.13 $$(ls -1d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.13.*/bin/python3.13 2>/dev/null | sort -V -r) /usr/bin/python3.13 /usr/local/bin/python3.13; do \
	"$$p" -c 'import sys; assert sys.version_info[:2] == (3, 13)' >/dev/null 2>&1 && { command -v "$$p"; break; }; done)
endif

VENV := .venv
VENV_SAM := .venv-sam
VENV_CHECKOV := .venv-checkov
RELIABILITY_RESULTS ?= .reliability
PY := $(VENV)/bin/python
SAM := $(VENV_SAM)/bin/sam
export PYTHONPATH := src:src/handler

.PHONY: help venv demo test lint build deploy clean chaos load audit

# pip, minus the warnings this machine's pip config prints for local mirrors that may not exist, and
# setuptools' boxed notice on every editable install (`-e .`, which installs the operator command).
define pip_install
	@PYTHONWARNINGS=ignore $(1) -m pip install --quiet $(2) 2>&1 | grep -v "is ignored: it is neither"; test $${PIPESTATUS[0]} -eq 0
endef

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-13s %s\n", $$1, $$2}'

check-python:
	@if [ -z "$(PYTHON313)" ] || ! "$(PYTHON313)" -c 'import sys; assert sys.version_info[:2] == (3, 13)' 2>/dev/null; then \
		echo "Python 3.13 is required (the Lambda runtime is python3.13) and none was found."; \
		echo "Install it, e.g. 'pyenv install 3.13' or your OS package 'python3.13' (with venv), then re-run,"; \
		echo "or point at one: make $(MAKECMDGOALS) PYTHON313=/path/to/python3.13"; \
		exit 1; \
	fi

# A virtualenv from one requirements file: $(1) its folder, $(2) the file, $(3) what it is for.
define make_venv
	@echo "==> Creating $(1) ($(3)) with $(PYTHON313)"
	@"$(PYTHON313)" -m venv $(1)
	$(call pip_install,$(1)/bin/python,--upgrade pip)
	$(call pip_install,$(1)/bin/python,-r $(2))
	@touch $(1)/.installed
endef

$(VENV)/.installed: requirements-dev.txt src/handler/requirements.txt src/handler/constraints.txt pyproject.toml | check-python
	$(call make_venv,$(VENV),requirements-dev.txt,runtime and test dependencies)

$(VENV_CHECKOV)/.installed: requirements-checkov.txt | check-python
	$(call make_venv,$(VENV_CHECKOV),requirements-checkov.txt,checkov pins its own dependencies)

$(VENV_SAM)/.installed: requirements-sam.txt | check-python
	$(call make_venv,$(VENV_SAM),requirements-sam.txt,SAM CLI and cfn-lint)

venv: $(VENV)/.installed ## Create the virtualenv with the runtime and test dependencies

demo: $(VENV)/.installed ## Run the service end to end against the local stand-ins and show the result
	@$(PY) -m localdev.demo

# The arm64 package src/handler/Makefile builds (what `sam build` zips), built here before the tests run so
# that no test installs anything: tests/unit/test_build_artifact.py reads it from this path. Rebuilt when
# anything under src/handler changes (sources, requirements, constraints, the recipe).
TEST_PACKAGE := build/package-arm64/ParticipantDataFunction
HANDLER_FILES := $(shell find src/handler -type f -not -path '*/__pycache__/*')

$(TEST_PACKAGE).built: $(HANDLER_FILES) | $(VENV)/.installed
	@echo "==> Building the Lambda package for the tests ($(TEST_PACKAGE))"
	@rm -rf $(TEST_PACKAGE)
	@$(MAKE) --no-print-directory -s -C src/handler build-ParticipantDataFunction \
		ARTIFACTS_DIR="$(CURDIR)/$(TEST_PACKAGE)" PYTHON="$(CURDIR)/$(PY)"
	@touch $@

# Where a Docker daemon answers, tests/invoke runs `make invoke` for real: its package (this machine's
# architecture) is built here too, so that no test installs anything.
DOCKER_ANSWERS = $(shell docker info >/dev/null 2>&1 && echo yes)

.PHONY: invoke-package
invoke-package: $(VENV)/.installed check-python
	@$(PY) -m localdev.lambda_package --python "$(PYTHON313)"

test: $(VENV)/.installed $(VENV_SAM)/.installed $(TEST_PACKAGE).built $(if $(DOCKER_ANSWERS),invoke-package) ## Run the whole test suite (unit, integration, contracts, local API, CLI, template, properties)
	@PATH="$(CURDIR)/$(VENV_SAM)/bin:$$PATH" $(PY) -m pytest

lint: $(VENV)/.installed $(VENV_SAM)/.installed $(VENV_CHECKOV)/.installed ## ruff, mypy, bandit, pip-audit, checkov and the template checks
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(SAM) validate --lint --template template.yaml
	$(VENV_SAM)/bin/python scripts/lint_translated_template.py template.yaml
	$(VENV)/bin/bandit -c pyproject.toml -r src -q
	$(VENV_CHECKOV)/bin/checkov -f template.yaml --framework cloudformation --compact --quiet --skip-download
	@$(MAKE) --no-print-directory audit

audit: $(VENV)/.installed ## pip-audit of the runtime dependencies (STRICT=1 fails when some cannot be checked)
	$(PY) scripts/audit_dependencies.py $(if $(STRICT),--strict)

chaos: $(VENV)/.installed ## The fault matrix over real HTTP; renders its table into docs/reliability.md
	rm -rf $(RELIABILITY_RESULTS)/faults.json
	RELIABILITY_RESULTS_DIR=$(RELIABILITY_RESULTS) $(PY) -m pytest -q -p no:cacheprovider tests/faults
	$(PY) scripts/render_reliability.py $(RELIABILITY_RESULTS) docs/reliability.md

load: $(VENV)/.installed ## 50 concurrent containers x 100 invocations under the rate limit (minutes); renders docs/reliability.md
	rm -rf $(RELIABILITY_RESULTS)/load-*.json
	RELIABILITY_RESULTS_DIR=$(RELIABILITY_RESULTS) $(PY) -m pytest -q -p no:cacheprovider -s load
	$(PY) scripts/render_reliability.py $(RELIABILITY_RESULTS) docs/reliability.md

build: $(VENV_SAM)/.installed ## sam build (the deployable artifact in .aws-sam/build; src/handler/Makefile)
	PATH="$(dir $(PYTHON313)):$$PATH" PYTHON="$(PYTHON313)" SAM_CLI_TELEMETRY=0 $(SAM) build --template template.yaml

deploy: build ## sam deploy --guided (needs AWS credentials)
	$(SAM) deploy --guided

.PHONY: contracts data-actions
# With deployed values or other attributes the files go to build/contracts (OUT=dir: dir/contracts), so the
# committed contracts/ (placeholders, default attributes) stay what tests/contracts expects.
CONTRACTS_OUT = $(or $(OUT),$(if $(API_URL)$(FUNCTION_ARN)$(ATTRIBUTES),build))
contracts: $(VENV)/.installed ## Regenerate contracts/ (OpenAPI document, data actions); see data-actions
	$(PY) -m api_contracts write $(if $(ATTRIBUTES),--attributes $(ATTRIBUTES)) \
		$(if $(API_URL),--api-url '$(API_URL)') $(if $(FUNCTION_ARN),--function-arn '$(FUNCTION_ARN)') \
		$(if $(CONTRACTS_OUT),--out '$(CONTRACTS_OUT)')

# The role ARN goes into the Lambda integration's credential, not into a file: it is printed with the rest of
# what the Genesys integrations need (api_contracts/integrations.py).
data-actions: contracts ## Data actions to import, then the integrations' credentials: [ATTRIBUTES="a b"] [API_URL=...] [FUNCTION_ARN=...] [ROLE_ARN=...] [OUT=dir]
	@echo
	@$(PY) -m api_contracts integrations $(if $(ROLE_ARN),--role-arn '$(ROLE_ARN)') \
		$(if $(FUNCTION_ARN),--function-arn '$(FUNCTION_ARN)')

.PHONY: serve
serve: $(VENV)/.installed ## Run the API locally as API Gateway serves it, with the stand-ins (PORT=3000; Ctrl-C stops)
	@$(PY) -m localdev.serve $(if $(PORT),--port $(PORT))

clean: ## Remove the virtualenvs and build output
	rm -rf $(VENV) $(VENV_SAM) $(VENV_CHECKOV) $(RELIABILITY_RESULTS) .aws-sam build .pytest_cache .mypy_cache .ruff_cache

.PHONY: lambda-image invoke
lambda-image: check-python ## The python3.13 Lambda base image for sam local invoke: pulled, or built offline where it cannot be
	@scripts/build-lambda-image.sh "$(PYTHON313)"

# EVENT: the event file to invoke with (default events/api-gateway-rest.json). docs/local-invoke.md.
invoke: $(VENV)/.installed $(VENV_SAM)/.installed ## sam local invoke [EVENT=events/<file>.json] in Docker, against the stand-ins
	@$(PY) -m localdev.invoke --python "$(PYTHON313)" --sam $(SAM) $(if $(EVENT),--event '$(EVENT)')

.PHONY: conformance
# The Genesys behaviours the service relies on, checked against the emulator (docs/conformance.md; a real
# org: `python -m conformance run --target org --help`). Its last line: `conformance: N/N behaviours match`.
conformance: $(VENV)/.installed ## The conformance suite against the emulator; reports in build/conformance [OUT=dir]
	@$(PY) -m conformance run --target emulator --out '$(or $(OUT),build/conformance)'

.PHONY: bench
bench: build $(VENV)/.installed ## Measure cold start, warm latency and memory; writes docs/performance.md
	$(PY) -m bench.run --python "$(PYTHON313)" --artifact .aws-sam/build/ParticipantDataFunction
