"""A step's progress off a terminal: nothing while it runs, one line when it ends."""
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
