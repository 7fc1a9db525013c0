/* diag.c — diagnostics list. */
#include "tenken/diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "tenken/text.h"
#include "tenken/util.h"

/* A copy fit for a terminal and a database: bytes that are not UTF-8 (a
 * file name written on another system) shown as \xHH. */
static char *printable_dup(const char *s, bool lines)
{
    if (!s)
        return NULL;
    char *p = tk_text_printable(s, lines);
    return p ? p : tk_xstrdup(s);
}

void tk_diags_init(tk_diags *d) { memset(d, 0, sizeof *d); }

void tk_diags_free(tk_diags *d)
{
    for (size_t i = 0; i < d->count; i++) {
        free(d->items[i].file);
        free(d->items[i].place);
        free(d->items[i].message);
    }
    free(d->items);
    tk_diags_init(d);
}

void tk_diag_add(tk_diags *d, enum tk_severity sev, const char *file, long line, const char *place,
                 const char *fmt, ...)
{
    if (d->count == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 16;
        d->items = tk_xrealloc(d->items, d->cap * sizeof *d->items);
    }
    tk_diag *g = &d->items[d->count++];
    g->severity = sev;
    g->file = printable_dup(file, false);
    g->line = line;
    g->place = printable_dup(place, false);
    va_list ap;
    va_start(ap, fmt);
    char *m = tk_vformat(fmt, ap);
    va_end(ap);
    g->message = tk_text_printable(m, true);
    if (g->message)
        free(m);
    else
        g->message = m;
    if (sev == TK_SEV_ERROR)
        d->errors++;
    else if (sev == TK_SEV_WARNING)
        d->warnings++;
}

static const char *sev_label(enum tk_severity s)
{
    switch (s) {
    case TK_SEV_NOTE:
        return "確認";
    case TK_SEV_WARNING:
        return "警告";
    case TK_SEV_ERROR:
        return "エラー";
    }
    return "";
}

void tk_diags_print(const tk_diags *d, FILE *out)
{
    for (size_t i = 0; i < d->count; i++) {
        const tk_diag *g = &d->items[i];
        if (g->file && g->line > 0)
            fprintf(out, "%s:%ld: ", g->file, g->line);
        else if (g->file && g->place)
            fprintf(out, "%s: %s: ", g->file, g->place);
        else if (g->file)
            fprintf(out, "%s: ", g->file);
        fprintf(out, "%s: %s\n", sev_label(g->severity), g->message);
    }
}
