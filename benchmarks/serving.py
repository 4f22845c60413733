"""Serving: the iceberg CNN behind a jhops model server, against calling the same predictor in-process.

1. Latency, one chip (1x75x75x3 float32) per request, one client, keep-alive: p50 over V2 with binary tensor
   data and over V1 JSON (190 KB), against the baseline ``load_predictor(path).predict(chip)`` in this process.
   The overhead is served p50 minus in-process p50 (target: <= 3 ms). The latency deployment runs without
   batching (a batcher would wait up to its max_latency_ms for company on every lone request).
2. Throughput: 32 client threads sending single chips over V2 binary, to a deployment with dynamic batching
   (32 instances, 5 ms) and to one without (target: >= 2x). The deployments are all up at once and take the
   load in turns, ``--seconds`` each, for ``--rounds`` rounds, so the VM's drift from minute to minute falls
   on all arms alike; the speedup is the median of the rounds' ratios. Each arm also reports where the two
   cores went: the server process's CPU and the clients' (this process), in cores.
3. The model's own gain from batching, with no server: ``predictor.predict`` in this process on batches of 1
   and of 16 chips, chips per second, in turns. It shows how much work batching can save on this CPU at all.
4. Completeness: after the load, each deployment is stopped and its inference log read back; its record count
   must equal the number of successful requests it answered.

Untrained weights (``jhops.examples.iceberg_cnn.build_model``): the timings do not depend on them. The
latency figures are medians of ``--runs`` runs. Writes the figures to ``--out`` (JSON) and prints a table.

Run: ``.venv/bin/python benchmarks/serving.py`` (``--quick`` for a smoke run).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import threading
import time
from datetime import date
from typing import Any

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def register_model(root: str) -> Any:
    from jhops import models
    from jhops.examples.iceberg_cnn import build_model

    model = build_model()
    path = os.path.join(root, "iceberg_cnn.keras")
    model.save(path)
    return models.export(path, "iceberg-cnn", input_example=np.zeros((2, 75, 75, 3), "float32"), project=root)


def _p50_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000.0


def latency_round(predictor: Any, client: Any, chips: np.ndarray, n: int) -> dict[str, list[float]]:
    """``n`` samples of each arm, interleaved (in-process, V2 binary, V1 JSON), so load on the machine falls on
    all three alike; all three get the same chip each time."""
    times: dict[str, list[float]] = {"in_process": [], "v2_binary": [], "v1_json": []}
    for i in range(n):
        chip = chips[i % len(chips)]
        start = time.perf_counter()
        predictor.predict(chip)
        times["in_process"].append(time.perf_counter() - start)
        start = time.perf_counter()
        client.infer(chip)
        times["v2_binary"].append(time.perf_counter() - start)
        start = time.perf_counter()
        client.predict(chip)
        times["v1_json"].append(time.perf_counter() - start)
    return times


def load_run(client: Any, chips: np.ndarray, clients: int, seconds: float) -> tuple[int, int, float]:
    """``clients`` threads sending one chip per request for ``seconds``: (successes, failures, wall seconds).

    Each thread walks the chips from its own offset, so the log's Parquet files hold distinct payloads, as they
    would in use (the same chip over and over would let Parquet's dictionary encoding store it once)."""
    counts = {"ok": 0, "failed": 0}
    lock = threading.Lock()
    barrier = threading.Barrier(clients + 1)
    stop_at = [0.0]

    def worker(offset: int) -> None:
        ok = failed = 0
        barrier.wait()
        while time.perf_counter() < stop_at[0]:
            try:
                client.infer(chips[(offset + ok + failed) % len(chips)])
                ok += 1
            except Exception:
                failed += 1
        with lock:
            counts["ok"] += ok
            counts["failed"] += failed

    threads = [threading.Thread(target=worker, args=(i * 7,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    stop_at[0] = time.perf_counter() + seconds
    start = time.perf_counter()
    barrier.wait()
    for thread in threads:
        thread.join()
    return counts["ok"], counts["failed"], time.perf_counter() - start


def model_batching_round(predictor: Any, chips: np.ndarray, sizes: tuple[int, ...], seconds: float) -> dict[int, float]:
    """Chips per second of ``predictor.predict`` in this process on batches of each size, ``seconds`` each."""
    rates = {}
    for size in sizes:
        batch = np.concatenate(chips[:size])
        calls, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            predictor.predict(batch)
            calls += 1
        rates[size] = calls * size / (time.perf_counter() - start)
    return rates


def cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) of process ``pid`` so far, all its threads.

    Example: ``cpu_seconds(os.getpid())``
    """
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--requests", type=int, default=200, help="latency samples per arm and run")
    parser.add_argument("--rounds", type=int, default=9, help="throughput rounds: each arm takes the load once")
    parser.add_argument("--seconds", type=float, default=4.0, help="length of each arm's turn in a round")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                      "serving-results.json"))
    parser.add_argument("--quick", action="store_true",
                        help="1 latency run of 30 requests, 2 throughput rounds of 2 s: a smoke run")
    args = parser.parse_args()
    if args.quick:
        args.runs, args.requests, args.rounds, args.seconds = 1, 30, 2, 2.0

    from jhops import models, serving

    root = tempfile.mkdtemp(prefix="jhops-bench-serving-")
    version = register_model(root)
    # 256 distinct chips, each a batch of one, in the SAR bands' dB range
    chips = np.random.default_rng(42).normal(-20.0, 5.0, size=(256, 1, 75, 75, 3)).astype("float32")
    predictor = models.load_predictor(version.path)
    for chip in chips[:20]:  # warm-up: the tf.function traces on its first call
        predictor.predict(chip)

    from jhops.serving.client import ModelClient

    started = time.perf_counter()
    latency = serving.create_or_update("bench-latency", "iceberg-cnn", batching=False, project=root)
    arms = {
        "unbatched": serving.create_or_update("bench-unbatched", "iceberg-cnn", batching=False, project=root),
        "batched": serving.create_or_update("bench-batched", "iceberg-cnn", project=root,
                                            batching={"max_batch_size": 32, "max_latency_ms": 5}),
        "batched8": serving.create_or_update("bench-batched8", "iceberg-cnn", project=root,
                                             batching={"max_batch_size": 8, "max_latency_ms": 5}),
    }
    key = serving.api_key(root)
    results: dict[str, Any] = {"runs": [], "log": {}}
    successes = {d.name: 0 for d in arms.values()}  # every 200 each load deployment answered

    def client_of(d: Any) -> ModelClient:
        return ModelClient(d.url, d.name, key, connections=args.clients)

    try:
        for d in (latency, *arms.values()):
            d.start(timeout=300)
            # Warm-up: the server's tf.function and connections, outside the timings.
            ok = load_run(client_of(d), chips, 4, 2.0)[0]
            if d is not latency:
                successes[d.name] += ok
        for d in arms.values():
            d.stop()  # the latency runs have the machine to themselves
        for run in range(args.runs):
            figures: dict[str, float] = {}
            client = client_of(latency)
            latency_round(predictor, client, chips, 10)
            for arm, samples in latency_round(predictor, client, chips, args.requests).items():
                figures[f"{arm}_p50_ms"] = _p50_ms(samples)
            results["runs"].append(figures)
            print(f"latency run {run + 1}/{args.runs}: " + ", ".join(f"{k}={v:.2f}" for k, v in figures.items()),
                  flush=True)
        latency.stop()
        model_batching_round(predictor, chips, (1, 16), 1.0)  # warm-up: the batch-of-16 trace
        for d in arms.values():
            d.start(timeout=300)
        clients = {arm: client_of(d) for arm, d in arms.items()}
        pids = {arm: d.status().pid for arm, d in arms.items()}
        for arm in arms:  # every connection of the pool opened once
            successes[arms[arm].name] += load_run(clients[arm], chips, args.clients, 1.0)[0]
        results["rounds"] = []
        for round_ in range(args.rounds):
            figures = {}
            # Turns rotate, so no arm always follows the same one.
            order = list(arms)[round_ % len(arms):] + list(arms)[:round_ % len(arms)]
            for arm in order:
                pid = pids[arm]
                before, own_before = cpu_seconds(pid), time.process_time()
                ok, failed, wall = load_run(clients[arm], chips, args.clients, args.seconds)
                after, own_after = cpu_seconds(pid), time.process_time()
                figures[f"{arm}_server_cores"] = (after - before) / wall
                figures[f"{arm}_client_cores"] = (own_after - own_before) / wall
                successes[arms[arm].name] += ok
                figures[f"{arm}_req_per_s"] = ok / wall
                figures[f"{arm}_failed"] = failed
            for arm in ("batched", "batched8"):
                figures[f"{arm}_speedup"] = figures[f"{arm}_req_per_s"] / figures["unbatched_req_per_s"]
            model = model_batching_round(predictor, chips, (1, 16), args.seconds / 2)
            figures["model_batch1_chips_per_s"], figures["model_batch16_chips_per_s"] = model[1], model[16]
            figures["model_batch16_speedup"] = model[16] / model[1]
            results["rounds"].append(figures)
            print(f"throughput round {round_ + 1}/{args.rounds}: "
                  + ", ".join(f"{k}={v:.2f}" for k, v in figures.items()), flush=True)
        for d in arms.values():
            d.stop()
        for d in arms.values():
            log = d.read_inference_log()
            results["log"][d.name] = {"records": len(log), "status_200": int((log["status_code"] == 200).sum()),
                                      "successful_requests": successes[d.name],
                                      "complete": len(log) == successes[d.name]}
            sizes = log["n_instances"]
            results["log"][d.name]["instances"] = int(sizes.sum())
    finally:
        for d in (latency, *arms.values()):
            d.stop()
    results["elapsed_s"] = time.perf_counter() - started

    def med(key_: str) -> float:
        return statistics.median(r[key_] for r in results["runs"])

    def med_rounds(key_: str) -> float:
        return statistics.median(r[key_] for r in results["rounds"])

    in_proc = med("in_process_p50_ms")
    summary = {
        "in_process_p50_ms": in_proc,
        "v2_binary_p50_ms": med("v2_binary_p50_ms"),
        "v1_json_p50_ms": med("v1_json_p50_ms"),
        "v2_binary_overhead_ms": med("v2_binary_p50_ms") - in_proc,
        "v1_json_overhead_ms": med("v1_json_p50_ms") - in_proc,
    }
    for arm in arms:
        summary[f"{arm}_req_per_s"] = med_rounds(f"{arm}_req_per_s")
        for part in ("server", "client"):
            summary[f"{arm}_{part}_cores"] = med_rounds(f"{arm}_{part}_cores")
    summary["batching_speedup"] = med_rounds("batched_speedup")
    summary["batching8_speedup"] = med_rounds("batched8_speedup")
    summary["batching_speedup_range"] = [min(r["batched_speedup"] for r in results["rounds"]),
                                         max(r["batched_speedup"] for r in results["rounds"])]
    for key_ in ("model_batch1_chips_per_s", "model_batch16_chips_per_s", "model_batch16_speedup"):
        summary[key_] = med_rounds(key_)
    results["summary"] = summary
    results["machine"] = {"nproc": os.cpu_count(), "cpu": _cpu_model(), "python": platform.python_version(),
                          "date": date.today().isoformat(), "load_average_1_5_15": list(os.getloadavg())}
    results["settings"] = vars(args)

    print()
    print(f"Machine: {os.cpu_count()} cores, {_cpu_model()}, Python {platform.python_version()}, {date.today()}, "
          f"load average {os.getloadavg()[1]:.1f} (5 min)")
    print(f"latency: medians of {args.runs} runs, {args.requests} requests per arm; throughput: {args.clients} "
          f"clients, {args.rounds} rounds of {args.seconds:g} s per arm, medians over the rounds")
    print()
    print("| latency, one chip | p50 (ms) | overhead vs in-process (ms) |")
    print("|---|---|---|")
    print(f"| in-process `predictor.predict` (baseline) | {in_proc:.2f} | - |")
    print(f"| V2 binary tensors over HTTP | {summary['v2_binary_p50_ms']:.2f} | "
          f"{summary['v2_binary_overhead_ms']:.2f} |")
    print(f"| V1 JSON over HTTP | {summary['v1_json_p50_ms']:.2f} | {summary['v1_json_overhead_ms']:.2f} |")
    print()
    print(f"| throughput, {args.clients} clients, single chips | requests/s | vs no batching (median of the "
          "rounds' ratios) | cores: server + clients |")
    print("|---|---|---|---|")
    labels = {"unbatched": ("without batching (baseline)", None), "batched": ("dynamic batching (32, 5 ms)",
              "batching_speedup"), "batched8": ("dynamic batching (8, 5 ms)", "batching8_speedup")}
    for arm, (label, speedup) in labels.items():
        ratio = f"{summary[speedup]:.2f}x" if speedup else "1.00x"
        print(f"| {label} | {summary[f'{arm}_req_per_s']:.1f} | {ratio} | "
              f"{summary[f'{arm}_server_cores']:.2f} + {summary[f'{arm}_client_cores']:.2f} |")
    low, high = summary["batching_speedup_range"]
    print(f"\nbatching (32, 5 ms) over the rounds: {low:.2f}x to {high:.2f}x")
    print(f"the model alone, in-process: {summary['model_batch1_chips_per_s']:.0f} chips/s in batches of 1, "
          f"{summary['model_batch16_chips_per_s']:.0f} in batches of 16 ({summary['model_batch16_speedup']:.2f}x)")
    print()
    print("| inference log (after the load) | records | successful requests | equal |")
    print("|---|---|---|---|")
    for name, counts in results["log"].items():
        print(f"| {name} | {counts['records']} | {counts['successful_requests']} | {counts['complete']} |")
    with open(args.out, "w") as f:
        json.dump(results, f, indent=2)
    print(f"figures: {args.out}")


if __name__ == "__main__":
    main()
