#include "callback_gate.h"

void gate_init(callback_gate *g)
{
    pthread_mutex_init(&g->mu, NULL);
    pthread_cond_init(&g->cv, NULL);
    g->calls = g->inside = g->hold = 0;
}

int gate_enter(callback_gate *g)
{
    pthread_mutex_lock(&g->mu);
    g->inside = 1;
    pthread_cond_broadcast(&g->cv);
    while (g->hold) pthread_cond_wait(&g->cv, &g->mu);
    return g->calls;
}

void gate_leave(callback_gate *g)
{
    g->calls++;
    g->inside = 0;
    pthread_cond_broadcast(&g->cv);
    pthread_mutex_unlock(&g->mu);
}

void gate_hold(callback_gate *g, int on)
{
    pthread_mutex_lock(&g->mu);
    g->hold = on;
    pthread_cond_broadcast(&g->cv);
    pthread_mutex_unlock(&g->mu);
}

void gate_wait_inside(callback_gate *g)
{
    pthread_mutex_lock(&g->mu);
    while (!g->inside) pthread_cond_wait(&g->cv, &g->mu);
    pthread_mutex_unlock(&g->mu);
}

int gate_calls(callback_gate *g)
{
    pthread_mutex_lock(&g->mu);
    const int n = g->calls;
    pthread_mutex_unlock(&g->mu);
    return n;
}
