"""Downloads with a time limit, retries and checksums (pooch), whose failures say
what was being fetched, from where, and why."""
import time
from pathlib import Path


class DownloadError(ConnectionError):
    """A download that failed after its retries; the message names the URL."""


RETRY_PAUSE = 1.0  # seconds between attempts


def download_deadline(timeout, retries):
    """When a download of ``retries + 1`` attempts of ``timeout`` seconds ends at the
    latest (a ``time.monotonic()`` value)."""
    return time.monotonic() + timeout * (retries + 1) + RETRY_PAUSE * retries


def download_file(url, path, *, known_hash=None, timeout=60.0, retries=2, what="file", deadline=None,
                  progress=False):
    """Fetch ``url`` to ``path`` unless a copy with the right checksum is there.

    ``timeout`` (seconds) bounds every connect and every read, so a stalled server
    ends the attempt; ``retries`` more attempts follow a failed one, one second
    apart, each said on stderr with ``progress``. Nothing waits past ``deadline``
    (a ``time.monotonic()`` value; by default :func:`download_deadline`: the
    attempts and pauses from now), however slowly a server trickles bytes. ``known_hash``
    ("sha256:..." or None) is checked by pooch; a mismatch is not retried.
    Returns the path.
    """
    import pooch
    import requests

    from ..progress import say

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = download_deadline(timeout, retries) if deadline is None else deadline

    def downloader(url, output_file, _pooch):
        # pooch's own HTTPDownloader leaves the connection open when the server
        # answers with an error; this one closes it in every case.
        with requests.get(url, timeout=min(timeout, max(deadline - time.monotonic(), 0.01)), stream=True) as response:
            response.raise_for_status()
            with open(output_file, "wb") if isinstance(output_file, (str, Path)) else output_file as out:
                for chunk in response.iter_content(chunk_size=1 << 20):
                    if time.monotonic() > deadline:
                        raise requests.exceptions.Timeout("the download's deadline passed while reading")
                    out.write(chunk)

    failure, attempts = None, 0
    for attempt in range(retries + 1):
        if attempt:
            say(f"{what}: attempt {attempt} of {retries + 1} failed ({type(failure).__name__}); retrying",
                enabled=progress)
            time.sleep(min(RETRY_PAUSE, max(deadline - time.monotonic(), 0.0)))
        if time.monotonic() >= deadline:
            break
        attempts += 1
        try:
            return Path(pooch.retrieve(url, known_hash, fname=path.name, path=path.parent, downloader=downloader))
        except ValueError as exc:  # pooch: the checksum does not match
            raise DownloadError(f"{what} from {url}: {exc}") from None
        except (requests.exceptions.RequestException, OSError) as exc:
            failure = exc
    limit = f"time limit {timeout:g}s per connect or read"
    if time.monotonic() >= deadline:
        limit += ", and the download's deadline reached"
    if failure is None:
        raise DownloadError(f"{what} from {url}: not tried ({limit})")
    raise DownloadError(f"could not download {what} from {url}: {attempts} attempts failed, the last with "
                        f"{type(failure).__name__}: {failure} ({limit})")
