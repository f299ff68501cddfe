// Counter-based random numbers: every draw is a pure function of its key
// (seed, epoch, stream, sample, unit), so dropout masks and shuffles never depend
// on which thread asks or in what order.
#pragma once
#include <cstdint>
#include <vector>

#include "core/common.hpp"

namespace grnfast {

// SplitMix64 finaliser: a bijective, well-mixing map of 64-bit words.
inline std::uint64_t mix64(std::uint64_t z) {
    z += 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

inline std::uint64_t counter_key(std::uint64_t seed, std::uint64_t epoch, std::uint64_t stream,
                                 std::uint64_t sample) {
    return mix64(mix64(mix64(mix64(seed) + epoch) + stream) + sample);
}

// Uniform integer in [0, bound) from 64 random bits (Lemire's multiply-shift).
inline std::uint64_t bounded(std::uint64_t bits, std::uint64_t bound) {
    return static_cast<std::uint64_t>((static_cast<unsigned __int128>(bits) * bound) >> 64);
}

constexpr std::uint64_t kShuffleStream = 0x5348554646ULL;  // "SHUFF"

// The order of the n training samples in one epoch (Fisher-Yates on counter draws).
inline void epoch_permutation(std::uint64_t seed, std::uint64_t epoch, index_t n, std::vector<index_t>& order) {
    order.resize(static_cast<size_t>(n));
    for (index_t i = 0; i < n; ++i) order[static_cast<size_t>(i)] = i;
    for (index_t i = n - 1; i > 0; --i) {
        const auto bits = counter_key(seed, epoch, kShuffleStream, static_cast<std::uint64_t>(i));
        const auto j = static_cast<index_t>(bounded(bits, static_cast<std::uint64_t>(i + 1)));
        std::swap(order[static_cast<size_t>(i)], order[static_cast<size_t>(j)]);
    }
}

constexpr std::uint64_t kFoldStream = 0x464F4C44ULL;  // "FOLD"

// Which of two folds the pair (r, t) falls in this epoch: a function of the pair, so
// repeated pairs and a pair's own known edge always fall together.
inline int pair_fold(std::uint64_t seed, std::uint64_t epoch, index_t r, index_t t, index_t n_genes) {
    return static_cast<int>(
        counter_key(seed, epoch, kFoldStream, static_cast<std::uint64_t>(r) * static_cast<std::uint64_t>(n_genes) +
                                                  static_cast<std::uint64_t>(t)) >> 63);
}

// Dropout decisions: one 64-bit draw per group of four units, 16 bits per unit.
struct DropoutKey {
    std::uint64_t seed = 0;
    std::uint64_t epoch = 0;
    std::uint64_t stream = 0;  // which layer of which network
    std::uint32_t threshold16 = 0;  // unit dropped when its 16 bits are below this

    static std::uint32_t threshold_for(double p) {
        return static_cast<std::uint32_t>(p * 65536.0 + 0.5);
    }
    // The draw of the group of four units that holds `unit`.
    std::uint64_t group_bits(std::uint64_t sample_base, index_t unit) const {
        return mix64(sample_base + static_cast<std::uint64_t>(unit >> 2));
    }
    bool dropped(std::uint64_t sample_base, index_t unit) const {
        return ((group_bits(sample_base, unit) >> (16 * (unit & 3))) & 0xFFFFu) < threshold16;
    }
    std::uint64_t sample_base(index_t sample) const {
        return counter_key(seed, epoch, stream, static_cast<std::uint64_t>(sample));
    }
};

constexpr std::uint64_t kIdentityStream = 0x4944454E54ULL;  // "IDENT": embedding dropout

}  // namespace grnfast
