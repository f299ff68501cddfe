// The models by kind, the checks every gene index passes before the engine uses it,
// and the ids the models read for the genes training never saw.
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

// Which genes training saw in each role, and the ids the models read for checked gene
// indices: with the unknown-gene row (ModelSpec::unknown_row), a gene that no
// training pair has in a role is read in that role without its identity, as id +
// n_genes (the unknown row, its own features, no known edges); every other id is the
// gene index itself. Without the row, or without flags, every gene is read through
// its own row.
class SeenGenes {
   public:
    SeenGenes() = default;
    // seen: (n_genes x 2) flags, row-major (column 0: seen as a regulator, 1: as a
    // target; nonzero: seen), or null.
    SeenGenes(const ModelSpec& spec, const std::uint8_t* seen) : n_genes_(spec.n_genes) {
        if (!spec.unknown_row() || !seen) return;
        seen_.assign(seen, seen + 2 * spec.n_genes);
        for (std::uint8_t& f : seen_) f = f ? 1 : 0;
        maps_ = std::find(seen_.begin(), seen_.end(), std::uint8_t(0)) != seen_.end();
    }
    // The flags training reads (null when every gene is read through its own row).
    const std::uint8_t* mask() const { return seen_.empty() ? nullptr : seen_.data(); }
    bool seen(index_t gene, int role) const { return seen_.empty() || seen_[static_cast<size_t>(2 * gene + role)] != 0; }

    // The model ids of n checked pairs ((n x 2): regulator, target): `pairs` itself
    // when none maps, else a copy in `out`.
    const index_t* pair_ids(const index_t* pairs, index_t n, std::vector<index_t>& out) const {
        if (!maps_) return pairs;
        resize_buffer(out, 2 * n, "the pairs' model ids");
        for (index_t i = 0; i < 2 * n; ++i) out[static_cast<size_t>(i)] = id(pairs[i], int(i & 1));
        return out.data();
    }
    // The model ids of n checked genes in one role (0 regulator, 1 target).
    const index_t* gene_ids(const index_t* genes, index_t n, int role, std::vector<index_t>& out) const {
        if (!maps_) return genes;
        resize_buffer(out, n, "the genes' model ids");
        for (index_t i = 0; i < n; ++i) out[static_cast<size_t>(i)] = id(genes[i], role);
        return out.data();
    }

    // Throws unless every gene of the known-edge graph was seen in the role of its
    // edges: the graph is the training positives, and the encoder reads their rows.
    void check_graph(const EdgeGraph* graph) const {
        if (!graph || seen_.empty()) return;
        for (index_t v = 0; v < graph->n_genes; ++v)
            if ((!seen(v, 0) && graph->out_degree(v) > 0) || (!seen(v, 1) && graph->in_degree(v) > 0))
                throw std::invalid_argument("gene " + std::to_string(v) +
                                            " has known edges in the graph in a role training did not see it in");
    }

   private:
    index_t id(index_t gene, int role) const { return seen(gene, role) ? gene : gene + n_genes_; }

    index_t n_genes_ = 0;
    std::vector<std::uint8_t> seen_;
    bool maps_ = false;
};

}  // namespace grnfast
