// Two-tower (dual encoder): a regulator tower and a target tower read a gene's
// [embedding, node features (, known-edge graph encoding when graph_dim > 0)]; the logit is their dot product (or cosine) divided by
// a temperature. The gene embedding table is shared by both towers. The
// late-interaction model (late_interaction.hpp) is this with another score.
#pragma once
#include <cmath>

#include "models/feature_skip.hpp"
#include "models/gene_layer.hpp"
#include "models/network.hpp"

namespace grnfast {

template <class T>
class TwoTower : public Network<T> {
    using Network<T>::spec_;
    using Network<T>::layout_;

   public:
    explicit TwoTower(const ModelSpec& spec)
        : Network<T>(spec),
          width_(add_embedding()),
          regulator_(layout_, "regulator_tower.", width_, tower_sizes(spec), true, spec_, /*stream=*/2),
          target_(layout_, "target_tower.", width_, tower_sizes(spec), true, spec_, /*stream=*/3),
          regulator_genes_(gene_layer(regulator_)),
          target_genes_(gene_layer(target_)),
          regulator_skip_(layout_, "regulator_tower.", spec_, vector_width(), spec.tower_vectors()),
          target_skip_(layout_, "target_tower.", spec_, vector_width(), spec.tower_vectors()) {
        this->gene_bias_.add_to(layout_, spec_);
    }

    // The width of a tower's output: its last layer, n_vectors vectors of the last
    // hidden size for the late-interaction model (one vector here).
    index_t output_dim() const { return regulator_.out_dim(); }
    index_t vector_width() const { return output_dim() / spec_.tower_vectors(); }

    void reserve(index_t max_batch) override {
        regulator_.reserve(max_batch);
        target_.reserve(max_batch);
        for (auto* v : {&d_u_, &d_v_}) grow_to(*v, max_batch * output_dim());
        regulator_genes_.reserve(max_batch);
        target_genes_.reserve(max_batch);
    }

    // Tower outputs (n x output_dim, into out) for a list of genes, role 0: regulator
    // tower, 1: target tower, in evaluation mode: what scoring computes once per gene.
    void tower_outputs(int role, const T* params, const T* buffers, const T* features, const index_t* genes,
                       index_t n, T* out, int n_threads) const {
        this->check_graph();
        const index_t D = output_dim();
        tower_chunks(role, params, buffers, features, genes, 1, n, n_threads,
                     [&](const MLP<T>& tower, index_t start, index_t count) {
                         const T* t = tower.layer_outputs().back().first;
                         std::copy(t, t + count * D, out + start * D);
                     });
    }

    // Logits of every row of U (n_u regulator-tower outputs) against every row of V
    // (n_v target-tower outputs), (n_u x n_v), as one matrix product: how a genome
    // is scored once the tower outputs are known.
    virtual void score_outputs(const T* u, index_t n_u, const T* v, index_t n_v, T* out, int n_threads) const {
        const index_t D = output_dim();
        // Unit rows for cosine scores; the temperature goes into the regulator side.
        std::vector<T> U(u, u + n_u * D), V;
        const auto unit_rows = [D](T* M, index_t rows) {
            for (index_t r = 0; r < rows; ++r) {
                T ss = 0;
                for (index_t j = 0; j < D; ++j) ss += M[r * D + j] * M[r * D + j];
                const T inv = T(1) / std::sqrt(ss + T(1e-12));
                for (index_t j = 0; j < D; ++j) M[r * D + j] *= inv;
            }
        };
        if (spec_.cosine) {
            V.assign(v, v + n_v * D);
            unit_rows(U.data(), n_u);
            unit_rows(V.data(), n_v);
        }
        const T inv_t = T(1.0 / spec_.temperature);
        for (T& x : U) x *= inv_t;
        gemm<T>(n_u, n_v, D, {U.data(), D, 1}, {spec_.cosine ? V.data() : v, 1, D}, out, n_v, false, n_threads);
    }

    std::vector<std::pair<std::string, index_t>> layers() const override {
        std::vector<std::pair<std::string, index_t>> out;
        for (const auto& [tower, name] : {std::pair{&regulator_, "regulator_tower."}, {&target_, "target_tower."}}) {
            const auto outputs = tower->layer_outputs();
            for (size_t l = 0; l < outputs.size(); ++l) out.push_back({name + std::to_string(l), outputs[l].second});
        }
        return out;
    }

    // Each pair's regulator through the regulator tower, its target through the target
    // tower, every layer's output kept: outs[l] for the regulator tower's layer l,
    // outs[L + l] for the target tower's (L layers per tower).
    void layer_outputs(const T* params, const T* buffers, const T* features, const index_t* pairs, index_t n,
                       T* const* outs, int n_threads) const override {
        this->check_graph();
        const size_t L = regulator_.layer_outputs().size();
        for (int role = 0; role < 2; ++role)
            tower_chunks(role, params, buffers, features, pairs + role, 2, n, n_threads,
                         [&](const MLP<T>& tower, index_t start, index_t count) {
                             const auto layers = tower.layer_outputs();
                             for (size_t l = 0; l < L; ++l) {
                                 const auto [rows, width] = layers[l];
                                 std::copy(rows, rows + count * width, outs[role * L + l] + start * width);
                             }
                         });
    }

    // Tower outputs once per distinct gene of each role, then one score per pair.
    void predict(const T* params, const T* buffers, const T* features, const index_t* pairs, index_t n, T* logits,
                 int n_threads) const override {
        this->check_graph();
        BatchGenes genes[2];
        std::vector<T> outputs[2];
        const index_t D = output_dim();
        for (int role = 0; role < 2; ++role) {
            genes[role].build(pairs + role, n, spec_.id_space(), 2);
            const index_t m = genes[role].size();
            resize_buffer(outputs[role], m * D, "the tower outputs");
            tower_outputs(role, params, buffers, features, genes[role].genes.data(), m, outputs[role].data(),
                          n_threads);
        }
        parallel_for(n_threads, ceil_div(n, 256), 6.0 * n * D, [&](index_t b) {
            for (index_t i = b * 256; i < std::min(n, b * 256 + 256); ++i)
                logits[i] = score(outputs[0].data() + genes[0].position[static_cast<size_t>(i)] * D,
                                  outputs[1].data() + genes[1].position[static_cast<size_t>(i)] * D);
        });
    }

    void forward(const T* params, T* buffers, const T* features, const index_t* reg, const index_t* tgt, index_t batch,
                 bool training, const DropoutContext& ctx, T* logits, int n_threads) override {
        forward_grid(params, buffers, features, reg, tgt, batch, batch, training, ctx, logits, n_threads);
    }

    bool scores_grids() const override { return true; }

    // Each role's rows through its tower once, then the pairs' scores and the grid's:
    // a grid gene's tower output serves all k of its pairs.
    void forward_grid(const T* params, T* buffers, const T* features, const index_t* reg, const index_t* tgt,
                      index_t rows, index_t batch, bool training, const DropoutContext& ctx, T* logits,
                      int n_threads) override {
        this->check_graph();
        // The towers share nothing until the score, so they run side by side.
        run_side_by_side(
            n_threads,
            [&](int threads) {
                u_ = tower_forward(regulator_, regulator_genes_, regulator_skip_, skip_rows_[0], params, buffers,
                                   features, reg, rows, training, ctx, threads);
            },
            [&](int threads) {
                v_ = tower_forward(target_, target_genes_, target_skip_, skip_rows_[1], params, buffers, features,
                                   tgt, rows, training, ctx, threads);
            });
        const index_t D = output_dim(), k = rows - batch;
        parallel_for(n_threads, ceil_div(batch, 64), 6.0 * batch * D, [&](index_t b) {
            for (index_t r = b * 64; r < std::min(batch, b * 64 + 64); ++r) logits[r] = score(u_ + r * D, v_ + r * D);
        });
        const T* u = u_ + batch * D;
        const T* v = v_ + batch * D;
        parallel_for(n_threads, k, 6.0 * k * k * D, [&](index_t i) {
            for (index_t j = 0; j < k; ++j) logits[batch + i * k + j] = score(u + i * D, v + j * D);
        });
    }

    // Dot product (or cosine) of two tower outputs over the temperature.
    virtual T score(const T* u, const T* v) const {
        const index_t D = output_dim();
        T dot = 0, uu = 0, vv = 0;
        for (index_t j = 0; j < D; ++j) {
            dot += u[j] * v[j];
            uu += u[j] * u[j];
            vv += v[j] * v[j];
        }
        const T inv_t = T(1) / T(spec_.temperature);
        return spec_.cosine ? dot / (norm(uu) * norm(vv)) * inv_t : dot * inv_t;
    }

    // d(g * score(u, v)) with respect to u into du and to v into dv (output_dim each).
    virtual void score_backward(const T* u, const T* v, T g, T* du, T* dv) const {
        const index_t D = output_dim();
        g *= T(1) / T(spec_.temperature);
        if (!spec_.cosine) {
            for (index_t j = 0; j < D; ++j) {
                du[j] = g * v[j];
                dv[j] = g * u[j];
            }
            return;
        }
        // c = u.v / (|u| |v|);  dc/du = v / (|u||v|) - c u / |u|^2
        T dot = 0, uu = 0, vv = 0;
        for (index_t j = 0; j < D; ++j) {
            dot += u[j] * v[j];
            uu += u[j] * u[j];
            vv += v[j] * v[j];
        }
        const T nu = norm(uu), nv = norm(vv);
        const T c = dot / (nu * nv);
        for (index_t j = 0; j < D; ++j) {
            du[j] = g * (v[j] / (nu * nv) - c * u[j] / (nu * nu));
            dv[j] = g * (u[j] / (nu * nv) - c * v[j] / (nv * nv));
        }
    }

    void backward(const T* params, const T* dlogits, index_t batch, T* grads, T* emb_rows, T* feat_rows,
                  int n_threads) override {
        backward_grid(params, dlogits, batch, batch, grads, emb_rows, feat_rows, n_threads);
    }

    // A grid regulator's output gradient sums its row of the grid in order, a grid
    // target's its column, so the sums do not depend on the threads.
    void backward_grid(const T* params, const T* dlogits, index_t rows, index_t batch, T* grads, T* emb_rows,
                       T* feat_rows, int n_threads) override {
        const index_t D = output_dim(), k = rows - batch;
        parallel_for(n_threads, ceil_div(batch, 64), 8.0 * batch * D, [&](index_t b) {
            for (index_t r = b * 64; r < std::min(batch, b * 64 + 64); ++r)
                score_backward(u_ + r * D, v_ + r * D, dlogits[r], d_u_.data() + r * D, d_v_.data() + r * D);
        });
        // Each cell's two gradients once, then each grid gene's sum over its cells.
        const T* grid = dlogits + batch;
        T* cells = grow_to(d_cells_, 2 * k * k * D, "the shared negatives' gradients");
        parallel_for(n_threads, k, 8.0 * k * k * D, [&](index_t i) {
            for (index_t j = 0; j < k; ++j)
                if (grid[i * k + j] != T(0))  // 0: a masked cell (a known edge or a self-pair)
                    score_backward(u_ + (batch + i) * D, v_ + (batch + j) * D, grid[i * k + j],
                                   cells + (i * k + j) * 2 * D, cells + (i * k + j) * 2 * D + D);
        });
        for (int role = 0; role < 2; ++role)
            parallel_for(n_threads, k, 2.0 * k * k * D, [&](index_t i) {
                T* d = (role == 0 ? d_u_ : d_v_).data() + (batch + i) * D;
                std::fill(d, d + D, T(0));
                for (index_t j = 0; j < k; ++j) {
                    const index_t cell = role == 0 ? i * k + j : j * k + i;
                    if (grid[cell] == T(0)) continue;
                    const T* mine = cells + cell * 2 * D + role * D;
                    for (index_t c = 0; c < D; ++c) d[c] += mine[c];
                }
            });
        run_side_by_side(
            n_threads,
            [&](int threads) {
                tower_backward(regulator_, regulator_genes_, regulator_skip_, skip_rows_[0], params, grads,
                               d_u_.data(), rows, emb_rows, feat_rows, threads);
            },
            [&](int threads) {
                // The target rows follow the batch's regulator rows.
                tower_backward(target_, target_genes_, target_skip_, skip_rows_[1], params, grads, d_v_.data(), rows,
                               spec_.use_embeddings ? emb_rows + rows * spec_.embedding_dim : nullptr,
                               feat_rows ? feat_rows + rows * spec_.n_features : nullptr, threads);
            });
        this->sum_graph_gradients({&regulator_genes_, &target_genes_}, grads);
    }

    std::vector<GeneRowGradients<T>> graph_gradients() const override {
        if (!spec_.graph_block()) return {};
        return {regulator_genes_.graph_row_gradients(), target_genes_.graph_row_gradients()};
    }

   private:
    // Runs a role's genes (genes[i * stride], i < n) through its tower in evaluation
    // mode, in chunks handed to the threads as they come free, each thread with its
    // own copy of the tower's buffers; done(tower copy, start, count) then reads the
    // chunk's layer outputs.
    template <class Done>
    void tower_chunks(int role, const T* params, const T* buffers, const T* features, const index_t* genes,
                      index_t stride, index_t n, int n_threads, Done&& done) const {
        const MLP<T>& tower = role == 0 ? regulator_ : target_;
        const GeneLayer<T>& first = role == 0 ? regulator_genes_ : target_genes_;
        const FeatureSkip<T>& skip = role == 0 ? regulator_skip_ : target_skip_;
        const index_t chunk = this->scoring_chunk(n, n_threads);
        struct Workspace {
            MLP<T> tower;
            std::vector<T> rows, skip_rows;
            std::vector<index_t> ids;
        };
        parallel_tasks(
            n_threads, ceil_div(n, chunk), [&] { return Workspace{tower.evaluation_copy(chunk), {}, {}}; },
            [&](Workspace& w, index_t task) {
                const index_t start = task * chunk, count = std::min(chunk, n - start);
                const index_t* ids = genes + start;
                if (stride != 1) {
                    index_t* list = grow_to(w.ids, count);
                    for (index_t i = 0; i < count; ++i) list[i] = genes[(start + i) * stride];
                    ids = list;
                }
                first.parts(params, features, ids, count, w.tower.first_preactivation(), w.rows, 1);
                w.tower.forward_from_first_preactivation(params, buffers, count, 1);
                skip.forward(params, features, ids, 1, count, w.tower.output(), w.skip_rows, 1);
                done(w.tower, start, count);
            });
    }

    // The first layer once per distinct gene of the batch (a prior's regulators recur),
    // copied to each pair's row; batch norm and the later layers per pair; then the
    // feature skip added to the output. When every pair has its own gene, the layer
    // writes the pairs' rows directly.
    const T* tower_forward(MLP<T>& tower, GeneLayer<T>& first, const FeatureSkip<T>& skip,
                           std::vector<T>& skip_rows, const T* params, T* buffers, const T* features,
                           const index_t* ids, index_t batch, bool training, const DropoutContext& ctx,
                           int n_threads) {
        const index_t H = tower.first_width();
        T* z = tower.first_preactivation();
        const T* parts = first.forward(params, features, ids, batch, n_threads, z);
        if (parts != z)
            parallel_for(n_threads, ceil_div(batch, 64), double(batch) * H, [&](index_t b) {
                for (index_t r = b * 64; r < std::min(batch, b * 64 + 64); ++r)
                    std::copy(first.pair_part(r), first.pair_part(r) + H, z + r * H);
            });
        if (training)
            tower.train_from_first_preactivation(params, buffers, batch, ctx, n_threads);
        else
            tower.forward_from_first_preactivation(params, buffers, batch, n_threads);
        skip.forward(params, features, ids, 1, batch, tower.output(), skip_rows, n_threads);
        return tower.output();
    }

    // One tower's backward pass down to its first layer, whose gradients come from the
    // genes' rows; each gene's row gradient (the embedding part into emb_rows, the
    // node-feature part into feat_rows when not null) rides on its first pair's row,
    // zero on the others; the trainer sums rows per gene. When every pair has its own
    // gene and only embeddings are asked for, the rows are written in place. The
    // feature skip's node-feature gradient is each pair's own, added to its row last.
    void tower_backward(MLP<T>& tower, GeneLayer<T>& first, const FeatureSkip<T>& skip, std::vector<T>& skip_rows, const T* params, T* grads, const T* d_out, index_t batch,
                        T* emb_rows, T* feat_rows, int n_threads) {
        const index_t E = spec_.embedding_dim, F = spec_.n_features;
        skip.backward(params, grads, d_out, batch, skip_rows, n_threads);
        const T* dz = tower.backward_to_first_preactivation(params, grads, d_out, batch, n_threads);
        const bool in_place = first.genes().size() == batch && !feat_rows;
        const T* d = first.backward(params, grads, dz, batch, feat_rows != nullptr, n_threads,
                                    in_place ? emb_rows : nullptr);
        if (!d || in_place) return;
        const index_t cols = feat_rows ? first.width() : emb_cols();
        const BatchGenes& genes = first.genes();
        parallel_for(n_threads, ceil_div(batch, 64), double(batch) * cols, [&](index_t b) {
            for (index_t r = b * 64; r < std::min(batch, b * 64 + 64); ++r) {
                const bool is_first = genes.is_first(r);
                const T* src = d + genes.position[static_cast<size_t>(r)] * cols;
                if (spec_.use_embeddings) {
                    if (is_first)
                        std::copy(src, src + E, emb_rows + r * E);
                    else
                        std::fill(emb_rows + r * E, emb_rows + (r + 1) * E, T(0));
                }
                if (feat_rows && spec_.feature_block()) {
                    if (is_first)
                        std::copy(src + emb_cols(), src + emb_cols() + F, feat_rows + r * F);
                    else
                        std::fill(feat_rows + r * F, feat_rows + (r + 1) * F, T(0));
                }
            }
        });
        if (feat_rows) skip.feature_gradients(params, d_out, batch, skip_rows, feat_rows, n_threads);
    }

    // Each tower's layer sizes: the last is n_vectors vectors of the last hidden size.
    static std::vector<index_t> tower_sizes(const ModelSpec& spec) {
        std::vector<index_t> sizes = spec.hidden;
        if (!sizes.empty()) sizes.back() *= spec.tower_vectors();
        return sizes;
    }
    // Smooth norm sqrt(|x|^2 + 1e-12): differentiable at zero, exact elsewhere.
    static T norm(T squared) { return std::sqrt(squared + T(1e-12)); }
    index_t emb_cols() const { return spec_.use_embeddings ? spec_.embedding_dim : 0; }
    index_t gene_cols() const { return emb_cols() + (spec_.feature_block() ? spec_.n_features : 0); }
    index_t add_embedding() {
        add_embedding_table(layout_, spec_);
        this->add_graph_encoder();
        return gene_cols() + this->graph_dim();
    }
    // A tower's first layer: [e | x | g] W + b, rows of W adjacent.
    GeneLayer<T> gene_layer(const MLP<T>& tower) const {
        return GeneLayer<T>(spec_, tower.first_weight(), tower.first_width(), 0, emb_cols(), tower.first_bias(),
                            this->graph_encoder(), gene_cols(), &this->graph_input_,
                            &this->feature_means_);
    }

    index_t width_;
    MLP<T> regulator_, target_;
    GeneLayer<T> regulator_genes_, target_genes_;  // each tower's first layer, once per distinct gene
    FeatureSkip<T> regulator_skip_, target_skip_;
    std::vector<T> skip_rows_[2];                  // each tower's gathered feature rows, for backward
    std::vector<T> d_u_, d_v_;
    std::vector<T> d_cells_;  // each grid cell's gradients with respect to its u and v
    const T* u_ = nullptr;
    const T* v_ = nullptr;
};

}  // namespace grnfast
