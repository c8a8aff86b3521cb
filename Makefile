# gosync: a thin Makefile over CMake.
#
#   make               build the library, tests, examples and benchmarks (build/release)
#   make test          build and run the whole suite: optimized, park (portable backend),
#                      ThreadSanitizer, and ASan+UBSan builds
#   make bench         run the benchmark matrix (QUICK=1 for a short run)
#   make demo          run the examples
#   make install PREFIX=/usr/local
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

.PHONY: all build test test-release test-park test-tsan test-asan bench demo install clean

all: build

build: build/release/Makefile
	$(CMAKE) --build build/release -j $(JOBS)

build/%/Makefile:
	$(CMAKE) -S . -B build/$* $(CONFIG_$*) -DGOSYNC_WERROR=ON

# A static pattern rule: make skips implicit-rule search for .PHONY targets, so a plain
# pattern rule would leave test-release & co. silently doing nothing.
test-release test-park test-tsan test-asan: test-%: build/%/Makefile
	$(CMAKE) --build build/$* -j $(JOBS)
	$(CTEST) --test-dir build/$* --output-on-failure -j $(JOBS)

test: test-release test-park test-tsan test-asan
	@echo "gosync: all four test builds passed (release, park, tsan, asan+ubsan)"

bench: build
	./scripts/bench.sh $(if $(QUICK),--quick)

demo: build
	$(CTEST) --test-dir build/release --output-on-failure -L demo

install: build
	$(CMAKE) --install build/release --prefix $(PREFIX)

clean:
	rm -rf build
