# Vybar: the two commands.
#   make test   installs what is missing (as root), builds, runs the tests
#   make demo   installs, builds and runs a whole election end to end (bench/demo.sh)
# Others: make build, make install (PREFIX=/usr/local), make bench,
# make test-asan, make vectors, make clean.
# WERROR=1 turns warnings into errors (CI sets it).

BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
WERROR     ?= 0
PREFIX     ?= /usr/local

# Debian packages the build and the tests need.
PACKAGES := build-essential cmake pkg-config python3 valgrind \
            emscripten nodejs dpkg-dev m4 xz-utils \
            libsodium-dev libgmp-dev libgcrypt20-dev \
            libprotobuf-c-dev protobuf-c-compiler libcmocka-dev \
            libmicrohttpd-dev libsqlite3-dev libcurl4-openssl-dev chromium npm \
            help2man postgresql libpq-dev

CMAKE_OPTS := -DVYBAR_WERROR=$(if $(filter 1,$(WERROR)),ON,OFF)

.PHONY: all deps build install test test-asan bench vectors demo clean

all: build

# Install the missing packages when root; otherwise print the one apt-get
# line that would. npm counts as there when the command is: a nodejs
# package from elsewhere carries its own npm and conflicts with Debian's.
deps:
	@missing=""; \
	for p in $(PACKAGES); do \
	  if [ $$p = npm ] && command -v npm >/dev/null 2>&1; then continue; fi; \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	  else \
	    echo "Missing Debian packages. As root, run:"; \
	    echo "  apt-get install -y$$missing"; \
	    exit 1; \
	  fi; \
	fi

build: deps
	cmake -S . -B $(BUILD) $(CMAKE_OPTS)
	cmake --build $(BUILD) -j $(JOBS)

# The programs, libvybar and the manual pages under PREFIX (bin, lib,
# share/man/man1).
install: build
	cmake --install $(BUILD) --prefix $(PREFIX)

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-asan: deps
	cmake -S . -B $(ASAN_BUILD) $(CMAKE_OPTS) -DVYBAR_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --output-on-failure -j $(JOBS)

bench: build
	$(BUILD)/bench/bench_crypto
	$(BUILD)/bench/bench_board

# Regenerate the project's own test vectors (specs/vectors/*.json).
vectors: build
	$(BUILD)/tests/gen_crypto_vectors specs/vectors
	$(BUILD)/tests/gen_protocol_vectors specs/vectors

# The 2024 Coordination Council election end to end on 127.0.0.1
# (bench/demo.sh; DEMO_VOTERS=N for a smaller one). bench/demo.cmake wires
# its helper program (the simulated voters, bench/demo_voters.c).
demo: deps
	cmake -S . -B $(BUILD) $(CMAKE_OPTS)
	cmake --build $(BUILD) -j $(JOBS) --target demo_programs
	bash bench/demo.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
