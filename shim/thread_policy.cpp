#include "thread_policy.h"

#include <ATen/Parallel.h>

#include <dlfcn.h>
#include <time.h>

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

/* at::set_num_threads does not reach the BLAS that libtorch links through libblas.so.3. With
 * OpenBLAS (Debian's libopenblas0-pthread) every sgemm would otherwise use all cores, whatever
 * num_threads says, and its threads spin between calls. Measured with one model thread on 2 cores
 * (edgetam-bench track --threads 1, 300 frames): 16.1 instead of 8.0 CPU seconds, most of it
 * spinning, and frames 16 % slower. Other BLAS builds lack the symbol and keep their settings. */
void set_blas_threads(int threads)
{
    using setter = void (*)(int);
    static const setter set =
        reinterpret_cast<setter>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
    if (set) set(threads);
}

} // namespace

thread_policy::thread_policy(int max_threads, bool adapt)
    : max_(max_threads > 0 ? max_threads : 1), adapt_(adapt), current_(max_), starved_(0), quiet_(0)
{
    at::set_num_threads(max_);
    set_blas_threads(max_);
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
    /* The intra-op count is the calling thread's (OpenMP's per-thread ICV); BLAS's is global. */
    if (at::get_num_threads() != threads_) {
        at::set_num_threads(threads_);
        set_blas_threads(threads_);
    }
    wall0_ns_ = now_ns(CLOCK_MONOTONIC);
    cpu0_ns_ = now_ns(CLOCK_THREAD_CPUTIME_ID);
}

thread_policy::call::~call()
{
    const int64_t cpu = now_ns(CLOCK_THREAD_CPUTIME_ID) - cpu0_ns_;
    policy_.record(threads_, now_ns(CLOCK_MONOTONIC) - wall0_ns_, cpu);
}
