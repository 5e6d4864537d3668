# tarn - top-level driver. CMake does the building; this file names the
# workflows: `make demo`, `make test`, `make bench`, `make fuzz`.
#
#   make demo    install deps, build (release), run the demo pipeline
#   make test    install deps, build (debug, -Werror) and run every test, then
#                the same suite under ASan + UBSan
#   make bench   install deps, build (release), run bench/run.sh vs DuckDB
#   make fuzz    build libFuzzer targets with clang and run each briefly
#   make build   release build only (build/release/tarn)
#   make format  reformat sources with clang-format

JOBS     ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE    ?= cmake
CTEST    ?= ctest
REL_DIR  := build/release
DBG_DIR  := build/debug
ASAN_DIR := build/asan
FUZZ_DIR := build/fuzz

.PHONY: all deps build debug asan demo test test-debug test-asan bench fuzz format check-format lint clean

all: build

deps:
	@./scripts/install-deps.sh

build: deps
	@$(CMAKE) -S . -B $(REL_DIR) -DCMAKE_BUILD_TYPE=Release -DTARN_TESTS=OFF >/dev/null
	@$(CMAKE) --build $(REL_DIR) -j $(JOBS)

debug: deps
	@$(CMAKE) -S . -B $(DBG_DIR) -DCMAKE_BUILD_TYPE=Debug -DTARN_WERROR=ON >/dev/null
	@$(CMAKE) --build $(DBG_DIR) -j $(JOBS)

asan: deps
	@$(CMAKE) -S . -B $(ASAN_DIR) -DCMAKE_BUILD_TYPE=Debug -DTARN_WERROR=ON -DTARN_SANITIZE=ON >/dev/null
	@$(CMAKE) --build $(ASAN_DIR) -j $(JOBS)

demo: build
	@./scripts/demo.sh $(REL_DIR)/tarn

test: lint test-debug test-asan
	@echo "make test: all suites passed (debug and asan)"

test-debug: debug
	@cd $(DBG_DIR) && $(CTEST) --output-on-failure -j $(JOBS)

test-asan: asan
	@cd $(ASAN_DIR) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 $(CTEST) --output-on-failure -j $(JOBS)

BENCH_DIR := build/bench

bench: deps
	@$(CMAKE) -S . -B $(BENCH_DIR) -DCMAKE_BUILD_TYPE=Release -DTARN_TESTS=ON >/dev/null
	@$(CMAKE) --build $(BENCH_DIR) -j $(JOBS) --target tarn tarn_tool_ndjgen tarn_tool_scan
	@./bench/run.sh $(BENCH_DIR)

fuzz: deps
	@CC=clang $(CMAKE) -S . -B $(FUZZ_DIR) -DCMAKE_BUILD_TYPE=Debug -DTARN_FUZZ=ON -DTARN_TESTS=OFF >/dev/null
	@$(CMAKE) --build $(FUZZ_DIR) -j $(JOBS)
	@./scripts/fuzz.sh $(FUZZ_DIR)

lint:
	@./scripts/lint.sh

format:
	@clang-format -i $$(git ls-files 'src/*.c' 'src/*.h' 'tests/*.c' 'tests/*.h' 'fuzz/*.c')

clean:
	rm -rf build
