"""The portable GEMM path, the only one on arm64 (Apple Silicon, Graviton), compiles
and is correct: csrc/kernels/gemm.hpp built with GRNFAST_PORTABLE_ONLY (what
GRNFAST_PORTABLE=1 pip install . defines) and the x86 CPU checks poisoned, so any
unguarded x86 code fails to compile, then products of every shape and view checked
against a plain triple loop, bit-identical for 1 and 2 threads.

The whole engine on that path: docs/engine.md, "Portable build"."""
import shutil
import subprocess
from pathlib import Path

import pytest

CSRC = Path(__file__).resolve().parents[1] / "csrc"

DRIVER = r"""
#pragma GCC poison __builtin_cpu_supports __builtin_cpu_init
#include "kernels/gemm.hpp"
#if GRNFAST_X86_KERNELS
#error the x86 kernels are compiled in a portable-only build
#endif
#ifdef _IMMINTRIN_H_INCLUDED
#error immintrin.h is included in a portable-only build
#endif
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>

using grnfast::index_t;

template <class T>
double check(index_t M, index_t N, index_t K, bool transpose_b, bool accumulate, std::mt19937& rng) {
    std::normal_distribution<double> normal;
    std::vector<T> A(M * K), B(K * N), C0(M * N), C1, C2;
    for (auto& a : A) a = T(normal(rng));
    for (auto& b : B) b = T(normal(rng));
    for (auto& c : C0) c = T(normal(rng));
    // B stored K x N, or N x K read through a transposed view
    grnfast::MatView<T> a{A.data(), K, 1};
    grnfast::MatView<T> b = transpose_b ? grnfast::MatView<T>{B.data(), 1, K} : grnfast::MatView<T>{B.data(), N, 1};
    C1 = C0;
    C2 = C0;
    grnfast::gemm<T>(M, N, K, a, b, C1.data(), N, accumulate, 1);
    grnfast::gemm<T>(M, N, K, a, b, C2.data(), N, accumulate, 2);
    if (std::memcmp(C1.data(), C2.data(), sizeof(T) * M * N) != 0) return 1e300;  // not bit-identical
    double worst = 0;
    for (index_t i = 0; i < M; ++i)
        for (index_t j = 0; j < N; ++j) {
            double want = accumulate ? double(C0[i * N + j]) : 0.0;
            for (index_t k = 0; k < K; ++k) want += double(a.at(i, k)) * double(b.at(k, j));
            worst = std::max(worst, std::abs(want - double(C1[i * N + j])) / (1.0 + std::abs(want)));
        }
    return worst;
}

int main() {
    std::mt19937 rng(7);
    const index_t shapes[][3] = {{1, 1, 1}, {4, 8, 3}, {5, 9, 300}, {77, 45, 300}, {130, 520, 64}, {3, 4100, 17}};
    double worst_float = 0, worst_double = 0;
    for (auto& s : shapes)
        for (int t = 0; t < 2; ++t)
            for (int acc = 0; acc < 2; ++acc) {
                worst_float = std::max(worst_float, check<float>(s[0], s[1], s[2], t, acc, rng));
                worst_double = std::max(worst_double, check<double>(s[0], s[1], s[2], t, acc, rng));
            }
    std::printf("%s %.3g %.3g\n", grnfast::gemm_kernel_name(), worst_float, worst_double);
    return 0;
}
"""


def compiler():
    for name in ("c++", "g++", "clang++"):
        if shutil.which(name):
            return name
    pytest.skip("no C++ compiler on PATH (c++, g++ or clang++)")


def test_portable_only_gemm_compiles_and_is_correct(tmp_path):
    source = tmp_path / "portable_gemm.cpp"
    source.write_text(DRIVER)
    cxx = compiler()
    openmp = subprocess.run([cxx, "-fopenmp", "-x", "c++", "-", "-o", str(tmp_path / "probe")],
                            input="int main(){}", text=True, capture_output=True).returncode == 0
    cmd = [cxx, "-std=c++17", "-O2", "-DGRNFAST_PORTABLE_ONLY", f"-I{CSRC}", str(source),
           "-o", str(tmp_path / "portable_gemm"), *(["-fopenmp"] if openmp else [])]
    build = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, build.stderr[-3000:]
    run = subprocess.run([str(tmp_path / "portable_gemm")], capture_output=True, text=True, timeout=120, check=True)
    kernel, worst_float, worst_double = run.stdout.split()
    assert kernel == "portable"
    assert float(worst_float) < 1e-4 and float(worst_double) < 1e-12, run.stdout
