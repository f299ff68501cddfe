"""Downloads with a time limit, retries and checksums (pooch), whose failures say
what was being fetched, from where, and why."""
import time
from pathlib import Path


class DownloadError(ConnectionError):
    """A download that failed after its retries; the message names the URL."""


def download_file(url, path, *, known_hash=None, timeout=60.0, retries=2, what="file"):
    """Fetch ``url`` to ``path`` unless a copy with the right checksum is there.

    ``timeout`` (seconds) bounds every connect and every read, so a stalled server
    ends the attempt; ``retries`` more attempts follow a failed one, one second
    apart. ``known_hash`` ("sha256:..." or None) is checked by pooch; a mismatch is
    not retried. Returns the path.
    """
    import pooch
    import requests

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)

    def downloader(url, output_file, _pooch):
        # pooch's own HTTPDownloader leaves the connection open when the server
        # answers with an error; this one closes it in every case.
        with requests.get(url, timeout=timeout, stream=True) as response:
            response.raise_for_status()
            with open(output_file, "wb") if isinstance(output_file, (str, Path)) else output_file as out:
                for chunk in response.iter_content(chunk_size=1 << 20):
                    out.write(chunk)

    failure = None
    for attempt in range(retries + 1):
        if attempt:
            time.sleep(1.0)
        try:
            return Path(pooch.retrieve(url, known_hash, fname=path.name, path=path.parent, downloader=downloader))
        except ValueError as exc:  # pooch: the checksum does not match
            raise DownloadError(f"{what} from {url}: {exc}") from None
        except (requests.exceptions.RequestException, OSError) as exc:
            failure = exc
    raise DownloadError(f"could not download {what} from {url}: {retries + 1} attempts failed, the last with "
                        f"{type(failure).__name__}: {failure} (time limit {timeout:g}s per connect or read)")
