/* How many threads the model's math runs on, call by call.
 *
 * The threads of a parallel region wait for each other at its end. On a contended CPU (other
 * apps, the camera pipeline, other tenants of a server) the scheduler preempts one of them, and
 * every region of the forward waits until it runs again: a frame made of thousands of regions
 * collapses (measured on 2 cores with 2 busy threads beside: 16 ms per stand-in frame on one
 * thread, 1250 ms on two). One thread only ever waits for the CPU, never for another thread.
 *
 * So the policy watches how much of each call's wall time the calling thread actually ran (its
 * CPU time over wall time; spinning at a barrier counts as running, so it stays near 1 on a quiet
 * machine whatever the thread count). Well below 1 on several threads means they were kept
 * waiting: it falls back to one thread. On one thread, a run of calls that got the whole CPU
 * means the machine is quiet again: it goes back to all threads.
 *
 * Runtime-independent: each backend passes how it makes the calling thread use n threads.
 * Thread-safe: calls from several threads (trackers sharing a model) update one state. */
#ifndef EDGETAM_THREAD_POLICY_H
#define EDGETAM_THREAD_POLICY_H

#include <atomic>
#include <cstdint>
#include <functional>

class thread_policy {
public:
    /* How a runtime makes the model calls of the calling thread use `threads` threads (cheap
     * when nothing changes: it runs before every call). */
    using thread_setter = std::function<void(int threads)>;

    /* adapt false: always max_threads. Applies max_threads at once. */
    thread_policy(int max_threads, bool adapt, thread_setter use_threads);

    /* Measures one model call made on the calling thread: applies the policy's choice for its
     * lifetime, then feeds the call's CPU and wall time back into the choice. */
    class call {
    public:
        explicit call(thread_policy &policy);
        ~call();
        call(const call &) = delete;
        call &operator=(const call &) = delete;

    private:
        thread_policy &policy_;
        int threads_;
        int64_t wall0_ns_, cpu0_ns_;
    };

    int current_threads() const { return current_.load(std::memory_order_relaxed); }

private:
    /* The decision: one call that ran `threads` threads for wall_ns of wall time and cpu_ns of
     * the caller's CPU time. */
    void record(int threads, int64_t wall_ns, int64_t cpu_ns);

    const int max_;
    const bool adapt_;
    const thread_setter use_threads_;
    std::atomic<int> current_;
    std::atomic<int> starved_; /* consecutive multi-thread calls that waited */
    std::atomic<int> quiet_;   /* consecutive one-thread calls that got the whole CPU */
};

#endif
