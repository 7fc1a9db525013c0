#!/bin/sh
# make test-windows: the cmocka suites cross-built for Windows, run under wine;
# then the demo cycle (tests/demo.sh) twice on the same inputs — with the Linux
# build and with tenken.exe from the zip under wine — comparing the checklists,
# the printed scores, statuses and plans, and the committee reports' text.
# windows/test.sh BUILD_WINDOWS LINUX_TENKEN TEST.exe...
set -u
W=$1 LINUX=$2
shift 2
ROOT=$(pwd)
export WINEPREFIX=${WINEPREFIX:-$ROOT/$W/wineprefix} WINEDEBUG=${WINEDEBUG:--all}
WINE=$(command -v wine64 || command -v wine || echo /usr/lib/wine/wine64)
[ -x "$WINE" ] || { echo "test-windows: wine がありません (make windows-deps)" >&2; exit 3; }
if [ ! -f "$WINEPREFIX/system.reg" ]; then
    echo "== wine の初期化 ($WINEPREFIX) =="
    "$WINE" wineboot -i >/dev/null 2>&1 || true
fi
fail=0
note() { printf '%s\n' "$*"; }
bad() { printf 'NG: %s\n' "$*"; fail=$((fail + 1)); }

echo "== 1. cmocka のテスト (wine) =="
pass=0 f=0 skipped=0 suites_skipped=0
for t in "$@"; do
    out=$("$WINE" "$t" 2>&1)
    rc=$?
    p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | awk '{s+=$1} END {print s+0}')
    n=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | awk '{s+=$1} END {print s+0}')
    s=$(printf '%s\n' "$out" | sed -n 's/^\[  SKIPPED \] \([0-9]*\) test.*/\1/p' | awk '{s+=$1} END {print s+0}')
    # a suite whose set-up runs the shell (the tenken command, Python) is skipped whole
    if printf '%s\n' "$out" | grep -A2 'Skipped!' | grep -q 'GROUP SETUP'; then
        printf '  %-28s スイート全体を省略 (準備にシェルを使うため)\n' "$(basename "$t")"
        suites_skipped=$((suites_skipped + 1))
        continue
    fi
    pass=$((pass + p)) f=$((f + n)) skipped=$((skipped + s))
    if [ "$n" -gt 0 ] || { [ "$rc" -ne 0 ] && [ "$n" -eq 0 ]; }; then
        printf '%s\n' "$out" | grep -E '^\[  (FAILED|ERROR) |^\[  FAILED  \]|Error|error' | head -20
        [ "$n" -gt 0 ] || { echo "$(basename "$t"): 異常終了 (終了コード $rc)"; f=$((f + 1)); }
    fi
    printf '  %-28s %3d 成功 %3d 失敗 %3d 省略\n' "$(basename "$t")" "$p" "$n" "$s"
done
note "  計: $pass 成功, $f 失敗, $skipped 省略、スイート $suites_skipped 個を省略 (シェルや Python を呼ぶテストは wine では省略し、2. で確かめます)"
[ "$f" -eq 0 ] || fail=$((fail + f))

echo "== 2. デモの一年 (Linux 版と、zip の tenken.exe を wine で) =="
zip=$(ls -t dist/tenken-*-windows-x64.zip | head -1)
pkg=$ROOT/$W/unzipped
rm -rf "$pkg" && mkdir -p "$pkg"
unzip -q "$zip" -d "$pkg"
pkg=$(ls -d "$pkg"/tenken-*)
# tenken.exe reads templates/, the schemas and the font from the unzipped folder
cat >"$W/tenken-wine" <<SH
#!/bin/sh
TENKEN_HOME='$pkg' exec '$WINE' '$pkg/tenken.exe' "\$@"
SH
chmod +x "$W/tenken-wine"
lo=$W/demo-linux wo=$W/demo-wine
t0=$(date +%s)
OUT=$lo sh tests/demo.sh "$LINUX" >"$W/demo-linux.log" 2>&1 || bad "Linux 版のデモが失敗しました ($W/demo-linux.log)"
t1=$(date +%s)
OUT=$wo sh tests/demo.sh "$W/tenken-wine" >"$W/demo-wine.log" 2>&1 || bad "tenken.exe のデモが失敗しました ($W/demo-wine.log)"
t2=$(date +%s)
note "  Linux 版 $((t1 - t0)) 秒、tenken.exe (wine) $((t2 - t1)) 秒"
for org in shime toride kobe-sangyo amakura ogasawara; do
    if cmp -s "$lo/checklists/$org/checklist.xml" "$wo/checklists/$org/checklist.xml"; then
        note "  derive $org: checklist.xml は同一 ($(grep -c '<item ' "$wo/checklists/$org/checklist.xml") 項目)"
    else
        bad "derive $org: checklist.xml が Linux 版と異なります"
    fi
done
# everything printed (status, scores by department/chapter/kind, plans), with
# the output folder named alike and generate's timing and process count set aside
# and what differs from run to run on either: the times of day at which files
# were taken in, the issued workbooks' random tokens, a PDF's size in kB (its
# dates and temporary font name; the text is compared below), the summary
# workbook's size in kB (zip times and compression); plan numbers
# too: they follow the order in which ingest's worker processes (Linux) or its
# single process (Windows) stored the files
norm() {
    sed -E -e "s|$1|OUT|g" -e 's|\([0-9.]+ 秒、[0-9]+ プロセス\)|(…)|' \
        -e 's|20[0-9]{2}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}|YYYY-MM-DD hh:mm|g' \
        -e 's|^ *[0-9]+(  20[0-9]{2}  )|   N\1|' -e 's|[0-9a-f]{32}|TOKEN|g' -e 's|(ページ、)[0-9]+ kB|\1N kB|' -e 's|(\.xlsx) \([0-9]+ kB\)|\1 (N kB)|'
}
norm "$lo" <"$W/demo-linux.log" >"$W/demo-linux.norm"
norm "$wo" <"$W/demo-wine.log" >"$W/demo-wine.norm"
if cmp -s "$W/demo-linux.norm" "$W/demo-wine.norm"; then
    note "  表示 (提出状況・得点・改善計画): 同一 ($(wc -l <"$W/demo-wine.norm") 行)"
else
    bad "表示が Linux 版と異なります:"
    diff "$W/demo-linux.norm" "$W/demo-wine.norm" | head -20
fi
for y in 2026-self 2026-audit 2027-self; do
    a=$lo/shime/$y/委員会報告書.pdf b=$wo/shime/$y/委員会報告書.pdf
    if [ -f "$a" ] && [ -f "$b" ] && pdftotext -layout "$a" "$W/r-linux.txt" && pdftotext -layout "$b" "$W/r-wine.txt" &&
        cmp -s "$W/r-linux.txt" "$W/r-wine.txt"; then
        note "  委員会報告書 ($y): 文面と数値が同一 ($(pdfinfo "$b" | sed -n 's/^Pages: *//p') ページ)"
    else
        bad "委員会報告書 ($y) が Linux 版と異なります"
        [ -f "$W/r-wine.txt" ] && diff "$W/r-linux.txt" "$W/r-wine.txt" | head -10
    fi
done
n=$(ls "$wo/shime/2026-self"/[0-9]*_*.xlsx | wc -l)
note "  generate: $n 冊の点検票 (openpyxl で記入して取り込み済み)"

echo "== 3. 日本語のフォルダ名・\\ 区切り・CSV =="
jd="$W/日本語 フォルダ"
rm -rf "$jd" && mkdir -p "$jd/戻り"
cp "$wo/filled/2026-self"/*.xlsx "$jd/戻り/"
cp "$wo/tenken.db" "$jd/点検.db"
wpath=$(printf '%s' "$jd/戻り" | sed 's|/|\\|g')
if TENKEN_DB="$jd/点検.db" "$W/tenken-wine" ingest -q "$wpath" >"$W/jp.log" 2>&1 &&
    TENKEN_DB="$jd/点検.db" "$W/tenken-wine" status --org shime --year 2026 --format csv >"$jd/状況.csv" 2>>"$W/jp.log"; then
    if [ -f "$jd/点検.db" ] && grep -q "$(printf '\r')$" "$jd/状況.csv"; then
        note "  「$jd/戻り」を \\ 区切りで指定して取り込み ($(ls "$jd/戻り" | wc -l) 冊)、データベース「点検.db」、CSV は CRLF"
    else
        bad "日本語のパスのデータベースか CSV の改行が違います"
    fi
else
    bad "日本語のフォルダからの取り込みが失敗しました ($W/jp.log)"
fi
if command -v soffice >/dev/null 2>&1; then
    f=$(ls "$wo/shime/2026-self"/*.xlsx | head -1)
    rm -rf "$W/lo" && mkdir -p "$W/lo"
    if soffice --headless --convert-to pdf --outdir "$W/lo" "$f" >/dev/null 2>&1 && ls "$W/lo"/*.pdf >/dev/null 2>&1; then
        note "  LibreOffice: tenken.exe の点検票を開けました ($(basename "$f"))"
    else
        bad "LibreOffice で tenken.exe の点検票を開けません"
    fi
fi
if [ "$fail" -eq 0 ]; then
    echo "test-windows: すべて合格"
else
    echo "test-windows: $fail 件の不合格"
    exit 1
fi
