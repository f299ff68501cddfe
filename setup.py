"""Build grnfast._core: the C++17 engine in csrc/, bound with pybind11, parallel with OpenMP.

Flags: -O3 and no -march=native / -ffast-math, so a wheel runs on any x86-64 and
results stay deterministic; the GEMM picks AVX-512 or AVX2 kernels at run time.
GRNFAST_NATIVE=1 opts a local build into -march=native.
"""
import glob
import os
import subprocess
import sys
import tempfile
import warnings

from pybind11.setup_helpers import Pybind11Extension, build_ext
from setuptools import setup


def compiler_accepts_openmp(compiler):
    """Compile and link a tiny OpenMP program with the compiler setuptools will use."""
    source = "#include <omp.h>\nint main(){return omp_get_max_threads() > 0 ? 0 : 1;}\n"
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "probe.cpp")
        with open(path, "w") as f:
            f.write(source)
        cmd = [compiler, path, "-fopenmp", "-o", os.path.join(tmp, "probe")]
        try:
            return subprocess.run(cmd, capture_output=True).returncode == 0
        except OSError:
            return False


class BuildWithOpenMP(build_ext):
    def build_extensions(self):
        compiler = self.compiler.compiler_cxx[0]
        openmp = sys.platform != "win32" and compiler_accepts_openmp(compiler)
        if not openmp:
            warnings.warn("OpenMP not found: grnfast._core will run on one thread")
        for ext in self.extensions:
            ext.extra_compile_args += ["-O3", "-ffp-contract=fast", "-fno-math-errno"]
            if os.environ.get("GRNFAST_NATIVE") == "1":
                ext.extra_compile_args.append("-march=native")
            if openmp:
                ext.extra_compile_args.append("-fopenmp")
                ext.extra_link_args.append("-fopenmp")
        super().build_extensions()


setup(
    ext_modules=[
        Pybind11Extension(
            "grnfast._core",
            ["csrc/bindings.cpp"],
            include_dirs=["csrc"],
            depends=sorted(glob.glob("csrc/**/*.hpp", recursive=True)),  # rebuilt when a header changes
            cxx_std=17,
        )
    ],
    cmdclass={"build_ext": BuildWithOpenMP},
)
