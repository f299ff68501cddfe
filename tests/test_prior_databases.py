"""fetch_prior: local copies, the cache folder and its checksums, and a download
from a server on 127.0.0.1 (never the network)."""
import functools
import http.server
import shutil
import threading

import pandas as pd
import pytest

from grnfast import GRNInputError
from grnfast.data import DataFileError, fetch_prior, prior_cache
from grnfast.data import prior_databases
from grnfast.data.prior_databases import PriorSource

TRRUST_ROWS = "SOX2\tNANOG\tActivation\t123\nSOX2\tPOU5F1\tRepression\t456\n"
OMNIPATH_ROWS = ("source\ttarget\tsource_genesymbol\ttarget_genesymbol\tis_directed\tis_stimulation\tis_inhibition\t"
                 "consensus_direction\tconsensus_stimulation\tconsensus_inhibition\tdorothea_level\n"
                 "P1\tP2\tSox2\tNanog\t1\t1\t0\t1\t1\t0\tA\n"
                 "P1\tP3\tSox2\tPou5f1\t1\t1\t1\t1\t0\t1\tB;C\n"
                 "P4\tP2\tKlf4\tNanog\t1\t0\t1\t1\t0\t1\tC\n")


def test_a_local_copy_of_trrust_is_read_offline_and_checked(shared_data, tmp_path):
    real = shared_data / "priors" / "trrust_rawdata.human.tsv"
    table = fetch_prior("trrust", "human", path=real)
    assert len(table) == 9396 and list(table.columns[:2]) == ["regulator", "target"]
    changed = tmp_path / "trrust.tsv"
    changed.write_text(real.read_text() + TRRUST_ROWS)
    with pytest.warns(UserWarning, match="differs from the published trrust human file"):
        assert len(fetch_prior("trrust", "human", path=changed)) == 9398


def test_the_cache_is_used_and_its_checksum_checked(shared_data, tmp_path):
    cache = prior_cache(tmp_path)
    cache.mkdir(parents=True)
    shutil.copy(shared_data / "priors" / "trrust_rawdata.human.tsv", cache / "trrust_rawdata.human.tsv")
    assert len(fetch_prior("TRRUST", data_home=tmp_path, download=False)) == 9396
    with open(cache / "trrust_rawdata.human.tsv", "a") as handle:
        handle.write(TRRUST_ROWS)
    with pytest.raises(DataFileError, match=r"trrust_rawdata.human.tsv: checksum .* differs .* delete it"):
        fetch_prior("trrust", data_home=tmp_path, download=False)


def test_unknown_checksums_are_recorded_at_first_use(tmp_path):
    cache = prior_cache(tmp_path)
    cache.mkdir(parents=True)
    (cache / "dorothea_ABC.mouse.tsv").write_text(OMNIPATH_ROWS)
    table = fetch_prior("dorothea", "mouse", data_home=tmp_path, download=False)
    assert table.values.tolist() == [["Sox2", "Nanog", 1, "A"], ["Sox2", "Pou5f1", -1, "B"], ["Klf4", "Nanog", -1, "C"]]
    assert (cache / "dorothea_ABC.mouse.tsv.sha256").exists()
    (cache / "dorothea_ABC.mouse.tsv").write_text(OMNIPATH_ROWS.replace("Klf4", "Myc"))
    with pytest.raises(DataFileError, match="checksum"):
        fetch_prior("dorothea", "mouse", data_home=tmp_path, download=False)


def test_missing_from_the_cache_without_download(tmp_path):
    with pytest.raises(DataFileError, match=r"collectri \(human\) is not in the cache; pass path="):
        fetch_prior("collectri", data_home=tmp_path, download=False)


def test_collectri_table_from_a_local_file(tmp_path):
    path = tmp_path / "CollecTRI_regulons.csv"
    path.write_text("source,target,weight,resources,references,sign_decision\nMYC,TERT,1,x,y,default\n"
                    "TP53,MDM2,1,x,y,default\n")
    assert fetch_prior("collectri", path=path)[["regulator", "target", "weight"]].values.tolist() == [
        ["MYC", "TERT", 1], ["TP53", "MDM2", 1]]


def test_unknown_prior_or_organism():
    with pytest.raises(GRNInputError, match=r"no prior 'trrust' for organism 'rat'; known: .*dorothea \(rat\)"):
        fetch_prior("trrust", "rat")


@pytest.fixture
def local_server(tmp_path, monkeypatch):
    """An HTTP server on 127.0.0.1 serving tmp_path/served, stopped after the test."""
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    served = tmp_path / "served"
    served.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(served))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    yield served, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(5)


def test_download_into_the_cache_with_a_checksum(local_server, tmp_path, monkeypatch):
    served, url = local_server
    (served / "trrust.tsv").write_text(TRRUST_ROWS)
    digest = prior_databases._sha256(served / "trrust.tsv")
    monkeypatch.setitem(prior_databases.SOURCES, ("trrust", "mouse"),
                        PriorSource(f"{url}/trrust.tsv", "trrust_rawdata.mouse.tsv", prior_databases.read_trrust,
                                    digest))
    home = tmp_path / "home"
    table = fetch_prior("trrust", "mouse", data_home=home, timeout=5, retries=0)
    assert table["target"].tolist() == ["NANOG", "POU5F1"]
    assert (prior_cache(home) / "trrust_rawdata.mouse.tsv").exists()
    (served / "trrust.tsv").unlink()  # the second call needs no server
    assert fetch_prior("trrust", "mouse", data_home=home).equals(table)


def test_a_download_with_the_wrong_checksum_is_refused(local_server, tmp_path, monkeypatch):
    served, url = local_server
    (served / "trrust.tsv").write_text(TRRUST_ROWS)
    monkeypatch.setitem(prior_databases.SOURCES, ("trrust", "mouse"),
                        PriorSource(f"{url}/trrust.tsv", "trrust_rawdata.mouse.tsv", prior_databases.read_trrust,
                                    "0" * 64))
    with pytest.raises(ConnectionError, match=r"the trrust prior \(mouse\) from http://127.0.0.1.*hash"):
        fetch_prior("trrust", "mouse", data_home=tmp_path / "home", timeout=5, retries=0)
    assert not (prior_cache(tmp_path / "home") / "trrust_rawdata.mouse.tsv").exists()


def test_a_missing_file_on_the_server_says_what_failed(local_server, tmp_path, monkeypatch):
    _, url = local_server
    monkeypatch.setitem(prior_databases.SOURCES, ("trrust", "mouse"),
                        PriorSource(f"{url}/absent.tsv", "trrust_rawdata.mouse.tsv", prior_databases.read_trrust))
    with pytest.raises(ConnectionError, match=r"could not download the trrust prior \(mouse\) .*absent.tsv.*404"):
        fetch_prior("trrust", "mouse", data_home=tmp_path / "home", timeout=5, retries=0)
    assert isinstance(pd.DataFrame(), pd.DataFrame)
