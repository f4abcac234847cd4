"""The talent-scheduling benchmark: the solver on instance files, one JSON object per line.

    .venv/bin/python -m bench --talent tests/data/talent/*                 # each instance once
    .venv/bin/python -m bench --talent tests/data/talent/* --runs 3        # seconds: median of 3
    .venv/bin/python -m bench --talent-random 30,35,40 --time-limit 60     # random instances (docs/solver.md)
    .venv/bin/python -m bench --talent tests/data/talent/* --compare       # the approaches side by side

``seconds`` is wall-clock time of one ``solve`` call, parsing excluded (the median when ``--runs`` > 1).
Asserts nothing about time.
"""
import json
import os
import statistics
import sys
import time

from services.solver import talent


def _median_run(instance, runs, time_limit, solver=talent.solve):
    results = []
    for _ in range(max(1, runs)):
        started = time.perf_counter()
        result = solver(instance, time_limit=time_limit)
        results.append((time.perf_counter() - started, result))
    seconds = statistics.median(seconds for seconds, _ in results)
    return seconds, results[-1][1]


def _line(name, result, seconds):
    return json.dumps({"instance": name, "order": result.order, "cost": result.cost, "optimal": result.optimal,
                       "seconds": round(seconds, 4), "lower_bound": result.lower_bound})


def load(path):
    """The instance in ``path``, or None (said on stderr) when it cannot be read."""
    try:
        with open(path) as handle:
            return talent.parse(handle.read())
    except (OSError, UnicodeDecodeError, ValueError) as error:
        print(f"{path}: {error}", file=sys.stderr)
        return None


def instance_files(paths):
    return [path for path in paths if not os.path.basename(path).upper().startswith(("README", "LICENSE"))]


def run_files(paths, runs=1, time_limit=None):
    """One JSON line per instance; returns how many files could not be read."""
    failed = 0
    for path in instance_files(paths):  # the notices beside the instances are skipped
        instance = load(path)
        if instance is None:
            failed += 1
            continue
        seconds, result = _median_run(instance, runs, time_limit)
        print(_line(instance.name or os.path.basename(path), result, seconds), flush=True)
    return failed


def run_random(sizes, seeds, actors, time_limit, runs=1):
    for scenes in sizes:
        for seed in range(seeds):
            instance = talent.random_instance(seed, scenes, actors)
            seconds, result = _median_run(instance, runs, time_limit)
            line = json.loads(_line(instance.name, result, seconds))
            line["gap"] = round((result.cost - result.lower_bound) / result.cost, 6) if result.cost else 0.0
            line["nodes"] = result.nodes
            print(json.dumps(line), flush=True)


def run_compare(paths, runs=1, time_limit=None):
    """Each approach on each file: the chosen solver and the alternatives in services/solver/alternatives.py."""
    from services.solver import alternatives

    approaches = [("astar", talent.solve)] + list(alternatives.APPROACHES)
    failed = 0
    for path in instance_files(paths):
        instance = load(path)
        if instance is None:
            failed += 1
            continue
        for label, solver in approaches:
            seconds, result = _median_run(instance, runs, time_limit, solver)
            line = json.loads(_line(instance.name, result, seconds))
            line["approach"] = label
            print(json.dumps(line), flush=True)
    return failed
