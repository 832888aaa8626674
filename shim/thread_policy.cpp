#include "thread_policy.h"

#include <time.h>

#include <utility>

namespace {

/* Calls shorter than this say little about contention (timer and scheduler granularity). */
constexpr int64_t kMinCallNs = 500 * 1000;
/* CPU/wall below this on several threads: the threads were kept waiting for each other. */
constexpr double kStarvedRatio = 0.6;
/* CPU/wall above this on one thread: the calling thread had the CPU to itself. */
constexpr double kQuietRatio = 0.9;
constexpr int kStarvedCalls = 2, kQuietCalls = 16;

int64_t now_ns(clockid_t clock)
{
    timespec ts;
    clock_gettime(clock, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

} // namespace

thread_policy::thread_policy(int max_threads, bool adapt, thread_setter use_threads)
    : max_(max_threads > 0 ? max_threads : 1), adapt_(adapt), use_threads_(std::move(use_threads)),
      current_(max_), starved_(0), quiet_(0)
{
    use_threads_(max_);
}

void thread_policy::record(int threads, int64_t wall_ns, int64_t cpu_ns)
{
    if (!adapt_ || wall_ns < kMinCallNs || max_ == 1) return;
    const double ratio = (double)cpu_ns / (double)wall_ns;
    if (threads > 1) {
        quiet_.store(0, std::memory_order_relaxed);
        if (ratio >= kStarvedRatio) {
            starved_.store(0, std::memory_order_relaxed);
        } else if (starved_.fetch_add(1, std::memory_order_relaxed) + 1 >= kStarvedCalls) {
            starved_.store(0, std::memory_order_relaxed);
            current_.store(1, std::memory_order_relaxed);
        }
    } else {
        starved_.store(0, std::memory_order_relaxed);
        if (ratio <= kQuietRatio) {
            quiet_.store(0, std::memory_order_relaxed);
        } else if (quiet_.fetch_add(1, std::memory_order_relaxed) + 1 >= kQuietCalls) {
            quiet_.store(0, std::memory_order_relaxed);
            current_.store(max_, std::memory_order_relaxed);
        }
    }
}

thread_policy::call::call(thread_policy &policy)
    : policy_(policy), threads_(policy.current_threads())
{
    policy_.use_threads_(threads_);
    wall0_ns_ = now_ns(CLOCK_MONOTONIC);
    cpu0_ns_ = now_ns(CLOCK_THREAD_CPUTIME_ID);
}

thread_policy::call::~call()
{
    const int64_t cpu = now_ns(CLOCK_THREAD_CPUTIME_ID) - cpu0_ns_;
    policy_.record(threads_, now_ns(CLOCK_MONOTONIC) - wall0_ns_, cpu);
}
