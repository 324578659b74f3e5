# Two commands for a newcomer: `make demo` and `make test`. Everything runs from .venv.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
# Debian packages for Qt's real windows (xcb) and the virtual screen the X11 tests use.
SYSTEM_PACKAGES := xvfb xauth libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 \
	libxcb-render-util0 libxcb-xkb1 libxkbcommon-x11-0 libxcb-shape0 libxcb-randr0 libegl1 libgl1 \
	libfontconfig1 libdbus-1-3 \
	binutils xdotool chromium chromium-driver postgresql dbus-x11 unzip openbox
# binutils: PyInstaller strips and inspects libraries with it (`make launcher`); xdotool presses
# Cancel in the built launcher's real window (`make launcher-check`); chromium and its driver are
# the real browser the web-page tests drive (tests/browser.py; nothing downloads a browser);
# postgresql: initdb and pg_ctl for the throwaway clusters the PostgreSQL engine's tests start
# (testbed/postgres_cluster.py); dbus-x11 is what a desktop without a session bus may have, whose
# autolaunch the launcher must not trigger (`make launcher-check`); unzip unpacks the macOS
# download the way Archive Utility would (tests/test_bundle_zip.py); openbox frames the windows of
# the screen-fit test like a desktop's window manager (tests/test_screen_fit.py).

.PHONY: test screen-fit lint demo system-deps clean launcher launcher-check bench-launcher bench-backup bench-server bench-server-abuse bench-server-pg bench-open-apps bench-console

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed-dev: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[dev,server]"
	touch $@

$(VENV)/.installed-demo: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[server]"
	touch $@

$(VENV)/.installed-build: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[build]"
	touch $@

# The whole suite, the screen-fit check under Xvfb + openbox included; `make screen-fit` runs that
# check alone (six screens side by side, one launcher each walking all pages).
test: $(VENV)/.installed-dev
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest

screen-fit: $(VENV)/.installed-dev
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -m screen_fit

# ruff (rules in pyproject.toml) over the whole tree, then mypy over app/core and server.
lint: $(VENV)/.installed-dev
	$(PY) -m ruff check .
	$(PY) -m mypy

demo: $(VENV)/.installed-demo
	$(PY) -m app --demo

# The single-file launcher (build.spec), named from resources/brand.json; rebuilt when a source changes.
LAUNCHER := dist/$(shell $(PYTHON) -c "import json; print(json.load(open('resources/brand.json'))['launcher_name'])")
LAUNCHER_SOURCES := build.spec pyproject.toml $(shell find app resources installer -type f -not -path '*/__pycache__/*')

$(LAUNCHER): $(LAUNCHER_SOURCES) | $(VENV)/.installed-build
	$(PY) -m PyInstaller --noconfirm --log-level WARN build.spec

launcher: $(LAUNCHER)

# The built file checks itself, then runs under fresh HOME/XDG/TMPDIR and must leave nothing.
launcher-check: $(LAUNCHER) $(VENV)/.installed-dev
	$(LAUNCHER) --self-test
	PHONETEX_LAUNCHER=$(LAUNCHER) QT_QPA_PLATFORM=offscreen $(PY) -m pytest tests/test_launcher_built.py tests/test_launcher_built_intake.py \
		tests/test_launcher_built_download.py

bench-launcher: $(LAUNCHER)
	$(PY) benchmarks/bench_launcher.py --launcher $(LAUNCHER)

# Backup check on a generated 100 000-file home: time against `find`, and the GUI thread's longest stall.
bench-backup: $(VENV)/.installed-dev
	$(PY) benchmarks/bench_backup.py

# 50 concurrent clients posting consents to the real server in its own process; p99 against /healthz.
bench-server: $(VENV)/.installed-dev
	$(PY) benchmarks/bench_server.py

# Only bench-server's abuse lines: /healthz p99 while a writer holds the SQLite lock 5 s against the
# idle p99, and 1000 concurrent wrong-code consent POSTs from one address against the budget.
bench-server-abuse: $(VENV)/.installed-dev
	$(PY) benchmarks/bench_server.py --abuse-only

# 200 clients over 4 server processes on one private PostgreSQL (fsync on), beside SQLite's 50
# clients on one process, and the same load with one process killed (kill -9) half-way.
bench-server-pg: $(VENV)/.installed-dev
	$(PY) benchmarks/bench_server_pg.py

# One Open apps refresh against a bare psutil.process_iter(['pid','name']), also with 500 extra
# idle processes; runs the X11 backend on its own Xvfb where one is installed.
bench-open-apps: $(VENV)/.installed-dev
	$(PY) benchmarks/bench_open_apps.py

# A launcher step event to the technician's console in headless Chromium, 20 times: median and worst.
bench-console: $(VENV)/.installed-dev
	$(PY) benchmarks/bench_console.py

# Needs root (or sudo) on Debian or Ubuntu; the X11 tests skip with a reason without it.
system-deps:
	apt-get install -y --no-install-recommends $(SYSTEM_PACKAGES) || \
		(apt-get update && apt-get install -y --no-install-recommends $(SYSTEM_PACKAGES))

clean:
	rm -rf build dist .pytest_cache
