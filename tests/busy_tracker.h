/* Keeps a tracker busy inside edgetam_tracker_track, on another thread, for as long as a test
 * needs: the call's frame lock waits until released. For the drop-if-busy tests
 * (test_tracker.c, test_apple_adapter.c). */
#ifndef EDGETAM_TESTS_BUSY_TRACKER_H
#define EDGETAM_TESTS_BUSY_TRACKER_H

#include <pthread.h>

#include "edgetam.h"

typedef struct busy_tracker {
    edgetam_tracker *tracker;
    edgetam_frame frame; /* 16 x 16 gray; its lock blocks */
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int inside, release;
    edgetam_status status; /* of the busy call, after busy_tracker_finish */
} busy_tracker;

/* Starts a track call on `tracker` from a new thread; returns once it is inside the frame's lock. */
void busy_tracker_start(busy_tracker *b, edgetam_tracker *tracker);
/* Lets the call finish and joins its thread; b->status is its result. */
void busy_tracker_finish(busy_tracker *b);

#endif
