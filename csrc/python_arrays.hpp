// NumPy arrays as the engine reads them, shared by the two binding files
// (bindings.cpp: the package's module _core; testing_bindings.cpp: _core_testing,
// for the tests only): array types, and the shape checks every binding runs before
// the engine reads an array.
#pragma once
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <initializer_list>
#include <optional>
#include <stdexcept>
#include <string>

#include "kernels/graph.hpp"
#include "models/layout.hpp"

namespace py = pybind11;

namespace grnfast::python {

template <class T>
using Array = py::array_t<T, py::array::c_style | py::array::forcecast>;
using IndexArray = py::array_t<index_t, py::array::c_style | py::array::forcecast>;

// Refuses an array whose shape is not `shape` (-1: any size) with a ValueError
// naming both shapes.
inline void require_shape(const py::array& a, std::initializer_list<index_t> shape, const char* name) {
    std::string want = "(";
    for (index_t s : shape) want += (s < 0 ? std::string("*") : std::to_string(s)) + ",";
    want.back() = ')';
    bool ok = a.ndim() == static_cast<py::ssize_t>(shape.size());
    size_t d = 0;
    for (index_t s : shape) {
        if (ok && s >= 0 && a.shape(d) != s) ok = false;
        ++d;
    }
    if (!ok) {
        std::string got = "(";
        for (py::ssize_t i = 0; i < a.ndim(); ++i) got += std::to_string(a.shape(i)) + ",";
        if (a.ndim() > 0) got.back() = ')'; else got += ")";
        throw std::invalid_argument(std::string(name) + " has shape " + got + ", expected " + want);
    }
}

// Features as the network expects them: (n_genes x n_features); an empty matrix
// when the model has no feature block.
template <class T>
const T* features_ptr(const ModelSpec& spec, const Array<T>& features) {
    require_shape(features, {spec.n_genes, spec.n_features}, "node_features");
    return features.data();
}

// The known-edge graph a model with graph_dim > 0 reads, from (n x 2) regulator ->
// target edges (the fitted model's training positives); none for other models.
using OptionalEdges = std::optional<IndexArray>;
inline std::optional<EdgeGraph> graph_for(const ModelSpec& spec, const OptionalEdges& edges) {
    if (!spec.graph_block()) return std::nullopt;
    require(edges.has_value(), "the model reads the known-edge graph (graph_dim > 0): pass graph_edges");
    require_shape(*edges, {-1, 2}, "graph_edges");
    return EdgeGraph(spec.n_genes, edges->data(), edges->shape(0));
}

// The genes training saw, (n_genes x 2) flags: as regulator, as target (a NumPy bool
// array converts), or none.
using OptionalFlags = std::optional<py::array_t<std::uint8_t, py::array::c_style | py::array::forcecast>>;
inline const std::uint8_t* seen_flags(const ModelSpec& spec, const OptionalFlags& seen) {
    if (!seen) return nullptr;
    require_shape(*seen, {spec.n_genes, 2}, "seen_genes");
    return seen->data();
}

}  // namespace grnfast::python
