// The one way the engine compiles a loop for wider vector units than the baseline.
//
// The extension is built for baseline x86-64 (a wheel must run anywhere), so an
// element-wise loop marked GRNFAST_VECTORISED is compiled three times, for AVX-512,
// AVX2 and the baseline, and the loader picks the widest the CPU has (GCC/Clang
// function multiversioning; on other compilers and CPUs, one plain copy). Put it on
// the function template itself: every instantiation gets its copies. Neither target
// enables FMA, so every copy rounds exactly as the baseline does.
#pragma once

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__)) && !defined(__INTEL_COMPILER)
#define GRNFAST_VECTORISED __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define GRNFAST_VECTORISED
#endif
