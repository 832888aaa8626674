#include "caching_allocator.h"

#include <c10/core/CPUAllocator.h>
#include <c10/core/impl/alloc_cpu.h>

#include <cstring>
#include <map>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace {

constexpr size_t kMinCachedBytes = size_t(256) << 10;
constexpr size_t kMaxCachedBytes = size_t(512) << 20;

/* libtorch 1.13 declares Allocator::allocate const, 2.x non-const and adds a pure copy_data:
 * both forms of allocate are defined (each runtime overrides the one it has), and copy_data. */
class caching_cpu_allocator final : public c10::Allocator {
public:
    c10::DataPtr allocate(size_t n) const { return allocate_block(n); }
    c10::DataPtr allocate(size_t n) { return allocate_block(n); }
    void copy_data(void *dest, const void *src, std::size_t count) const
    {
        std::memcpy(dest, src, count);
    }

    c10::DeleterFnPtr raw_deleter() const { return &release; }

    static caching_cpu_allocator &instance()
    {
        static caching_cpu_allocator *const one = new caching_cpu_allocator(); /* never freed */
        return *one;
    }

private:
    c10::DataPtr allocate_block(size_t n) const
    {
        void *p = take(n);
        if (!p && n) p = c10::alloc_cpu(n); /* throws c10::Error when memory is exhausted */
        if (p) {
            std::lock_guard<std::mutex> lock(mutex_);
            try {
                live_.emplace(p, n);
            } catch (...) {
                c10::free_cpu(p);
                throw;
            }
        }
        return {p, p, &release, c10::Device(c10::DeviceType::CPU)};
    }

    /* A cached block of exactly n bytes, or nullptr. */
    void *take(size_t n) const
    {
        if (n < kMinCachedBytes) return nullptr;
        std::lock_guard<std::mutex> lock(mutex_);
        auto it = free_.find(n);
        if (it == free_.end() || it->second.empty()) return nullptr;
        void *p = it->second.back();
        it->second.pop_back();
        cached_bytes_ -= n;
        return p;
    }

    static void release(void *p)
    {
        if (!p) return;
        caching_cpu_allocator &self = instance();
        {
            std::lock_guard<std::mutex> lock(self.mutex_);
            auto it = self.live_.find(p);
            const size_t n = it->second;
            self.live_.erase(it);
            if (n >= kMinCachedBytes && self.cached_bytes_ + n <= kMaxCachedBytes) {
                try {
                    self.free_[n].push_back(p);
                    self.cached_bytes_ += n;
                    return;
                } catch (...) { /* no room to remember it: give it back below */
                }
            }
        }
        c10::free_cpu(p);
    }

    mutable std::mutex mutex_;
    mutable std::unordered_map<void *, size_t> live_;   /* handed out: pointer -> size */
    mutable std::map<size_t, std::vector<void *>> free_; /* kept for reuse, by exact size */
    mutable size_t cached_bytes_ = 0;
};

} // namespace

void install_caching_cpu_allocator()
{
    static std::once_flag once;
    std::call_once(once, [] { c10::SetCPUAllocator(&caching_cpu_allocator::instance()); });
}
