#!/bin/sh
# make demo: the yearly cycle on the sample organisation (志免町), into out/.
#   1 derive + check for all five policies
#   2 generate the self-inspection and audit workbooks
#   3 departments fill them in (tests/fill_workbooks.py, openpyxl: as a user would)
#   4 ingest and status
#   5 score and reports
#   the audit of two years: a plan with a rotation (one assignment refused for
#   independence), graded findings, the 監査報告書 and the notices, the
#   auditees' plans, next year's 是正確認 closing some findings and not others
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
echo "-- 志免町: 部署ごとに配られる項目 (役割による振り分け) --"
"$TENKEN" check --routing "$OUT/checklists/$ORG" | sed '$d'

echo "== 2. generate: 部署ごとの点検票を作る =="
"$TENKEN" generate --org "$ORG" --year "$YEAR" --deadline 2027-01-29 --out "$OUT" --force

echo "== 3. 各部署が記入する (openpyxl で保存) =="
"$PY" tests/fill_workbooks.py --date-styles --seed "$YEAR" "$OUT/filled/$YEAR-self" "$OUT/$ORG/$YEAR-self"/*.xlsx

echo "== 4. ingest / status: 取り込みと提出状況 =="
"$TENKEN" ingest -q "$OUT/filled/$YEAR-self"
"$TENKEN" status --org "$ORG" --year "$YEAR"

echo "== 5. score: 得点 =="
"$TENKEN" score --org "$ORG" --year "$YEAR"
"$TENKEN" score --org "$ORG" --year "$YEAR" --by chapter

echo "== 6. report: 委員会への報告書、部署別の結果通知、集計表 =="
"$TENKEN" report committee --org "$ORG" --year "$YEAR" --out "$OUT" --force
"$TENKEN" report departments --org "$ORG" --year "$YEAR" --out "$OUT" --force
"$TENKEN" report summary --org "$ORG" --year "$YEAR" --out "$OUT" --force

# ---- the audit: a plan with a rotation, graded findings, the reports, the response round ----
echo "== 監査 $YEAR 年度: 監査計画 (誰がどの部署を監査するか) =="
# 税務課の職員が税務課を監査する割当て: 独立性に反するため、行と監査人を示して拒否され、何も記録されない
printf '氏名,所属,担当部署\r\n山田 太郎,02,01、04\r\n鈴木 一郎,04,04 17\r\n' > "$OUT/auditors-$YEAR-draft.csv"
if "$TENKEN" audit plan --org "$ORG" --year "$YEAR" --auditors "$OUT/auditors-$YEAR-draft.csv"; then
    echo "demo: 独立性に反する割当てが受け付けられました" >&2; exit 1
fi
# 直した計画 (CP932 の CSV、外部の監査人を含む)。3 年で全部署を一巡するローテーションの 1 年目
printf '氏名,所属,担当部署,所属名\r\n山田 太郎,02,01、04\r\n佐藤 花子,外部,17,監査法人さくら\r\n' |
    iconv -f UTF-8 -t CP932 > "$OUT/auditors-$YEAR.csv"
"$TENKEN" audit plan --org "$ORG" --year "$YEAR" --auditors "$OUT/auditors-$YEAR.csv" | tail -n 2
"$TENKEN" generate --org "$ORG" --year "$YEAR" --kind audit --deadline 2027-02-26 --out "$OUT" --force
echo "-- 監査人が判定 (適合・観察事項・軽微な不適合・重大な不適合・該当なし)、監査証跡、所見、良好事例を記入する --"
"$PY" tests/fill_audit.py grades --seed 7 "$OUT/filled/$YEAR-audit" "$OUT/$ORG/$YEAR-audit"/*.xlsx
"$TENKEN" ingest "$OUT/filled/$YEAR-audit"
"$TENKEN" score --org "$ORG" --year "$YEAR" --kind audit
"$TENKEN" report audit --org "$ORG" --year "$YEAR" --date 2027-03-01 --out "$OUT" --force
"$TENKEN" export audit --org "$ORG" --year "$YEAR" --format xlsx -o "$OUT/$ORG/$YEAR-audit/監査調書.xlsx" --force

echo "== 職員セルフチェック: 名簿の職員一人ごとの点検票 (300 人、うち一部は回答しない) =="
"$PY" tests/make_roster.py --seed "$YEAR" --encoding cp932 "checklists/$ORG/org.xml" 300 "$OUT/職員名簿.csv"
"$TENKEN" generate --org "$ORG" --year "$YEAR" --kind staff --roster "$OUT/職員名簿.csv" --deadline 2027-01-29 \
    --out "$OUT" --force
head -n 3 "$OUT/$ORG/$YEAR-staff/配布一覧.csv"
# every 12th person never answers; the others answer (sheet XML filled directly: 300 workbooks)
ls "$OUT/$ORG/$YEAR-staff"/*/*.xlsx | sort > "$OUT/staff-all.txt"
awk 'NR % 12 != 0' "$OUT/staff-all.txt" | xargs "$PY" tests/fill_fast.py --seed "$YEAR" --unanswered 0.01 \
    "$OUT/filled/$YEAR-staff"
"$TENKEN" ingest -q "$OUT/filled/$YEAR-staff"
"$TENKEN" status --org "$ORG" --year "$YEAR" --kind staff | sed -n '1,6p;/^  *全体/p;$p'
"$TENKEN" status --org "$ORG" --year "$YEAR" --kind staff --format csv | tail -n +2 | cut -d, -f6 | tr -d '"\r' | sort \
    > "$OUT/staff-missing.txt"
awk 'NR % 12 == 0' "$OUT/staff-all.txt" | sort | cmp -s - "$OUT/staff-missing.txt" &&
    echo "  未回答として示された $(wc -l < "$OUT/staff-missing.txt") 人は、回答しなかった職員と一致します" ||
    { echo "demo: 未回答の一覧が回答しなかった職員と一致しません" >&2; exit 1; }
"$TENKEN" score --org "$ORG" --year "$YEAR" --kind staff | head -n 6
"$TENKEN" report committee --org "$ORG" --year "$YEAR" --out "$OUT" --force
pdftotext "$OUT/$ORG/$YEAR-self/委員会報告書.pdf" - | grep -m 3 -E "職員セルフチェック|守られていないことの多い項目"

echo "== 7. plans: 改善計画 (期限超過から) =="
"$TENKEN" plans --org "$ORG" --year "$YEAR" --status open | tail -n 8

# ---- remediation plans followed to closure, and carried into the next year ----
NEXT=$((YEAR + 1))
echo "== 改善計画の進捗確認: $YEAR 年度 (完了していない計画を部署ごとに) =="
"$TENKEN" generate --org "$ORG" --year "$YEAR" --kind followup --deadline 2026-12-25 --out "$OUT" --force
"$PY" tests/fill_followup.py --seed "$YEAR" "$OUT/filled/$YEAR-followup-progress" "$OUT/$ORG/$YEAR-followup"/*.xlsx
# 監査を受けた部署は、同じ確認票で指摘事項に改善計画 (改善内容・担当者・完了予定日・暫定措置) を回答する
# (4 件に 1 件は回答しない: 期限を過ぎると要対応)
"$PY" tests/fill_audit.py respond --seed "$YEAR" "$OUT/filled/$YEAR-followup" "$OUT/filled/$YEAR-followup-progress"/*.xlsx
"$TENKEN" ingest "$OUT/filled/$YEAR-followup"
echo "-- 監査の指摘事項 (回答期限 2026-12-25 の後) --"
TENKEN_TODAY=2027-01-05 "$TENKEN" findings --org "$ORG" --year "$YEAR" | tail -n 1
# 監査の委員会報告書は「指摘事項」と呼び、要対応は回答期限までに改善計画のない指摘事項 (tenken findings と同じ)
TENKEN_TODAY=2027-01-05 "$TENKEN" report committee --org "$ORG" --year "$YEAR" --kind audit --out "$OUT" --force
"$TENKEN" status --org "$ORG" --year "$YEAR" --kind followup | tail -n 1
printf '  完了していない改善計画: '; "$TENKEN" plans --org "$ORG" --year "$YEAR" --status open | tail -n 1
printf '  完了・リスク受容:       '; "$TENKEN" plans --org "$ORG" --year "$YEAR" --status done | tail -n 1

echo "== $NEXT 年度: 前年度の回答と継続中の改善計画を載せた点検票 =="
# 翌年度の点検票は年度の途中で配る: 完了予定日を過ぎた前年度の計画は赤字で示される
TENKEN_TODAY=2027-06-01 "$TENKEN" generate --org "$ORG" --year "$NEXT" --deadline 2028-01-28 --out "$OUT" --force
"$PY" tests/fill_workbooks.py --seed "$NEXT" "$OUT/filled/$NEXT-self" "$OUT/$ORG/$NEXT-self"/*.xlsx
# 「実施している」と回答した項目の前年度の計画は、受け付けた日に完了となる
TENKEN_TODAY=2027-06-30 "$TENKEN" ingest -q "$OUT/filled/$NEXT-self"
printf '  %s 年度の計画で完了していないもの: ' "$YEAR"; "$TENKEN" plans --org "$ORG" --year "$YEAR" --status open | tail -n 1
"$TENKEN" generate --org "$ORG" --year "$NEXT" --kind followup --deadline 2027-12-24 --out "$OUT" --force
# the secretariat's own 総評, around the drafted one ({原案}); kept with the campaign
printf '%s\n' "令和8年度に続き、全体としておおむね良好な水準を保っています。" "{原案}" \
    "委員会として、期限を過ぎた改善計画の解消を各部署に求めます。" > "$OUT/総評_$NEXT.txt"
TENKEN_TODAY=2027-07-15 "$TENKEN" report committee --org "$ORG" --year "$NEXT" --out "$OUT" --force --comment "$OUT/総評_$NEXT.txt"
echo "-- $NEXT 年度の委員会報告書 1 ページ (前年度以前の分を含む改善計画) と、同じ日の tenken plans --kind self --"
pdftotext -f 1 -l 3 -layout "$OUT/$ORG/$NEXT-self/委員会報告書.pdf" - | grep -E "^ *(未完了の改善計画|うち完了予定日|（参考）)"
printf '  tenken plans --kind self --status overdue: '
TENKEN_TODAY=2027-07-15 "$TENKEN" plans --org "$ORG" --kind self --status overdue | tail -n 1
printf '  tenken plans --status open (監査を含む):    '
TENKEN_TODAY=2027-07-15 "$TENKEN" plans --org "$ORG" --status open | tail -n 1

echo "== 監査 $NEXT 年度: ローテーションの 2 年目、前年度に監査した 2 部署の是正確認 =="
printf '氏名,所属,担当部署,所属名\r\n田中 三郎,01,02 03 04\r\n佐藤 花子,外部,17,監査法人さくら\r\n' > "$OUT/auditors-$NEXT.csv"
"$TENKEN" audit plan --org "$ORG" --year "$NEXT" --auditors "$OUT/auditors-$NEXT.csv" | tail -n 2
"$TENKEN" generate --org "$ORG" --year "$NEXT" --kind audit --deadline 2028-02-25 --out "$OUT" --force
# 前年度の指摘事項のある行で、監査人が 是正済み・一部是正・未是正 を順に選ぶ: 是正済みだけが指摘事項を閉じる
"$PY" tests/fill_audit.py grades --seed 8 "$OUT/filled/$NEXT-audit" "$OUT/$ORG/$NEXT-audit"/*.xlsx
TENKEN_TODAY=2028-01-25 "$TENKEN" ingest "$OUT/filled/$NEXT-audit"
printf '  %s 年度の指摘事項: ' "$YEAR"; TENKEN_TODAY=2028-01-25 "$TENKEN" findings --org "$ORG" --year "$YEAR" | tail -n 1
TENKEN_TODAY=2028-01-25 "$TENKEN" findings --org "$ORG" --year "$YEAR" --status verified --format csv > "$OUT/$ORG/$YEAR-audit/是正確認済み.csv"
printf 'ローテーションの 2 年目。前年度の指摘事項のうち是正を確認できないものは、翌年度の監査で改めて確認する。\n' > "$OUT/特記事項-$NEXT.txt"
"$TENKEN" report audit --org "$ORG" --year "$NEXT" --date 2028-03-01 --comment "$OUT/特記事項-$NEXT.txt" --out "$OUT" --force

echo "== 期限を過ぎた改善計画 (2028 年 4 月 1 日時点) =="
TENKEN_TODAY=2028-04-01 "$TENKEN" plans --org "$ORG" --status overdue | head -n 6
echo
echo "demo: 書き出したもの (out/)"
echo "  点検票:             $OUT/$ORG/$YEAR-self/ , $OUT/$ORG/$YEAR-audit/ , $OUT/$ORG/$YEAR-followup/ , $OUT/$ORG/$NEXT-self/"
echo "  職員セルフチェック: $OUT/$ORG/$YEAR-staff/部署コード_部署名/職員番号_氏名.xlsx (名簿 $OUT/職員名簿.csv)"
echo "  監査報告書:         $OUT/$ORG/$YEAR-audit/監査報告書.pdf , $OUT/$ORG/$NEXT-audit/監査報告書.pdf"
echo "  監査結果通知:       $OUT/$ORG/$YEAR-audit/監査結果通知/ , $OUT/$ORG/$NEXT-audit/監査結果通知/"
echo "  監査調書:           $OUT/$ORG/$YEAR-audit/監査調書.xlsx"
echo "  委員会への報告書:   $OUT/$ORG/$YEAR-self/委員会報告書.pdf , $OUT/$ORG/$NEXT-self/委員会報告書.pdf"
echo "  部署別の結果通知:   $OUT/$ORG/$YEAR-self/部署別報告/"
echo "  集計表:             $OUT/$ORG/$YEAR-self/集計表.xlsx"
echo "  データベース:       $OUT/tenken.db"
