"""Progress of a long step: a tqdm bar on a terminal, one plain line when it ends
otherwise (a bar redirected to a file is one long line of carriage returns).

Everything goes to stderr, so a report on stdout stays clean."""
import sys
import time

from tqdm.auto import tqdm


def say(line, enabled=True):
    """One line of what a run is doing, on stderr (nothing when not ``enabled``)."""
    if enabled:
        print(line, file=sys.stderr)


def _terminal():
    return hasattr(sys.stderr, "isatty") and sys.stderr.isatty()


class Progress:
    """``update(n)``, ``iterate(items)``, ``set_postfix(**values)`` and ``close(outcome)`` of a step.

    On a terminal a tqdm bar that stays with ``outcome`` as its last words; off a
    terminal nothing until ``close``, which prints ``desc: outcome (seconds)``.
    Disabled, it prints nothing at all."""

    def __init__(self, total=None, desc="", unit="it", enabled=True):
        self.desc, self.enabled, self.start = desc, enabled, time.perf_counter()
        self.count, self.closed = 0, False
        self.bar = tqdm(total=total, desc=desc, unit=unit, leave=True, file=sys.stderr) \
            if enabled and _terminal() else None

    def update(self, n=1):
        self.count += n
        if self.bar is not None:
            self.bar.update(n)

    def iterate(self, items):
        """Yield each of ``items``, counting a step as each is done."""
        for item in items:
            yield item
            self.update()

    def set_postfix(self, **values):
        if self.bar is not None:
            self.bar.set_postfix(**values)

    def close(self, outcome=None):
        if self.closed:
            return
        self.closed = True
        seconds = time.perf_counter() - self.start
        if self.bar is not None:
            if outcome:
                self.bar.set_postfix_str(outcome)
            self.bar.close()
        elif self.enabled:
            print(f"{self.desc}: {outcome or 'done'} ({seconds:.1f}s)", file=sys.stderr, flush=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close(None if exc[0] is None else "stopped early")


def peak_memory_mb():
    """This process's peak resident memory so far, in MB (Linux: ru_maxrss in kB;
    macOS: in bytes)."""
    import resource  # POSIX only: imported here so that the package imports on Windows

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024 if sys.platform == "darwin" else 1024)
