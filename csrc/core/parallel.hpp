// Deterministic parallel loops over OpenMP: fixed blocks, tasks handed out as
// threads come free, two jobs side by side, and sums whose order does not depend
// on the thread count.
//
// An exception must not leave an OpenMP region (the process would end in
// std::terminate): every region here runs its work through FirstException, which
// keeps the first exception any thread throws, lets the other threads skip what is
// left, and rethrows it on the calling thread after the region, as hnswlib's
// ParallelFor does. So a std::bad_alloc on a worker thread reaches Python as
// MemoryError and a failed check as ValueError.
#pragma once
#include <atomic>
#include <exception>
#include <mutex>
#include <optional>
#include <type_traits>

#include "core/common.hpp"
#ifdef _OPENMP
#include <omp.h>
#endif

namespace grnfast {

inline bool has_openmp() {
#ifdef _OPENMP
    return true;
#else
    return false;
#endif
}

// Below this many scalar operations a parallel region costs more than it saves
// (and waiting threads spin, which hurts when other processes share the cores).
constexpr double kMinParallelWork = 65536.0;
// The same for a matrix product, in FLOPs: a product this small (the node-feature
// blocks of a first layer, 11 columns deep) takes about as long as a parallel
// region's start and join.
constexpr double kMinParallelFlops = 2097152.0;

// The first exception thrown by any thread of a parallel region.
class FirstException {
   public:
    // Runs f() unless an exception has been kept already; an exception f throws is
    // kept (when it is the first) instead of leaving the thread.
    template <class F>
    void run(F&& f) noexcept {
        if (failed()) return;
        try {
            f();
        } catch (...) {
            std::lock_guard<std::mutex> lock(mutex_);
            if (!error_) error_ = std::current_exception();
            failed_.store(true, std::memory_order_relaxed);
        }
    }
    bool failed() const { return failed_.load(std::memory_order_relaxed); }
    // After the region, on the calling thread.
    void rethrow() const {
        if (error_) std::rethrow_exception(error_);
    }

   private:
    std::mutex mutex_;
    std::exception_ptr error_;
    std::atomic<bool> failed_{false};
};

// fn(block) for every block in [0, n_blocks). Each block runs start to end on one
// thread, so whatever a block computes is independent of the thread count.
// `work` (about how many scalar operations in all) keeps small jobs on one thread.
template <class F>
void parallel_for(int n_threads, index_t n_blocks, double work, F&& fn) {
#ifdef _OPENMP
    if (n_threads > 1 && n_blocks > 1 && work >= kMinParallelWork) {
        FirstException error;
#pragma omp parallel for num_threads(n_threads) schedule(static)
        for (index_t b = 0; b < n_blocks; ++b) error.run([&] { fn(b); });
        error.rethrow();
        return;
    }
#endif
    for (index_t b = 0; b < n_blocks; ++b) fn(b);
}

// fn(state, task) for every task in [0, n_tasks), threads taking tasks as they come
// free, each with its own state from make_state(). A task must give the same result
// whichever thread runs it. (A thread whose make_state() throws takes no task's work:
// the call ends with that exception.)
template <class MakeState, class F>
void parallel_tasks(int n_threads, index_t n_tasks, MakeState&& make_state, F&& fn) {
#ifdef _OPENMP
    if (n_threads > 1 && n_tasks > 1) {
        using State = std::decay_t<decltype(make_state())>;
        FirstException error;
#pragma omp parallel num_threads(static_cast<int>(std::min<index_t>(n_threads, n_tasks)))
        {
            std::optional<State> state;
            error.run([&] { state.emplace(make_state()); });
#pragma omp for schedule(dynamic, 1)
            for (index_t t = 0; t < n_tasks; ++t)
                if (state) error.run([&] { fn(*state, t); });
        }
        error.rethrow();
        return;
    }
#endif
    auto state = make_state();
    for (index_t t = 0; t < n_tasks; ++t) fn(state, t);
}

// job0(threads) and job1(threads), two independent jobs of the same size. On two
// threads they run side by side, one thread each, with no synchronisation between
// them until both end; with more threads too when nested parallelism is enabled
// (each gets half). Otherwise one after the other with all the threads (also when
// the runtime gives the region one thread). Each job must give the same result for
// any thread count, as every kernel here does.
template <class F0, class F1>
void run_side_by_side(int n_threads, F0&& job0, F1&& job1) {
#ifdef _OPENMP
    if (n_threads == 2 || (n_threads > 2 && omp_get_max_active_levels() > omp_get_active_level() + 1)) {
        FirstException error;
#pragma omp parallel num_threads(2)
        {
            if (omp_get_num_threads() == 1) {
                error.run([&] { job0(n_threads); });
                error.run([&] { job1(n_threads); });
            } else if (omp_get_thread_num() == 0) {
                error.run([&] { job0(n_threads - n_threads / 2); });
            } else {
                error.run([&] { job1(n_threads / 2); });
            }
        }
        error.rethrow();
        return;
    }
#endif
    job0(n_threads);
    job1(n_threads);
}

// Sum over [0, n) in double: block_sum(begin, end) of fixed-size blocks, then the
// block sums in order. The blocks do not depend on the thread count, so neither
// does the result (no reduction clauses on floats anywhere in the engine).
template <class F>
double deterministic_sum(int n_threads, index_t n, F&& block_sum) {
    constexpr index_t kBlock = 8192;
    const index_t n_blocks = ceil_div(n, kBlock);
    std::vector<double> partial(static_cast<size_t>(n_blocks), 0.0);
    parallel_for(n_threads, n_blocks, double(n), [&](index_t b) {
        partial[static_cast<size_t>(b)] = block_sum(b * kBlock, std::min(n, (b + 1) * kBlock));
    });
    double total = 0.0;
    for (double s : partial) total += s;
    return total;
}

}  // namespace grnfast
