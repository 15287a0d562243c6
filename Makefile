# The door to the project: `make help` lists every target.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
TOOLS := .tools
UV := $(TOOLS)/bin/uv
UV_VERSION := 0.13.8
VENV := .venv
PY := $(VENV)/bin/python
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_PYTHON := $(PYTHON)

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet uv==$(UV_VERSION)

.PHONY: help
help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

.PHONY: install
install: $(UV) ## install the service's runtime dependencies from uv.lock
	$(UV) sync --locked --no-default-groups

.PHONY: install-dev
install-dev: $(UV) ## install everything the tests and linters need, from uv.lock
	$(UV) sync --locked --group dev

.PHONY: run
run: install ## serve on http://127.0.0.1:8000 (HOST, PORT, WORKERS from the environment)
	$(PY) -m service

.PHONY: browser
browser: ## Debian's chromium and poppler-utils (pdftotext) for the page tests, installed with apt-get when missing
	@command -v chromium >/dev/null && command -v pdftotext >/dev/null \
	  || (apt-get update && apt-get install -y --no-install-recommends chromium poppler-utils) \
	  || { echo "the page tests need Debian's chromium and poppler-utils: apt-get install chromium poppler-utils (as root)" >&2; exit 1; }

.PHONY: test
test: install-dev deploy-tools browser ts-tools ## lint, type-check, then every test (unit, api, contract, e2e, deploy, browser)
	$(MAKE) --no-print-directory lint
	$(PY) -m pytest -n auto -m "not e2e and not serial"  # in-process tests, on every core
	$(PY) -m pytest -m "e2e or serial"  # real servers and clocks: one at a time

.PHONY: fuzz
fuzz: install-dev ## the model's properties at 1,000 examples each, then schemathesis in depth (all checks and phases, both modes, 1,000 examples per operation)
	HYPOTHESIS_PROFILE=thorough $(PY) -m pytest -n auto tests/unit
	mkdir -p artifacts
	$(PY) -m tests.tools.serve LOG_LEVEL=warning -- $(VENV)/bin/schemathesis run openapi/openapi.json \
	  --url {url} --checks all --phases examples,coverage,fuzzing --mode all \
	  --max-examples 1000 --generation-deterministic --workers 1 --no-color \
	  --report ndjson --report-ndjson-path artifacts/fuzz.ndjson
	$(PY) -m tests.tools.cases artifacts/fuzz.ndjson --at-least 1000 "POST /evaluate" "POST /payback"

.PHONY: lint
lint: ## ruff, ruff format --check, mypy --strict, and the contract is up to date
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(PY) -m service.http.openapi --check openapi/openapi.json
	$(PY) -m service.http.openapi --check --3.0 openapi/openapi-3.0.json

.PHONY: openapi
openapi: ts-tools ## regenerate openapi/openapi.json (3.1), openapi/openapi-3.0.json and clients/typescript/schema.d.ts
	$(PY) -m service.http.openapi openapi/openapi.json
	$(PY) -m service.http.openapi --3.0 openapi/openapi-3.0.json
	cd clients/typescript && node_modules/.bin/openapi-typescript ../../openapi/openapi.json --default-non-nullable=false -o schema.d.ts

.PHONY: ts-tools
ts-tools: ## openapi-typescript, openapi-fetch and tsc from clients/typescript/package-lock.json (npm ci)
	cd clients/typescript && npm ci --no-audit --no-fund

.PHONY: release-contract
release-contract: ## snapshot openapi/openapi.json as openapi/released/<info.version>.json, the baseline make test checks against
	@version=$$($(PY) -c 'import json; print(json.load(open("openapi/openapi.json"))["info"]["version"])'); \
	  if [ -e openapi/released/$$version.json ]; then \
	    echo "openapi/released/$$version.json exists: raise VERSION in service/http/openapi.py first" >&2; exit 1; fi; \
	  cp openapi/openapi.json openapi/released/$$version.json && echo "openapi/released/$$version.json: commit it"

.PHONY: format
format: ## apply ruff's formatting and safe fixes
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

.PHONY: clean
clean: ## remove the environments and caches
	rm -rf $(VENV) $(TOOLS) .pytest_cache .mypy_cache .ruff_cache .hypothesis

# The deploy checks live in their own uv project (deploy/checks): checkov pins packaging<24,
# which the main lock cannot hold. They install into .venv-deploy, not .venv.
DEPLOY_VENV := $(CURDIR)/.venv-deploy
K8S_VERSIONS := 1.33.0 1.37.0
K8S_MANIFESTS := $(filter-out deploy/k8s/kustomization.yaml,$(wildcard deploy/k8s/*.yaml)) deploy/k8s/examples/secret.example.yaml

.PHONY: deploy-tools
deploy-tools: $(UV) ## install checkov, hadolint, kubernetes-validate, yamllint into .venv-deploy
	UV_PROJECT_ENVIRONMENT=$(DEPLOY_VENV) $(UV) sync --locked --project deploy/checks

.PHONY: deploy-check
deploy-check: deploy-tools ## lint deploy/Dockerfile, validate and policy-check deploy/k8s
	$(DEPLOY_VENV)/bin/hadolint deploy/Dockerfile
	$(DEPLOY_VENV)/bin/yamllint -s -c deploy/.yamllint deploy
	for v in $(K8S_VERSIONS); do $(DEPLOY_VENV)/bin/kubernetes-validate --strict --quiet -k $$v $(K8S_MANIFESTS) || exit 1; done
	$(DEPLOY_VENV)/bin/checkov -d deploy --framework kubernetes dockerfile --compact --quiet --skip-download

# Benchmarks (bench/README.md): the server on core 0, wrk on core 1; results in docs/performance.md.
.PHONY: bench-tools
bench-tools: $(UV) ## the benchmark's extra packages (FastAPI, granian), from uv.lock
	$(UV) sync --locked --group dev --group bench
	command -v wrk >/dev/null || (apt-get update && apt-get install -y wrk)

.PHONY: bench
bench: bench-tools ## service vs raw ASGI ceiling vs FastAPI on uvicorn and granian, model cost, uncertainty, batches, documents and solve on the wire (~8 min)
	$(PY) bench/bench.py
	$(PY) bench/uncertainty.py
	$(PY) bench/batch.py
	$(PY) bench/wire.py

.PHONY: loadtest
loadtest: bench-tools ## one minute of fixed-rate load on python -m service: no non-2xx, RSS steady
	$(PY) bench/loadtest.py
