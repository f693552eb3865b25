# The two commands of the README: `make start` and `make test`. Both set up what they need.
.PHONY: start demo test setup deps build typecheck bench drill clean

NPM_STAMP := node_modules/.install-stamp

setup:
	@./scripts/setup.sh

# npm ci only when package-lock.json changed since the last install. The OpenCV bindings compile
# against Debian's libopencv-dev (several minutes on 2 cores): ccache makes repeat builds fast.
NATIVE_ENV = OPENCV4NODEJS_DISABLE_AUTOBUILD=1 JOBS=max $(shell command -v ccache >/dev/null && echo 'CC="ccache gcc" CXX="ccache g++"')
$(NPM_STAMP): package.json package-lock.json
	$(NATIVE_ENV) npm ci --no-audit --no-fund
	@touch $@

deps: setup $(NPM_STAMP)

build: deps
	npx tsc -p tsconfig.json

typecheck: deps
	npx tsc -p tsconfig.check.json

# Runs the terminal on the simulated device profile with the browser panel (http://127.0.0.1:8470/),
# against the reference SI service (si-dev) over HTTPS with client certificates, printing the
# transcript until Ctrl-C; si-dev stops with it.
start: build
	./scripts/start-sim.sh

# The same terminal, with a simulated person who plays one whole session; then it exits.
demo: build
	./scripts/start-sim.sh --demo

test: build typecheck
	npx tap

# A longer kill drill of the daemon itself than make test runs (8 kills): DRILL_KILLS=N to choose.
drill: build
	DRILL_KILLS=$${DRILL_KILLS:-100} npx tap --disable-coverage --timeout 7200 test/ops/daemon-kill-drill.test.ts

bench: build
	npm run --silent bench:replay

clean:
	rm -rf dist .tap coverage
