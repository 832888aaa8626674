#include "busy_tracker.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

static int blocking_lock(void *user, edgetam_planes *planes)
{
    busy_tracker *b = user;
    static const uint8_t gray[16 * 16];
    planes->data[0] = gray;
    planes->stride[0] = 16;
    pthread_mutex_lock(&b->mu);
    b->inside = 1;
    pthread_cond_broadcast(&b->cv);
    while (!b->release) pthread_cond_wait(&b->cv, &b->mu);
    pthread_mutex_unlock(&b->mu);
    return 0;
}

static void blocking_unlock(void *user) { (void)user; }

static void *track_thread(void *arg)
{
    busy_tracker *b = arg;
    b->status = edgetam_tracker_track(b->tracker, &b->frame, NULL, 0, NULL);
    return NULL;
}

void busy_tracker_start(busy_tracker *b, edgetam_tracker *tracker)
{
    memset(b, 0, sizeof *b);
    b->tracker = tracker;
    b->status = EDGETAM_ERR_INVALID_ARGUMENT;
    pthread_mutex_init(&b->mu, NULL);
    pthread_cond_init(&b->cv, NULL);
    b->frame = edgetam_frame_default();
    b->frame.format = EDGETAM_FORMAT_GRAY8;
    b->frame.width = b->frame.height = 16;
    b->frame.lock = blocking_lock;
    b->frame.unlock = blocking_unlock;
    b->frame.user_data = b;
    assert_int_equal(pthread_create(&b->thread, NULL, track_thread, b), 0);
    pthread_mutex_lock(&b->mu);
    while (!b->inside) pthread_cond_wait(&b->cv, &b->mu);
    pthread_mutex_unlock(&b->mu);
}

void busy_tracker_finish(busy_tracker *b)
{
    pthread_mutex_lock(&b->mu);
    b->release = 1;
    pthread_cond_broadcast(&b->cv);
    pthread_mutex_unlock(&b->mu);
    assert_int_equal(pthread_join(b->thread, NULL), 0);
    pthread_cond_destroy(&b->cv);
    pthread_mutex_destroy(&b->mu);
}
