#!/bin/sh
# make bench-scale: a prefecture's cycle. An organisation of N departments
# (tests/make_big_org.py: 志免町's checklist) goes through generate, ingest of
# every workbook filled, score, the committee report, every department's
# report, and the follow-up round (generate, ingest). Each step's wall time
# and peak memory (/usr/bin/time) and the whole, for each size, on this
# machine's cores. Filling the workbooks is setup (tests/fill_fast.py), not
# timed. Then the second year's generate (every row with last year's answer
# and the plans still open, read a department at a time), on a line of its
# own outside the first year's whole; its ingest is left out, as filling
# the workbooks again costs some three times what ingesting them does.
# Then the reference tools on the same files: openpyxl (read-only)
# and SheetJS reading the filled workbooks, Python XlsxWriter writing the
# same workbooks; each on a sample, per workbook and scaled to N.
#
#   sh tests/bench_scale.sh [TENKEN]      BENCH_SCALE_SIZES="600 2400"  BENCH_SCALE_SAMPLE=200
set -eu
TENKEN=${1:-build/tenken}
PY=/usr/bin/python3
SIZES=${BENCH_SCALE_SIZES:-"600 2400"}
SAMPLE=${BENCH_SCALE_SAMPLE:-200}
NODE_DIR=build/node
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
YEAR=2026
NEXT=2027
DATE=2026-12-01

now_ns() { date +%s%N; }
# step NAME CMD...: run CMD under /usr/bin/time; one line NAME SECONDS CPU KiB
# in $TMP/$STEPS.$N (steps: the first year's cycle, year2: the second year)
STEPS=steps
step() {
    name=$1
    shift
    if ! /usr/bin/time -f '%e %U %S %M' -o "$TMP/time" "$@" > "$TMP/step.out" 2>&1; then
        echo "bench-scale: $name が失敗しました:" >&2
        tail -n 20 "$TMP/step.out" >&2
        exit 1
    fi
    read -r secs user sys kib < "$TMP/time"
    printf '%s %s %s %s\n' "$name" "$secs" "$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')" "$kib" \
        >> "$TMP/$STEPS.$N"
}
# lines NAME SECONDS CPU KiB of a file as the table shows them
show_steps() {
    awk '{ kib = $NF; cpu = $(NF - 1); secs = $(NF - 2); $NF = ""; $(NF - 1) = ""; $(NF - 2) = "";
           sub(/ +$/, ""); printf "  %7.2f s (CPU %6.2f s)  最大 RSS %6.1f MB  %s\n", secs, cpu, kib / 1024, $0 }' "$1"
}

echo "== bench-scale: 志免町の点検項目、部署数 $SIZES ($(nproc) コア) =="
for N in $SIZES; do
    d=$TMP/n$N
    mkdir -p "$d"
    : > "$TMP/steps.$N"
    : > "$TMP/year2.$N"
    STEPS=steps
    "$PY" tests/make_big_org.py "$d/shime" "$N"
    db=$d/tenken.db
    out=$d/out
    step "generate (自己点検票 ${N} 冊)" "$TENKEN" generate --org "$d/shime" --year $YEAR --out "$out" --db "$db" -q
    t0=$(now_ns)
    "$PY" tests/fill_fast.py --jobs 2 --seed 3 "$d/filled" "$out"/shime/$YEAR-self/*.xlsx > /dev/null
    fill_self=$(( ($(now_ns) - t0) / 1000000 ))
    step "ingest (記入済み ${N} 冊)" "$TENKEN" ingest -q "$d/filled" --db "$db"
    step "score (部署別)" "$TENKEN" score --org "$d/shime" --year $YEAR --db "$db"
    step "report committee (委員会報告書)" "$TENKEN" report committee --org "$d/shime" --year $YEAR --db "$db" \
        --out "$out" --date $DATE -q
    step "report departments (部署別 ${N} 件)" "$TENKEN" report departments --org "$d/shime" --year $YEAR \
        --db "$db" --out "$out" --date $DATE -q
    step "generate followup (進捗確認票)" "$TENKEN" generate --org "$d/shime" --year $YEAR --kind followup \
        --out "$out" --db "$db" -q
    nfu=$(ls "$out"/shime/$YEAR-followup/*.xlsx 2>/dev/null | wc -l)
    t0=$(now_ns)
    "$PY" tests/fill_fast.py --jobs 2 --seed 4 "$d/fu" "$out"/shime/$YEAR-followup/*.xlsx > /dev/null
    fill_fu=$(( ($(now_ns) - t0) / 1000000 ))
    step "ingest followup (${nfu} 冊)" "$TENKEN" ingest -q "$d/fu" --db "$db"
    db_size=$(du -sh "$db" | cut -f1)
    STEPS=year2
    step "generate ${NEXT} 年度 (自己点検票 ${N} 冊、前年度の回答と未完了の計画つき)" "$TENKEN" generate \
        --org "$d/shime" --year $NEXT --out "$out" --db "$db" -q
    echo "-- ${N} 部署 (記入は準備で計時しない: 自己点検票 ${fill_self} ms、進捗確認票 ${fill_fu} ms) --"
    show_steps "$TMP/steps.$N"
    awk '{ total += $(NF - 2); tcpu += $(NF - 1); if ($NF > peak) peak = $NF }
         END { printf "  %7.2f s (CPU %6.2f s)  最大 RSS %6.1f MB  全体 (記入を除く、RSS は各段階の最大)\n",
                      total, tcpu, peak / 1024 }' "$TMP/steps.$N"
    echo "  2 年目 (上の全体に含めない):"
    show_steps "$TMP/year2.$N"
    ls "$out"/shime/$YEAR-self/部署別報告/*.pdf | wc -l | xargs printf '  部署別報告 %s 件、'
    echo "データベース $db_size (1 年目の終わり)"
done
echo "  (CPU 時間を冊数で割れば一冊あたりの費用、最大 RSS を部署数と比べればメモリの伸びが分かる)"

# --- reference tools, on a sample of the largest run's files
N=$(echo "$SIZES" | tr ' ' '\n' | tail -1)
S=$SAMPLE
[ "$S" -gt "$N" ] && S=$N
echo "== 参照ツール (${N} 部署の組織のうち ${S} 部署の点検票、同じ実行で計測) =="
# the first S departments issued, filled and ingested on their own
"$PY" tests/make_big_org.py "$TMP/ref/shime" "$N"
t0=$(now_ns)
"$TENKEN" generate --org "$TMP/ref/shime" --year $YEAR --out "$TMP/ref/out" --db "$TMP/ref/db" -q \
    $(seq 1 "$S" | xargs printf -- '--department %04d ')
t_gen=$(( ($(now_ns) - t0) / 1000000 ))
"$PY" tests/fill_fast.py --jobs 2 --seed 3 "$TMP/ref/filled" "$TMP/ref/out"/shime/$YEAR-self/*.xlsx > /dev/null
ls "$TMP/ref/filled/"*.xlsx > "$TMP/sample"
t0=$(now_ns)
"$TENKEN" ingest -q "$TMP/ref/filled" --db "$TMP/ref/db" > /dev/null
t_ing=$(( ($(now_ns) - t0) / 1000000 ))
t0=$(now_ns)
"$PY" - "$TMP/sample" <<'PYEOF'
import sys, warnings
import openpyxl
warnings.simplefilter("ignore")
cells = 0
for f in open(sys.argv[1]).read().split():
    wb = openpyxl.load_workbook(f, read_only=True)
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            cells += sum(v is not None for v in row)
    wb.close()
PYEOF
t_opx=$(( ($(now_ns) - t0) / 1000000 ))
t_js=""
if [ ! -d "$NODE_DIR/node_modules/xlsx" ] && command -v npm > /dev/null; then
    npm install --prefix "$NODE_DIR" --no-audit --no-fund --silent xlsx > /dev/null 2>&1 || true
fi
if [ -d "$NODE_DIR/node_modules/xlsx" ] && command -v node > /dev/null; then
    t0=$(now_ns)
    NODE_PATH=$NODE_DIR/node_modules node - "$TMP/sample" <<'JSEOF'
const XLSX = require("xlsx");
const fs = require("fs");
let cells = 0;
for (const f of fs.readFileSync(process.argv[2], "utf8").split(/\s+/).filter(Boolean)) {
  const wb = XLSX.readFile(f, { cellStyles: false, cellHTML: false, cellText: false });
  for (const name of wb.SheetNames) {
    const ws = wb.Sheets[name];
    for (const k in ws) if (k[0] !== "!") cells++;
  }
}
JSEOF
    t_js=$(( ($(now_ns) - t0) / 1000000 ))
fi
t0=$(now_ns)
"$PY" tests/bench_xlsxwriter.py "$TMP/ref/db" shime $YEAR "$TMP/ref/py" self "$S" > /dev/null
t_xw=$(( ($(now_ns) - t0) / 1000000 ))
per() { awk -v t="$1" -v s="$S" -v n="$N" 'BEGIN { printf "%6.1f ms / 冊 (%d 冊で %.1f s)", t / s, n, t / s * n / 1000 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b > 0 ? a / b : 0) }'; }
echo "  読む:  tenken ingest (検査して取り込む)    $(per "$t_ing")"
echo "         openpyxl read_only (全セルを読むだけ) $(per "$t_opx")  tenken の $(ratio "$t_opx" "$t_ing") 倍の時間"
if [ -n "$t_js" ]; then
    echo "         SheetJS xlsx $(NODE_PATH=$NODE_DIR/node_modules node -p 'require("xlsx").version') (全セルを読むだけ)  $(per "$t_js")  tenken の $(ratio "$t_js" "$t_ing") 倍の時間"
else
    echo "         SheetJS: node か npm の xlsx がないため計測しませんでした"
fi
echo "  書く:  tenken generate                      $(per "$t_gen")"
echo "         Python XlsxWriter (同じ点検票)        $(per "$t_xw")  tenken の $(ratio "$t_xw" "$t_gen") 倍の時間"
