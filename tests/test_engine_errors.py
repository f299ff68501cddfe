"""The engine's errors reach Python as exceptions, never as a crash: an exception
thrown on a worker thread inside an OpenMP region, an allocation that fails under a
memory limit, and requests for absurd sizes."""
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from grnfast import CrossEncoderClassifier, TwoTowerClassifier, _core, _core_testing

needs_openmp = pytest.mark.skipif(not _core.has_openmp(), reason="the engine was built without OpenMP")
REGIONS = ["parallel_for", "parallel_tasks", "parallel_tasks_state", "run_side_by_side"]


@needs_openmp
@pytest.mark.parametrize("region", REGIONS)
def test_an_exception_on_a_worker_thread_reaches_python(region):
    assert _core_testing.throw_in_parallel(region, "value", 1) > 0  # one thread: nothing thrown
    with pytest.raises(ValueError, match="thrown on a worker thread"):
        _core_testing.throw_in_parallel(region, "value", 2)
    with pytest.raises(MemoryError):
        _core_testing.throw_in_parallel(region, "memory", 2)
    assert _core_testing.throw_in_parallel(region, "value", 1) > 0  # the runtime still works afterwards


PREDICT_UNDER_A_MEMORY_LIMIT = textwrap.dedent("""
    import resource
    import numpy as np
    from grnfast import _core

    spec = _core.ModelSpec()
    spec.kind, spec.n_genes, spec.n_features, spec.embedding_dim = "cross_encoder", 10, 0, 4
    spec.hidden = [1_000_000]  # a scoring thread's layer outputs: about 2 GB each
    spec.use_expression = False
    layout = _core.layout(spec)
    params = np.zeros(layout["n_params"], np.float32)
    buffers = np.ones(layout["n_buffers"], np.float32)
    features = np.zeros((10, 0), np.float32)
    pairs = np.random.default_rng(0).integers(0, 10, (600, 2))
    with open("/proc/self/status") as status:
        vm = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmSize"))
    resource.setrlimit(resource.RLIMIT_AS, (vm + 600 * 2**20, resource.RLIM_INFINITY))
    network = _core.FittedNetwork(spec, params, buffers, features)
    try:
        network.predict_logits(pairs, 2)
    except MemoryError as error:
        print("MemoryError:", error)
""")


@needs_openmp
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc and sets RLIMIT_AS")
def test_prediction_out_of_memory_on_two_threads_raises_memory_error(tmp_path):
    """Each scoring thread allocates its own layer buffers inside a parallel region;
    under a memory limit that allocation fails. In a subprocess, so that a crash
    (before: 'terminate called recursively', SIGABRT) cannot take pytest down."""
    result = subprocess.run([sys.executable, "-c", PREDICT_UNDER_A_MEMORY_LIMIT], capture_output=True, text=True,
                            cwd=tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "MemoryError: out of memory allocating a scoring thread's layer outputs" in result.stdout, result.stdout


def test_absurd_sizes_are_refused_before_allocation_with_the_size():
    spec = _core.ModelSpec()
    spec.kind, spec.n_genes, spec.n_features, spec.embedding_dim = "two_tower", 100, 0, 8
    spec.use_expression = False
    spec.hidden = [10**12, 4]
    with pytest.raises(MemoryError, match=r"cannot allocate the parameters.*GiB.*more than this machine"):
        _core.Trainer(spec, _core.AdamConfig(), 256, 1)
    spec.hidden = [8]
    spec.n_genes = 10**12  # a huge gene id
    with pytest.raises(MemoryError, match=r"cannot allocate .*GiB"):
        _core.Trainer(spec, _core.AdamConfig(), 256, 1)


@pytest.mark.parametrize("model", [TwoTowerClassifier, CrossEncoderClassifier])
def test_a_batch_size_beyond_the_data_is_one_batch_of_all_of_it(model):
    """batch_size=10**9 trains on batches of all the pairs (as MLPClassifier clips it),
    without reserving work space for 10**9 pairs."""
    rng = np.random.default_rng(0)
    pairs = rng.integers(0, 50, (300, 2))
    y = rng.integers(0, 2, 300)
    kwargs = dict(embedding_dim=8, hidden_layer_sizes=(8, 4), max_iter=2, early_stopping=False, random_state=0,
                  random_negative_ratio=0.0)  # the given pairs only: exactly 300 of them
    huge = model(batch_size=10**9, **kwargs).fit(pairs, y)
    exact = model(batch_size=300, **kwargs).fit(pairs, y)
    np.testing.assert_array_equal(huge.params_, exact.params_)


CAPPED_THREADS = textwrap.dedent("""
    import threading, numpy as np
    from grnfast import CrossEncoderClassifier
    from grnfast.genes import effective_threads, usable_cores
    assert effective_threads(1000) == effective_threads(None) == effective_threads(-1) == usable_cores()
    rng = np.random.default_rng(0)
    pairs, y = rng.integers(0, 50, (400, 2)), rng.integers(0, 2, 400)
    before = threading.active_count()
    CrossEncoderClassifier(embedding_dim=8, hidden_layer_sizes=(8,), max_iter=1, n_jobs=1000).fit(pairs, y)
    with open("/proc/self/status") as status:
        threads = next(int(line.split()[1]) for line in status if line.startswith("Threads"))
    print(threads)
""")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="counts threads in /proc")
def test_n_jobs_1000_runs_no_more_threads_than_usable_cores(tmp_path):
    env = {key: value for key, value in os.environ.items() if key != "OMP_NUM_THREADS"}
    result = subprocess.run([sys.executable, "-c", CAPPED_THREADS], capture_output=True, text=True, cwd=tmp_path, env=env,
                            timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    cores = len(os.sched_getaffinity(0))
    # the main thread, the OpenMP workers (cores - 1) and a few from the libraries (BLAS pools)
    assert int(result.stdout) <= 2 * cores + 8, result.stdout


@pytest.mark.parametrize("user_policy, user_spins, expected", [
    (None, None, "PASSIVE 1000"),  # a short spin, then sleep
    ("ACTIVE", None, "ACTIVE -"),  # a spin count would cut the user's spinning short
    (None, "50", "PASSIVE 50"),
])
def test_openmp_threads_spin_briefly_then_sleep_unless_the_user_chose(tmp_path, user_policy, user_spins, expected):
    env = {key: value for key, value in os.environ.items() if key not in ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT")}
    for key, value in (("OMP_WAIT_POLICY", user_policy), ("GOMP_SPINCOUNT", user_spins)):
        if value:
            env[key] = value
    script = "import os, grnfast; print(os.environ['OMP_WAIT_POLICY'], os.environ.get('GOMP_SPINCOUNT', '-'))"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert result.stdout.strip() == expected, result.stderr
