// The engine's single kernels, and a model's loss and gradient, bound for the tests
// only (the gradient, property and failure tests, and bench/gemm_rate.py): the module
// grnfast._core_testing, which nothing under grnfast/ imports. Kept out of _core so
// the package's module holds only what the package calls, and its double-precision
// copies of the models are compiled here, not into it.
#include <atomic>
#include <chrono>
#include <cmath>
#include <thread>

#include "engine/trainer.hpp"
#include "python_arrays.hpp"

using namespace grnfast;
using namespace grnfast::python;

namespace {

// Loss and full gradient of a model on one batch, training mode, in float64 (exact
// gradient checks) or float32.
template <class T>
py::tuple loss_and_grad(const ModelSpec& spec, const Array<T>& params, const Array<T>& buffers, const Array<T>& features,
                        const IndexArray& pairs, const Array<T>& y, const std::optional<Array<T>>& weights,
                        std::uint64_t seed, std::uint64_t epoch, bool feature_grad, int n_threads,
                        const OptionalEdges& graph_edges, double degree_scale, const OptionalFlags& seen_genes,
                        const std::optional<IndexArray>& grid_regulators, const std::optional<IndexArray>& grid_targets,
                        const std::optional<Array<T>>& grid_weights, double denominator) {
    auto net = make_network<T>(spec);
    const auto graph = graph_for(spec, graph_edges);
    if (graph) net->set_graph(&*graph, degree_scale);
    const Layout& L = net->layout();
    require_shape(params, {L.n_params}, "params");
    require_shape(buffers, {L.n_buffers}, "buffers");
    require_shape(pairs, {-1, 2}, "pairs");
    const index_t n = pairs.shape(0);
    require_shape(y, {n}, "y");
    if (weights) require_shape(*weights, {n}, "sample weights");
    require(n >= 2, "a training batch needs at least 2 pairs");
    const T* f = features_ptr(spec, features);
    const std::uint8_t* seen = seen_flags(spec, seen_genes);
    Array<T> grad(L.n_params);
    Array<T> new_buffers(L.n_buffers);
    std::copy(buffers.data(), buffers.data() + L.n_buffers, new_buffers.mutable_data());
    py::object fgrad = py::none();
    T* fg = nullptr;
    if (feature_grad) {
        Array<T> a({spec.n_genes, spec.n_features});
        fg = a.mutable_data();
        fgrad = a;
    }
    // A grid of shared negatives: k regulators, k targets, k x k cell weights.
    GridNegatives<T> grid;
    if (grid_regulators || grid_targets || grid_weights) {
        require(grid_regulators && grid_targets && grid_weights, "a grid needs its regulators, targets and weights");
        require_shape(*grid_regulators, {-1}, "grid_regulators");
        const index_t k = grid_regulators->shape(0);
        require_shape(*grid_targets, {k}, "grid_targets");
        require_shape(*grid_weights, {k, k}, "grid_weights");
        grid = {grid_regulators->data(), grid_targets->data(), k, grid_weights->data(), denominator};
    }
    double loss;
    {
        py::gil_scoped_release release;
        loss = loss_and_gradient<T>(*net, params.data(), new_buffers.mutable_data(), f, pairs.data(), y.data(),
                                    weights ? weights->data() : nullptr, n, seed, epoch, grad.mutable_data(), fg,
                                    n_threads, seen, grid);
    }
    return py::make_tuple(loss, grad, new_buffers, fgrad);
}

template <class T>
Array<T> gemm_py(const Array<T>& A, const Array<T>& B, bool transpose_a, bool transpose_b, int n_threads) {
    require(A.ndim() == 2 && B.ndim() == 2, "gemm takes two matrices");
    const index_t M = transpose_a ? A.shape(1) : A.shape(0), K = transpose_a ? A.shape(0) : A.shape(1);
    const index_t K2 = transpose_b ? B.shape(1) : B.shape(0), N = transpose_b ? B.shape(0) : B.shape(1);
    require(K == K2, "inner dimensions differ");
    MatView<T> a = transpose_a ? MatView<T>{A.data(), 1, A.shape(1)} : MatView<T>{A.data(), A.shape(1), 1};
    MatView<T> b = transpose_b ? MatView<T>{B.data(), 1, B.shape(1)} : MatView<T>{B.data(), B.shape(1), 1};
    Array<T> C({M, N});
    gemm<T>(M, N, K, a, b, C.mutable_data(), N, false, n_threads);
    return C;
}

py::tuple dense_forward_py(const Array<double>& X, const Array<double>& W, const Array<double>& b) {
    require_shape(X, {-1, -1}, "X");
    require_shape(W, {X.shape(1), -1}, "W");
    require_shape(b, {W.shape(1)}, "b");
    Array<double> Y({X.shape(0), W.shape(1)});
    dense_forward<double>(X.shape(0), X.shape(1), W.shape(1), X.data(), W.data(), b.data(), Y.mutable_data(), 1);
    return py::make_tuple(Y);
}

py::tuple dense_backward_py(const Array<double>& X, const Array<double>& W, const Array<double>& dY) {
    require_shape(X, {-1, -1}, "X");
    require_shape(W, {X.shape(1), -1}, "W");
    require_shape(dY, {X.shape(0), W.shape(1)}, "dY");
    Array<double> dW({W.shape(0), W.shape(1)}), db(W.shape(1)), dX({X.shape(0), X.shape(1)});
    dense_backward<double>(X.shape(0), X.shape(1), W.shape(1), X.data(), W.data(), dY.data(), dW.mutable_data(),
                           db.mutable_data(), dX.mutable_data(), 2);
    return py::make_tuple(dW, db, dX);
}

// Forward then backward of the fused block in one call (the backward needs the
// forward's cache): returns A, dZ, dgamma, dbeta and the updated running stats.
py::tuple bn_block_py(const Array<double>& Z, const Array<double>& gamma, const Array<double>& beta,
                      const Array<double>& running_mean, const Array<double>& running_var, const Array<double>& dA,
                      bool training, bool batch_norm, double dropout, std::uint64_t seed, int n_threads) {
    require_shape(Z, {-1, -1}, "Z");
    const index_t B = Z.shape(0), H = Z.shape(1);
    for (const auto* a : {&gamma, &beta, &running_mean, &running_var}) require_shape(*a, {H}, "batch-norm vector");
    require_shape(dA, {B, H}, "dA");
    std::vector<double> x_hat(static_cast<size_t>(B * H)), gate(x_hat.size()), mean(static_cast<size_t>(H)),
        invstd(static_cast<size_t>(H));
    Array<double> rm(H), rv(H), A({B, H}), dZ({B, H}), dgamma(H), dbeta(H);
    std::copy(running_mean.data(), running_mean.data() + H, rm.mutable_data());
    std::copy(running_var.data(), running_var.data() + H, rv.mutable_data());
    std::vector<index_t> ids(static_cast<size_t>(B));
    for (index_t i = 0; i < B; ++i) ids[static_cast<size_t>(i)] = i;
    BatchNormConfig bn;
    bn.enabled = batch_norm;
    BatchNormCache<double> cache{x_hat.data(), gate.data(), mean.data(), invstd.data()};
    DropoutKey key{seed, 0, 0, DropoutKey::threshold_for(dropout)};
    bn_relu_dropout_forward<double>(B, H, Z.data(), gamma.data(), beta.data(), rm.mutable_data(), rv.mutable_data(), bn,
                                    training, dropout, key, ids.data(), cache, A.mutable_data(), n_threads);
    bn_relu_dropout_backward<double>(B, H, dA.data(), gamma.data(), bn, cache, dgamma.mutable_data(),
                                     dbeta.mutable_data(), dZ.mutable_data(), n_threads);
    return py::make_tuple(A, dZ, dgamma, dbeta, rm, rv);
}

py::tuple bce_py(const Array<double>& logits, const Array<double>& y, const std::optional<Array<double>>& w) {
    require_shape(logits, {-1}, "logits");
    require_shape(y, {logits.shape(0)}, "y");
    if (w) require_shape(*w, {logits.shape(0)}, "weights");
    Array<double> d(logits.shape(0));
    const double loss = bce_with_logits<double>(logits.shape(0), logits.data(), y.data(), w ? w->data() : nullptr,
                                                d.mutable_data());
    return py::make_tuple(loss, d);
}

// One fused clip + Adam step on a flat parameter vector (the dense path).
template <class T>
py::tuple adam_step_py(const Array<T>& w, const Array<T>& g, const Array<T>& m, const Array<T>& v,
                       std::int64_t step, const AdamConfig& config) {
    require_shape(w, {-1}, "w");
    const index_t n = w.shape(0);
    for (const auto* a : {&g, &m, &v}) require_shape(*a, {n}, "optimizer vector");
    Array<T> w2(n), m2(n), v2(n);
    std::copy(w.data(), w.data() + n, w2.mutable_data());
    std::copy(m.data(), m.data() + n, m2.mutable_data());
    std::copy(v.data(), v.data() + n, v2.mutable_data());
    const double norm = std::sqrt(sum_of_squares(g.data(), n, 2));
    const double scale = clip_scale(norm, config.clip_norm);
    adam_dense<T>(w2.mutable_data(), m2.mutable_data(), v2.mutable_data(), g.data(), n, config,
                  adam_constants(config, step, scale), 2);
    return py::make_tuple(w2, m2, v2, scale);
}

py::tuple embedding_grad_py(const IndexArray& ids, const Array<double>& contributions, int n_threads) {
    require_shape(ids, {-1}, "ids");
    require_shape(contributions, {ids.shape(0), -1}, "contributions");
    EmbeddingGradPlan plan;
    plan.build(ids.data(), ids.shape(0));
    const index_t dim = contributions.shape(1);
    Array<double> rows({plan.size(), dim});
    embedding_reduce<double>(plan, dim, contributions.data(), rows.mutable_data(), n_threads);
    return py::make_tuple(py::array(py::cast(plan.unique_ids)), rows);
}

Array<std::uint8_t> dropout_mask_py(std::uint64_t seed, std::uint64_t epoch, std::uint64_t stream,
                                    const IndexArray& samples, index_t width, double p) {
    require_shape(samples, {-1}, "samples");
    DropoutKey key{seed, epoch, stream, DropoutKey::threshold_for(p)};
    Array<std::uint8_t> out({samples.shape(0), width});
    for (index_t r = 0; r < samples.shape(0); ++r) {
        const auto base = key.sample_base(samples.data()[r]);
        for (index_t j = 0; j < width; ++j) out.mutable_data()[r * width + j] = key.dropped(base, j) ? 0 : 1;
    }
    return out;
}

// Embedding dropout's decisions for each sample's (regulator, target) occurrences:
// (n x 2), 1 where the occurrence reads the unknown-gene row (drop_identities over
// genes 0 and 1 of a two-gene table, none of them unseen).
Array<std::uint8_t> embedding_dropout_mask_py(std::uint64_t seed, std::uint64_t epoch, const IndexArray& samples,
                                              double p) {
    require_shape(samples, {-1}, "samples");
    require(p >= 0.0 && p < 1.0, "p must be in [0, 1)");
    const index_t n = samples.shape(0);
    std::vector<index_t> ids(static_cast<size_t>(2 * n), 0);
    drop_identities(ids.data(), n, samples.data(), 1, nullptr,
                    DropoutKey{seed, epoch, kIdentityStream, DropoutKey::threshold_for(p)});
    Array<std::uint8_t> out({n, index_t(2)});
    for (index_t r = 0; r < n; ++r)
        for (index_t role = 0; role < 2; ++role)
            out.mutable_data()[2 * r + role] = static_cast<std::uint8_t>(ids[static_cast<size_t>(role * n + r)]);
    return out;
}

// Throws `error` ("value": std::invalid_argument, "memory": std::bad_alloc) from a
// worker thread (not the calling one) inside one kind of parallel region: the test
// that every region hands the exception to the caller. Returns how many pieces of
// work ran when nothing was thrown (no worker thread: no OpenMP, or one thread).
int throw_in_parallel(const std::string& region, const std::string& error, int n_threads) {
    require(error == "value" || error == "memory", "error must be 'value' or 'memory'");
    const auto on_worker = [&] {
#ifdef _OPENMP
        if (omp_get_thread_num() == 0) return;
#else
        return;
#endif
        if (error == "value") throw std::invalid_argument("thrown on a worker thread");
        throw std::bad_alloc();
    };
    std::atomic<int> ran{0};
    // Tasks go to whichever thread is free: on a busy machine the master could take
    // all of them before a worker wakes, so the master's tasks wait (up to 10 s) for
    // a worker to have taken one.
    std::atomic<bool> worker_started{false};
    const auto task = [&] {
#ifdef _OPENMP
        if (omp_get_thread_num() != 0) worker_started = true;
        const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (omp_get_num_threads() > 1 && !worker_started && std::chrono::steady_clock::now() < until)
            std::this_thread::sleep_for(std::chrono::microseconds(100));
#endif
        on_worker();
        ++ran;
    };
    py::gil_scoped_release release;
    if (region == "parallel_for") {
        parallel_for(n_threads, 64, 1e9, [&](index_t) { task(); });
    } else if (region == "parallel_tasks") {
        parallel_tasks(n_threads, 64, [] { return 0; }, [&](int&, index_t) { task(); });
    } else if (region == "parallel_tasks_state") {
        parallel_tasks(n_threads, 64, [&] { on_worker(); return 0; }, [&](int&, index_t) { ++ran; });
    } else if (region == "run_side_by_side") {
        run_side_by_side(n_threads, [&](int) { on_worker(); ++ran; }, [&](int) { on_worker(); ++ran; });
    } else {
        throw std::invalid_argument("unknown region '" + region + "'");
    }
    return ran;
}

// The graph encoder alone: forward for `genes` over the graph of `edges` (degrees
// times degree_scale), gene rows [emb, feat] (either may have zero columns), then
// backward from d_out. Returns g, g from the evaluation path, d_weight, d_bias, the
// genes read and d(loss)/d(their rows), of the rows' first `cols` columns (all when
// negative). cached_features: the training forward reads the feature columns'
// neighbour means from NeighbourFeatureMeans (as a trainer's fold does).
template <class T>
py::tuple graph_encoder_py(const Array<T>& emb, const Array<T>& feat, const Array<T>& weight, const Array<T>& bias,
                           const IndexArray& edges, const IndexArray& genes, double degree_scale,
                           const Array<T>& d_out, index_t cols, int n_threads, bool cached_features) {
    require_shape(emb, {-1, -1}, "emb");
    const index_t n_genes = emb.shape(0), E = emb.shape(1);
    require_shape(feat, {n_genes, -1}, "feat");
    const index_t F = feat.shape(1), D = E + F;
    require_shape(weight, {GraphEncoder<T>::input_width(D), -1}, "weight");
    const index_t G = weight.shape(1);
    require_shape(bias, {G}, "bias");
    require_shape(edges, {-1, 2}, "edges");
    require_shape(genes, {-1}, "genes");
    const index_t n = genes.shape(0);
    require_shape(d_out, {n, G}, "d_out");
    for (index_t i = 0; i < n; ++i)
        require(genes.data()[i] >= 0 && genes.data()[i] < n_genes,
                "gene " + std::to_string(i) + " is outside the table");
    const EdgeGraph graph(n_genes, edges.data(), edges.shape(0));
    const index_t K = GraphEncoder<T>::input_width(D);
    GraphEncoder<T> enc(D, G, 0, K * G);
    std::vector<T> params(static_cast<size_t>(K * G + G)), grads(params.size(), T(0));
    std::copy(weight.data(), weight.data() + weight.size(), params.begin());
    std::copy(bias.data(), bias.data() + G, params.begin() + weight.size());
    const GeneRows<T> rows{E ? emb.data() : nullptr, E, F ? feat.data() : nullptr, F};
    Array<T> g({n, G}), g_eval({n, G}), dW({K, G}), db(G);
    NeighbourFeatureMeans<T> means;
    if (cached_features && F > 0) means.compute(graph, feat.data(), F, n_threads);
    const T* out = enc.forward(params.data(), rows, graph, T(degree_scale), genes.data(), n, n_threads,
                               means.for_graph(graph, feat.data(), F));
    std::copy(out, out + n * G, g.mutable_data());
    enc.encode(params.data(), rows, graph, T(degree_scale), genes.data(), n, g_eval.mutable_data(), n_threads);
    enc.backward(params.data(), d_out.data(), graph, grads.data(), grads.data() + K * G, cols < 0 ? D : cols,
                 n_threads);
    std::copy(grads.begin(), grads.begin() + dW.size(), dW.mutable_data());
    std::copy(grads.begin() + dW.size(), grads.end(), db.mutable_data());
    const index_t m = static_cast<index_t>(enc.read_genes().size());
    const index_t width = enc.read_width();
    Array<T> d_rows({m, width});
    std::copy(enc.read_gradients(), enc.read_gradients() + m * width, d_rows.mutable_data());
    IndexArray read(m);
    std::copy(enc.read_genes().begin(), enc.read_genes().end(), read.mutable_data());
    return py::make_tuple(g, g_eval, dW, db, read, d_rows);
}

// NeighbourFeatureMeans of the node features feat (n_genes x F) over the graph of
// edges: (n_genes x 2F), [mean over each gene's targets | over its regulators].
template <class T>
Array<T> neighbour_feature_means_py(const Array<T>& feat, const IndexArray& edges, int n_threads) {
    require_shape(feat, {-1, -1}, "feat");
    require_shape(edges, {-1, 2}, "edges");
    const index_t n_genes = feat.shape(0), F = feat.shape(1);
    require(F > 0, "feat needs at least one column");
    const EdgeGraph graph(n_genes, edges.data(), edges.shape(0));
    NeighbourFeatureMeans<T> means;
    means.compute(graph, feat.data(), F, n_threads);
    const T* m = means.for_graph(graph, feat.data(), F);
    require(m != nullptr, "the means were not kept");
    Array<T> out({n_genes, 2 * F});
    std::copy(m, m + n_genes * 2 * F, out.mutable_data());
    return out;
}

// MaxSim of one regulator's vectors u (m x d) against one target's v (m x d), and
// d(g * score)/du, /dv; and the block form over sets of vectors (U: n_u x m x d,
// V: n_v x m x d) that genome-wide scoring uses.
template <class T>
py::tuple maxsim_py(const Array<T>& u, const Array<T>& v, bool cosine, double g) {
    require_shape(u, {-1, -1}, "u");
    require_shape(v, {u.shape(0), u.shape(1)}, "v");
    const index_t m = u.shape(0), d = u.shape(1);
    require(m >= 1 && d >= 1, "u and v need at least one vector of at least one number");
    Array<T> du({m, d}), dv({m, d});
    IndexArray best(m);
    const T score = maxsim<T>(u.data(), v.data(), m, d, cosine, best.mutable_data());
    maxsim_backward<T>(u.data(), v.data(), m, d, cosine, T(g), du.mutable_data(), dv.mutable_data());
    return py::make_tuple(score, du, dv, best);
}

template <class T>
Array<T> maxsim_grid_py(const Array<T>& U, const Array<T>& V, bool cosine, double scale, int n_threads) {
    require_shape(U, {-1, -1, -1}, "U");
    require_shape(V, {-1, U.shape(1), U.shape(2)}, "V");
    require(U.shape(1) >= 1 && U.shape(2) >= 1, "U and V need at least one vector of at least one number");
    Array<T> out({U.shape(0), V.shape(0)});
    py::gil_scoped_release release;
    maxsim_grid<T>(U.data(), U.shape(0), V.data(), V.shape(0), U.shape(1), U.shape(2), cosine, T(scale),
                   out.mutable_data(), n_threads);
    return out;
}

}  // namespace

PYBIND11_MODULE(_core_testing, m) {
    m.doc() = "grnfast's engine kernels, one by one, for the tests (float64 and float32).";
    // loss_and_grad and adam_step take _core's ModelSpec and AdamConfig: pybind11 finds
    // another module's types once that module is loaded.
    py::module_::import("grnfast._core");
    m.def("loss_and_grad", &loss_and_grad<double>, py::arg("spec"), py::arg("params").noconvert(), py::arg("buffers"),
          py::arg("features"), py::arg("pairs"), py::arg("y"), py::arg("weights") = py::none(), py::arg("seed") = 0,
          py::arg("epoch") = 0, py::arg("feature_grad") = false, py::arg("n_threads") = 1,
          py::arg("graph_edges") = py::none(), py::arg("degree_scale") = 1.0, py::arg("seen_genes") = py::none(),
          py::arg("grid_regulators") = py::none(), py::arg("grid_targets") = py::none(),
          py::arg("grid_weights") = py::none(), py::arg("denominator") = 0.0);
    m.def("loss_and_grad", &loss_and_grad<float>, py::arg("spec"), py::arg("params").noconvert(), py::arg("buffers"),
          py::arg("features"), py::arg("pairs"), py::arg("y"), py::arg("weights") = py::none(), py::arg("seed") = 0,
          py::arg("epoch") = 0, py::arg("feature_grad") = false, py::arg("n_threads") = 1,
          py::arg("graph_edges") = py::none(), py::arg("degree_scale") = 1.0, py::arg("seen_genes") = py::none(),
          py::arg("grid_regulators") = py::none(), py::arg("grid_targets") = py::none(),
          py::arg("grid_weights") = py::none(), py::arg("denominator") = 0.0);
    m.def("gemm", &gemm_py<double>, py::arg("A").noconvert(), py::arg("B").noconvert(), py::arg("transpose_a") = false,
          py::arg("transpose_b") = false, py::arg("n_threads") = 1);
    m.def("gemm", &gemm_py<float>, py::arg("A").noconvert(), py::arg("B").noconvert(), py::arg("transpose_a") = false,
          py::arg("transpose_b") = false, py::arg("n_threads") = 1);
    m.def("dense_forward", &dense_forward_py);
    m.def("dense_backward", &dense_backward_py);
    m.def("bn_relu_dropout", &bn_block_py, py::arg("Z"), py::arg("gamma"), py::arg("beta"), py::arg("running_mean"),
          py::arg("running_var"), py::arg("dA"), py::arg("training") = true, py::arg("batch_norm") = true,
          py::arg("dropout") = 0.0, py::arg("seed") = 0, py::arg("n_threads") = 1);
    m.def("bce_with_logits", &bce_py, py::arg("logits"), py::arg("y"), py::arg("weights") = py::none());
    m.def("clip_scale", &clip_scale);
    m.def("adam_step", &adam_step_py<double>, py::arg("w").noconvert(), py::arg("g"), py::arg("m"), py::arg("v"),
          py::arg("step"), py::arg("config"));
    m.def("adam_step", &adam_step_py<float>, py::arg("w").noconvert(), py::arg("g"), py::arg("m"), py::arg("v"),
          py::arg("step"), py::arg("config"));
    m.def("embedding_grad", &embedding_grad_py, py::arg("ids"), py::arg("contributions"), py::arg("n_threads") = 1);
    m.def("throw_in_parallel", &throw_in_parallel, py::arg("region"), py::arg("error"), py::arg("n_threads") = 2);
    m.def("dropout_mask", &dropout_mask_py, py::arg("seed"), py::arg("epoch"), py::arg("stream"), py::arg("samples"),
          py::arg("width"), py::arg("p"));
    m.def("embedding_dropout_mask", &embedding_dropout_mask_py, py::arg("seed"), py::arg("epoch"), py::arg("samples"),
          py::arg("p"), "Embedding dropout's decisions, (n, 2): 1 where the occurrence reads the unknown row.");
    m.def("maxsim", &maxsim_py<double>, py::arg("u").noconvert(), py::arg("v"), py::arg("cosine") = false,
          py::arg("g") = 1.0, "MaxSim score, its gradients (g times) and each u vector's chosen v vector.");
    m.def("maxsim", &maxsim_py<float>, py::arg("u").noconvert(), py::arg("v"), py::arg("cosine") = false,
          py::arg("g") = 1.0);
    m.def("maxsim_grid", &maxsim_grid_py<double>, py::arg("U").noconvert(), py::arg("V"), py::arg("cosine") = false,
          py::arg("scale") = 1.0, py::arg("n_threads") = 1);
    m.def("maxsim_grid", &maxsim_grid_py<float>, py::arg("U").noconvert(), py::arg("V"), py::arg("cosine") = false,
          py::arg("scale") = 1.0, py::arg("n_threads") = 1);
    m.def("graph_encoder", &graph_encoder_py<double>, py::arg("emb").noconvert(), py::arg("feat"), py::arg("weight"),
          py::arg("bias"), py::arg("edges"), py::arg("genes"), py::arg("degree_scale"), py::arg("d_out"),
          py::arg("cols") = -1, py::arg("n_threads") = 1, py::arg("cached_features") = false);
    m.def("neighbour_feature_means", &neighbour_feature_means_py<double>, py::arg("feat").noconvert(), py::arg("edges"),
          py::arg("n_threads") = 1);
    m.def("graph_encoder", &graph_encoder_py<float>, py::arg("emb").noconvert(), py::arg("feat"), py::arg("weight"),
          py::arg("bias"), py::arg("edges"), py::arg("genes"), py::arg("degree_scale"), py::arg("d_out"),
          py::arg("cols") = -1, py::arg("n_threads") = 1, py::arg("cached_features") = false);
    m.def("neighbour_feature_means", &neighbour_feature_means_py<float>, py::arg("feat").noconvert(), py::arg("edges"),
          py::arg("n_threads") = 1);
}
