"""A step's progress off a terminal: nothing while it runs, one line when it ends."""
import numpy as np

from grnfast.progress import Progress


def test_iterate_counts_each_item_and_closes_with_one_line(capsys):
    with Progress(3, "fits", "fit") as bar:
        seen = [(item, bar.count) for item in bar.iterate("abc")]
    assert seen == [("a", 0), ("b", 1), ("c", 2)] and bar.count == 3
    err = capsys.readouterr().err
    assert err.startswith("fits: done (") and err.count("\n") == 1


def test_disabled_prints_nothing(capsys):
    with Progress(2, "fits", enabled=False) as bar:
        list(bar.iterate(range(2)))
    assert capsys.readouterr().err == ""


def test_step_times_keep_wall_and_cpu_seconds_per_step():
    import time

    from grnfast.pipeline import StepTimes

    times = StepTimes()
    end = time.process_time() + 0.05
    while time.process_time() < end:  # busy: CPU time passes
        pass
    times.lap("busy")
    time.sleep(0.05)  # idle: wall time passes, little CPU
    times.lap("idle")
    times.lap("busy")  # a step lapped again adds up
    rows = {step: (wall, cpu, peak) for step, wall, cpu, peak in times.rows()}
    assert list(rows) == ["busy", "idle"]
    assert rows["busy"][1] >= 0.05 and rows["idle"][0] >= 0.05 and rows["idle"][1] < rows["idle"][0]
    assert all(wall >= 0 and cpu >= 0 and peak > 0 for wall, cpu, peak in rows.values())
    assert times.closing_line().startswith("time: busy ")


def test_the_stop_line_names_the_epoch_whose_weights_were_kept():
    """Early stopping keeps the weights of the last improvement by more than tol; a
    later, smaller rise is the arg-max of the scores but not the epoch restored."""
    from types import SimpleNamespace

    from grnfast.pipeline.training import best_epoch, stop_reason

    def fitted(scores, kept):
        return SimpleNamespace(n_iter_=len(scores), validation_scores_=scores, best_validation_score_=kept,
                               get_params=lambda: {"max_iter": 40})

    assert stop_reason(fitted([0.5, 0.6, 0.60005, 0.59], 0.6)) == "early stopping at epoch 4, best at 2"
    assert stop_reason(fitted([0.5, 0.7, 0.6], 0.7)) == "early stopping at epoch 3, best at 2"
    assert stop_reason(SimpleNamespace(n_iter_=40, validation_scores_=None, best_validation_score_=None,
                                       get_params=lambda: {"max_iter": 40})) == "max_iter 40 reached"
    assert best_epoch(fitted([0.5, 0.6, 0.60005, 0.59], 0.6)) == 2 and best_epoch(fitted([0.5, 0.7, 0.6], 0.7)) == 2
    assert best_epoch(SimpleNamespace(n_iter_=7, validation_scores_=None)) == 7
    assert best_epoch(fitted(np.array([0.5, 0.7, 0.6]), 0.7)) == 2  # scores as an array
    assert best_epoch(object()) is None


def test_training_for_the_kept_epoch_count_gives_the_weights_early_stopping_kept():
    """What infer's checks rely on: a model trained for ``epochs`` on the training
    pairs alone is, bit for bit, the one early stopping on the validation pairs kept
    at that epoch (the validation pass changes nothing the training draws), for any
    n_jobs; it runs no validation."""
    import numpy as np

    from grnfast.data import GRNDataset
    from grnfast.models import make_model
    from grnfast.models.presets import TINY_PARAMS
    from grnfast.pipeline.training import best_epoch, train

    ds = GRNDataset.synthetic(n_genes=120, n_regulators=15, n_cells=100, random_state=2)
    task = ds.task(ds.split("random", random_state=0))
    params = {**TINY_PARAMS, "max_iter": 12, "n_iter_no_change": 2, "random_negative_ratio": 2.0}
    run, _ = train(task, "two-tower", make_model("two-tower", ds.node_features, random_state=0, **params),
                   progress=False)
    kept = best_epoch(run)
    assert kept < run.n_iter_  # early stopping went past the epoch it kept
    for n_jobs in (1, 2):
        again, _ = train(task, "two-tower", make_model("two-tower", ds.node_features, random_state=0,
                                                       **{**params, "n_jobs": n_jobs}), progress=False, epochs=kept)
        assert again.n_iter_ == kept and again.validation_scores_ is None
        assert np.array_equal(again.predict_proba(task.X_test), run.predict_proba(task.X_test))
