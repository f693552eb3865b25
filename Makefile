# The two commands of the README: `make start` and `make test`. Both set up what they need.
.PHONY: start test setup deps build typecheck bench clean

NPM_STAMP := node_modules/.install-stamp

setup:
	@./scripts/setup.sh

# npm ci only when package-lock.json changed since the last install.
$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

deps: setup $(NPM_STAMP)

build: deps
	npx tsc -p tsconfig.json

typecheck: deps
	npx tsc -p tsconfig.check.json

# Runs the terminal on the simulated device profile and plays the bundled demo session, against
# the reference SI service (si-dev) over HTTPS with client certificates; si-dev stops with it.
start: build
	./scripts/start-sim.sh

test: build typecheck
	npx tap

bench: build
	npm run --silent bench:replay

clean:
	rm -rf dist .tap coverage
