"""The check stage across worker processes, results in input order.

Each worker rebuilds the Engine once from the picklable Policy (so `-p`
plugins and configuration work under any start method), checks chunks of
sources, and returns each FileResult encoded as the parent's `Results` store
keeps it (`results.encode`); documents never leave the worker. The parent
consumes chunks in submission order, filing each result's bytes as they came,
so output is the same whatever `--jobs` is; finishing them is the next stage's
(`finish`).
"""

from __future__ import annotations

import itertools
import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence

from . import cache
from .discover import Source, Sources
from .engine import Engine
from .results import Encoded, Results, encode

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .policy import Policy

# Below this many files a pool costs more to start (~50 ms to fork and build
# each worker's engine) than it saves; measured crossover 50-100 files on 2 cores.
SMALL_RUN = 75
# Chunks small enough to keep every worker busy to the end, large enough that
# pickling and queueing stay a small share of the work.
MAX_CHUNK = 64
CHUNKS_PER_WORKER = 4
# Chunks submitted ahead of the one being collected, per worker: enough that no worker waits for
# the parent, few enough that queued inputs and uncollected results stay a few hundred files
# whatever the portfolio (all submitted at once, the parent grew ~2 KB a file).
IN_FLIGHT_PER_WORKER = 2
# A bar for a handful of files only flickers.
PROGRESS_FILES = 20

_worker_engine: "Engine | None" = None


def default_jobs() -> int:
    """The CPUs this process may run on (a container's share, not the host's)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def start_method() -> str | None:
    """fork on Linux: workers inherit the imported modules, so 76 files took 0.16 s
    against 0.26 s with forkserver and 0.33 s with spawn (2 cores; the same by
    1,000 files). Elsewhere the platform default (fork is unsafe on macOS)."""
    return "fork" if sys.platform.startswith("linux") else None


def _initialize(policy: "Policy", use_cache: bool = True) -> None:
    global _worker_engine
    import signal  # 1 ms: only a worker process needs it

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    cache.disable(not use_cache)  # --no-cache holds in a spawned worker too, not only a forked one
    _worker_engine = Engine.from_policy(policy)


def _check_chunk(sources: Sequence[Source]) -> list[Encoded]:
    # encoded here, in parallel: the parent keeps the bytes as they come (its decoding and encoding every
    # finding again took ~0.3 s of its CPU at 10,000 files, CPU the workers on the same cores lacked)
    return [encode(_worker_engine.check(source)) for source in sources]


def wants_progress(choice: bool | None, files: int, terminal: bool, environ: Mapping[str, str]) -> bool:
    """--progress/--no-progress, or by default: stderr a terminal, outside CI, a long run.

    Even when asked for, a bar is drawn only on a terminal: never into a log or a pipe.
    """
    if choice is False or not terminal:
        return False
    return choice is True or (files > PROGRESS_FILES and not environ.get("CI"))


def chunks(sources: Sequence[Source], jobs: int) -> Iterator[Sequence[Source]]:
    """The sources in order, a chunk at a time: each one sliced only when it is submitted."""
    size = max(1, min(MAX_CHUNK, len(sources) // (jobs * CHUNKS_PER_WORKER)))
    return (sources[start : start + size] for start in range(0, len(sources), size))


def check_sources(
    engine: "Engine",
    sources: Sequence[Source],
    jobs: int | None = None,
    advance: Callable[[int], None] = lambda done: None,
    small_run: int = SMALL_RUN,
    method: str | None = None,
) -> Results:
    """Every source checked, in input order; `advance(n)` after each n results."""
    jobs = min(jobs or default_jobs(), len(sources))
    results = Results(sources.paths if isinstance(sources, Sources) else None)

    if jobs <= 1 or len(sources) < small_run:
        for source in sources:
            results.append(engine.check(source))
            advance(1)
        return results

    import multiprocessing  # 10 ms with concurrent.futures: only a run large enough for workers
    from collections import deque
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context(method or start_method())
    pool = ProcessPoolExecutor(
        jobs, mp_context=context, initializer=_initialize, initargs=(engine.policy, cache.enabled())
    )
    warned = False
    waiting = chunks(sources, jobs)
    pending: deque = deque()

    def submit(count: int) -> None:
        for chunk in itertools.islice(waiting, count):
            pending.append((chunk, pool.submit(_check_chunk, chunk)))

    try:
        submit(jobs * IN_FLIGHT_PER_WORKER)
        while pending:
            # popped, so that a chunk's results are freed once kept: a future holds them
            chunk, future = pending.popleft()
            submit(1)  # before waiting: a worker that finishes early finds the next chunk queued
            try:
                checked = future.result()
            except Exception as error:
                # a worker that died (a plugin that ended its process): check here, as --jobs 1 would.
                # Not a value that cannot be pickled: the engine makes that an ERR001 whatever --jobs is
                if not warned:
                    warned = True
                    print(
                        f"policycheck: warning: a worker process failed ({type(error).__name__}); its files are "
                        "checked in the main process",
                        file=sys.stderr,
                    )
                for source in chunk:
                    results.append(engine.check(source))
            else:
                for encoded in checked:
                    results.add(encoded)
            advance(len(chunk))
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)  # Ctrl-C: drop the queued chunks
        raise
    pool.shutdown()
    return results
