/* A gate for a stream's result callback: counts the calls and can hold the worker thread inside
 * one, so that a test can push while the stream is busy. test_stream.c and test_faults.c. */
#ifndef EDGETAM_TESTS_CALLBACK_GATE_H
#define EDGETAM_TESTS_CALLBACK_GATE_H

#include <pthread.h>

typedef struct callback_gate {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int calls, inside, hold;
} callback_gate;

void gate_init(callback_gate *g);

/* In the callback: says the worker is inside, waits while the gate is held, and returns the
 * call's index with g->mu locked, so the callback can record what it saw; then gate_leave. */
int gate_enter(callback_gate *g);
void gate_leave(callback_gate *g);

/* From the test's thread. */
void gate_hold(callback_gate *g, int on);
void gate_wait_inside(callback_gate *g);
int gate_calls(callback_gate *g);

#endif
