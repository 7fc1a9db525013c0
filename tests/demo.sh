#!/bin/sh
# make demo: the yearly cycle on the sample organisations, into out/.
set -eu
TENKEN=${1:-build/tenken}
OUT=${OUT:-out}
mkdir -p "$OUT"
echo "== 1. derive: ポリシーから点検項目を作る (5 団体) =="
for org in shime toride kobe-sangyo amakura ogasawara; do
    mkdir -p "$OUT/checklists/$org"
    cp "checklists/$org/org.xml" "$OUT/checklists/$org/org.xml"
    "$TENKEN" derive "checklists/$org/policy.txt" --org "$OUT/checklists/$org" --force -q
    n=$(grep -c '<item ' "$OUT/checklists/$org/checklist.xml")
    if cmp -s "$OUT/checklists/$org/checklist.xml" "checklists/$org/checklist.xml"; then same="同じ"; else same="異なる"; fi
    echo "  $org: $n 項目 (checklists/$org/checklist.xml と$same)"
done
echo "== 2. check: 検証 =="
"$TENKEN" check "$OUT"/checklists/*/
