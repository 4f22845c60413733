"""Feature store: validated, profiled inserts against a plain Delta write, and online lookup latency.

1. Insert: the 1604-row iceberg frame (three 5625-float bands per chip) into a new feature group with the
   iceberg rules (18 checks, Great Expectations and array rules) and statistics, against the baseline: a plain
   ``deltalake.write_deltalake`` of the same pandas frame. Both in the same process, alternating, ``--repeats``
   times; the table shows medians and the ratio. The same insert into an online-enabled group is shown too
   (it also writes every chip to the SQLite online store).
2. Online lookups: a 10,000-row group of scalar features (the iceberg chips' metadata) and a 1604-row group
   of whole chips, online-enabled, looked up one key at a time (``fs.get_feature_vector``) ``--lookups`` times
   with random keys on SQLite (and on Redis when ``redis-server`` is installed): p50, p99 and max latency.

Run: ``python benchmarks/featurestore.py`` (``--quick`` for a smoke run).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
from datetime import date
from typing import Any

import numpy as np
import pandas as pd


def insert_runs(repeats: int, chips: int) -> dict[str, list[float]]:
    from deltalake import write_deltalake

    import jhops
    from jhops.datasets import iceberg
    from jhops.pipelines import iceberg_features

    frame = iceberg_features.features_frame(iceberg.synthetic_frame(chips, seed=42))
    root = tempfile.mkdtemp(prefix="jhops-bench-fs-")
    fs = jhops.featurestore.connect(root)
    # Warm-up outside the timings: imports, the Great Expectations context.
    warm = fs.create_feature_group("warmup", primary_key=["id"], expectations=iceberg_features.expectations())
    warm.insert(frame.head(20))
    write_deltalake(os.path.join(root, "warm_plain"), frame.head(20), mode="append")
    times: dict[str, list[float]] = {"plain": [], "jhops": [], "jhops_online": []}
    for i in range(repeats):
        start = time.perf_counter()
        write_deltalake(os.path.join(root, f"plain_{i}"), frame, mode="append")
        times["plain"].append(time.perf_counter() - start)
        fg = fs.create_feature_group(f"iceberg_{i}", primary_key=["id"], expectations=iceberg_features.expectations())
        start = time.perf_counter()
        commit = fg.insert(frame)
        times["jhops"].append(time.perf_counter() - start)
        assert commit.report is not None and commit.report.status == "SUCCESS" and commit.statistics is not None
        online = fs.create_feature_group(f"online_{i}", primary_key=["id"], online_enabled=True,
                                         expectations=iceberg_features.expectations())
        start = time.perf_counter()
        online.insert(frame)
        times["jhops_online"].append(time.perf_counter() - start)
    shutil.rmtree(root, ignore_errors=True)
    return times


def _latencies(fs: Any, group: Any, keys: list[str], lookups: int) -> list[float]:
    rng = np.random.default_rng(0)
    for key in keys[:50]:  # warm the connection and the page cache
        fs.get_feature_vector(group, {"id": key})
    out = []
    for index in rng.integers(0, len(keys), lookups):
        start = time.perf_counter()
        row = fs.get_feature_vector(group, {"id": keys[index]})
        out.append(time.perf_counter() - start)
        assert row is not None
    return out


def lookup_runs(rows: int, lookups: int, store_url: str | None) -> dict[str, list[float]]:
    import jhops
    from jhops.datasets import iceberg
    from jhops.pipelines import iceberg_features

    root = tempfile.mkdtemp(prefix="jhops-bench-online-")
    previous = os.environ.pop("JHOPS_ONLINE_STORE", None)
    if store_url:
        os.environ["JHOPS_ONLINE_STORE"] = store_url
    try:
        fs = jhops.featurestore.connect(root)
        rng = np.random.default_rng(1)
        meta = pd.DataFrame({"id": [f"{i:08x}" for i in range(rows)], "inc_angle": rng.uniform(30, 46, rows),
                             "is_iceberg": rng.integers(0, 2, rows), "band_1_mean": rng.normal(-20, 3, rows),
                             "band_2_mean": rng.normal(-26, 3, rows), "region": rng.choice(["north", "south"], rows)})
        scalar = fs.create_feature_group("chip_meta", primary_key=["id"], online_enabled=True, statistics=False)
        scalar.insert(meta)
        chips = iceberg_features.features_frame(iceberg.synthetic_frame(1604, seed=42))
        whole = fs.create_feature_group("iceberg", primary_key=["id"], online_enabled=True, statistics=False)
        whole.insert(chips)
        return {"scalar": _latencies(fs, scalar, list(meta["id"]), lookups),
                "chips": _latencies(fs, whole, list(chips["id"]), lookups)}
    finally:
        os.environ.pop("JHOPS_ONLINE_STORE", None)
        if previous is not None:
            os.environ["JHOPS_ONLINE_STORE"] = previous
        shutil.rmtree(root, ignore_errors=True)


def _redis() -> tuple[subprocess.Popen[bytes], str] | None:
    server = shutil.which("redis-server")
    if server is None:
        return None
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                            stdout=subprocess.DEVNULL)
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc, f"redis://127.0.0.1:{port}/0"
        except OSError:
            time.sleep(0.05)
    proc.kill()
    return None


def _ms(values: list[float], q: float) -> str:
    return f"{np.quantile(values, q) * 1000:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--chips", type=int, default=1604)
    parser.add_argument("--rows", type=int, default=10_000, help="rows of the scalar online group")
    parser.add_argument("--lookups", type=int, default=2000)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.repeats, args.chips, args.rows, args.lookups = 1, 200, 1000, 200

    times = insert_runs(args.repeats, args.chips)
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; {date.today()}; "
          f"{args.chips} chips; medians of {args.repeats}\n")
    print("| insert of the iceberg frame | median (s) | vs plain write |\n|---|---|---|")
    print(f"| plain `deltalake.write_deltalake` (baseline) | {med['plain']:.2f} | 1.00 |")
    print(f"| jhops `fg.insert`: 18 rules + statistics | {med['jhops']:.2f} | {med['jhops'] / med['plain']:.2f} |")
    print(f"| jhops `fg.insert`, online-enabled (also SQLite online rows) | {med['jhops_online']:.2f} | "
          f"{med['jhops_online'] / med['plain']:.2f} |")

    stores: list[tuple[str, str | None]] = [("SQLite", None)]
    redis = _redis()
    if redis is not None:
        stores.append(("Redis", redis[1]))
    print(f"\n| online lookup, one key ({args.lookups} random keys) | p50 (ms) | p99 (ms) | max (ms) |")
    print("|---|---|---|---|")
    try:
        for label, url in stores:
            result = lookup_runs(args.rows, args.lookups, url)
            for kind, name in (("scalar", f"{args.rows}-row group, 6 scalar features"),
                               ("chips", "1604 chips, 3 x 5625 floats each")):
                values = result[kind]
                print(f"| {label}: {name} | {_ms(values, 0.5)} | {_ms(values, 0.99)} | {max(values) * 1000:.2f} |")
    finally:
        if redis is not None:
            redis[0].terminate()


if __name__ == "__main__":
    main()
