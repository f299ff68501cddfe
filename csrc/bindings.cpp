// The package's module grnfast._core, and the only file besides python_arrays.hpp
// and testing_bindings.cpp (the tests' module) that knows about Python: converts
// arrays, checks shapes, releases the GIL around the engine, and turns Ctrl-C between
// batches into KeyboardInterrupt. It binds only what grnfast/ calls.
// Engine exceptions become Python's: std::invalid_argument ValueError, std::out_of_range
// IndexError, std::bad_alloc (and OutOfMemory, which names the size) MemoryError.
#include <pybind11/functional.h>

#include <chrono>

#include "engine/fitted_network.hpp"
#include "engine/trainer.hpp"
#include "python_arrays.hpp"

using namespace grnfast;
using namespace grnfast::python;

namespace {

// The layout is the same for every numeric type; float is the one the package runs,
// so _core compiles no double copy of the models (the tests' module has that).
py::dict layout_dict(const ModelSpec& spec) {
    auto net = make_network<float>(spec);
    auto groups = [](const std::vector<ParamGroup>& gs) {
        py::list out;
        for (const auto& g : gs)
            out.append(py::dict(py::arg("name") = g.name, py::arg("kind") = g.kind, py::arg("shape") = py::tuple(py::cast(g.shape)),
                                py::arg("offset") = g.offset, py::arg("size") = g.size));
        return out;
    };
    const Layout& L = net->layout();
    return py::dict(py::arg("params") = groups(L.params), py::arg("buffers") = groups(L.buffers),
                    py::arg("n_params") = L.n_params, py::arg("n_buffers") = L.n_buffers);
}

// A fitted network for Python: holds the arrays it reads (so they live as long as it
// does), its known-edge graph (graph_dim > 0) and the engine's FittedNetwork, built
// once. Not picklable: the Python object that owns it keeps the arrays and rebuilds
// it after unpickling.
class PyFittedNetwork {
   public:
    PyFittedNetwork(const ModelSpec& spec, Array<float> params, Array<float> buffers, Array<float> features,
                    const OptionalEdges& graph_edges, const OptionalFlags& seen_genes)
        : params_(std::move(params)),
          buffers_(std::move(buffers)),
          features_(std::move(features)),
          graph_(graph_for(spec, graph_edges)),
          net_(spec, params_.data(), buffers_.data(), features_.data(), graph_ ? &*graph_ : nullptr,
               seen_flags(spec, seen_genes)) {
        require_shape(params_, {net_.layout().n_params}, "params");
        require_shape(buffers_, {net_.layout().n_buffers}, "buffers");
        require_shape(features_, {spec.n_genes, spec.n_features}, "node_features");
    }

    Array<float> predict_logits(const IndexArray& pairs, int n_threads) const {
        require_shape(pairs, {-1, 2}, "pairs");
        Array<float> logits(pairs.shape(0));
        py::gil_scoped_release release;
        net_.predict_logits(pairs.data(), pairs.shape(0), logits.mutable_data(), n_threads);
        return logits;
    }

    // {layer name: (n x width)} for every layer, evaluation mode.
    py::dict layer_outputs(const IndexArray& pairs, int n_threads) const {
        require_shape(pairs, {-1, 2}, "pairs");
        const index_t n = pairs.shape(0);
        py::dict result;
        std::vector<float*> outs;
        for (const auto& [name, width] : net_.layers()) {
            Array<float> a({n, width});
            outs.push_back(a.mutable_data());
            result[py::str(name)] = a;
        }
        py::gil_scoped_release release;
        net_.layer_outputs(pairs.data(), n, outs.data(), n_threads);
        return result;
    }

    Array<float> tower_outputs(const IndexArray& genes, int role, int n_threads) const {
        require_shape(genes, {-1}, "genes");
        Array<float> out({genes.shape(0), net_.output_dim()});
        py::gil_scoped_release release;
        net_.tower_outputs(role, genes.data(), genes.shape(0), out.mutable_data(), n_threads);
        return out;
    }

    // With the genes whose outputs u and v are, their gene biases are added too.
    Array<float> tower_scores(const Array<float>& u, const Array<float>& v, int n_threads,
                              const std::optional<IndexArray>& regs, const std::optional<IndexArray>& tgts) const {
        require_shape(u, {-1, net_.output_dim()}, "regulator tower outputs");
        require_shape(v, {-1, net_.output_dim()}, "target tower outputs");
        require(regs.has_value() == tgts.has_value(), "give both regulators and targets, or neither");
        if (regs) {
            require_shape(*regs, {u.shape(0)}, "regulators (one per regulator tower output)");
            require_shape(*tgts, {v.shape(0)}, "targets (one per target tower output)");
        }
        Array<float> out({u.shape(0), v.shape(0)});
        py::gil_scoped_release release;
        net_.tower_scores(u.data(), u.shape(0), v.data(), v.shape(0), out.mutable_data(), n_threads);
        if (regs)
            net_.add_gene_bias(regs->data(), u.shape(0), tgts->data(), v.shape(0), out.mutable_data(), n_threads);
        return out;
    }

    Array<float> score_grid(const IndexArray& regs, const IndexArray& tgts, int n_threads) const {
        require_shape(regs, {-1}, "regulators");
        require_shape(tgts, {-1}, "targets");
        Array<float> out({regs.shape(0), tgts.shape(0)});
        py::gil_scoped_release release;
        net_.score_grid(regs.data(), regs.shape(0), tgts.data(), tgts.shape(0), out.mutable_data(), n_threads);
        return out;
    }

   private:
    Array<float> params_, buffers_, features_;
    std::optional<EdgeGraph> graph_;
    FittedNetwork<float> net_;
};

class PyTrainer {
   public:
    PyTrainer(const ModelSpec& spec, const AdamConfig& adam, index_t batch_size, int n_threads)
        : trainer_(spec, adam, batch_size, n_threads) {}

    void set_state(const Array<float>& params, const Array<float>& buffers) {
        require_shape(params, {static_cast<index_t>(trainer_.params().size())}, "params");
        require_shape(buffers, {static_cast<index_t>(trainer_.buffers().size())}, "buffers");
        std::copy(params.data(), params.data() + params.size(), trainer_.params().begin());
        std::copy(buffers.data(), buffers.data() + buffers.size(), trainer_.buffers().begin());
    }
    void set_graph(const IndexArray& edges) {
        require_shape(edges, {-1, 2}, "graph_edges");
        trainer_.set_graph(edges.data(), edges.shape(0));
    }
    void set_seen_genes(const OptionalFlags& seen) {
        trainer_.set_seen_genes(seen_flags(trainer_.network().spec(), seen));
    }
    void set_shared_negatives(const IndexArray& regulators, const IndexArray& targets, const IndexArray& forbidden,
                              index_t k, double per_row, double weight) {
        require_shape(regulators, {-1}, "shared negatives' regulators");
        require_shape(targets, {-1}, "shared negatives' targets");
        require_shape(forbidden, {-1}, "shared negatives' forbidden pairs");
        require(k >= 0, "shared negatives: k must not be negative");
        SharedNegatives shared;
        shared.regulators.assign(regulators.data(), regulators.data() + regulators.shape(0));
        shared.targets.assign(targets.data(), targets.data() + targets.shape(0));
        shared.forbidden.assign(forbidden.data(), forbidden.data() + forbidden.shape(0));
        shared.k = k;
        shared.per_row = per_row;
        shared.weight = weight;
        trainer_.set_shared_negatives(std::move(shared));
    }
    Array<float> params() { return copy(trainer_.params()); }
    Array<float> buffers() { return copy(trainer_.buffers()); }
    std::int64_t steps() const { return trainer_.steps(); }

    // Logits from the current weights in evaluation mode, without copying the
    // weights out (validation every epoch would otherwise hold a second copy).
    Array<float> predict_logits(const Array<float>& features, const IndexArray& pairs) {
        const float* f = features_ptr(trainer_.network().spec(), features);
        require_shape(pairs, {-1, 2}, "pairs");
        Array<float> logits(pairs.shape(0));
        {
            py::gil_scoped_release release;
            trainer_.predict_logits(f, pairs.data(), pairs.shape(0), logits.mutable_data());
        }
        return logits;
    }

    double train_epoch(const Array<float>& features, const IndexArray& pairs, const Array<float>& y,
                       const std::optional<Array<float>>& weights, std::uint64_t seed, std::uint64_t epoch) {
        const ModelSpec& spec = trainer_.network().spec();
        const float* f = features_ptr(spec, features);
        require_shape(pairs, {-1, 2}, "pairs");
        const index_t n = pairs.shape(0);
        require_shape(y, {n}, "y");
        if (weights) require_shape(*weights, {n}, "sample weights");
        // Between batches, at most every 100 ms, asks Python for pending signals, so
        // Ctrl-C stops training. Not every batch: taking the GIL back waits for the
        // interpreter's switch interval (5 ms) whenever another Python thread is busy,
        // longer than a batch takes.
        auto last_check = std::chrono::steady_clock::now();
        std::function<bool()> interrupted = [&last_check] {
            const auto now = std::chrono::steady_clock::now();
            if (now - last_check < std::chrono::milliseconds(100)) return false;
            last_check = now;
            py::gil_scoped_acquire acquire;
            return PyErr_CheckSignals() != 0;
        };
        double loss;
        {
            py::gil_scoped_release release;
            loss = trainer_.train_epoch(f, pairs.data(), y.data(), weights ? weights->data() : nullptr, n, seed, epoch,
                                        interrupted);
        }
        if (PyErr_Occurred()) throw py::error_already_set();
        return loss;
    }

   private:
    static Array<float> copy(const std::vector<float>& v) {
        Array<float> a(static_cast<py::ssize_t>(v.size()));
        std::copy(v.begin(), v.end(), a.mutable_data());
        return a;
    }
    Trainer<float> trainer_;
};

}  // namespace

PYBIND11_MODULE(_core, m) {
    m.doc() = "grnfast's C++ engine";
    m.def("has_openmp", &has_openmp, "Whether the engine was built with OpenMP.");
    m.def("gemm_kernel", [] { return std::string(gemm_kernel_name()); }, "The float GEMM kernel in use.");

    py::class_<ModelSpec>(m, "ModelSpec")
        .def(py::init<>())
        .def_readwrite("kind", &ModelSpec::kind)
        .def_readwrite("n_genes", &ModelSpec::n_genes)
        .def_readwrite("n_features", &ModelSpec::n_features)
        .def_readwrite("embedding_dim", &ModelSpec::embedding_dim)
        .def_readwrite("hidden", &ModelSpec::hidden)
        .def_readwrite("dropout", &ModelSpec::dropout)
        .def_readwrite("batch_norm", &ModelSpec::batch_norm)
        .def_readwrite("use_embeddings", &ModelSpec::use_embeddings)
        .def_readwrite("use_expression", &ModelSpec::use_expression)
        .def_readwrite("use_product", &ModelSpec::use_product)
        .def_readwrite("temperature", &ModelSpec::temperature)
        .def_readwrite("cosine", &ModelSpec::cosine)
        .def_readwrite("n_vectors", &ModelSpec::n_vectors)
        .def_readwrite("graph_dim", &ModelSpec::graph_dim)
        .def_readwrite("embedding_dropout", &ModelSpec::embedding_dropout)
        .def_readwrite("feature_interaction", &ModelSpec::feature_interaction)
        .def_readwrite("gene_bias", &ModelSpec::gene_bias)
        .def_readwrite("bn_momentum", &ModelSpec::bn_momentum)
        .def_readwrite("bn_eps", &ModelSpec::bn_eps)
        .def("validate", &ModelSpec::validate);

    py::class_<AdamConfig>(m, "AdamConfig")
        .def(py::init<>())
        .def_readwrite("learning_rate", &AdamConfig::learning_rate)
        .def_readwrite("beta1", &AdamConfig::beta1)
        .def_readwrite("beta2", &AdamConfig::beta2)
        .def_readwrite("eps", &AdamConfig::eps)
        .def_readwrite("l2", &AdamConfig::l2)
        .def_readwrite("decoupled", &AdamConfig::decoupled)
        .def_readwrite("clip_norm", &AdamConfig::clip_norm)
        .def_readwrite("lazy_embeddings", &AdamConfig::lazy_embeddings);

    m.def("layout", &layout_dict, py::arg("spec"), "Parameter and buffer groups of a model: names, shapes, offsets.");
    py::class_<PyFittedNetwork>(m, "FittedNetwork",
                                "A fitted network built once from its spec, weights, running statistics and node "
                                "features; every scoring call reads them. Not picklable (rebuild it from the arrays).")
        .def(py::init<const ModelSpec&, Array<float>, Array<float>, Array<float>, const OptionalEdges&,
                      const OptionalFlags&>(),
             py::arg("spec"), py::arg("params"), py::arg("buffers"), py::arg("features"),
             py::arg("graph_edges") = py::none(), py::arg("seen_genes") = py::none())
        .def("predict_logits", &PyFittedNetwork::predict_logits, py::arg("pairs"), py::arg("n_threads") = 1)
        .def("layer_outputs", &PyFittedNetwork::layer_outputs, py::arg("pairs"), py::arg("n_threads") = 1,
             "Every layer's output for each pair, evaluation mode: {layer name: (n, width)}.")
        .def("tower_outputs", &PyFittedNetwork::tower_outputs, py::arg("genes"), py::arg("role"),
             py::arg("n_threads") = 1, "Two-tower: tower outputs of genes, role 0 regulator, 1 target.")
        .def("tower_scores", &PyFittedNetwork::tower_scores, py::arg("regulator_outputs"),
             py::arg("target_outputs"), py::arg("n_threads") = 1, py::arg("regulators") = py::none(),
             py::arg("targets") = py::none(),
             "Two-tower logits of every regulator-tower row against every target-tower row (with the "
             "regulators' and targets' gene rows: their gene biases too).")
        .def("score_grid", &PyFittedNetwork::score_grid, py::arg("regulators"), py::arg("targets"),
             py::arg("n_threads") = 1, "Cross-encoder logits of every regulator x target pair.");

    py::class_<PyTrainer>(m, "Trainer")
        .def(py::init<const ModelSpec&, const AdamConfig&, index_t, int>(), py::arg("spec"), py::arg("adam"),
             py::arg("batch_size"), py::arg("n_threads"))
        .def("set_state", &PyTrainer::set_state, py::arg("params"), py::arg("buffers"))
        .def("set_graph", &PyTrainer::set_graph, py::arg("edges"))
        .def("set_seen_genes", &PyTrainer::set_seen_genes, py::arg("seen_genes"))
        .def("set_shared_negatives", &PyTrainer::set_shared_negatives, py::arg("regulators"), py::arg("targets"),
             py::arg("forbidden"), py::arg("k"), py::arg("per_row"), py::arg("weight"),
             "Every batch's random negatives: k candidate regulators x k candidate targets drawn for it, every "
             "pair but self-pairs and the forbidden codes (regulator * n_genes + target), weighing per_row "
             "random pairs per batch pair, times weight (two-tower family).")
        .def("params", &PyTrainer::params)
        .def("buffers", &PyTrainer::buffers)
        .def("predict_logits", &PyTrainer::predict_logits, py::arg("features"), py::arg("pairs"))
        .def_property_readonly("steps", &PyTrainer::steps)
        .def("train_epoch", &PyTrainer::train_epoch, py::arg("features"), py::arg("pairs"), py::arg("y"),
             py::arg("weights"), py::arg("seed"), py::arg("epoch"));
}
