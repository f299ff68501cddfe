// Embedding rows: gather into a batch, and gradients for repeated ids summed in a
// fixed order (by position in the batch), one id per task.
#pragma once
#include <algorithm>
#include <cstring>
#include <numeric>

#include "core/parallel.hpp"
#include "kernels/random.hpp"

namespace grnfast {

// out[r, 0:dim] (row stride ld) = table[ids[r], :]
template <class T>
void embedding_gather(index_t n, index_t dim, const T* table, const index_t* ids, T* out, index_t ld,
                      int n_threads) {
    parallel_for(n_threads, ceil_div(n, 64), double(n) * dim, [&](index_t b) {
        for (index_t r = b * 64; r < std::min(n, b * 64 + 64); ++r)
            std::memcpy(out + r * ld, table + ids[r] * dim, sizeof(T) * static_cast<size_t>(dim));
    });
}

// Which distinct ids a batch touches and, for each, the positions that used it.
struct EmbeddingGradPlan {
    std::vector<index_t> unique_ids;  // ascending
    std::vector<index_t> starts;      // positions of unique_ids[u] are order[starts[u] .. starts[u+1])
    std::vector<index_t> order;       // positions sorted by (id, position)

    // A counting sort: one pass counts each id's positions (and lists the distinct
    // ids), the distinct ids are put in ascending order (sorted, or read off the
    // counts when there are many of them in a small range), and a second pass places
    // each position after the earlier ones of its id. The order is the comparison
    // sort's, (id, position), at O(n + min(u log u, range)) for u distinct ids. Ids
    // outside [0, kMaxCounted) (never a gene table's) take the comparison sort.
    void build(const index_t* ids, index_t n) {
        order.resize(static_cast<size_t>(n));
        unique_ids.clear();
        starts.clear();
        const index_t range = countable(ids, n);
        if (range < 0) return build_by_comparison(ids, n);
        unique_ids.reserve(static_cast<size_t>(n));  // no allocation while count_ is in use
        starts.reserve(static_cast<size_t>(n) + 1);
        for (index_t k = 0; k < n; ++k) {
            index_t& c = count_[static_cast<size_t>(ids[k])];
            if (c++ == 0) unique_ids.push_back(ids[k]);
        }
        const index_t u = size();
        if (u > 64 && 8 * u > range) {
            unique_ids.clear();
            for (index_t id = 0; id < range; ++id)
                if (count_[static_cast<size_t>(id)] > 0) unique_ids.push_back(id);
        } else {
            std::sort(unique_ids.begin(), unique_ids.end());
        }
        index_t begin = 0;
        for (index_t id : unique_ids) {  // count_[id] becomes id's next place in order
            starts.push_back(begin);
            std::swap(count_[static_cast<size_t>(id)], begin);
            begin += count_[static_cast<size_t>(id)];
        }
        starts.push_back(n);
        for (index_t k = 0; k < n; ++k) order[static_cast<size_t>(count_[static_cast<size_t>(ids[k])]++)] = k;
        for (index_t id : unique_ids) count_[static_cast<size_t>(id)] = 0;
    }
    index_t size() const { return static_cast<index_t>(unique_ids.size()); }

   private:
    static constexpr index_t kMaxCounted = index_t(1) << 22;  // a count array of at most 32 MB
    std::vector<index_t> count_;  // per id, zero between calls

    // The largest id + 1 when every id is in [0, kMaxCounted) (count_ grown to it),
    // else -1.
    index_t countable(const index_t* ids, index_t n) {
        index_t top = -1;
        for (index_t k = 0; k < n; ++k) {
            if (ids[k] < 0 || ids[k] >= kMaxCounted) return -1;
            top = std::max(top, ids[k]);
        }
        if (count_.size() < static_cast<size_t>(top + 1)) count_.resize(static_cast<size_t>(top + 1), 0);
        return top + 1;
    }
    void build_by_comparison(const index_t* ids, index_t n) {
        std::iota(order.begin(), order.end(), index_t(0));
        std::sort(order.begin(), order.end(), [ids](index_t a, index_t b) {
            return ids[a] != ids[b] ? ids[a] < ids[b] : a < b;
        });
        for (index_t k = 0; k < n; ++k) {
            const index_t id = ids[order[static_cast<size_t>(k)]];
            if (unique_ids.empty() || unique_ids.back() != id) {
                unique_ids.push_back(id);
                starts.push_back(k);
            }
        }
        starts.push_back(n);
    }
};

// The distinct genes of one role in a batch (or in a list of pairs to score), in
// order of first appearance, each pair's index among them and each gene's first
// pair. Built without allocating once the batch size has been seen.
struct BatchGenes {
    std::vector<index_t> genes, position, first_pair;
    std::vector<index_t> slot;  // gene -> index among genes, -1 when absent from the batch

    // ids[r * stride] is pair r's gene (stride 2 reads one column of (n x 2) pairs).
    void build(const index_t* ids, index_t batch, index_t n_genes, index_t stride = 1) {
        if (slot.size() != static_cast<size_t>(n_genes)) {
            resize_buffer(slot, n_genes, "a slot per gene");
            std::fill(slot.begin(), slot.end(), index_t(-1));
        }
        genes.clear();
        first_pair.clear();
        position.resize(static_cast<size_t>(batch));
        for (index_t r = 0; r < batch; ++r) {
            const index_t g = ids[r * stride];
            index_t& u = slot[static_cast<size_t>(g)];
            if (u < 0) {
                u = size();
                genes.push_back(g);
                first_pair.push_back(r);
            }
            position[static_cast<size_t>(r)] = u;
        }
        for (index_t g : genes) slot[static_cast<size_t>(g)] = -1;
    }
    index_t size() const { return static_cast<index_t>(genes.size()); }
    index_t gene_of(index_t r) const { return genes[static_cast<size_t>(position[static_cast<size_t>(r)])]; }
    bool is_first(index_t r) const { return first_pair[static_cast<size_t>(position[static_cast<size_t>(r)])] == r; }
};

// Embedding dropout over one batch of pairs. ids: the batch's regulators (ids[0,
// batch)) then its targets (ids[batch, 2 batch)), gene indices in [0, n_genes). Each
// occurrence whose gene is not seen in its role (seen[2 g + role], role 0 regulator,
// 1 target; null: every gene is), or whose draw falls below
// the key's threshold, becomes id + n_genes: the gene without its identity, read
// through the unknown-gene row. The draw of the occurrence of role k (0 regulator,
// 1 target) of sample s is the key's unit k of sample s: a pure function of (seed,
// epoch, sample, role), whatever thread or batch the pair falls in. Returns how many
// were dropped.
inline index_t drop_identities(index_t* ids, index_t batch, const index_t* sample_ids, index_t n_genes,
                               const std::uint8_t* seen, const DropoutKey& key) {
    index_t dropped = 0;
    for (index_t r = 0; r < batch; ++r) {
        const std::uint64_t base = key.threshold16 > 0 ? key.sample_base(sample_ids[r]) : 0;
        for (index_t role = 0; role < 2; ++role) {
            index_t& id = ids[role * batch + r];
            if ((seen && !seen[2 * id + role]) || (key.threshold16 > 0 && key.dropped(base, role))) {
                id += n_genes;
                ++dropped;
            }
        }
    }
    return dropped;
}

// grad_rows[u, :] = sum of contributions[p, :] over the positions p of unique id u,
// in ascending p.
template <class T>
void embedding_reduce(const EmbeddingGradPlan& plan, index_t dim, const T* contributions, T* grad_rows,
                      int n_threads) {
    parallel_for(n_threads, plan.size(), double(plan.order.size()) * dim, [&](index_t u) {
        T* dst = grad_rows + u * dim;
        std::fill(dst, dst + dim, T(0));
        for (index_t k = plan.starts[static_cast<size_t>(u)]; k < plan.starts[static_cast<size_t>(u) + 1]; ++k) {
            const T* src = contributions + plan.order[static_cast<size_t>(k)] * dim;
            for (index_t j = 0; j < dim; ++j) dst[j] += src[j];
        }
    });
}

}  // namespace grnfast
