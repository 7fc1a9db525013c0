#!/bin/sh
# Run each harness under AFL++ for SECONDS (make fuzz), from its corpus in
# tests/fuzz/corpus/NAME; findings in out/fuzz/NAME/default/{crashes,hangs}.
#
#   sh tests/fuzz/run.sh BUILD_DIR SECONDS NAME...
# Exit status 1 when any harness found a crash or a hang.
set -u
dir=$1
secs=$2
shift 2
# Containers often pipe core dumps to a helper and pin no CPUs: AFL++ would
# refuse to start or to share the machine.
export AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1 AFL_NO_UI=1
export AFL_SKIP_CRASHES=1
found=0
for name in "$@"; do
    out=out/fuzz/$name
    mkdir -p "$out"
    # resume a previous run's queue when there is one
    input=tests/fuzz/corpus/$name
    [ -d "$out/default/queue" ] && input=-
    echo "fuzz: $name を ${secs} 秒 (AFL++、ASan+UBSan)"
    afl-fuzz -i "$input" -o "$out" -V "$secs" -t 5000 -m none -- "$dir/fuzz_$name" > "$out/afl.log" 2>&1
    rc=$?
    stats=$out/default/fuzzer_stats
    if [ ! -f "$stats" ]; then
        echo "fuzz: $name: afl-fuzz が起動しませんでした (終了コード $rc)。$out/afl.log を見てください" >&2
        found=1
        continue
    fi
    execs=$(sed -n 's/^execs_done *: *//p' "$stats")
    paths=$(sed -n 's/^corpus_count *: *//p' "$stats")
    crashes=$(ls "$out/default/crashes" 2>/dev/null | grep -c '^id' || true)
    hangs=$(ls "$out/default/hangs" 2>/dev/null | grep -c '^id' || true)
    echo "fuzz: $name: 実行 $execs 回、コーパス $paths、クラッシュ $crashes、ハング $hangs"
    if [ "$crashes" -gt 0 ] || [ "$hangs" -gt 0 ]; then
        echo "  $out/default/crashes と hangs の入力を tests/fuzz/corpus/$name/found-… として加え、直してください" >&2
        found=1
    fi
done
exit $found
