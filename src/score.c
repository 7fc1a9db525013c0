/* score.c — the scoring formula. */
#include "tenken/score.h"

#include <math.h>
#include <stdio.h>

void tk_tally_add(tk_tally *t, double weight, enum tk_answer_kind kind, double points, bool negative)
{
    t->issued++;
    switch (kind) {
    case TK_ANSWER_NONE:
        break;
    case TK_ANSWER_EXCLUDED:
        t->excluded++;
        break;
    case TK_ANSWER_SCORED:
        t->answered++;
        t->negative += negative;
        t->wsum += weight;
        t->wpoints += weight * points;
        break;
    }
}

void tk_tally_merge(tk_tally *into, const tk_tally *from)
{
    into->issued += from->issued;
    into->excluded += from->excluded;
    into->answered += from->answered;
    into->negative += from->negative;
    into->wsum += from->wsum;
    into->wpoints += from->wpoints;
}

size_t tk_tally_applicable(const tk_tally *t) { return t->issued - t->excluded; }

double tk_tally_score(const tk_tally *t)
{
    if (!(t->wsum > 0))
        return NAN;
    return 100.0 * t->wpoints / t->wsum;
}

double tk_tally_answer_rate(const tk_tally *t)
{
    size_t app = tk_tally_applicable(t);
    if (!app)
        return NAN;
    return 100.0 * (double)t->answered / (double)app;
}

/* Half up at one decimal. Scores are ratios of sums of weight × points
 * (multiples of 0.5 with unit weights), so ×10 lands on or near a .5; the
 * small bias absorbs binary error such as 87.25 held as 87.2499999. */
double tk_round1(double v)
{
    if (!isfinite(v))
        return v;
    /* half away from zero, symmetric for the (rare) negative figure */
    double r = floor(fabs(v) * 10.0 + 0.5 + 1e-7) / 10.0;
    if (r == 0)
        return 0; /* no "-0.0" */
    return v < 0 ? -r : r;
}

char *tk_fmt1(double v, char out[16])
{
    if (!isfinite(v) || fabs(v) >= 1e12)
        snprintf(out, 16, "—");
    else
        snprintf(out, 16, "%.1f", tk_round1(v));
    return out;
}
