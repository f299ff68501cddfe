// The models by kind, and the checks every gene index passes before the engine uses it.
#pragma once
#include <memory>
#include <stdexcept>
#include <string>

#include "models/cross_encoder.hpp"
#include "models/late_interaction.hpp"
#include "models/two_tower.hpp"

namespace grnfast {

template <class T>
std::unique_ptr<Network<T>> make_network(const ModelSpec& spec) {
    spec.validate();
    if (spec.kind == "two_tower") return std::make_unique<TwoTower<T>>(spec);
    if (spec.kind == "late_interaction") return std::make_unique<LateInteraction<T>>(spec);
    return std::make_unique<CrossEncoder<T>>(spec);
}

// Pairs are (n x 2) row-major gene indices; every one is checked before use.
inline void check_pairs(const index_t* pairs, index_t n, index_t n_genes) {
    for (index_t i = 0; i < 2 * n; ++i)
        if (pairs[i] < 0 || pairs[i] >= n_genes)
            throw std::out_of_range("pair " + std::to_string(i / 2) + " has gene index " + std::to_string(pairs[i]) +
                                    ", outside [0, " + std::to_string(n_genes) + ")");
}

inline void check_genes(const index_t* genes, index_t n, index_t n_genes) {
    for (index_t i = 0; i < n; ++i)
        if (genes[i] < 0 || genes[i] >= n_genes)
            throw std::out_of_range("gene index " + std::to_string(genes[i]) + " outside [0, " +
                                    std::to_string(n_genes) + ")");
}

}  // namespace grnfast
