/* score.h — the scoring formula, on its own so that every report uses the
 * same arithmetic.
 *
 * Score of a group = 100 × Σ(weight × points) / Σ(weight) over its answered,
 * non-excluded items. Unanswered items are not scored; they show in the
 * group's answer rate = answered / applicable, where applicable = items
 * issued to the group less those answered 該当しない/該当なし. Every figure is
 * printed with one decimal, rounded half up.
 */
#ifndef TENKEN_SCORE_H
#define TENKEN_SCORE_H

#include <stdbool.h>
#include <stddef.h>

typedef struct tk_tally {
    size_t issued;   /* items issued to the group */
    size_t excluded; /* answered with an excluded answer (該当しない) */
    size_t answered; /* answered with a scored answer */
    size_t negative; /* scored answers marked negative (need a plan) */
    double wsum;     /* Σ weight over scored answers */
    double wpoints;  /* Σ weight × points over scored answers */
} tk_tally;

enum tk_answer_kind { TK_ANSWER_NONE, TK_ANSWER_EXCLUDED, TK_ANSWER_SCORED };

void tk_tally_add(tk_tally *t, double weight, enum tk_answer_kind kind, double points, bool negative);
void tk_tally_merge(tk_tally *into, const tk_tally *from);
size_t tk_tally_applicable(const tk_tally *t);
/* 0..100, or NaN when nothing in the group was scored. */
double tk_tally_score(const tk_tally *t);
/* 0..100 (a percentage), or NaN when nothing is applicable. */
double tk_tally_answer_rate(const tk_tally *t);

/* One decimal, rounded half up ("87.3"); "—" for NaN. out needs 16 bytes. */
char *tk_fmt1(double v, char out[16]);
/* The value tk_fmt1 prints, as a number (NaN stays NaN). */
double tk_round1(double v);

#endif
