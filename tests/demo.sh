#!/bin/sh
# make demo: the yearly cycle on the sample organisation (志免町), into out/.
#   1 derive + check for all five policies
#   2 generate the self-inspection and audit workbooks
#   3 departments fill them in (tests/fill_workbooks.py, openpyxl: as a user would)
#   4 ingest and status
#   5 score and reports
set -eu
TENKEN=${1:-build/tenken}
OUT=${OUT:-out}
ORG=shime
YEAR=2026
PY=/usr/bin/python3
export TENKEN_DB="$OUT/tenken.db"
mkdir -p "$OUT"
rm -f "$OUT/tenken.db" "$OUT/tenken.db-wal" "$OUT/tenken.db-shm"
rm -rf "$OUT/$ORG" "$OUT/filled"

echo "== 1. derive: ポリシーから点検項目を作る (5 団体) =="
for org in shime toride kobe-sangyo amakura ogasawara; do
    mkdir -p "$OUT/checklists/$org"
    cp "checklists/$org/org.xml" "$OUT/checklists/$org/org.xml"
    "$TENKEN" derive "checklists/$org/policy.txt" --org "$OUT/checklists/$org" --force -q
    n=$(grep -c '<item ' "$OUT/checklists/$org/checklist.xml")
    if cmp -s "$OUT/checklists/$org/checklist.xml" "checklists/$org/checklist.xml"; then same="同じ"; else same="異なる"; fi
    echo "  $org: $n 項目 (checklists/$org/checklist.xml と$same)"
done
"$TENKEN" check "$OUT"/checklists/*/

echo "== 2. generate: 部署ごとの点検票を作る =="
"$TENKEN" generate --org "$ORG" --year "$YEAR" --deadline 2027-01-29 --out "$OUT" --force
"$TENKEN" generate --org "$ORG" --year "$YEAR" --kind audit --deadline 2027-02-26 --department 01 --department 04 \
    --department 17 --out "$OUT" --force

echo "== 3. 各部署が記入する (openpyxl で保存) =="
"$PY" tests/fill_workbooks.py --date-styles --seed "$YEAR" "$OUT/filled/$YEAR-self" "$OUT/$ORG/$YEAR-self"/*.xlsx
"$PY" tests/fill_workbooks.py --seed 7 "$OUT/filled/$YEAR-audit" "$OUT/$ORG/$YEAR-audit"/*.xlsx

echo "== 4. ingest / status: 取り込みと提出状況 =="
"$TENKEN" ingest -q "$OUT/filled/$YEAR-self" "$OUT/filled/$YEAR-audit"
"$TENKEN" status --org "$ORG" --year "$YEAR"

echo "== 5. score: 得点 =="
"$TENKEN" score --org "$ORG" --year "$YEAR"
"$TENKEN" score --org "$ORG" --year "$YEAR" --by chapter
"$TENKEN" score --org "$ORG" --year "$YEAR" --kind audit
