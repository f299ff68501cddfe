// Shared basics of the engine: index type, argument checks, buffers whose size is
// checked before they are allocated.
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>
#if defined(__unix__) || defined(__APPLE__)
#include <unistd.h>
#endif

namespace grnfast {

using index_t = std::int64_t;

// Bad arguments become Python ValueError (pybind11 maps std::invalid_argument).
inline void require(bool ok, const std::string& message) {
    if (!ok) throw std::invalid_argument(message);
}

inline index_t ceil_div(index_t a, index_t b) { return (a + b - 1) / b; }

// A std::bad_alloc that says what could not be allocated and how large it was
// (pybind11 turns it into MemoryError with this message).
class OutOfMemory : public std::bad_alloc {
   public:
    explicit OutOfMemory(std::string message) : message_(std::move(message)) {}
    const char* what() const noexcept override { return message_.c_str(); }

   private:
    std::string message_;
};

// Bytes of physical memory (0 when unknown): a request for more is refused before
// it is tried (on Linux a huge allocation can succeed and the process be killed
// when it is touched).
inline double physical_memory_bytes() {
#if defined(_SC_PHYS_PAGES) && defined(_SC_PAGE_SIZE)
    static const double bytes = double(sysconf(_SC_PHYS_PAGES)) * double(sysconf(_SC_PAGE_SIZE));
    return bytes > 0 ? bytes : 0.0;
#else
    return 0.0;
#endif
}

// Throws OutOfMemory naming `what` unless n elements of `size` bytes could fit in memory.
inline void check_allocation(index_t n, size_t size, const char* what) {
    const double bytes = double(n) * double(size), memory = physical_memory_bytes();
    if (n >= 0 && (memory == 0.0 || bytes <= memory)) return;
    char message[256];
    std::snprintf(message, sizeof message,
                  "cannot allocate %s: %.3g values (%.3g GiB), more than this machine's %.3g GiB of memory", what,
                  double(n), bytes / 1073741824.0, memory / 1073741824.0);
    throw OutOfMemory(message);
}

// Resizes `buffer` to n elements; a size that cannot be had becomes OutOfMemory
// naming `what` and the size.
template <class T>
void resize_buffer(std::vector<T>& buffer, index_t n, const char* what) {
    check_allocation(n, sizeof(T), what);
    try {
        buffer.resize(static_cast<size_t>(n));
    } catch (const std::bad_alloc&) {
        char message[200];
        std::snprintf(message, sizeof message, "out of memory allocating %s: %.3g values (%.3g GiB)", what, double(n),
                      double(n) * double(sizeof(T)) / 1073741824.0);
        throw OutOfMemory(message);
    }
}

// Makes a work buffer hold at least n elements; it never shrinks. Scratch space is
// reserved for the largest batch, and a smaller call in between (validation,
// prediction) must not leave it too small for the next training batch. Returns the data.
template <class T>
T* grow_to(std::vector<T>& buffer, index_t n, const char* what = "a work buffer") {
    if (buffer.size() < static_cast<size_t>(n)) resize_buffer(buffer, n, what);
    return buffer.data();
}

}  // namespace grnfast
