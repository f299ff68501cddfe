// A trained network, ready to score: the model is built once from its spec and reads
// the weights, running statistics and node features it is given (it does not own
// them, nor the graph; they must outlive it). Every index is checked before use. Every method is
// const and keeps its work buffers per call, so calls may run at the same time.
#pragma once
#include "engine/networks.hpp"

namespace grnfast {

template <class T>
class FittedNetwork {
   public:
    // features: (n_genes x n_features), standardised as in training; graph: the known
    // edges a model with graph_dim > 0 reads (its training positives), else null;
    // seen: (n_genes x 2) flags of the genes training saw as regulators and as
    // targets, or null (every gene seen). With the unknown-gene row, every method
    // reads a gene in a role training never saw it in through that row (SeenGenes),
    // the same in every method.
    FittedNetwork(const ModelSpec& spec, const T* params, const T* buffers, const T* features,
                  const EdgeGraph* graph = nullptr, const std::uint8_t* seen = nullptr)
        : net_(make_network<T>(spec)), params_(params), buffers_(buffers), features_(features), seen_(spec, seen) {
        net_->set_graph(graph);
        net_->check_graph();
        seen_.check_graph(graph);
    }

    const ModelSpec& spec() const { return net_->spec(); }
    const Layout& layout() const { return net_->layout(); }

    // Logits of n pairs ((n x 2) gene indices).
    void predict_logits(const index_t* pairs, index_t n, T* logits, int n_threads) const {
        check_pairs(pairs, n, spec().n_genes);
        std::vector<index_t> ids;
        net_->predict_pairs(params_, buffers_, features_, seen_.pair_ids(pairs, n, ids), n, logits, n_threads);
    }

    // Every layer's name and width, and every layer's output for n pairs (outs[k]:
    // n x width of layer k).
    std::vector<std::pair<std::string, index_t>> layers() const { return net_->layers(); }
    void layer_outputs(const index_t* pairs, index_t n, T* const* outs, int n_threads) const {
        check_pairs(pairs, n, spec().n_genes);
        std::vector<index_t> ids;
        net_->layer_outputs(params_, buffers_, features_, seen_.pair_ids(pairs, n, ids), n, outs, n_threads);
    }

    // Two-tower and late interaction: the tower outputs of n genes (role 0: regulator
    // tower, 1: target tower), n x output_dim() (late interaction: n_vectors vectors
    // side by side); and the logits of every row of U against every row of V
    // (n_u x n_v), what scores a genome once the tower outputs are known.
    index_t output_dim() const { return two_tower().output_dim(); }
    void tower_outputs(int role, const index_t* genes, index_t n, T* out, int n_threads) const {
        require(role == 0 || role == 1, "role must be 0 (regulator) or 1 (target)");
        check_genes(genes, n, spec().n_genes);
        std::vector<index_t> ids;
        two_tower().tower_outputs(role, params_, buffers_, features_, seen_.gene_ids(genes, n, role, ids), n, out, n_threads);
    }
    void tower_scores(const T* u, index_t n_u, const T* v, index_t n_v, T* out, int n_threads) const {
        two_tower().score_outputs(u, n_u, v, n_v, out, n_threads);
    }
    // A grid's gene biases (n_reg x n_tgt, added to out): what tower_scores leaves
    // out, since it knows the tower outputs but not whose they are.
    void add_gene_bias(const index_t* regs, index_t n_reg, const index_t* tgts, index_t n_tgt, T* out,
                       int n_threads) const {
        check_genes(regs, n_reg, spec().n_genes);
        check_genes(tgts, n_tgt, spec().n_genes);
        std::vector<index_t> reg_ids, tgt_ids;
        net_->gene_bias().add_grid(params_, seen_.gene_ids(regs, n_reg, 0, reg_ids), n_reg,
                                   seen_.gene_ids(tgts, n_tgt, 1, tgt_ids), n_tgt, out, n_threads);
    }

    // Cross-encoder: the logits of every regulator x target pair of two gene lists
    // (n_reg x n_tgt), with the first layer's per-gene parts computed once per gene.
    void score_grid(const index_t* regs, index_t n_reg, const index_t* tgts, index_t n_tgt, T* out,
                    int n_threads) const {
        require(spec().kind == "cross_encoder",
                "score_grid is for cross-encoders; tower models use tower_outputs and tower_scores");
        check_genes(regs, n_reg, spec().n_genes);
        check_genes(tgts, n_tgt, spec().n_genes);
        std::vector<index_t> reg_ids, tgt_ids;
        const index_t* reg_rows = seen_.gene_ids(regs, n_reg, 0, reg_ids);
        const index_t* tgt_rows = seen_.gene_ids(tgts, n_tgt, 1, tgt_ids);
        static_cast<const CrossEncoder<T>&>(*net_).score_grid(params_, buffers_, features_, reg_rows, n_reg, tgt_rows,
                                                              n_tgt, out, n_threads);
        net_->gene_bias().add_grid(params_, reg_rows, n_reg, tgt_rows, n_tgt, out, n_threads);
    }

   private:
    const TwoTower<T>& two_tower() const {
        require(spec().has_towers(), "tower outputs exist only for two-tower and late-interaction models");
        return static_cast<const TwoTower<T>&>(*net_);
    }

    std::unique_ptr<Network<T>> net_;
    const T* params_;
    const T* buffers_;
    const T* features_;
    SeenGenes seen_;
};

}  // namespace grnfast
