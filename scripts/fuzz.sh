#!/bin/sh
# scripts/fuzz.sh - run every libFuzzer target in BUILD_DIR for a short time
# (FUZZ_SECONDS, default 30) starting from fuzz/corpus/<name> (fuzz_<name>
# is the target) when present. Crashes, leaks, undefined behaviour and
# inputs slower than FUZZ_TIMEOUT seconds (default 5) stop the run with a
# non-zero exit and leave the reproducer in BUILD_DIR/artifacts/. FUZZ_TARGETS (space-separated
# names) limits the run to those targets.
set -eu
BUILD=${1:-build/fuzz}
SECS=${FUZZ_SECONDS:-30}
TIMEOUT=${FUZZ_TIMEOUT:-5}
cd "$(dirname "$0")/.."
mkdir -p "$BUILD/artifacts"
found=0
for bin in "$BUILD"/fuzz_*; do
    [ -x "$bin" ] || continue
    found=1
    name=$(basename "$bin")
    short=${name#fuzz_}
    if [ -n "${FUZZ_TARGETS:-}" ]; then
        case " $FUZZ_TARGETS " in *" $short "*) ;; *) continue ;; esac
    fi
    corpus="$BUILD/corpus/$name"
    mkdir -p "$corpus"
    [ -d "fuzz/corpus/$short" ] && cp -n fuzz/corpus/"$short"/* "$corpus"/ 2>/dev/null || true
    echo "fuzz: $name for ${SECS}s"
    UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1} "$bin" -max_total_time="$SECS" -timeout="$TIMEOUT" -detect_leaks=1 \
        -artifact_prefix="$BUILD/artifacts/$name-" \
        -print_final_stats=1 "$corpus" >"$BUILD/$name.log" 2>&1 || {
        tail -40 "$BUILD/$name.log" >&2
        echo "fuzz: $name failed (see $BUILD/$name.log)" >&2
        exit 1
    }
    grep -E 'stat::number_of_executed_units' "$BUILD/$name.log" || true
done
[ $found = 1 ] || { echo "fuzz: no targets in $BUILD" >&2; exit 1; }
echo "fuzz: all targets ran clean"
