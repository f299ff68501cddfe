// Matrix product C = [C +] A * B with a register-blocked micro-kernel over packed
// panels of B and A read in place.
//
// Every element of C is summed over k in the same order (k blocks of equal depth,
// at most KC, in turn, k ascending inside a block) by one thread, whatever the
// thread count, so the product is bit-identical for any n_threads. Float kernels
// are chosen at run time: AVX-512 (8x32 tile), AVX2+FMA (6x16), or portable C++
// (4x8); both SIMD kernels use fused multiply-add in the same order and so agree
// with each other exactly. The kernels keep their accumulators in registers: every
// loop over the tile's rows is unrolled, or GCC spills them to the stack on every
// step of k (which made the AVX2 kernel 2.5x slower).
//
// The SIMD kernels exist only where the compiler targets x86-64 (GCC or Clang, for
// their target attributes and cpu checks); elsewhere (arm64: Apple Silicon,
// Graviton) the portable kernel is the only one. GRNFAST_PORTABLE_ONLY (the build's
// GRNFAST_PORTABLE=1) compiles that portable-only path on x86 too, which is how it
// is tested here.
#pragma once
#if (defined(__x86_64__) || defined(_M_X64)) && (defined(__GNUC__) || defined(__clang__)) && \
    !defined(GRNFAST_PORTABLE_ONLY)
#define GRNFAST_X86_KERNELS 1
#include <immintrin.h>
#else
#define GRNFAST_X86_KERNELS 0
#endif

#include <cstdlib>
#include <cstring>
#include <string>

#include "core/parallel.hpp"

namespace grnfast {

// A strided read-only matrix: element (i, j) is data[i * rs + j * cs]. Transposes
// are views, so one product routine serves X*W, X^T*dY and dY*W^T.
template <class T>
struct MatView {
    const T* data;
    index_t rs;
    index_t cs;
    T at(index_t i, index_t j) const { return data[i * rs + j * cs]; }
};

namespace gemm_detail {

constexpr index_t KC = 256;   // greatest depth of one packed block
constexpr index_t MC = 48;    // about the rows of A per parallel task
constexpr index_t NC = 4096;  // columns of B packed at once

// Writes an accumulated mr x nr tile into C, adding to C when accumulate is set.
template <class T>
inline void store_tile(const T* tile, int nr_tile, T* C, index_t ldc, int mv, int nv, bool accumulate) {
    for (int i = 0; i < mv; ++i)
        for (int j = 0; j < nv; ++j)
            C[i * ldc + j] = accumulate ? C[i * ldc + j] + tile[i * nr_tile + j] : tile[i * nr_tile + j];
}

template <class T, int MR, int NR>
void kernel_portable(index_t kc, const T* A, index_t ars, index_t aks, const T* Bp, T* C, index_t ldc, int mv,
                     int nv, bool accumulate) {
    T acc[MR][NR] = {};
    for (index_t k = 0; k < kc; ++k) {
        const T* a = A + k * aks;
        const T* b = Bp + k * NR;
        for (int i = 0; i < MR; ++i)
            for (int j = 0; j < NR; ++j) acc[i][j] += a[i * ars] * b[j];
    }
    store_tile(&acc[0][0], NR, C, ldc, mv, nv, accumulate);
}

#if GRNFAST_X86_KERNELS
__attribute__((target("avx512f"))) inline void kernel_avx512_8x32(index_t kc, const float* A, index_t ars,
                                                                   index_t aks, const float* Bp, float* C,
                                                                   index_t ldc, int mv, int nv, bool accumulate) {
    __m512 c[8][2];
#pragma GCC unroll 8
    for (int i = 0; i < 8; ++i) c[i][0] = c[i][1] = _mm512_setzero_ps();
    for (index_t k = 0; k < kc; ++k) {
        const __m512 b0 = _mm512_loadu_ps(Bp + 32 * k);
        const __m512 b1 = _mm512_loadu_ps(Bp + 32 * k + 16);
        const float* a = A + k * aks;
#pragma GCC unroll 8
        for (int i = 0; i < 8; ++i) {
            const __m512 ai = _mm512_set1_ps(a[i * ars]);
            c[i][0] = _mm512_fmadd_ps(ai, b0, c[i][0]);
            c[i][1] = _mm512_fmadd_ps(ai, b1, c[i][1]);
        }
    }
    if (mv == 8 && nv == 32) {
#pragma GCC unroll 8
        for (int i = 0; i < 8; ++i) {
            float* row = C + i * ldc;
            if (accumulate) {
                c[i][0] = _mm512_add_ps(_mm512_loadu_ps(row), c[i][0]);
                c[i][1] = _mm512_add_ps(_mm512_loadu_ps(row + 16), c[i][1]);
            }
            _mm512_storeu_ps(row, c[i][0]);
            _mm512_storeu_ps(row + 16, c[i][1]);
        }
        return;
    }
    alignas(64) float tile[8 * 32];
#pragma GCC unroll 8
    for (int i = 0; i < 8; ++i) {
        _mm512_store_ps(tile + 32 * i, c[i][0]);
        _mm512_store_ps(tile + 32 * i + 16, c[i][1]);
    }
    store_tile(tile, 32, C, ldc, mv, nv, accumulate);
}

__attribute__((target("avx2,fma"))) inline void kernel_avx2_6x16(index_t kc, const float* A, index_t ars,
                                                                 index_t aks, const float* Bp, float* C, index_t ldc,
                                                                 int mv, int nv, bool accumulate) {
    __m256 c[6][2];
#pragma GCC unroll 6
    for (int i = 0; i < 6; ++i) c[i][0] = c[i][1] = _mm256_setzero_ps();
    for (index_t k = 0; k < kc; ++k) {
        const __m256 b0 = _mm256_loadu_ps(Bp + 16 * k);
        const __m256 b1 = _mm256_loadu_ps(Bp + 16 * k + 8);
        const float* a = A + k * aks;
#pragma GCC unroll 6
        for (int i = 0; i < 6; ++i) {
            const __m256 ai = _mm256_broadcast_ss(a + i * ars);
            c[i][0] = _mm256_fmadd_ps(ai, b0, c[i][0]);
            c[i][1] = _mm256_fmadd_ps(ai, b1, c[i][1]);
        }
    }
    if (mv == 6 && nv == 16) {
#pragma GCC unroll 6
        for (int i = 0; i < 6; ++i) {
            float* row = C + i * ldc;
            if (accumulate) {
                c[i][0] = _mm256_add_ps(_mm256_loadu_ps(row), c[i][0]);
                c[i][1] = _mm256_add_ps(_mm256_loadu_ps(row + 8), c[i][1]);
            }
            _mm256_storeu_ps(row, c[i][0]);
            _mm256_storeu_ps(row + 8, c[i][1]);
        }
        return;
    }
    alignas(32) float tile[6 * 16];
#pragma GCC unroll 6
    for (int i = 0; i < 6; ++i) {
        _mm256_store_ps(tile + 16 * i, c[i][0]);
        _mm256_store_ps(tile + 16 * i + 8, c[i][1]);
    }
    store_tile(tile, 16, C, ldc, mv, nv, accumulate);
}
#endif  // GRNFAST_X86_KERNELS

template <class T>
struct Kernel {
    using Fn = void (*)(index_t, const T*, index_t, index_t, const T*, T*, index_t, int, int, bool);
    int mr;
    int nr;
    Fn fn;
    const char* name;
};

// GRNFAST_GEMM_KERNEL=portable|avx2|avx512 forces a kernel (tests, benchmarks);
// otherwise the widest one this CPU supports. Without the x86 kernels: portable.
inline Kernel<float> choose_float_kernel() {
#if GRNFAST_X86_KERNELS
    const char* forced = std::getenv("GRNFAST_GEMM_KERNEL");
    const std::string want = forced ? forced : "";
    __builtin_cpu_init();
    const bool avx512 = __builtin_cpu_supports("avx512f");
    const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    if ((want.empty() || want == "avx512") && avx512) return {8, 32, kernel_avx512_8x32, "avx512"};
    if ((want.empty() || want == "avx2" || want == "avx512") && avx2) return {6, 16, kernel_avx2_6x16, "avx2"};
#endif
    return {4, 8, kernel_portable<float, 4, 8>, "portable"};
}

template <class T>
inline const Kernel<T>& kernel_for();

template <>
inline const Kernel<float>& kernel_for<float>() {
    static const Kernel<float> k = choose_float_kernel();
    return k;
}

template <>
inline const Kernel<double>& kernel_for<double>() {
    static const Kernel<double> k{4, 8, kernel_portable<double, 4, 8>, "portable"};
    return k;
}

// Packs rows [i0, i0 + rows) x depth [p0, p0 + kc) of A into panels of mr rows,
// k-major inside a panel, zero-padding the last panel.
template <class T>
void pack_a(MatView<T> A, index_t i0, index_t rows, index_t p0, index_t kc, int mr, T* out) {
    const index_t panels = ceil_div(rows, mr);
    for (index_t p = 0; p < panels; ++p) {
        T* dst = out + p * mr * kc;
        const index_t valid = std::min<index_t>(mr, rows - p * mr);
        if (A.cs == 1) {  // rows of A are contiguous: read along k
            for (index_t i = 0; i < valid; ++i) {
                const T* src = A.data + (i0 + p * mr + i) * A.rs + p0;
                for (index_t k = 0; k < kc; ++k) dst[k * mr + i] = src[k];
            }
        } else {
            for (index_t k = 0; k < kc; ++k)
                for (index_t i = 0; i < valid; ++i) dst[k * mr + i] = A.at(i0 + p * mr + i, p0 + k);
        }
        for (index_t i = valid; i < mr; ++i)
            for (index_t k = 0; k < kc; ++k) dst[k * mr + i] = T(0);
    }
}

// The vectorised transposing pack where it applies (float, AVX2, nr a multiple
// of 8); false means the caller packs element by element.
template <class T>
bool transpose_pack(const T*, index_t, index_t, int, T*) {
    return false;
}

#if GRNFAST_X86_KERNELS
// dst[k * nr + j] = src[j * ld + k] for j < nr, k < kc: a panel of B read from a
// transposed matrix (dX = dY W^T), as 8 x 8 blocks transposed in registers.
__attribute__((target("avx2"))) inline void transpose_pack_avx2(const float* src, index_t ld, index_t kc, int nr,
                                                              float* dst) {
    index_t k = 0;
    for (; k + 8 <= kc; k += 8)
        for (int j = 0; j < nr; j += 8) {
            __m256 r[8], t[8];
            for (int i = 0; i < 8; ++i) r[i] = _mm256_loadu_ps(src + (j + i) * ld + k);
            for (int i = 0; i < 8; i += 2) {
                t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);
                t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);
            }
            for (int i = 0; i < 8; i += 4) {
                r[i] = _mm256_shuffle_ps(t[i], t[i + 2], 0x44);
                r[i + 1] = _mm256_shuffle_ps(t[i], t[i + 2], 0xEE);
                r[i + 2] = _mm256_shuffle_ps(t[i + 1], t[i + 3], 0x44);
                r[i + 3] = _mm256_shuffle_ps(t[i + 1], t[i + 3], 0xEE);
            }
            for (int i = 0; i < 4; ++i) {
                t[i] = _mm256_permute2f128_ps(r[i], r[i + 4], 0x20);
                t[i + 4] = _mm256_permute2f128_ps(r[i], r[i + 4], 0x31);
            }
            for (int i = 0; i < 8; ++i) _mm256_storeu_ps(dst + (k + i) * nr + j, t[i]);
        }
    for (; k < kc; ++k)
        for (int j = 0; j < nr; ++j) dst[k * nr + j] = src[j * ld + k];
}

inline bool transpose_pack(const float* src, index_t ld, index_t kc, int nr, float* dst) {
    static const bool avx2 = [] {
        __builtin_cpu_init();  // a static initialiser may run before the runtime's own
        return __builtin_cpu_supports("avx2");
    }();
    if (!avx2 || nr % 8 != 0) return false;
    transpose_pack_avx2(src, ld, kc, nr, dst);
    return true;
}
#endif  // GRNFAST_X86_KERNELS

// Packs one panel of nr columns starting at j0, depth [p0, p0 + kc), of B.
template <class T>
void pack_b_panel(MatView<T> B, index_t j0, index_t cols, index_t p0, index_t kc, int nr, T* dst) {
    const index_t valid = std::min<index_t>(nr, cols);
    if (B.cs == 1) {
        for (index_t k = 0; k < kc; ++k) {
            const T* src = B.data + (p0 + k) * B.rs + j0;
            T* d = dst + k * nr;
            for (index_t j = 0; j < valid; ++j) d[j] = src[j];
            for (index_t j = valid; j < nr; ++j) d[j] = T(0);
        }
    } else if (B.rs == 1 && valid == nr && transpose_pack(B.data + j0 * B.cs + p0, B.cs, kc, nr, dst)) {
        return;
    } else {
        for (index_t j = 0; j < valid; ++j)
            for (index_t k = 0; k < kc; ++k) dst[k * nr + j] = B.at(p0 + k, j0 + j);
        for (index_t k = 0; k < kc; ++k)
            for (index_t j = valid; j < nr; ++j) dst[k * nr + j] = T(0);
    }
}

}  // namespace gemm_detail

inline const char* gemm_kernel_name() { return gemm_detail::kernel_for<float>().name; }

// Row tasks of a product with M rows: whole panels of mr rows each, at most about
// MC rows per task and at least four tasks per thread where there are enough
// panels. Threads take tasks as they come free (a thread the system delays does
// not hold the others up); splitting rows does not change how any element of C is
// summed, so neither does which thread takes which task.
inline index_t gemm_row_tasks(index_t m_panels, int mr, int n_threads) {
    const index_t at_least = n_threads > 1 ? 4 * n_threads : 1;
    const index_t tasks = std::max<index_t>(ceil_div(m_panels * mr, gemm_detail::MC), at_least);
    return std::min(tasks, m_panels);
}

// C (M x N, row stride ldc) = A (M x K) * B (K x N), or C += A * B when accumulate,
// or C = bias (added to every row) + A * B when bias is given. With at least one
// panel of columns per thread, each thread computes its own columns alone.
// Otherwise (narrow C), one parallel region per block of NC columns: the threads
// pack all of B's block (every depth block at once), then share its rows.
template <class T>
void gemm(index_t M, index_t N, index_t K, MatView<T> A, MatView<T> B, T* C, index_t ldc, bool accumulate,
          int n_threads, const T* bias = nullptr) {
    using namespace gemm_detail;
    if (M == 0 || N == 0) return;
    const Kernel<T>& kernel = kernel_for<T>();
    const int mr = kernel.mr, nr = kernel.nr;
    const int threads = 2.0 * M * N * K >= kMinParallelFlops ? n_threads : 1;
#ifdef _OPENMP
    const index_t all_panels = ceil_div(N, nr);
    if (threads > 1 && all_panels >= threads) {
        // Each thread its own columns: it sets their bias, packs its part of B and
        // computes, with no waiting on the others until the end.
        FirstException error;
#pragma omp parallel num_threads(threads)
        {
            // the team may be smaller than asked: thread t of n takes the t-th share
            const index_t t = omp_get_thread_num(), n = omp_get_num_threads();
            const index_t j0 = t * all_panels / n * nr, j1 = std::min(N, (t + 1) * all_panels / n * nr);
            error.run([&] {
                gemm<T>(M, j1 - j0, K, A, {B.data + j0 * B.cs, B.rs, B.cs}, C + j0, ldc, accumulate, 1,
                        bias ? bias + j0 : nullptr);
            });
        }
        error.rethrow();
        return;
    }
#endif
    if (bias) {
        for (index_t i = 0; i < M; ++i) std::copy(bias, bias + N, C + i * ldc);
        accumulate = true;
    }
    if (K == 0) {
        if (!accumulate)
            for (index_t i = 0; i < M; ++i) std::fill(C + i * ldc, C + i * ldc + N, T(0));
        return;
    }
    const index_t m_panels = ceil_div(M, mr), k_blocks = ceil_div(K, KC);
    const index_t depth = ceil_div(K, k_blocks);  // K = 1558 is 7 blocks of 223, not 6 of 256 and one of 22
    const index_t row_tasks = gemm_row_tasks(m_panels, mr, threads);
    thread_local std::vector<T> packed_b;  // the calling thread's; every thread reads it
    for (index_t jc = 0; jc < N; jc += NC) {
        const index_t nc = std::min(NC, N - jc);
        const index_t n_panels = ceil_div(nc, nr);
        T* bp = grow_to(packed_b, n_panels * nr * K);  // depth block pc starts at pc * n_panels * nr
        FirstException error;
#pragma omp parallel num_threads(threads) if (threads > 1)
        {
#pragma omp for schedule(static)
            for (index_t t = 0; t < k_blocks * n_panels; ++t) {
                const index_t pc = (t / n_panels) * depth, q = t % n_panels;
                const index_t kc = std::min(depth, K - pc);
                pack_b_panel(B, jc + q * nr, nc - q * nr, pc, kc, nr, bp + pc * n_panels * nr + q * nr * kc);
            }
#pragma omp for schedule(dynamic, 1)
            for (index_t task = 0; task < row_tasks; ++task) error.run([&] {
                thread_local std::vector<T> packed_a;
                const index_t p0 = task * m_panels / row_tasks, p1 = (task + 1) * m_panels / row_tasks;
                const index_t i0 = p0 * mr, mc = std::min(M, p1 * mr) - i0;
                // Whole panels of A are read in place (the kernel takes A's strides);
                // only a last, partial panel is packed, zero-padded.
                const index_t full = mc / mr;
                for (index_t pc = 0; pc < K; pc += depth) {
                    const index_t kc = std::min(depth, K - pc);
                    T* ap = grow_to(packed_a, (p1 - p0 - full) * mr * kc);
                    pack_a(A, i0 + full * mr, mc - full * mr, pc, kc, mr, ap);
                    const T* bk = bp + pc * n_panels * nr;
                    const bool acc = accumulate || pc > 0;
                    for (index_t q = 0; q < n_panels; ++q) {
                        const int nv = static_cast<int>(std::min<index_t>(nr, nc - q * nr));
                        T* c = C + i0 * ldc + jc + q * nr;
                        for (index_t p = 0; p < full; ++p)
                            kernel.fn(kc, A.data + (i0 + p * mr) * A.rs + pc * A.cs, A.rs, A.cs, bk + q * nr * kc,
                                      c + p * mr * ldc, ldc, mr, nv, acc);
                        for (index_t p = full; p < p1 - p0; ++p) {
                            const int mv = static_cast<int>(std::min<index_t>(mr, mc - p * mr));
                            kernel.fn(kc, ap + (p - full) * mr * kc, 1, mr, bk + q * nr * kc,
                                      c + p * mr * ldc, ldc, mv, nv, acc);
                        }
                    }
                }
            });
        }
        error.rethrow();
    }
}

}  // namespace grnfast
