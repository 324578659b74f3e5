# Two commands for a newcomer: `make demo` and `make test`. Everything runs from .venv.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
# Debian packages for Qt's real windows (xcb) and the virtual screen the X11 tests use.
SYSTEM_PACKAGES := xvfb xauth libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 \
	libxcb-render-util0 libxcb-xkb1 libxkbcommon-x11-0 libxcb-shape0 libxcb-randr0 libegl1 libgl1 \
	libfontconfig1 libdbus-1-3

.PHONY: test demo system-deps clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed-dev: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[dev,server]"
	touch $@

$(VENV)/.installed-demo: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[server]"
	touch $@

test: $(VENV)/.installed-dev
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest

demo: $(VENV)/.installed-demo
	$(PY) -m app --demo

# Needs root (or sudo) on Debian or Ubuntu; the X11 tests skip with a reason without it.
system-deps:
	apt-get install -y --no-install-recommends $(SYSTEM_PACKAGES) || \
		(apt-get update && apt-get install -y --no-install-recommends $(SYSTEM_PACKAGES))

clean:
	rm -rf build dist .pytest_cache
