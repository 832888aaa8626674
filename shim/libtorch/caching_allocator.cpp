#include "caching_allocator.h"

#include <c10/core/CPUAllocator.h>
#include <c10/core/impl/alloc_cpu.h>

#include <cstdint>
#include <cstring>
#include <list>
#include <map>
#include <mutex>
#include <unordered_map>
#include <vector>

#include <sys/mman.h>

namespace {

constexpr size_t kMinCachedBytes = size_t(256) << 10;
constexpr size_t kMaxCachedBytes = size_t(64) << 20;

#if defined(__linux__) && defined(MADV_HUGEPAGE)
/* Blocks of 2 MB and more are mapped whole, 2 MB aligned, as transparent huge pages where the
 * kernel allows them (enabled = always or madvise): one fault per 2 MB instead of 512. */
constexpr size_t kHugeBytes = size_t(2) << 20;

size_t block_size(size_t n)
{
    return n >= kHugeBytes ? (n + kHugeBytes - 1) / kHugeBytes * kHugeBytes : n;
}

void *alloc_block(size_t size)
{
    if (size < kHugeBytes) return c10::alloc_cpu(size);
    void *raw = mmap(nullptr, size + kHugeBytes, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    /* c10's own message for exhaustion, which the backend recognises (libtorch_backend.cpp) */
    TORCH_CHECK(raw != MAP_FAILED, "DefaultCPUAllocator: not enough memory: you tried to allocate ",
                size, " bytes.");
    const uintptr_t begin = (uintptr_t)raw, end = begin + size + kHugeBytes;
    const uintptr_t aligned = (begin + kHugeBytes - 1) & ~(uintptr_t)(kHugeBytes - 1);
    if (aligned > begin) munmap(raw, aligned - begin);
    if (end > aligned + size) munmap((void *)(aligned + size), end - (aligned + size));
    madvise((void *)aligned, size, MADV_HUGEPAGE); /* a hint: refused, the pages stay 4 KB */
    return (void *)aligned;
}

void free_block(void *p, size_t size)
{
    if (size < kHugeBytes) c10::free_cpu(p);
    else munmap(p, size);
}
#else
size_t block_size(size_t n) { return n; }
void *alloc_block(size_t size) { return c10::alloc_cpu(size); }
void free_block(void *p, size_t) { c10::free_cpu(p); }
#endif

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

    /* Frees every cached block (outside the lock: munmap takes a while). Allocates nothing. */
    void trim() noexcept
    {
        lru_list blocks;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            blocks.swap(lru_);
            by_size_.clear();
            cached_bytes_ = 0;
        }
        for (const auto &b : blocks) free_block(b.first, b.second);
    }

private:
    using lru_list = std::list<std::pair<void *, size_t>>; /* oldest first: block, size */

    c10::DataPtr allocate_block(size_t n) const
    {
        size_t size = block_size(n);
        void *p = take(&size);
        if (!p && n) p = alloc_block(size); /* throws c10::Error when memory is exhausted */
        if (p) {
            std::lock_guard<std::mutex> lock(mutex_);
            try {
                live_.emplace(p, size);
            } catch (...) {
                free_block(p, size);
                throw;
            }
        }
        return {p, p, &release, c10::Device(c10::DeviceType::CPU)};
    }

    /* The smallest cached block of *size to 2 * *size bytes (its size stored in *size), or
     * nullptr. Not only exact sizes: the attention's tensors grow with the number of memories,
     * frame after frame, and blocks a little larger serve them as well. */
    void *take(size_t *size) const
    {
        const size_t n = *size;
        if (n < kMinCachedBytes) return nullptr;
        std::lock_guard<std::mutex> lock(mutex_);
        auto it = by_size_.lower_bound(n);
        if (it == by_size_.end() || it->first / 2 > n) return nullptr;
        auto block = it->second;
        void *p = block->first;
        *size = block->second;
        cached_bytes_ -= block->second;
        by_size_.erase(it);
        lru_.erase(block);
        return p;
    }

    static void release(void *p)
    {
        if (!p) return;
        caching_cpu_allocator &self = instance();
        std::vector<std::pair<void *, size_t>> evicted;
        size_t n = 0;
        {
            std::lock_guard<std::mutex> lock(self.mutex_);
            auto it = self.live_.find(p);
            n = it->second;
            self.live_.erase(it);
            if (n >= kMinCachedBytes && n <= kMaxCachedBytes && self.keep(p, n, &evicted))
                p = nullptr;
        }
        for (auto old : evicted) free_block(old.first, old.second);
        if (p) free_block(p, n);
    }

    /* Caches block p of n bytes, evicting the least recently freed blocks (into *evicted) to
     * stay under kMaxCachedBytes: sizes of frames long past (fewer memories) make way for
     * those in use. False when there was no memory to remember it. Mutex held. */
    bool keep(void *p, size_t n, std::vector<std::pair<void *, size_t>> *evicted) const
    {
        try {
            evicted->reserve(lru_.size());
            auto block = lru_.emplace(lru_.end(), p, n);
            try {
                by_size_.emplace(n, block);
            } catch (...) {
                lru_.erase(block);
                throw;
            }
        } catch (...) {
            return false;
        }
        cached_bytes_ += n;
        while (cached_bytes_ > kMaxCachedBytes) {
            const auto oldest = lru_.begin();
            auto range = by_size_.equal_range(oldest->second);
            for (auto i = range.first; i != range.second; ++i)
                if (i->second == oldest) {
                    by_size_.erase(i);
                    break;
                }
            cached_bytes_ -= oldest->second;
            evicted->push_back(*oldest);
            lru_.erase(oldest);
        }
        return true;
    }

    mutable std::mutex mutex_;
    mutable std::unordered_map<void *, size_t> live_; /* handed out: pointer -> block size */
    mutable lru_list lru_;                              /* cached, least recently freed first */
    mutable std::multimap<size_t, lru_list::iterator> by_size_; /* the same blocks, by size */
    mutable size_t cached_bytes_ = 0;
};

} // namespace

void install_caching_cpu_allocator()
{
    static std::once_flag once;
    std::call_once(once, [] { c10::SetCPUAllocator(&caching_cpu_allocator::instance()); });
}

void trim_caching_cpu_allocator() noexcept
{
    caching_cpu_allocator::instance().trim();
}
