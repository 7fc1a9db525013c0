/* main.c — the tenken command: the table of subcommands, help, version. */
#include <libxml/parser.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "tenken/cli.h"
#include "tenken/text.h"
#include "tenken/util.h"

#define TENKEN_VERSION "0.1.0"

static int cmd_help(const tk_command *self, int argc, char **argv);
static int cmd_version(const tk_command *self, int argc, char **argv);

static const tk_command COMMANDS[] = {
    {"derive", tk_cmd_derive, "ポリシーの本文から点検項目 (checklist.xml) を作る",
     "使い方: tenken derive POLICY.txt --org ID [--name 組織名] [-o FILE] [--previous OLD.xml] [--explain] [--force]\n"
     "\n"
     "情報セキュリティポリシー (基本方針・対策基準) のテキストを読み、条項ごとに一つの点検項目を\n"
     "作って checklists/ID/checklist.xml に書き出します。文字コードは UTF-8 (BOM 可)、BOM 付き\n"
     "UTF-16、Shift_JIS (CP932) を自動判別します。書き出したあと、節の数、義務の種類別・役割別の\n"
     "項目数、役割に対応付けられなかった主体、項目にできなかった義務文を表示します。\n"
     "checklists/ID/org.xml がなければ、見つかった役割を載せた org.xml の案を書き出します。\n"
     "\n"
     "  --org ID         組織の ID (checklists/ID/) またはフォルダのパス\n"
     "  --name 組織名    組織の名称 (checklist.xml に記録)\n"
     "  -o, --output F   書き出し先 (既定: checklists/ID/checklist.xml)\n"
     "  --explain        ポリシーの行ごとに、分類 (項目・前提・見出し・定義・目的・範囲・記述・解説・\n"
     "                   目次・体裁・空行・未分類) と属する項目の条項番号を表示します。義務の形の文で\n"
     "                   項目にならなかったものは「未分類」とし、要確認として一覧します\n"
     "  --previous OLD   前年度の checklist.xml。本文が同じ項目は番号が変わっても同じ id を保ち、\n"
     "                   tenken review の確認結果 (役割・対象外・重み) を引き継ぎます。文言が変わった\n"
     "                   確認済みの項目は、再確認が必要な項目として表示します\n"
     "  --force          既存のファイルを上書きする\n"
     "  -q, --quiet      確認用の要約を表示しない\n"},
    {"check", tk_cmd_check, "checklist.xml と org.xml を検証する",
     "使い方: tenken check [--routing] PATH...\n"
     "\n"
     "PATH は組織のフォルダ (checklists/ID)、checklist.xml、org.xml のいずれかです。スキーマ\n"
     "(checklists/checklist.rng, checklists/org.rng) と、スキーマでは書けない規則 (id と ref の重複、\n"
     "未定義の役割、全部署が担う役割の漏れ など) を検証し、問題をすべて FILE:LINE: の形で表示します。\n"
     "\n"
     "  --routing   問題がなければ、部署ごとに配られる項目の数 (部署が担う役割による) と、どの部署にも\n"
     "              配られない項目 (その役割を担う部署がない) を表示します\n"},
    {"review", tk_cmd_review, "点検項目を確認用のブック (Excel) で直し、checklist.xml に反映する",
     "使い方: tenken review --org ID [-o FILE] [--out DIR] [--force] [-q]\n"
     "       tenken review --org ID --apply FILE [-q]\n"
     "\n"
     "derive が作った点検項目を事務局が Excel か LibreOffice で確かめて直すための確認用ブックを作り、\n"
     "直した結果を checklist.xml に反映します。XML を直接編集する必要はありません。\n"
     "\n"
     "確認用ブックのシート:\n"
     "  点検項目    一項目一行: ID、該当条項、行、前提 (文脈)、本文、義務の種類、役割、点検対象、重み、確認、\n"
     "              確認メモ、前回の確認。直せるのは 役割 (役割一覧の ID を「、」で区切る)、点検対象 (対象 /\n"
     "              対象外)、重み (0 より大きく 100 以下)、確認 (済)、確認メモ (記録しない覚え書き) だけです\n"
     "  役割一覧    org.xml の役割 (ID、名称、別名、全部署が担うか)\n"
     "  要確認の行  derive が分類できなかった行と、項目にならなかった義務文 (元のポリシーを読み直して示す)\n"
     "\n"
     "--apply は、ブックがこの checklist.xml から作ったものか (識別シートの組織と checklist のハッシュ)、\n"
     "行と本文が作ったときのままか、役割が org.xml にあるか、点検対象・重み・確認が正しいか、数式がないかを\n"
     "確かめ、問題をすべて「ファイル: 点検項目!セル: 内容」の形で示します。一つでも問題があれば何も書き換え\n"
     "ません (終了コード 1)。問題がなければ、役割・点検対象・重みを checklist.xml に書き込み (id と本文は\n"
     "そのまま)、変えた項目と「済」にした項目に確認の記録 (<review>: 日付、本文のハッシュ、derive の提案)\n"
     "を付けます。前の checklist.xml は checklist.xml.bak に残します。対象外の項目は checklist.xml に残り、\n"
     "点検票には載りません。確認した項目の判断は、derive --previous で作り直しても本文が同じなら引き継がれます。\n"
     "checklist.xml が確認用ブックを作った後で変わっていたら、新しい確認用ブックを作るよう求めます。\n"
     "\n"
     "  --org ID        組織の ID (checklists/ID/) またはフォルダのパス\n"
     "  -o, --output F  確認用ブックの書き出し先 (既定: OUT/ID/review/点検項目確認_ID.xlsx)\n"
     "  --out DIR       既定の書き出し先の基点 (既定: out)\n"
     "  --apply FILE    記入済みの確認用ブックを checklist.xml に反映する\n"
     "  --force         既にある確認用ブックを上書きする\n"
     "  -q, --quiet     結果の要約を表示しない\n"},
    {"generate", tk_cmd_generate, "部署ごとの点検票 (Excel) と配布一覧を作る", "使い方: tenken generate --org ID --year 2026 [--kind self|audit|followup|staff] [--deadline 2027-01-29]\n       [--roster 名簿.csv] [--split role] [--department CODE]... [--out DIR] [--db FILE] [--template FILE]\n       [--jobs N] [--force] [-q]\n\n部署ごとに、その部署が担う役割 (職員等、情報セキュリティ管理者、情報システム管理者 など) に\n関係する点検項目だけを載せた Excel の点検票を作ります。出力先は OUT/ID/2026-self/ (監査は\n2026-audit/) で、ファイル名は「部署コード_部署名.xlsx」、あわせて配布一覧.csv (部署、ファイル、\nトークン、項目数、提出期限) を書き出します。調査 (組織・年度・種類) と点検票ごとのトークン・\n項目はデータベースに記録し、回収 (tenken ingest) の照合に使います。\n\n  --org ID          組織の ID (checklists/ID/) またはフォルダのパス\n  --year 年度       西暦の年度 (2026 = 令和8年度)\n  --kind 種類       self (自己点検、既定)、audit (監査)、followup (改善計画の進捗確認票: 未完了の改善計画が\n                    ある部署ごとに、進捗状況・実施内容・完了日・延期の理由を記入してもらう)、staff (職員セルフチェック:\n                    名簿の職員一人ごとに、職員等の項目 (と名簿の「役割」の項目) の点検票を\n                    OUT/ID/2026-staff/部署コード_部署名/職員番号_氏名.xlsx に作る)\n  --roster 名簿.csv  staff の職員名簿 (UTF-8 か Shift_JIS の CSV。見出しに 職員番号・氏名・所属、\n                    任意で 役職・メール・役割)。問題があれば行番号とともにすべて示し、何も作りません\n  --split role      self・audit で、部署が担う役割ごとに点検票を分ける (部署コード_部署名_役割.xlsx)。\n                    部署の得点はその部署のすべての点検票の回答から計算します\n  --deadline 日付   提出期限 (2027-01-29、令和9年1月29日 など)。表紙に和暦と西暦で表示します\n  --department 部署 この部署だけ作る (部署コードまたは部署名、繰り返し可)\n  --out DIR         出力先 (既定: out)\n  --db FILE         データベース (既定: 環境変数 TENKEN_DB、なければ out/tenken.db)\n  --template FILE   ひな形 (既定: templates/self.xml または templates/audit.xml)\n  --jobs N          同時に作る点検票の数 (既定: CPU の数)\n  --force           既にある調査・ファイルを作り直す。作り直した部署の以前のトークンは無効になります\n  -q, --quiet       進み具合と結果の要約を表示しない\n"},
    {"ingest", tk_cmd_ingest, "記入された点検票を検査して取り込む",
     "使い方: tenken ingest FILE|DIR... [--db FILE] [--dry-run] [--jobs N] [-q]\n"
     "\n"
     "部署から返ってきた点検票 (.xlsx) を一セルずつ検査し、問題がなければデータベースに取り込みます。\n"
     "フォルダを指定すると、その中の .xlsx をすべて取り込みます。tenken が発行した点検票か (トークン、\n"
     "識別シート)、行と文言が発行時のままか、回答が選択肢にあるか、日付が日付か、数式や長すぎる文字が\n"
     "ないかを確かめ、ファイルごとに問題をすべて「ファイル: シート!セル: 内容」の形で示します。問題の\n"
     "あるファイルは一切取り込みません。取り込みはファイルごとに一つのトランザクションで、同じファイルを\n"
     "再び取り込んでも何も変わらず、同じ点検票の新しい版は前の提出を置き換えます (前の提出も記録に残ります)。\n"
     "否定的な回答に改善計画がないものは「要対応」として取り込みます。\n"
     "\n"
     "  --db FILE     データベース (既定: 環境変数 TENKEN_DB、なければ out/tenken.db)\n"
     "  --dry-run     検査だけを行い、取り込まない\n"
     "  --jobs N      同時に検査するファイルの数 (既定: 8 ファイル以上なら CPU の数)。取り込みはファイルごとに\n"
     "                一つのトランザクションのままで、表示はファイルの順です\n"
     "  -q, --quiet   取り込んだファイルごとの表示をしない (問題と要約は表示する)\n"
     "\n"
     "終了コードは、すべて取り込めた (または取り込み済みだった) とき 0、拒否したファイルがあるとき 1。\n"},
    {"status", tk_cmd_status, "部署ごとの提出状況を表示する",
     "使い方: tenken status --org ID --year 2026 [--kind self|audit|followup|staff] [--missing] [--format text|csv] [--db FILE]\n"
     "\n"
     "部署ごとに、配布の有無、提出日時、回答数 / 項目数、要対応の数、改善計画の数、期限を過ぎた\n"
     "改善計画の数、提出回数を表示します。提出期限を過ぎて未提出の部署は「期限超過」と示します。\n"
     "--format csv は Excel で開ける UTF-8 (BOM 付き) の CSV を出力します。\n"
     "\n"
     "--kind staff (職員セルフチェック) は部署ごとの職員数・回答済み・未回答・回答率と、未回答の職員\n"
     "(部署、職員番号、氏名、メール、ファイル) を表示します。--missing は未回答の職員だけを、\n"
     "--format csv は未回答の職員の一覧 (督促のための差し込み印刷用) を出力します。\n"},
    {"score", tk_cmd_score, "部署・章・役割・項目ごとの得点を計算する",
     "使い方: tenken score --org ID --year 2026 [--kind self|audit] [--by department|chapter|role|item|level]\n"
     "                    [--format text|csv|json] [--db FILE]\n"
     "\n"
     "取り込んだ回答から得点を計算します。グループの得点 = 100 × Σ(重み × 点) ÷ Σ(重み) で、回答済みの\n"
     "項目のうち「該当しない」「該当なし」を除いたものが対象です。点はひな形 (templates/self.xml,\n"
     "audit.xml) の選択肢の points、重みは checklist.xml の weight (既定 1) です。未回答の項目は得点に\n"
     "含めず、回答率 (回答 ÷ 対象) に表れます。数値はすべて小数第一位に四捨五入して表示します。\n"
     "csv と json は group, code, score, answered, applicable, answer_rate (%), negative の列で、最後の行が\n"
     "「全体」です。\n"},
    {"report", tk_cmd_report, "委員会への報告書・部署別の結果通知 (PDF) と集計表 (Excel) を作る",
     "使い方: tenken report committee|departments|summary --org ID --year 2026 [--kind self|audit]\n"
     "                     [-o FILE|DIR] [--db FILE] [--template FILE] [--department 部署]... [--date 日付]\n"
     "                     [--no-previous] [--comment FILE | --clear-comment] [--jobs N] [--force] [-q]\n"
     "       tenken report audit --org ID --year 2026 [--comment FILE] [-o FILE] [--date 日付] [--jobs N] [--force] [-q]\n"
     "\n"
     "取り込んだ回答から、紙で読むための報告書 (A4、PDF、フォント埋め込み) と事務局用の集計表を作ります。\n"
     "得点・回答率は tenken score と同じ計算で、小数第一位に四捨五入して表示します。表題と区分の表示\n"
     "(自治体機密性2 など)、横断的課題のしきい値、評価の区分はひな形 (templates/self.xml, audit.xml) の\n"
     "<report>、<score> から取ります。\n"
     "\n"
     "  committee    情報セキュリティ委員会への報告書 (1 ファイル): 表紙、目次、総評 (数値から作る原案、\n"
     "               文はひな形の <report><text key=\"comment-…\">)、概要 (回収状況、全体の得点、回答率、\n"
     "               全年度の改善計画の未完了・期限超過)、点検の概要 (目的・根拠・対象・期間・体制・方法)、\n"
     "               部署別の得点、部署 × 章のヒートマップ、章別の得点、横断的課題、得点の低い項目、主な課題と\n"
     "               今後の対応、改善計画、前年度指摘事項・改善計画の対応状況、前年度との比較、用語、別表\n"
     "  departments  部署ごとの結果通知 (部署ごとに 1 ファイル、フォルダに書き出す): 章別の得点を組織全体と\n"
     "               比べたもの、否定的な回答とその改善計画、要対応の項目、未回答の項目\n"
     "  summary      事務局用の集計表 (Excel): 部署別、章別、部署 × 章、項目別、改善計画の一覧。グラフ、\n"
     "               フィルター、見出しの固定つき\n"
     "  audit        監査報告書 (PDF) と部署ごとの監査結果通知。--comment FILE は特記事項 (README の「監査」)\n"
     "\n"
     "  --org ID          組織の ID (checklists/ID/) またはフォルダのパス\n"
     "  --year 年度       西暦の年度 (2026 = 令和8年度)。前年度の記録があれば比較を載せます\n"
     "  --kind 種類       self (自己点検、既定) または audit (監査)\n"
     "  -o, --output 先   committee は FILE.pdf、summary は FILE.xlsx、departments はフォルダ\n"
     "                    (既定: OUT/ID/2026-self/ の 委員会報告書.pdf、部署別報告/、集計表.xlsx)\n"
     "  --out DIR         既定の書き出し先の基点 (既定: out)\n"
     "  --db FILE         データベース (既定: 環境変数 TENKEN_DB、なければ out/tenken.db)\n"
     "  --template FILE   文言を取るひな形 (既定: 点検票を作成したときのひな形)\n"
     "  --comment FILE    事務局の総評 (テキストファイル、UTF-8) を記録し、原案の代わりに載せる。行「{原案}」の\n"
     "                    所には原案が入る。記録は点検ごとにデータベースに残り、以後の committee も使う\n"
     "  --clear-comment   記録した総評を消し、原案に戻す\n"
     "  --department 部署 departments で、この部署だけ作る (部署コードまたは部署名、繰り返し可)\n"
     "  --date 日付       作成日 (既定: 今日)。完了予定日を過ぎた改善計画はこの日で数えます\n"
     "  --no-previous     前年度との比較を載せない\n"
     "  --jobs N          departments と audit の部署ごとの PDF を同時に作る数 (既定: CPU の数)。\n"
     "                    何並列でも同じファイルができます\n"
     "  --force           既にあるファイルを上書きする\n"
     "  -q, --quiet       書き出したファイルを表示しない\n"
     "\n"
     "既にあるファイルは --force がなければ上書きせず、終了コード 1 で終わります (何も書き出しません)。\n"},
    {"plans", tk_cmd_plans, "改善計画を一覧し、進捗を記録する",
     "使い方: tenken plans --org ID [--year Y] [--kind self|audit] [--department CODE]\n"
     "                    [--status open|overdue|done|all] [--format text|csv] [--db FILE]\n"
     "       tenken plans set 番号 --status 状況 [--date 日付] [--new-due 日付] [--reason 理由] [--note 内容]\n"
     "\n"
     "改善計画を、期限を過ぎたもの (超過日数の多い順) から、完了予定日の順に表示します。--status は\n"
     "open (未完了、既定)、overdue (期限超過)、done (完了・リスク受容)、all。--kind は自己点検 (self)\n"
     "または監査 (audit) の計画だけを示します (委員会への報告書の数と同じ)。\n"
     "plans set は事務局が進捗を一件記録します (例: 委員会がリスク受容を決定した)。状況は 未着手、\n"
     "対応中、完了、延期、リスク受容。完了には --date (完了日)、延期には --new-due と --reason、\n"
     "リスク受容には --date (委員会の決定日) が必要です。閉じた計画は変更できません。変更はすべて\n"
     "日付とともに記録に残り、上書きされません。\n"},
    {"export", tk_cmd_export, "改善計画・監査調書を CSV または Excel に書き出す",
     "使い方: tenken export plans --org ID [--year Y] [--kind self|audit] [--department CODE]\n"
     "                          [--status all|open|overdue|done]\n"
     "                          [--format csv|xlsx] [-o FILE] [--force] [--db FILE]\n"
     "       tenken export audit --org ID --year Y [--format csv|xlsx] [-o FILE] [--force] [--db FILE]\n"
     "\n"
     "事務局の記録用に、改善計画を書き出します。csv は Excel で開ける UTF-8 (BOM 付き)、xlsx は\n"
     "見出しの固定とオートフィルタ付きのブックです。-o を省くと csv を標準出力に書きます。\n"
     "export audit は監査調書 (監査した項目ごとの部署、該当条項、監査項目、判定、監査証跡、所見、良好事例、\n"
     "是正確認、監査を行う者、監査実施日) を書き出します。監査を行う者は監査票の表紙の記載、なければ監査計画の\n"
     "監査人です。\n"},
    {"audit", tk_cmd_audit, "監査計画 (誰がどの部署を監査するか) を記録する",
     "使い方: tenken audit plan --org ID --year 2026 --auditors FILE.csv [--cycle 3] [--db FILE] [--force] [-q]\n"
     "\n"
     "その年度の監査計画を記録します。FILE.csv (UTF-8、BOM の有無は問わない、または Shift_JIS (CP932)) は\n"
     "1 行目が見出しで、「氏名」「所属」「担当部署」の列が必要です。所属は org.xml の部署コード (部署名も可)\n"
     "か「外部」、担当部署は監査する部署のコードを「、」か空白で区切って並べます。任意の列「所属名」は外部の\n"
     "監査人の所属 (監査法人など)、「関与部署」はその監査人が情報システムの構築・運用に関わる部署です。\n"
     "\n"
     "監査人は自らの所属する部署も、自らが構築・運用に関わるシステムの部署も監査できません (独立性、\n"
     "統一基準 2.3.2(2))。そのような行は行番号と監査人の名前を示して拒否し、問題が一つでもあれば何も\n"
     "記録しません (終了コード 1)。記録した計画は tenken generate --kind audit が使い (計画にある部署だけに\n"
     "監査票を作り、表紙に監査人を載せる)、監査報告書にも載ります。記録の後、部署ごとの監査人と、\n"
     "--cycle 年 (既定 3) の周期の中で監査される年度を表示し、周期の中で一度も監査されない部署を警告します。\n"
     "\n"
     "  --org ID          組織の ID (checklists/ID/) またはフォルダのパス\n"
     "  --year 年度       監査の年度 (2026 = 令和8年度)\n"
     "  --auditors FILE   監査人の一覧 (CSV)\n"
     "  --cycle 年数      ローテーションの周期 (既定 3)\n"
     "  --force           記録済みの同じ年度の監査計画を置き換える\n"
     "  -q, --quiet       記録した計画を表示しない\n"},
    {"findings", tk_cmd_findings, "監査の指摘事項を年度をまたいで一覧する (指摘事項の台帳)",
     "使い方: tenken findings --org ID [--year Y] [--department CODE] [--status open|planned|closed|verified|all]\n"
     "                       [--format text|csv] [--date 日付] [--db FILE]\n"
     "\n"
     "監査で「軽微な不適合」「重大な不適合」など指摘事項となる判定 (ひな形の negative=\"true\") を受けた項目を、\n"
     "年度・部署・項目の順に、判定、所見、改善計画 (改善内容、担当者、完了予定日、暫定措置)、状態、超過日数とともに\n"
     "一覧します。状態は次のとおりです。\n"
     "  open      未計画: 担当者と完了予定日のある改善計画がまだない。改善計画の回答の期限 (その年度の進捗確認票の\n"
     "            提出期限) を過ぎると「要対応」\n"
     "  planned   計画済み: 担当者と完了予定日のある改善計画がある (部署が完了と報告しても、是正確認までこの状態)\n"
     "  closed    終了: 情報セキュリティ委員会がリスク受容を決定した\n"
     "  verified  是正確認済み: 後の年度の監査で是正確認「是正済み」とされた。指摘事項はこれによってのみ閉じます\n"
     "\n"
     "--format csv は year, department_code, department, item_id, ref, grade, finding, evidence, plan, owner, due,\n"
     "interim, plan_status, verification, status, status_label, action_needed, days_overdue の列の CSV (UTF-8、BOM 付き)\n"
     "です。--date は要対応と超過日数を数える日 (既定: 今日)。\n"},
    {"help", cmd_help, "使い方を表示する", "使い方: tenken help [SUBCOMMAND]\n"},
    {"version", cmd_version, "版を表示する", "使い方: tenken version\n"},
};

static const tk_command *find_command(const char *name)
{
    for (size_t i = 0; i < sizeof COMMANDS / sizeof COMMANDS[0]; i++)
        if (!strcmp(COMMANDS[i].name, name))
            return &COMMANDS[i];
    return NULL;
}

static void print_overview(FILE *out)
{
    fputs("tenken (点検) — 情報セキュリティポリシーの自己点検・監査を支援するツール\n\n"
          "使い方: tenken SUBCOMMAND [OPTION]...\n\nサブコマンド:\n",
          out);
    for (size_t i = 0; i < sizeof COMMANDS / sizeof COMMANDS[0]; i++) {
        tk_buf b;
        tk_buf_init(&b);
        tk_buf_puts(&b, "  ");
        tk_text_pad(&b, COMMANDS[i].name, 10);
        tk_buf_puts(&b, COMMANDS[i].summary);
        fprintf(out, "%s\n", b.data);
        tk_buf_free(&b);
    }
    fputs("\n共通のオプション: --org ID (組織)、--db FILE (データベース、既定 out/tenken.db または\n"
          "環境変数 TENKEN_DB)、--out DIR (出力先、既定 out/)。各サブコマンドの詳細は\n"
          "tenken SUBCOMMAND --help を参照してください。\n\n",
          out);
    fputs(TK_EXIT_CODES_HELP, out);
}

static int cmd_help(const tk_command *self, int argc, char **argv)
{
    (void)self;
    if (argc >= 2) {
        const tk_command *c = find_command(argv[1]);
        if (!c) {
            fprintf(stderr, "tenken: サブコマンド「%s」はありません\n\n", argv[1]);
            print_overview(stderr);
            return TK_EXIT_USAGE;
        }
        tk_cli_print_usage(c, stdout);
        return TK_EXIT_OK;
    }
    print_overview(stdout);
    return TK_EXIT_OK;
}

static int cmd_version(const tk_command *self, int argc, char **argv)
{
    (void)self;
    (void)argc;
    (void)argv;
    printf("tenken %s\n", TENKEN_VERSION);
    return TK_EXIT_OK;
}

int main(int argc, char **argv)
{
    /* The user's character set and message language (strerror), never the
     * rest: numbers are written with '.' whatever LC_NUMERIC says (CSV,
     * JSON, and the XML libxlsxwriter writes with printf), and loading
     * every category was time each command paid for nothing. */
    setlocale(LC_CTYPE, "");
#ifdef LC_MESSAGES /* not on Windows */
    setlocale(LC_MESSAGES, "");
#endif
    xmlInitParser();
    if (argc < 2) {
        print_overview(stderr);
        return TK_EXIT_USAGE;
    }
    const char *sub = argv[1];
    if (!strcmp(sub, "--help") || !strcmp(sub, "-h"))
        sub = "help";
    if (!strcmp(sub, "--version"))
        sub = "version";
    const tk_command *c = find_command(sub);
    if (!c) {
        fprintf(stderr, "tenken: サブコマンド「%s」はありません\n\n", argv[1]);
        print_overview(stderr);
        return TK_EXIT_USAGE;
    }
    int rc = c->run(c, argc - 1, argv + 1);
    xmlCleanupParser();
    return rc;
}
