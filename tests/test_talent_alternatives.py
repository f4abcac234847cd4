"""The approaches measured beside the solver agree with it (services/solver/alternatives.py)."""
import os
import random

import pytest

from services.solver import alternatives, talent

DATA = os.path.join(os.path.dirname(__file__), "data", "talent")


def test_subset_dp_and_both_ends_agree_with_the_solver_on_random_instances():
    pytest.importorskip("numpy")
    rng = random.Random(42)
    for _ in range(25):
        scenes, actors = rng.randint(1, 10), rng.randint(1, 6)
        cast = [[a for a in range(actors) if rng.random() < 0.4] for _ in range(scenes)]
        instance = talent.Instance.of([rng.randint(1, 4) for _ in range(scenes)], cast,
                                      [rng.randint(1, 30) for _ in range(actors)])
        best = talent.solve(instance)
        for solver in (alternatives.subset_dp, alternatives.ends):
            result = solver(instance)
            assert result.optimal and result.cost == best.cost
            assert talent.evaluate(instance, result.order) == best.cost


def test_subset_dp_reaches_the_concert_optimum():
    pytest.importorskip("numpy")
    with open(os.path.join(DATA, "concert")) as handle:
        assert alternatives.subset_dp(talent.parse(handle.read())).cost == 111
