#!/bin/sh
# check-clients.sh — do the issued workbooks open in what people use?
#
#   sh tests/check-clients.sh [TENKEN]      (make check-clients)
#
# Generates both kinds of workbook for every sample organisation, then:
#   1. every XML part of every workbook is well-formed;
#   2. openpyxl (/usr/bin/python3) loads every workbook with warnings as errors;
#   3. LibreOffice converts every workbook to PDF headless (a workbook it cannot
#      read gives no PDF); the first page names the title, the department and
#      the classification mark, and the item pages carry the sheet name in
#      their header;
#   4. answers typed into one workbook (openpyxl) update the cover's live
#      progress when LibreOffice recalculates it (4 answered, 2 entries missing);
#   5. the first pages of one workbook per organisation and kind, and the
#      filled-in sheet with its marks, are rendered to PNG (pdftoppm -r 60)
#      under $OUT/png for a person to look at.
# Not part of make test: it needs LibreOffice (apt-get install
# libreoffice-calc-nogui) and takes a minute or two.
set -u
TENKEN=${1:-build/tenken}
OUT=${CHECK_CLIENTS_OUT:-build/check-clients}
PY=/usr/bin/python3
fail=0

say() { printf '%s\n' "$*"; }
bad() {
    printf 'check-clients: NG: %s\n' "$*" >&2
    fail=1
}

for tool in soffice pdftoppm pdfinfo pdftotext; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        say "check-clients: $tool がありません。apt-get install -y libreoffice-calc-nogui poppler-utils で導入してください" >&2
        exit 3
    fi
done
if ! "$PY" -c 'import openpyxl' 2>/dev/null; then
    say "check-clients: $PY に openpyxl がありません (apt-get install -y python3-openpyxl)" >&2
    exit 3
fi
if ! fc-match Calibri 2>/dev/null | grep -qi carlito; then
    say "check-clients: 注意: Calibri と同じ幅の Carlito フォントがないため、列幅が Excel と違って表示されます (apt-get install -y fonts-crosextra-carlito)" >&2
fi
if [ ! -x "$TENKEN" ]; then
    say "check-clients: $TENKEN がありません。先に make を実行してください" >&2
    exit 3
fi

rm -rf "$OUT"
mkdir -p "$OUT/out" "$OUT/pdf" "$OUT/png"
DB="$OUT/out/tenken.db"

# ---- generate ----
orgs=""
for d in checklists/*/; do
    [ -f "$d/org.xml" ] && [ -f "$d/checklist.xml" ] || continue
    orgs="$orgs $(basename "$d")"
done
for org in $orgs; do
    for kind in self audit; do
        if ! "$TENKEN" generate --org "$org" --year 2026 --kind "$kind" --deadline 2027-01-29 \
            --out "$OUT/out" --db "$DB" -q; then
            bad "generate --org $org --kind $kind"
        fi
    done
done
# a staff round: one workbook per person, in department folders
"$PY" tests/make_roster.py --seed 3 checklists/shime/org.xml 12 "$OUT/roster.csv"
if ! "$TENKEN" generate --org shime --year 2026 --kind staff --roster "$OUT/roster.csv" --deadline 2027-01-29 \
    --out "$OUT/out" --db "$DB" -q; then
    bad "generate --org shime --kind staff"
fi
count=$(find "$OUT/out" -name '*.xlsx' | wc -l)
say "check-clients: 点検票 $count 件を作成しました ($OUT/out)"

# ---- 1 and 2: XML parts and openpyxl ----
if ! "$PY" -W error - "$OUT/out" <<'EOF'
import glob, os, sys, warnings, zipfile
import xml.dom.minidom
import openpyxl

root = sys.argv[1]
failed = 0
for path in sorted(glob.glob(os.path.join(root, "**", "*.xlsx"), recursive=True)):
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.endswith(".xml") or name.endswith(".rels"):
                try:
                    xml.dom.minidom.parseString(z.read(name))
                except Exception as e:
                    print(f"{path}: {name}: XML として正しくありません: {e}", file=sys.stderr)
                    failed += 1
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            wb = openpyxl.load_workbook(path)
        hidden = [ws.title for ws in wb.worksheets if ws.sheet_state != "visible"]
        if hidden != ["_tenken"]:
            print(f"{path}: 隠しシートが {hidden} です (期待: ['_tenken'])", file=sys.stderr)
            failed += 1
        for ws in wb.worksheets:
            if not ws.protection.sheet:
                print(f"{path}: シート {ws.title} が保護されていません", file=sys.stderr)
                failed += 1
        wb.close()
    except Exception as e:
        print(f"{path}: openpyxl が警告または例外を出しました: {e!r}", file=sys.stderr)
        failed += 1
sys.exit(1 if failed else 0)
EOF
then
    bad "XML の形式または openpyxl での読み込み"
else
    say "check-clients: OK: XML の形式と openpyxl (-W error) での読み込み"
fi

# ---- 3: LibreOffice ----
profile="file://$(cd "$OUT" && pwd)/lo-profile"
for dir in "$OUT"/out/*/*/ "$OUT"/out/*/*-staff/*/; do
    ls "$dir"*.xlsx >/dev/null 2>&1 || continue
    rel=$(echo "$dir" | sed "s|^$OUT/out/||; s|/$||")
    mkdir -p "$OUT/pdf/$rel"
    # shellcheck disable=SC2046
    soffice -env:UserInstallation="$profile" --headless --convert-to pdf --outdir "$OUT/pdf/$rel" "$dir"*.xlsx \
        >"$OUT/pdf/$rel/soffice.log" 2>&1
    for x in "$dir"*.xlsx; do
        base=$(basename "$x" .xlsx)
        pdf="$OUT/pdf/$rel/$base.pdf"
        if [ ! -s "$pdf" ]; then
            bad "LibreOffice が $x を PDF にできませんでした ($OUT/pdf/$rel/soffice.log)"
            continue
        fi
        pages=$(pdfinfo "$pdf" 2>/dev/null | sed -n 's/^Pages: *//p')
        if [ "${pages:-0}" -lt 3 ]; then
            bad "$pdf のページ数が ${pages:-0} です (表紙・記入要領・項目で 3 ページ以上のはず)"
            continue
        fi
        size=$(pdfinfo "$pdf" | sed -n 's/^Page size: *//p')
        case "$size" in
        *A4*) ;;
        *) bad "$pdf の用紙が A4 ではありません ($size)" ;;
        esac
        first=$(pdftotext -f 1 -l 1 "$pdf" - 2>/dev/null)
        dept=$(echo "$base" | sed 's/^[^_]*_//; s/_/ /g' | awk '{print $NF}')
        for want in "情報セキュリティ" "自治体機密性2" "$dept"; do
            case "$first" in
            *"$want"*) ;;
            *) bad "$pdf の 1 ページ目に「$want」がありません" ;;
            esac
        done
        third=$(pdftotext -f 3 -l "$pages" "$pdf" - 2>/dev/null | head -c 200000)
        case "$third" in
        *"項番"*) ;;
        *) bad "$pdf の項目のページに見出し「項番」がありません" ;;
        esac
    done
done
npdf=$(find "$OUT/pdf" -name '*.pdf' | wc -l)
say "check-clients: LibreOffice で PDF にしたもの $npdf 件 / 点検票 $count 件"
[ "$npdf" -eq "$count" ] || bad "PDF にできなかった点検票があります"

# ---- 4: the live formulas and marks work once answers are typed ----
# openpyxl fills four answers of one workbook (a positive one, a negative one
# without a plan, an excluded one without a reason, a negative one with its
# plan); LibreOffice recalculates the cover, which must then count 4 answered
# and 2 entries missing.
mkdir -p "$OUT/filled"
sample=$(ls "$OUT"/out/toride/2026-self/*.xlsx | sed -n 6p)
if "$PY" -W error - "$sample" "$OUT/filled/filled.xlsx" <<'EOF2'
import datetime, sys
import openpyxl

wb = openpyxl.load_workbook(sys.argv[1])
kv, rows, table = {}, [], False
for r in wb["_tenken"].iter_rows(values_only=True):
    if r[0] is None:
        break
    if table:
        rows.append(r)
    elif r[0] == "seq":
        table = True
    else:
        kv[r[0]] = r[1]
col = lambda k: kv["column." + k]
fills = [
    ("実施している", {}),
    ("実施していない", {}),
    ("該当しない", {}),
    ("一部実施している", {"plan": "管理台帳を作る", "owner": "係長", "due": datetime.date(2027, 3, 31)}),
]
for (answer, extra), r in zip(fills, rows):
    ws, row = wb[r[2]], int(r[3])
    ws[f"{col('answer')}{row}"] = answer
    for k, v in extra.items():
        ws[f"{col(k)}{row}"] = v
wb.save(sys.argv[2])
EOF2
then
    (cd "$OUT/filled" && soffice -env:UserInstallation="$profile" --headless \
        --convert-to 'csv:Text - txt - csv (StarCalc):44,34,76' filled.xlsx >soffice.log 2>&1)
    total=$(grep '^,合計,' "$OUT/filled/filled.csv" 2>/dev/null)
    answered=$(echo "$total" | cut -d, -f4)
    missing=$(echo "$total" | cut -d, -f6)
    if [ "$answered" = 4 ] && [ "$missing" = 2 ]; then
        say "check-clients: OK: 入力に合わせて表紙の回答済み (4) と未記入 (2) が更新されます"
    else
        bad "表紙の集計が入力に合いません (合計の行: ${total:-なし}; 期待: 回答済み 4、未記入 2)"
    fi
    (cd "$OUT/filled" && soffice -env:UserInstallation="$profile" --headless --convert-to pdf filled.xlsx >>soffice.log 2>&1)
    pdftoppm -png -r 60 -f 3 -l 3 "$OUT/filled/filled.pdf" "$OUT/png/filled"
else
    bad "openpyxl で回答を入力できませんでした"
fi

# ---- 5: pictures to look at ----
for dir in "$OUT"/pdf/*/*/; do
    rel=$(echo "$dir" | sed "s|^$OUT/pdf/||; s|/$||" | tr '/' '-')
    first=$(ls "$dir"*.pdf 2>/dev/null | head -1)
    [ -n "$first" ] || continue
    pdftoppm -png -r 60 -f 1 -l 4 "$first" "$OUT/png/$rel"
done
say "check-clients: 目で確かめるページ: $OUT/png/ ($(ls "$OUT/png" | wc -l) 枚)"

if [ "$fail" -ne 0 ]; then
    say "check-clients: 問題があります (上の NG を参照)" >&2
    exit 1
fi
say "check-clients: すべて OK"
