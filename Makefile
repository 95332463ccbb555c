# The README's two commands. Each does all of its own set-up on a fresh Debian 12 machine (run as root):
# Debian packages, the pinned virtual environment at .venv, the collection staged where Ansible finds it.
SHELL := /bin/bash
WORK ?= /tmp/storage-scst
VENV := .venv
COLLECTION := $(WORK)/ac/ansible_collections/storage/scst
# ansible-test builds its sanity venvs with pip fetched by a bootstrap script that CI cannot download; each
# ansible-core of requirements/cores.txt asks for its own pip version (2.16/2.17: 23.1.2, 2.18/2.19: 24.2, 2.20+: 25.2).
GET_PIP_CACHE := $(HOME)/.ansible/test/cache
GET_PIP_VERSIONS := 23_1_2 24_2 25_2

.PHONY: all setup stage test demo bench ee clean

all: test

setup:
	@tools/setup.sh

stage: setup
	@tools/stage-collection.sh $(WORK) >/dev/null
	@mkdir -p $(GET_PIP_CACHE) && for v in $(GET_PIP_VERSIONS); do cp tests/ci/get_pip.py $(GET_PIP_CACHE)/get_pip_$$v.py; done

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
	    python bench/site_fleet.py && python bench/scstadmin_compare.py --work $(WORK)/bench

# The execution environment of execution-environment.yml, from the tarball `ansible-galaxy collection build` writes.
ee: setup
	@source $(VENV)/bin/activate && tools/build-ee.sh

clean:
	rm -rf $(WORK) $(VENV) context context-src
