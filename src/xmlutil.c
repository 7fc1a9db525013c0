/* xmlutil.c — safe XML reading and RELAX NG validation. */
#include "tenken/xmlutil.h"

#include <errno.h>
#include <libxml/parser.h>
#include <libxml/relaxng.h>
#include <libxml/xmlerror.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#ifndef TK_DATADIR
#define TK_DATADIR "/usr/local/share/tenken"
#endif

struct err_sink {
    tk_diags *diags;
    const char *name;
    const char *prefix;
};

/* libxml2's messages are English; the common RELAX NG ones are said again
 * in Japanese, others are kept as the detail behind a Japanese sentence. */
static void japanese(const char *msg, char *out, size_t n)
{
    static const struct {
        const char *en;
        const char *ja;
    } t[] = {
        {"Expecting an element , got nothing", "必要な子要素がありません"},
        {"Expecting an element %s, got nothing", "要素 %s が必要ですが、ありません"},
        {"Did not expect element %s there", "要素 %s はここには置けません"},
        {"Element %s failed to validate attributes", "要素 %s の属性が正しくありません"},
        {"Element %s failed to validate content", "要素 %s の内容が正しくありません"},
        {"Invalid attribute %s for element %s", "属性 %s は要素 %s には使えません"},
        {"Element %s has extra content: %s", "要素 %s に余分な内容 %s があります"},
        {"Expecting element %s, got %s", "要素 %s が必要ですが、%s があります"},
        {"Error validating datatype %s", "データ型 %s として正しくありません"},
        {"Type %s doesn't allow value '%s'", "型 %s には値「%s」を使えません"},
        {"Value '%s' doesn't match the value of %s", "値「%s」は許されていません (%s)"},
        {"Element %s: Expecting an element %s, got nothing", "要素 %s: 要素 %s が必要ですが、ありません"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        /* match the English pattern with up to two %s holes */
        const char *pat = t[i].en, *m = msg;
        char holes[2][128] = {"", ""};
        int nh = 0;
        bool ok = true;
        while (*pat && ok) {
            if (pat[0] == '%' && pat[1] == 's') {
                const char *stop = pat + 2;
                size_t k = 0;
                while (*m && (*stop ? *m != *stop : true) && k + 1 < sizeof holes[0])
                    holes[nh][k++] = *m++;
                holes[nh][k] = '\0';
                nh++;
                pat += 2;
            } else if (*pat == *m) {
                pat++;
                m++;
            } else {
                ok = false;
            }
        }
        if (ok && !*m) {
            snprintf(out, n, t[i].ja, holes[0], holes[1]);
            return;
        }
    }
    snprintf(out, n, "%s", msg);
}

static void collect(void *ctx, xmlErrorPtr e)
{
    struct err_sink *s = ctx;
    if (!e || e->level == XML_ERR_WARNING)
        return;
    char msg[512];
    snprintf(msg, sizeof msg, "%s", e->message ? e->message : "");
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
        msg[--n] = '\0';
    char ja[700];
    japanese(msg, ja, sizeof ja);
    const char *node = "";
    if (e->node && ((xmlNodePtr)e->node)->type == XML_ELEMENT_NODE)
        node = (const char *)((xmlNodePtr)e->node)->name;
    long line = e->line;
    if (line <= 0 && e->node)
        line = xmlGetLineNo((xmlNodePtr)e->node);
    if (*node)
        tk_diag_error(s->diags, s->name, line, "%s (<%s>): %s", s->prefix, node, ja);
    else
        tk_diag_error(s->diags, s->name, line, "%s: %s", s->prefix, ja);
}

xmlDocPtr tk_xml_parse_memory(const char *data, size_t len, const char *name, tk_diags *diags)
{
    /* refuse a DOCTYPE before the parser sees it: no entity is ever declared */
    for (size_t i = 0; i + 9 <= len; i++) {
        if (data[i] == '<' && memcmp(data + i, "<!DOCTYPE", 9) == 0) {
            long line = 1;
            for (size_t k = 0; k < i; k++)
                line += data[k] == '\n';
            tk_diag_error(diags, name, line, "DOCTYPE 宣言があります。安全のため DOCTYPE (実体宣言) を含む XML は読みません");
            return NULL;
        }
    }
    struct err_sink sink = {diags, name, "XML の形式が正しくありません"};
    size_t before = diags->errors;
    xmlSetStructuredErrorFunc(&sink, collect);
    xmlDocPtr doc = xmlReadMemory(data, (int)len, name, NULL, XML_PARSE_NONET | XML_PARSE_NOCDATA);
    xmlSetStructuredErrorFunc(NULL, NULL);
    if (!doc) {
        if (diags->errors == before)
            tk_diag_error(diags, name, 0, "XML として読めません");
        return NULL;
    }
    if (doc->intSubset || doc->extSubset) {
        tk_diag_error(diags, name, doc->intSubset ? xmlGetLineNo((xmlNodePtr)doc->intSubset) : 0,
                      "DOCTYPE 宣言があります。安全のため DOCTYPE (実体宣言) を含む XML は読みません");
        xmlFreeDoc(doc);
        return NULL;
    }
    return doc;
}

xmlDocPtr tk_xml_read_validated(const char *path, const char *schema_dir, const char *schema, tk_diags *diags)
{
    tk_buf raw;
    if (tk_file_read(path, TK_XML_MAX_BYTES, &raw) != 0) {
        if (errno == EFBIG)
            tk_diag_error(diags, path, 0, "ファイルが大きすぎます (上限 %u バイト)", TK_XML_MAX_BYTES);
        else
            tk_diag_error(diags, path, 0, "ファイルを読めません: %s", strerror(errno));
        return NULL;
    }
    xmlDocPtr doc = tk_xml_parse_memory(raw.data, raw.len, path, diags);
    tk_buf_free(&raw);
    if (!doc || !schema)
        return doc;

    tk_arena *a = tk_arena_new();
    const char *rng = tk_path_join(a, schema_dir ? schema_dir : tk_data_path(a, "checklists"), schema);
    struct err_sink sink = {diags, rng, "スキーマを読めません"};
    xmlSetStructuredErrorFunc(&sink, collect);
    xmlRelaxNGParserCtxtPtr pctx = xmlRelaxNGNewParserCtxt(rng);
    xmlRelaxNGPtr sch = pctx ? xmlRelaxNGParse(pctx) : NULL;
    xmlSetStructuredErrorFunc(NULL, NULL);
    if (pctx)
        xmlRelaxNGFreeParserCtxt(pctx);
    if (!sch) {
        tk_diag_error(diags, rng, 0, "スキーマ %s を読み込めません (tenken の導入を確認してください)", rng);
        tk_arena_free(a);
        xmlFreeDoc(doc);
        return NULL;
    }
    struct err_sink vsink = {diags, path, "スキーマに適合しません"};
    xmlRelaxNGValidCtxtPtr vctx = xmlRelaxNGNewValidCtxt(sch);
    xmlRelaxNGSetValidStructuredErrors(vctx, collect, &vsink);
    size_t before = diags->errors;
    int rc = xmlRelaxNGValidateDoc(vctx, doc);
    xmlRelaxNGFreeValidCtxt(vctx);
    xmlRelaxNGFree(sch);
    tk_arena_free(a);
    if (rc != 0) {
        if (diags->errors == before)
            tk_diag_error(diags, path, 0, "スキーマ %s に適合しません", schema);
        xmlFreeDoc(doc);
        return NULL;
    }
    return doc;
}

const char *tk_data_dir(void)
{
    const char *h = getenv("TENKEN_HOME");
    if (h && *h)
        return h;
    if (tk_file_exists("templates") && tk_file_exists("checklists/checklist.rng"))
        return ".";
    return TK_DATADIR;
}

char *tk_data_path(tk_arena *a, const char *rel) { return tk_path_join(a, tk_data_dir(), rel); }
