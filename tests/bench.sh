#!/bin/sh
# make bench: timings with the reference tools named in the issues.
set -eu
TENKEN=${1:-build/tenken}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
now_ns() { date +%s%N; }

echo "== derive: 志免町 (checklists/shime/policy.txt, $(wc -l < checklists/shime/policy.txt) 行) =="
cp checklists/shime/org.xml "$TMP/org.xml"
runs=20
t0=$(now_ns)
i=0
while [ $i -lt $runs ]; do
    "$TENKEN" derive checklists/shime/policy.txt --org "$TMP" --force -q -o "$TMP/checklist.xml"
    i=$((i + 1))
done
t1=$(now_ns)
echo "  derive: $(( (t1 - t0) / runs / 1000 )) µs / 回 (プロセス起動と XML 書き出しを含む、$runs 回の平均)"
