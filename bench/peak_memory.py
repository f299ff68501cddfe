"""Peak resident memory of one ``fit``, measured in a fresh process.

Run as ``python bench/peak_memory.py IMPL KIND VARIANT SCALE [validation]`` (IMPL:
ours or torch); prints JSON with the resident set after imports, the high-water
mark after a one-epoch ``fit`` (``VmHWM``, which only grows, hence one process per
measurement) and the budget the issue sets it against: parameters, Adam's two
moments and the data, in bytes. With ``validation`` (ours only), ``fit`` runs as
by default, for VALIDATION_EPOCHS epochs: early stopping, 10% held out and scored
after each epoch, the best weights kept (a later best replaces an earlier one).
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))

import ours  # noqa: E402
from problem import SCALES, make_problem  # noqa: E402

BYTES_PER_PARAM = 4 * 3  # float32 parameters, first and second moments
VALIDATION_EPOCHS = 3


def status_kib(field):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


def main(impl, kind, variant, scale, validation=None):
    if validation is not None and (validation != "validation" or impl != "ours"):
        raise SystemExit("the fifth argument can only be 'validation', for ours")
    if impl == "torch":
        import torch_reference as side
    else:
        from grnfast import _core  # noqa: F401 (fit loads the engine lazily: count it with the imports)

        side = ours
    baseline = status_kib("VmRSS") * 1024
    p = make_problem(SCALES[scale])
    data_bytes = p.features.nbytes + p.train_pairs.nbytes + p.train_labels.nbytes
    n_params = ours.estimator(kind, variant, p.features, 1).count_parameters()
    if validation:
        model = ours.estimator(kind, variant, p.features, VALIDATION_EPOCHS).set_params(early_stopping=True)
        model.fit(p.train_pairs, p.train_labels)
    else:
        side.fit_seconds(kind, variant, p.features, p.train_pairs, p.train_labels, 1)
    peak = status_kib("VmHWM") * 1024
    print(json.dumps({"baseline": baseline, "peak": peak, "budget": n_params * BYTES_PER_PARAM + data_bytes}))


if __name__ == "__main__":
    main(*sys.argv[1:])
