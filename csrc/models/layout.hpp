// What a model is made of: its configuration and where each parameter group lives
// in one flat parameter vector (and each running statistic in one flat buffer vector).
// Python reads this layout to initialise, inspect and save parameters.
#pragma once
#include <string>
#include <vector>

#include "core/common.hpp"

namespace grnfast {

struct ModelSpec {
    std::string kind = "cross_encoder";  // "cross_encoder", "two_tower" or "late_interaction"
    index_t n_genes = 0;
    index_t n_features = 0;
    index_t embedding_dim = 512;
    std::vector<index_t> hidden = {256, 128, 64};
    double dropout = 0.2;
    bool batch_norm = true;
    bool use_embeddings = true;
    bool use_expression = true;
    bool use_product = true;       // cross-encoder: the e_regulator * e_target block
    double temperature = 0.05;     // two-tower: logit = similarity / temperature
    bool cosine = false;           // two-tower: cosine instead of dot product
    index_t n_vectors = 1;         // late interaction: vectors per gene and tower, each of the last hidden size
    index_t graph_dim = 0;         // width of the known-edge graph encoder's output; 0: no graph
    double embedding_dropout = 0;  // share of training occurrences read through the unknown-gene row
    bool feature_interaction = false;  // the two genes' node features meet directly (feature_skip.hpp;
                                       // the cross-encoder: their product block)
    bool gene_bias = false;            // a learned propensity per gene and role in the logit (gene_bias.hpp)
    double bn_momentum = 0.1;
    double bn_eps = 1e-5;

    // Each pair costs n_vectors^2 products; more is a mistake. The estimator checks the
    // same limit first (MAX_VECTORS in grnfast/models/late_interaction.py).
    static constexpr index_t max_vectors = 256;

    void validate() const {
        require(kind == "cross_encoder" || kind == "two_tower" || kind == "late_interaction",
                "unknown model kind '" + kind + "'");
        require(n_genes > 0, "n_genes must be positive");
        require(n_features >= 0, "n_features must be non-negative");
        require(!use_embeddings || embedding_dim > 0, "embedding_dim must be positive");
        require(use_embeddings || (use_expression && n_features > 0),
                "the model needs embeddings or expression features (both are switched off or empty)");
        for (index_t h : hidden) require(h > 0, "hidden layer sizes must be positive");
        require(!has_towers() || !hidden.empty(), "a two-tower model needs at least one layer per tower");
        require(n_vectors >= 1 && n_vectors <= max_vectors,
                "n_vectors must be in [1, " + std::to_string(max_vectors) + "]");
        require(dropout >= 0.0 && dropout < 1.0, "dropout must be in [0, 1)");
        require(temperature > 0.0, "temperature must be positive");
        require(graph_dim >= 0, "graph_dim must be non-negative");
        require(embedding_dropout >= 0.0 && embedding_dropout < 1.0, "embedding_dropout must be in [0, 1)");
    }
    bool product_block() const { return kind == "cross_encoder" && use_embeddings && use_product; }
    bool feature_block() const { return use_expression && n_features > 0; }
    bool graph_block() const { return graph_dim > 0; }
    bool has_towers() const { return kind == "two_tower" || kind == "late_interaction"; }
    index_t tower_vectors() const { return kind == "late_interaction" ? n_vectors : 1; }

    // Genes without an identity. With embedding_dropout > 0 the embedding table has one
    // more row, n_genes: the learned unknown-gene row. The models then read gene ids
    // in [0, 2 n_genes): id g < n_genes is gene g; id g + n_genes is gene g without its
    // identity (a gene training never saw, or a training occurrence whose identity was
    // dropped): the unknown row, g's node features, and no known edges in the graph.
    bool unknown_row() const { return use_embeddings && embedding_dropout > 0.0; }
    index_t embedding_rows() const { return use_embeddings ? n_genes + (unknown_row() ? 1 : 0) : 0; }
    index_t id_space() const { return unknown_row() ? 2 * n_genes : n_genes; }
    index_t embedding_row(index_t id) const { return id < n_genes ? id : n_genes; }
    index_t feature_row(index_t id) const { return id < n_genes ? id : id - n_genes; }
};

struct ParamGroup {
    std::string name;
    std::string kind;  // embedding, weight, bias, bn_scale, bn_shift / running_mean, running_var
    std::vector<index_t> shape;
    index_t offset = 0;
    index_t size = 0;
};

struct Layout {
    std::vector<ParamGroup> params;
    std::vector<ParamGroup> buffers;
    index_t n_params = 0;
    index_t n_buffers = 0;

    index_t add_param(const std::string& name, const std::string& kind, std::vector<index_t> shape) {
        return add(params, n_params, name, kind, std::move(shape));
    }
    index_t add_buffer(const std::string& name, const std::string& kind, std::vector<index_t> shape) {
        return add(buffers, n_buffers, name, kind, std::move(shape));
    }

   private:
    static index_t add(std::vector<ParamGroup>& groups, index_t& total, const std::string& name,
                       const std::string& kind, std::vector<index_t> shape) {
        index_t size = 1;
        for (index_t s : shape) size *= s;
        groups.push_back({name, kind, std::move(shape), total, size});
        total += size;
        return groups.back().offset;
    }
};

// The gene embedding table at the start of the parameters: one row per gene and,
// with embedding_dropout > 0, the unknown-gene row right after them (its own group,
// so that a gene's row and the unknown row are told apart by name; the two are one
// contiguous table of embedding_rows() rows).
inline void add_embedding_table(Layout& layout, const ModelSpec& spec) {
    if (!spec.use_embeddings) return;
    layout.add_param("embedding", "embedding", {spec.n_genes, spec.embedding_dim});
    if (spec.unknown_row()) layout.add_param("unknown_embedding", "unknown_embedding", {1, spec.embedding_dim});
}

}  // namespace grnfast
