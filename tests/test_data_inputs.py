"""Inputs to the data layer that used to be misread: cell labels matched by id,
stalled downloads, AnnData or sparse matrices where a DataFrame was expected, too
few edges to split."""
import socket
import threading
import time

import numpy as np
import pandas as pd
import pytest
import scipy.sparse

from grnfast.data import DownloadError, GRNDataset, align_cell_types, cell_type_means, fetch_beeline, random_split
from grnfast.data.download import download_file

CELLS = [f"cell{i}" for i in range(6)]
EXPRESSION = pd.DataFrame(np.arange(18, dtype=float).reshape(3, 6), index=["TF1", "G1", "G2"], columns=CELLS)


def test_cell_types_are_matched_by_id_not_position():
    shuffled = pd.Series(["A", "A", "A", "B", "B", "B"], index=CELLS)[::-1]
    means = cell_type_means(EXPRESSION, shuffled)
    assert means.loc["TF1"].tolist() == [1.0, 4.0]


@pytest.mark.parametrize("ids, counts", [
    ([f"other{i}" for i in range(6)], "6 of 6 cells have no label .* 6 of 6 labels name no cell"),
    (CELLS[:3] + ["x0", "x1", "x2"], "3 of 6 cells have no label .*'cell3'.* 3 of 6 labels name no cell .*'x0'"),
    (list(range(6)), "6 of 6 cells have no label"),
])
def test_cell_ids_that_do_not_match_are_an_error_even_when_the_count_matches(ids, counts):
    with pytest.raises(ValueError, match=counts):
        cell_type_means(EXPRESSION, pd.Series(list("AABBCC"), index=ids))


def test_plain_labels_are_taken_in_cell_order_and_counted():
    assert align_cell_types(np.array(list("AABBCC")), CELLS).index.tolist() == CELLS
    with pytest.raises(ValueError, match="5 labels for 6 cells"):
        align_cell_types(list("AABBC"), CELLS)
    with pytest.raises(ValueError, match="1 cells have a missing label"):
        align_cell_types(pd.Series(["A", None, "B", "B", "C", "C"], index=CELLS), CELLS)


def test_arrays_passed_as_expression_get_a_clear_message():
    """(An AnnData is read as from_anndata reads it: tests/test_single_cell.py.)"""
    edges = pd.DataFrame({"regulator": ["TF1"], "target": ["G1"]})
    with pytest.raises(ValueError, match="genes x cells DataFrame indexed by gene name; got csr_matrix"):
        GRNDataset.from_expression(scipy.sparse.csr_matrix(EXPRESSION.to_numpy()), edges)


def test_sparse_node_features():
    edges = pd.DataFrame({"regulator": ["TF1"], "target": ["G1"]})
    sparse_frame = EXPRESSION.astype(pd.SparseDtype(float, 0.0))
    ds = GRNDataset("sparse", sparse_frame, edges, ["TF1"])
    assert not any(isinstance(d, pd.SparseDtype) for d in ds.node_features.dtypes)
    np.testing.assert_array_equal(ds.node_features.to_numpy(), EXPRESSION.to_numpy())
    with pytest.raises(ValueError, match="node features must be a DataFrame indexed by gene name; got a scipy sparse"):
        GRNDataset("sparse", scipy.sparse.csr_matrix(EXPRESSION.to_numpy()), edges, ["TF1"])


def test_too_few_edges_to_split_says_so():
    pairs = pd.DataFrame({"regulator": ["TF1", "TF1"], "target": ["G1", "G2"], "label": [1, 0]})
    with pytest.raises(ValueError, match="too few labelled pairs .* 1 edges and 1 non-edges"):
        random_split(pairs, random_state=0)


class StalledServer:
    """Accepts connections on 127.0.0.1 and never answers, until closed (bounded)."""

    def __init__(self, limit=30.0):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.1)  # accept() wakes up to see the stop flag
        self.port = self.sock.getsockname()[1]
        self.stop = threading.Event()
        self.accepted = 0
        self.thread = threading.Thread(target=self._serve, args=(limit,), daemon=True)
        self.thread.start()

    def _serve(self, limit):
        held, deadline = [], time.monotonic() + limit
        while not self.stop.is_set() and time.monotonic() < deadline:
            try:
                conn, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                break
            self.accepted += 1
            held.append(conn)
        for conn in held:
            conn.close()

    def close(self):
        self.stop.set()
        self.thread.join(5)
        self.sock.close()


@pytest.fixture
def stalled_server(monkeypatch):
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    server = StalledServer()
    yield server
    server.close()


def test_a_stalled_download_times_out_retries_and_names_the_url(stalled_server, tmp_path):
    url = f"http://127.0.0.1:{stalled_server.port}/archive.zip"
    start = time.monotonic()
    with pytest.raises(DownloadError) as info:
        download_file(url, tmp_path / "archive.zip", timeout=0.5, retries=1, what="a test archive")
    assert time.monotonic() - start < 10
    message = str(info.value)
    assert url in message and "a test archive" in message and "2 attempts failed" in message
    assert "ReadTimeout" in message or "timed out" in message
    assert stalled_server.accepted == 2
    assert not (tmp_path / "archive.zip").exists()


def test_fetch_beeline_against_a_stalled_server(stalled_server, tmp_path, monkeypatch):
    monkeypatch.setattr("grnfast.data.beeline.GENELINK_ARCHIVE", f"http://127.0.0.1:{stalled_server.port}/pinned.zip")
    with pytest.raises(DownloadError, match=r"127\.0\.0\.1.*pinned\.zip.*by hand"):
        fetch_beeline(tmp_path, timeout=0.3, retries=0)
    assert isinstance(DownloadError("x"), ConnectionError)


def test_the_whole_fetch_ends_by_its_deadline_and_says_each_retry(stalled_server, tmp_path, monkeypatch, capsys):
    """A proxy that accepts and never answers: every attempt shares one deadline,
    timeout x (retries + 1), instead of each waiting its own limits."""
    monkeypatch.setattr("grnfast.data.beeline.GENELINK_ARCHIVE", f"http://127.0.0.1:{stalled_server.port}/pinned.zip")
    start = time.monotonic()
    with pytest.raises(DownloadError, match=r"pinned\.zip: 3 attempts failed.*ReadTimeout.*\(time limit 0\.4s per "
                                            r"connect or read, and the download's deadline reached\)"):
        fetch_beeline(tmp_path, timeout=0.4, retries=2, progress=True)
    assert time.monotonic() - start < 0.4 * 3 + 2 + 1.0  # the deadline, plus the slack of one last read
    err = capsys.readouterr().err
    assert "GENELink's repository archive): attempt 1 of 3 failed (ReadTimeout); retrying" in err


def test_more_clusters_than_cells_says_so():
    edges = pd.DataFrame({"regulator": ["TF1"], "target": ["G1"]})
    with pytest.raises(ValueError, match="n_clusters=10 clusters of cells, but the expression has 6 cells"):
        GRNDataset.from_expression(EXPRESSION, edges)
