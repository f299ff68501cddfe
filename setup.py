"""Build grnfast._core: the C++17 engine in csrc/, bound with pybind11, parallel with OpenMP;
and grnfast._core_testing: the engine's single kernels for the tests, which the package
never imports (csrc/testing_bindings.cpp). The two compile side by side.

Flags: -O3 and no -march=native / -ffast-math, so a wheel runs on any CPU of its
architecture and results stay deterministic. On x86-64 the GEMM has AVX-512 and
AVX2 kernels chosen at run time beside the portable one; elsewhere (arm64) only
the portable kernel is compiled. The build log says which.
GRNFAST_NATIVE=1 opts a local build into -march=native; GRNFAST_PORTABLE=1 compiles
the portable kernel only, as on arm64 (how that path is tested on x86).
"""
import glob
import os
import subprocess
import sys
import tempfile
import warnings

from pybind11.setup_helpers import Pybind11Extension, build_ext
from setuptools import setup


def compiles(compiler, source, flags=()):
    """Whether the compiler setuptools will use compiles and links ``source``."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "probe.cpp")
        with open(path, "w") as f:
            f.write(source)
        cmd = [compiler, path, *flags, "-o", os.path.join(tmp, "probe")]
        try:
            return subprocess.run(cmd, capture_output=True).returncode == 0
        except OSError:
            return False


def compiler_accepts_openmp(compiler):
    return compiles(compiler, "#include <omp.h>\nint main(){return omp_get_max_threads() > 0 ? 0 : 1;}\n",
                    ["-fopenmp"])


# The condition csrc/kernels/gemm.hpp compiles its x86 kernels under.
X86_PROBE = """#if !((defined(__x86_64__) || defined(_M_X64)) && (defined(__GNUC__) || defined(__clang__)))
#error not x86-64 with GCC or Clang
#endif
int main() { return 0; }
"""


def gemm_kernels(compiler, portable_only):
    """The float GEMM kernels this build compiles, as the build log states them."""
    if portable_only:
        return "portable only (GRNFAST_PORTABLE=1)"
    if compiles(compiler, X86_PROBE):
        return "AVX-512 (8x32), AVX2+FMA (6x16), chosen at run time by the CPU, and portable (4x8)"
    return "portable only (the target is not x86-64)"


class BuildWithOpenMP(build_ext):
    def finalize_options(self):
        super().finalize_options()
        # The two modules compile side by side unless the user chose a number of jobs
        # (build_ext -j N); pybind11's ParallelCompile would only split one module's files.
        if self.parallel is None:
            self.parallel = True

    def build_extensions(self):
        compiler = self.compiler.compiler_cxx[0]
        openmp = sys.platform != "win32" and compiler_accepts_openmp(compiler)
        if not openmp:
            warnings.warn("OpenMP not found: grnfast._core will run on one thread")
        portable_only = os.environ.get("GRNFAST_PORTABLE") == "1"
        print(f"grnfast: GEMM kernels compiled: {gemm_kernels(compiler, portable_only)}", file=sys.stderr)
        for ext in self.extensions:
            ext.extra_compile_args += ["-O3", "-ffp-contract=fast", "-fno-math-errno"]
            if portable_only:
                ext.define_macros.append(("GRNFAST_PORTABLE_ONLY", "1"))
            if os.environ.get("GRNFAST_NATIVE") == "1":
                ext.extra_compile_args.append("-march=native")
            if openmp:
                ext.extra_compile_args.append("-fopenmp")
                ext.extra_link_args.append("-fopenmp")
        super().build_extensions()


def engine_module(name, source):
    return Pybind11Extension(
        name,
        [source],
        include_dirs=["csrc"],
        depends=sorted(glob.glob("csrc/**/*.hpp", recursive=True)),  # rebuilt when a header changes
        cxx_std=17,
    )


setup(
    ext_modules=[
        engine_module("grnfast._core", "csrc/bindings.cpp"),
        engine_module("grnfast._core_testing", "csrc/testing_bindings.cpp"),
    ],
    cmdclass={"build_ext": BuildWithOpenMP},
)
