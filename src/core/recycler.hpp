#pragma once
// An allocator for std::allocate_shared that keeps freed blocks per thread and per type, so that a
// steady flow of calls reuses the memory of its call states instead of allocating each one (the
// same idea as Asio's recycling allocator, whose cache keeps two blocks of at most 1020 bytes).

#include <cstddef>
#include <new>

namespace ding::detail {

template <class T>
class per_thread_recycler {
public:
    using value_type = T;

    per_thread_recycler() noexcept = default;
    template <class U>
    per_thread_recycler(const per_thread_recycler<U>&) noexcept {}

    T* allocate(std::size_t n) {
        static_assert(alignof(T) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__);
        if (n == 1) {
            if (void* p = cache().take()) return static_cast<T*>(p);
        }
        return static_cast<T*>(::operator new(n * sizeof(T)));
    }

    void deallocate(T* p, std::size_t n) noexcept {
        if (n == 1 && cache().keep(p)) return;
        ::operator delete(p);
    }

    template <class U>
    bool operator==(const per_thread_recycler<U>&) const noexcept {
        return true;
    }

private:
    // At most this many blocks kept per thread and type: memory stays bounded however many calls
    // a burst had in flight.
    static constexpr int capacity = 64;

    struct block_cache {
        void* blocks[capacity];
        int count = 0;

        void* take() noexcept { return (!gone() && count > 0) ? blocks[--count] : nullptr; }
        bool keep(void* p) noexcept {
            if (gone() || count == capacity) return false;
            blocks[count++] = p;
            return true;
        }
        ~block_cache() {
            while (count > 0) ::operator delete(blocks[--count]);
            gone() = true;
        }
        // Trivially destructible, so still readable when a block is freed during thread exit
        // after the cache itself was destroyed.
        static bool& gone() noexcept {
            thread_local bool destroyed = false;
            return destroyed;
        }
    };

    static block_cache& cache() noexcept {
        thread_local block_cache c;
        return c;
    }
};

} // namespace ding::detail
