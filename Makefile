# The README's two commands. Each does all of its own set-up on a fresh Debian 12 machine (run as root):
# Debian packages, the pinned virtual environment at .venv, the collection staged where Ansible finds it.
SHELL := /bin/bash
WORK ?= /tmp/storage-scst
VENV := .venv
COLLECTION := $(WORK)/ac/ansible_collections/storage/scst
# ansible-test builds its sanity venvs with pip 24.2 fetched by a bootstrap script that CI cannot download.
GET_PIP := $(HOME)/.ansible/test/cache/get_pip_24_2.py

.PHONY: all setup stage test demo bench clean

all: test

setup:
	@tools/setup.sh

stage: setup
	@tools/stage-collection.sh $(WORK) >/dev/null
	@mkdir -p $(dir $(GET_PIP)) && cp tests/ci/get_pip.py $(GET_PIP)

# Every suite; the last line is the runner's summary over all of them.
test: stage
	@source $(VENV)/bin/activate && export ANSIBLE_COLLECTIONS_PATH=$(WORK)/ac FUSE_LIBRARY_NAME=fuse3 && \
	    python tools/testrun.py --work $(WORK) --collection $(COLLECTION) $(SUITES)

demo: stage
	@source $(VENV)/bin/activate && export ANSIBLE_COLLECTIONS_PATH=$(WORK)/ac FUSE_LIBRARY_NAME=fuse3 && \
	    bash demo/run.sh

# site_fleet takes the fleet lock (/tmp/scst-fleet.lock) itself: do not wrap make bench in flock.
bench: setup
	@source $(VENV)/bin/activate && export FUSE_LIBRARY_NAME=fuse3 && python bench/emulator_throughput.py && \
	    python bench/site_fleet.py

clean:
	rm -rf $(WORK) $(VENV)
