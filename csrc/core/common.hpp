// Shared basics of the engine: index type, argument checks, work buffers.
#pragma once
#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace grnfast {

using index_t = std::int64_t;

// Bad arguments become Python ValueError (pybind11 maps std::invalid_argument).
inline void require(bool ok, const std::string& message) {
    if (!ok) throw std::invalid_argument(message);
}

inline index_t ceil_div(index_t a, index_t b) { return (a + b - 1) / b; }

// Makes a work buffer hold at least n elements; it never shrinks. Scratch space is
// reserved for the largest batch, and a smaller call in between (validation,
// prediction) must not leave it too small for the next training batch. Returns the data.
template <class T>
T* grow_to(std::vector<T>& buffer, index_t n) {
    if (buffer.size() < static_cast<size_t>(n)) buffer.resize(static_cast<size_t>(n));
    return buffer.data();
}

}  // namespace grnfast
