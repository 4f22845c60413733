"""What tracking costs: jhops launches vs. a plain process pool running the same trials.

Both arms run the same N trials of a function that sleeps ``--work`` seconds on 2 workers. The baseline is
``concurrent.futures.ProcessPoolExecutor`` (no records, no heartbeats, no logs); jhops adds worker start-up,
the signed driver/worker protocol, heartbeats, metric and log records in SQLite, and artifact collection.
Reports medians over ``--repeats`` runs and the ratio jhops / baseline.

Run: ``python benchmarks/trial_overhead.py`` (prints the markdown table of docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import platform
import statistics
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor

from jhops import experiment
from jhops.project import Project


def work(seconds: float, reporter=None) -> dict[str, float]:
    if reporter is not None:
        for step in range(5):
            reporter.broadcast(step / 5, step=step)
    time.sleep(seconds)
    return {"metric": seconds}


def _baseline(trials: int, seconds: float, workers: int) -> float:
    start = time.perf_counter()
    with ProcessPoolExecutor(workers) as pool:
        list(pool.map(work, [seconds] * trials))
    return time.perf_counter() - start


def _jhops(trials: int, seconds: float, workers: int) -> float:
    with tempfile.TemporaryDirectory() as root:
        project = Project(root)
        start = time.perf_counter()
        exp = experiment.launch(work, {"seconds": [seconds] * trials}, workers=workers, project=project,
                                listeners=[])
        elapsed = time.perf_counter() - start
        assert exp.state.value == "FINISHED", exp.error
        return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=40)
    parser.add_argument("--work", type=float, default=0.05, help="seconds of work per trial")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    rows = []
    for label, trials in (("1 trial", 1), (f"{args.trials} trials", args.trials)):
        base = statistics.median(_baseline(trials, args.work, args.workers) for _ in range(args.repeats))
        ours = statistics.median(_jhops(trials, args.work, args.workers) for _ in range(args.repeats))
        per_trial = (ours - base) / trials * 1000
        rows.append((label, base, ours, ours / base, per_trial))
    header = "| run | process pool (s) | jhops launch (s) | ratio | extra per trial (ms) |"
    print(f"Machine: {platform.machine()}, {platform.python_version()}, {args.workers} workers, "
          f"{args.work}s of work per trial, medians of {args.repeats} runs")
    print(header)
    print("|---|---|---|---|---|")
    for label, base, ours, ratio, per_trial in rows:
        print(f"| {label} | {base:.2f} | {ours:.2f} | {ratio:.2f}x | {per_trial:.0f} |")


if __name__ == "__main__":
    main()
