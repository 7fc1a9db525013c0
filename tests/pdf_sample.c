/* pdf_sample.c — a visual check and benchmark of the PDF layer (not a
 * cmocka suite; build by hand, see below).
 *
 *   pdf_sample committee OUT.pdf [DEPTS]  a committee report (cover, text,
 *                                         bars, heat map, a long table, columns)
 *   pdf_sample department OUT.pdf         one department's feedback report
 *   pdf_sample bench N [fresh]            N department reports in memory, font
 *                                         opened once (or per report with
 *                                         "fresh"); prints time and size
 *
 * Build: cc -std=c11 -D_DEFAULT_SOURCE -Iinclude $(pkg-config --cflags icu-uc)
 *        tests/pdf_sample.c build/libtenken.a $(pkg-config --libs icu-uc
 *        icu-i18n) -lhpdf -lm -o build/pdf_sample
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tenken/chart.h"
#include "tenken/pdf.h"

static const char *const bureaus[] = {"総務部", "企画政策部", "財政部", "市民生活部", "健康福祉部",
                                      "こども未来部", "環境部", "都市整備部", "建設部", "上下水道局",
                                      "教育委員会事務局", "消防本部"};
static const char *const sections[] = {"総務課", "情報政策課", "人事課", "契約課", "税務課",
                                       "市民課", "保険年金課", "福祉総務課", "子育て支援課",
                                       "環境保全課", "道路管理課", "学校教育課"};
static const char *const chapters[] = {"組織体制",     "情報資産の分類と管理", "物理的セキュリティ",
                                       "人的セキュリティ", "技術的セキュリティ", "運用",
                                       "外部サービスの利用", "評価・見直し"};

static double score_of(unsigned i, unsigned c)
{
    unsigned h = i * 2654435761u ^ (c + 1) * 40503u;
    h ^= h >> 13;
    h *= 0x5bd1e995u;
    h ^= h >> 15;
    return 45.0 + (double)(h % 551) / 10.0; /* 45.0 .. 100.0 */
}

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static void department_report(tk_pdf *p, unsigned d)
{
    char title[256];
    snprintf(title, sizeof title, "%s%s 点検結果のお知らせ", bureaus[d % 12], sections[d % 12]);
    tk_pdf_heading(p, 1, title);
    tk_pdf_paragraph(p,
                     "令和8年度の情報セキュリティ自己点検の結果をお知らせします。貴所属の達成率は"
                     "下表のとおりです。「要改善」とされた項目については、改善計画書（様式第3号）を"
                     "提出してください。",
                     NULL);
    double v[8];
    double avg = 0;
    for (unsigned c = 0; c < 8; c++) {
        v[c] = score_of(d, c);
        avg += v[c] / 8;
    }
    tk_chart_bars_opts bo = {.title = "章別の達成率（%）", .average_label = "所属平均", .low_below = 60};
    tk_chart_bars(p, &bo, 8, chapters, v, avg);
    tk_pdf_heading(p, 2, "要改善の項目");
    double widths[] = {14, 60, 16, 22};
    const char *heads[] = {"番号", "点検項目", "回答", "期限"};
    tk_pdf_align al[] = {TK_PDF_ALIGN_CENTER, TK_PDF_ALIGN_LEFT, TK_PDF_ALIGN_CENTER,
                         TK_PDF_ALIGN_RIGHT};
    tk_pdf_table_opts to = {.align = al, .zebra = true};
    tk_pdf_table *t = tk_pdf_table_begin(p, 4, widths, heads, &to);
    for (unsigned i = 0; i < 24; i++) {
        char no[16], due[32];
        snprintf(no, sizeof no, "%u-%u", i / 6 + 1, i % 6 + 1);
        snprintf(due, sizeof due, "令和8年%u月末", i % 12 + 1);
        const char *row[] = {no,
                             i % 3 ? "パスワードを他人に教えず、推測されにくいものに定期的に変更している"
                                   : "離席時にはスクリーンロックをかけている",
                             i % 4 ? "一部実施" : "未実施", due};
        tk_pdf_table_row(t, row, NULL);
    }
    tk_pdf_table_end(t);
}

static int cmd_department(const char *out)
{
    tk_diags d;
    tk_diags_init(&d);
    tk_pdf_opts o = {.title = "点検結果のお知らせ", .mark = "自治体機密性2",
                     .header_left = "みどり市 情報セキュリティ自己点検（令和8年度）"};
    tk_pdf *p = tk_pdf_new(&o, &d);
    int rc = 1;
    if (p) {
        department_report(p, 3);
        rc = tk_pdf_save(p, out, true) == 0 ? 0 : 1;
        printf("%zu pages\n", tk_pdf_page_count(p));
    }
    tk_diags_print(&d, stderr);
    tk_pdf_free(p);
    tk_diags_free(&d);
    return rc;
}

static int cmd_committee(const char *out, unsigned ndept)
{
    tk_diags d;
    tk_diags_init(&d);
    tk_pdf_opts o = {.title = "令和8年度 情報セキュリティ自己点検 結果報告", .author = "みどり市",
                     .mark = "自治体機密性2",
                     .header_left = "みどり市 情報セキュリティ委員会 資料"};
    double t0 = now_ms();
    tk_pdf *p = tk_pdf_new(&o, &d);
    if (!p) {
        tk_diags_print(&d, stderr);
        tk_diags_free(&d);
        return 1;
    }
    const char *subs[] = {"情報セキュリティ自己点検 結果報告書", "（全庁集計）"};
    tk_pdf_cover c = {.title = "令和8年度 情報セキュリティ自己点検",
                      .subtitles = subs,
                      .nsubtitles = 2,
                      .date_line = "令和9年1月29日（2027年1月29日）",
                      .organisation = "みどり市 情報セキュリティ委員会"};
    tk_pdf_cover_page(p, &c);

    tk_pdf_heading(p, 1, "1. 点検の概要");
    tk_pdf_paragraph(p,
                     "本報告は、みどり市情報セキュリティポリシー（令和7年4月1日改定）に基づき、"
                     "全所属を対象に実施した自己点検の結果をまとめたものである。点検は「情報セキュリ"
                     "ティ対策基準」の各章から導いた点検項目について、各所属が回答した内容を集計し、"
                     "達成率（%）で示した。回答率は100.0%、全体の達成率は87.5%であった。",
                     &(tk_pdf_style){.first_indent = true});
    tk_pdf_paragraph(p,
                     "なお、所属名等の表記は令和8年4月1日現在の組織による。参考資料の所在は "
                     "https://www.city.midori.example.lg.jp/soshiki/johoseisaku/security/"
                     "jikotenken/2026/results/appendix-all-departments-detailed-figures.html "
                     "を参照のこと。金額は1,234,567.5円、件数は12,345件。",
                     &(tk_pdf_style){.first_indent = true});
    tk_pdf_heading(p, 2, "1.1 点検の方法");
    tk_pdf_paragraph(p,
                     "各所属の情報セキュリティ責任者は、配布された点検票（Excel形式）に回答し、期限ま"
                     "でに提出した。回答は「実施している」「一部実施している」「実施していない」「該当"
                     "しない」の4段階とし、「該当しない」は達成率の計算から除いた。",
                     NULL);

    const char **names = malloc(sizeof *names * ndept);
    char **owned = malloc(sizeof *owned * ndept);
    double *vals = malloc(sizeof *vals * ndept);
    double *heat = malloc(sizeof *heat * ndept * 8);
    double avg = 0;
    for (unsigned i = 0; i < ndept; i++) {
        owned[i] = malloc(128);
        snprintf(owned[i], 128, "%s%s", bureaus[i % 12], sections[(i * 7 + i / 12) % 12]);
        names[i] = owned[i];
        double s = 0;
        for (unsigned c = 0; c < 8; c++) {
            heat[i * 8 + c] = (i + c) % 17 == 5 ? NAN : score_of(i, c);
            s += isnan(heat[i * 8 + c]) ? 0 : heat[i * 8 + c];
        }
        vals[i] = s / 8;
        avg += vals[i] / ndept;
    }
    tk_pdf_heading(p, 1, "2. 所属別の達成率");
    tk_pdf_paragraph(p, "所属別の達成率を下図に示す。破線は全体平均である。60%未満の所属を朱色で示した。",
                     NULL);
    tk_chart_bars_opts bo = {.title = "図1 所属別の達成率（%）", .average_label = "全体平均",
                             .low_below = 60};
    tk_chart_bars(p, &bo, ndept, names, vals, avg);

    tk_pdf_heading(p, 1, "3. 所属別・章別の達成率");
    tk_chart_heat_opts ho = {.title = "図2 所属別・章別の達成率（%）", .legend_label = "達成率",
                             .none_label = "対象項目なし"};
    tk_chart_heatmap(p, &ho, ndept, 8, names, chapters, heat);

    tk_pdf_heading(p, 1, "4. 所属別の回答状況");
    double widths[] = {8, 34, 12, 12, 12, 12};
    const char *heads[] = {"No.", "所属", "項目数", "実施", "未実施", "達成率（%）"};
    tk_pdf_align al[] = {TK_PDF_ALIGN_RIGHT, TK_PDF_ALIGN_LEFT, TK_PDF_ALIGN_RIGHT,
                         TK_PDF_ALIGN_RIGHT, TK_PDF_ALIGN_RIGHT, TK_PDF_ALIGN_RIGHT};
    tk_pdf_table_opts to = {.align = al, .zebra = true};
    tk_pdf_table *t = tk_pdf_table_begin(p, 6, widths, heads, &to);
    for (unsigned i = 0; i < ndept; i++) {
        char no[16], items[16], yes[16], no_s[16], rate[TK_SCORE_SIZE];
        snprintf(no, sizeof no, "%u", i + 1);
        unsigned n = 80 + i % 40, y = (unsigned)lround(n * vals[i] / 100);
        snprintf(items, sizeof items, "%u", n);
        snprintf(yes, sizeof yes, "%u", y);
        snprintf(no_s, sizeof no_s, "%u", n - y);
        const char *row[] = {no, names[i], items, yes, no_s, tk_fmt_score(vals[i], rate)};
        tk_pdf_cell_style st[6] = {0};
        st[5].fill = vals[i] < 60 ? TK_PDF_HEX(0xFBE3D6) : 0;
        tk_pdf_table_row(t, row, st);
    }
    tk_pdf_table_end(t);

    tk_pdf_heading(p, 1, "5. 改善計画の状況");
    const char *months[] = {"4月", "5月", "6月",  "7月", "8月", "9月",
                            "10月", "11月", "12月", "1月", "2月", "3月"};
    double open[12], over[12], done[12];
    for (int m = 0; m < 12; m++) {
        open[m] = (m * 7) % 9;
        over[m] = m < 6 ? (m * 3) % 4 : 0;
        done[m] = m < 8 ? (m * 5) % 11 : 0;
    }
    tk_chart_series ser[] = {{"完了", done, 0x1009E73}, {"対応中", open, 0x10072B2},
                             {"期限超過", over, 0x1D55E00}};
    tk_chart_columns_opts co = {.title = "図3 改善計画の期限月別の件数", .stacked = true, .unit = "（件）"};
    tk_chart_columns(p, &co, 12, months, 3, ser);
    tk_pdf_paragraph(p, "以上。", &(tk_pdf_style){.align = TK_PDF_ALIGN_RIGHT});

    double t1 = now_ms();
    int rc = tk_pdf_save(p, out, true);
    double t2 = now_ms();
    printf("%zu pages, layout %.1f ms, render+write %.1f ms\n", tk_pdf_page_count(p), t1 - t0,
           t2 - t1);
    tk_diags_print(&d, stderr);
    tk_pdf_free(p);
    tk_diags_free(&d);
    for (unsigned i = 0; i < ndept; i++)
        free(owned[i]);
    free(owned);
    free(names);
    free(vals);
    free(heat);
    return rc == 0 ? 0 : 1;
}

static int cmd_bench(unsigned n, bool share)
{
    tk_diags d;
    tk_diags_init(&d);
    double t0 = now_ms();
    tk_pdf_font *font = tk_pdf_font_open(NULL, &d);
    double t1 = now_ms();
    if (!font) {
        tk_diags_print(&d, stderr);
        tk_diags_free(&d);
        return 1;
    }
    size_t bytes = 0, pages = 0;
    for (unsigned i = 0; i < n; i++) {
        tk_pdf_opts o = {.title = "点検結果のお知らせ", .mark = "自治体機密性2",
                         .header_left = "みどり市 情報セキュリティ自己点検（令和8年度）",
                         .font = share ? font : NULL};
        tk_pdf *p = tk_pdf_new(&o, &d);
        department_report(p, i);
        tk_buf b;
        tk_buf_init(&b);
        tk_pdf_render(p, &b);
        bytes += b.len;
        pages += tk_pdf_page_count(p);
        tk_buf_free(&b);
        tk_pdf_free(p);
    }
    double t2 = now_ms();
    printf("font open %.2f ms; %u reports (font %s) in %.1f ms = %.2f ms each; %.1f pages, "
           "%.1f kB each\n",
           t1 - t0, n, share ? "shared" : "opened per report", t2 - t1, (t2 - t1) / n,
           (double)pages / n, (double)bytes / n / 1024);
    tk_pdf_font_free(font);
    tk_diags_print(&d, stderr);
    tk_diags_free(&d);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "committee") == 0)
        return cmd_committee(argv[2], argc > 3 ? (unsigned)strtoul(argv[3], NULL, 10) : 60);
    if (argc >= 3 && strcmp(argv[1], "department") == 0)
        return cmd_department(argv[2]);
    if (argc >= 3 && strcmp(argv[1], "bench") == 0)
        return cmd_bench((unsigned)strtoul(argv[2], NULL, 10),
                         !(argc > 3 && strcmp(argv[3], "fresh") == 0));
    fprintf(stderr, "usage: pdf_sample committee OUT.pdf [DEPTS] | department OUT.pdf | bench N\n");
    return 2;
}
