# gosync: a thin Makefile over CMake.
#
#   make               build the library, tests, examples and benchmarks (build/release)
#   make test          build and run the whole suite: optimized, park (portable backend),
#                      ThreadSanitizer, and ASan+UBSan builds
#   make bench         run the benchmark matrix (QUICK=1 for a short run)
#   make demo          run the examples
#   make test-valgrind every test and example under helgrind and DRD (GOSYNC_VALGRIND build)
#   make install PREFIX=/usr/local
#   make dist          regenerate the single-file drop-in dist/gosync.{h,c} (commit the result)
#   make clean

PREFIX ?= /usr/local
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE ?= cmake
CTEST ?= ctest
# The sanitizer builds prefer clang (its TSan is the reference); gcc works too.
SAN_CC ?= $(shell command -v clang >/dev/null 2>&1 && echo clang || echo gcc)
SAN_CXX ?= $(shell command -v clang++ >/dev/null 2>&1 && echo clang++ || echo g++)

CONFIG_release = -DCMAKE_BUILD_TYPE=Release
CONFIG_park    = -DCMAKE_BUILD_TYPE=Release -DGOSYNC_WAIT_BACKEND=park -DGOSYNC_BUILD_BENCH=OFF
CONFIG_tsan    = -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGOSYNC_SANITIZE=thread \
                 -DCMAKE_C_COMPILER=$(SAN_CC) -DCMAKE_CXX_COMPILER=$(SAN_CXX) -DGOSYNC_BUILD_BENCH=OFF
CONFIG_asan    = -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGOSYNC_SANITIZE=address,undefined \
                 -DCMAKE_C_COMPILER=$(SAN_CC) -DCMAKE_CXX_COMPILER=$(SAN_CXX) -DGOSYNC_BUILD_BENCH=OFF

CONFIGS = release park tsan asan

.PHONY: all build test bench bench-sync demo install clean $(addprefix test-,$(CONFIGS))

all: build

build: build/release/Makefile
	$(CMAKE) --build build/release -j $(JOBS)

# build/<config>/Makefile and test-<config> for each config. (Explicit rules: make does not
# apply pattern rules to .PHONY targets, which would turn test-* into silent no-ops.)
define CONFIG_RULES
build/$(1)/Makefile:
	$(CMAKE) -S . -B build/$(1) $(CONFIG_$(1)) -DGOSYNC_WERROR=ON

test-$(1): build/$(1)/Makefile
	$(CMAKE) --build build/$(1) -j $(JOBS)
	$(CTEST) --test-dir build/$(1) --output-on-failure -j $(JOBS)
endef
$(foreach c,$(CONFIGS),$(eval $(call CONFIG_RULES,$(c))))

test: $(addprefix test-,$(CONFIGS))
	@echo "gosync: all four test builds passed (release, park, tsan, asan+ubsan)"

# ---- verification (issue 8; docs/VERIFICATION.md) ----
#   make verify        verify-models, then torture
#   make verify-models SPIN models (verify/run.sh; FULL=1 for the larger set)
#   make torture       tests/torture for TORTURE_SECONDS (default 30) on the release build
#   make test-faults   the suite built with -DGOSYNC_FAULT_INJECT=ON (spurious wake-ups, extra wakes)
#   make valgrind      every test of the release build under valgrind memcheck
#   make lint          cppcheck and clang-tidy with the checked-in configuration
TORTURE_SECONDS ?= 30
CONFIG_faults  = -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGOSYNC_FAULT_INJECT=ON -DGOSYNC_BUILD_BENCH=OFF
$(eval $(call CONFIG_RULES,faults))

.PHONY: verify verify-models torture valgrind lint test-faults

verify: verify-models torture

verify-models:
	./verify/run.sh $(if $(FULL),--full)

torture: build
	./build/release/tests/torture --seconds $(TORTURE_SECONDS)

valgrind: build
	./verify/valgrind.sh build/release

lint:
	./verify/lint.sh

bench: build
	./scripts/bench.sh $(if $(QUICK),--quick) $(BENCH_ARGS)

# Once, WaitGroup and Cond against pthread (bench/bench_sync_extra.c).
bench-sync: build
	./build/release/bench/bench_sync_extra $(if $(QUICK),--quick)

demo: build
	$(CTEST) --test-dir build/release --output-on-failure -L demo

install: build
	$(CMAKE) --install build/release --prefix $(PREFIX)

clean:
	rm -rf build

# The single-file drop-in; test-release checks that it is current (scripts/check-dist.sh).
.PHONY: dist
dist:
	python3 scripts/amalgamate.py

# ---- helgrind and DRD: every test and example under both tools, and planted bugs they must
# report (cmake/GosyncValgrind.cmake). Its own build: the library reports lock operations to
# valgrind (GOSYNC_VALGRIND=ON), which also makes every lock call go through the library.
CONFIG_valgrind = -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGOSYNC_VALGRIND=ON -DGOSYNC_BUILD_BENCH=OFF

.PHONY: test-valgrind
build/valgrind/Makefile:
	$(CMAKE) -S . -B build/valgrind $(CONFIG_valgrind) -DGOSYNC_WERROR=ON

test-valgrind: build/valgrind/Makefile
	$(CMAKE) --build build/valgrind -j $(JOBS)
	$(CTEST) --test-dir build/valgrind --output-on-failure -j $(JOBS) -L valgrind
