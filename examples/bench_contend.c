#include "bench_contend.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

struct bench_contenders {
    atomic_int stop;
    int n;
    pthread_t threads[];
};

static void *spin(void *arg)
{
    bench_contenders *c = arg;
    volatile unsigned long sink = 0;
    while (!atomic_load_explicit(&c->stop, memory_order_relaxed)) sink++;
    return NULL;
}

bench_contenders *bench_contenders_start(int n)
{
    bench_contenders *c = malloc(sizeof *c + sizeof(pthread_t) * (size_t)n);
    if (!c) return NULL;
    atomic_init(&c->stop, 0);
    for (c->n = 0; c->n < n; c->n++) {
        if (pthread_create(&c->threads[c->n], NULL, spin, c)) {
            bench_contenders_stop(c);
            return NULL;
        }
    }
    return c;
}

void bench_contenders_stop(bench_contenders *c)
{
    if (!c) return;
    atomic_store(&c->stop, 1);
    for (int i = 0; i < c->n; i++) pthread_join(c->threads[i], NULL);
    free(c);
}
