/*
 * test_replay.h — what the test_replay suites share: each file registers
 * its suite; replay_ok() opens and runs a log, asserting success.
 */
#ifndef MP_TEST_REPLAY_H
#define MP_TEST_REPLAY_H

#include "replay.h"

/* Opens and runs path; NULL (after a failed assertion) if either failed. */
mp_replay_t *replay_ok(const char *path);

void t_register_replay_counts(void);  /* test_replay.c */
void t_register_replay_order(void);   /* test_replay_order.c */
void t_register_replay_models(void);  /* test_replay_models.c */
void t_register_replay_damage(void);  /* test_replay_damage.c */
void t_register_replay_parts(void);   /* test_replay_parts.c */

#endif
