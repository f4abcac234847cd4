"""The talent-scheduling solver (services/solver): cost by hand, brute force, the public instances, time limits."""
import itertools
import os
import random

import pytest

from services.solver import talent

DATA = os.path.join(os.path.dirname(__file__), "data", "talent")
OPTIMA = {"tiny": 29, "small": 54, "concert": 111, "film103.dat": 1031, "film105.dat": 849,
          "film114.dat": 867, "MobStory": 871}
SLOW = {"film103.dat", "film105.dat", "film114.dat", "MobStory"}


def load(name):
    with open(os.path.join(DATA, name)) as handle:
        return talent.parse(handle.read())


def paid(durations, cast, costs, order):
    """The test's own cost: for each actor, rate x (end of last scene - start of first scene)."""
    starts, ends, clock = {}, {}, 0
    for s in order:
        for a in cast[s]:
            starts.setdefault(a, clock)
            ends[a] = clock + durations[s]
        clock += durations[s]
    return sum(costs[a] * (ends[a] - starts[a]) for a in starts)


def random_case(rng, scenes):
    actors = rng.randint(1, 6)
    cast = [[a for a in range(actors) if rng.random() < 0.45] for _ in range(scenes)]
    return [rng.randint(0, 4) for _ in range(scenes)], cast, [rng.randint(0, 30) for _ in range(actors)]


def test_cost_of_a_four_scene_order_by_hand():
    # scenes last 1, 2, 3, 1 days; actor 0 (rate 1) is in scenes 0 and 2, actor 1 (rate 2) in 0, 1 and 3,
    # actor 2 (rate 3) in 1 and 2 (the "tiny" instance)
    instance = talent.Instance.of([1, 2, 3, 1], [[0, 1], [1, 2], [0, 2], [1]], [1, 2, 3])
    # in order 0 1 2 3 the scenes run [0,1] [1,3] [3,6] [6,7]: actor 0 is paid 0..6 = 6 days x 1,
    # actor 1 0..7 = 7 x 2, actor 2 1..6 = 5 x 3
    assert talent.evaluate(instance, [0, 1, 2, 3]) == 6 + 14 + 15
    # in order 3 0 1 2: [0,1] [1,2] [2,4] [4,7]: actor 0 1..7 = 6, actor 1 0..4 = 4 x 2, actor 2 2..7 = 5 x 3
    assert talent.evaluate(instance, [3, 0, 1, 2]) == 6 + 8 + 15
    assert talent.evaluate(instance, [3, 0, 1, 2]) == 29


def test_the_tiny_instance_parses_to_the_same_problem():
    instance = load("tiny")
    assert instance.durations == (1, 2, 3, 1)
    assert instance.cast == ((0, 1), (1, 2), (0, 2), (1,))
    assert instance.costs == (1, 2, 3)


def test_solver_matches_brute_force_on_random_instances_up_to_8_scenes():
    rng = random.Random(2011)
    checked = 0
    for scenes in range(0, 9):
        for _ in range(3 if scenes == 8 else 6):
            durations, cast, costs = random_case(rng, scenes)
            best = min(paid(durations, cast, costs, order) for order in itertools.permutations(range(scenes)))
            result = talent.solve(talent.Instance.of(durations, cast, costs))
            assert result.optimal, (durations, cast, costs)
            assert result.cost == best, (durations, cast, costs, result.order)
            assert sorted(result.order) == list(range(scenes))
            assert paid(durations, cast, costs, result.order) == best
            assert result.lower_bound == best
            checked += 1
    assert checked == 51


def test_lower_bound_never_exceeds_the_best_completion():
    """The bound is admissible in every state: checked against an exhaustive DP over all subsets."""
    rng = random.Random(7)
    for _ in range(40):
        durations, cast, costs = random_case(rng, rng.randint(2, 9))
        reduced = talent.reduce(talent.Instance.of(durations, cast, costs))
        model = talent.TalentModel(reduced.durations, reduced.actors, reduced.costs)
        best = {0: 0}
        for remaining in sorted(range(1, model.full + 1), key=lambda mask: bin(mask).count("1")):
            best[remaining] = min(model.step_cost(remaining, s) + best[remaining ^ (1 << s)]
                                  for s in range(model.n) if remaining >> s & 1)
            assert model.bound(remaining) <= best[remaining]


def test_preprocessing_merges_same_cast_and_drops_one_scene_actors():
    # actor 2 is only in scene 1: 5 days x 3 = 15 in every order; then all three scenes have cast {0, 1}
    # and merge, after which actors 0 and 1 are in one (merged) scene: (4 + 6) x 8 days = 80
    instance = talent.Instance.of([1, 5, 2], [[0, 1], [0, 1, 2], [0, 1]], [4, 6, 3])
    reduced = talent.reduce(instance)
    assert reduced.constant == 15 + 80
    assert reduced.durations == [] and sorted(reduced.first) == [0, 1, 2]
    # two scenes with the same cast {0, 1} among others merge into one of 3 days
    reduced = talent.reduce(talent.Instance.of([1, 2, 2, 1], [[0, 1], [1, 2], [0, 1], [0, 2]], [1, 1, 1]))
    assert sorted(sorted(group) for group in reduced.groups) == [[0, 2], [1], [3]]
    assert sorted(reduced.durations) == [1, 2, 3]


@pytest.mark.parametrize("name", [pytest.param(name, marks=pytest.mark.slow) if name in SLOW else name
                                  for name in OPTIMA])
def test_public_instance_reaches_its_proven_optimum(name):
    instance = load(name)
    result = talent.solve(instance)
    assert result.optimal is True
    assert result.cost == OPTIMA[name]
    assert result.lower_bound == OPTIMA[name]
    assert paid(instance.durations, instance.cast, instance.costs, result.order) == OPTIMA[name]


@pytest.mark.parametrize("limit", [0, 1e-4, 0.05])
def test_a_time_limit_returns_a_valid_order_and_a_lower_bound(limit):
    instance = talent.random_instance(3, 34, 10)
    result = talent.solve(instance, time_limit=limit)
    assert sorted(result.order) == list(range(34))
    assert result.cost == paid(instance.durations, instance.cast, instance.costs, result.order)
    assert 0 <= result.lower_bound <= result.cost
    assert result.optimal == (result.lower_bound == result.cost)


def test_parse_names_what_is_wrong():
    with pytest.raises(ValueError, match="need 7 numbers, found 6"):
        talent.parse("x 2 1 1 0 5 1")
    with pytest.raises(ValueError, match="a flag is 0 or 1"):
        talent.parse("x 2 1 1 2 5 1 1")
    with pytest.raises(ValueError, match="exactly once"):
        talent.evaluate(load("tiny"), [0, 0, 1, 2])


def test_a_2000_scene_instance_under_a_zero_limit_answers_with_an_order():
    """The search starts from the scenes as given, so no limit is ever too small to answer."""
    instance = talent.random_instance(1, 2000, 40)
    result = talent.solve(instance, time_limit=0)
    assert sorted(result.order) == list(range(2000))
    assert result.cost == paid(instance.durations, instance.cast, instance.costs, result.order)
    assert 0 < result.lower_bound <= result.cost
    assert result.optimal is False


def test_the_benchmark_prints_one_json_line_per_instance(capsys):
    import json

    from bench import talent as bench_talent

    names = [os.path.join(DATA, name) for name in ("README.md", "LICENSE", "tiny", "concert")]
    assert bench_talent.run_files(names + [os.path.join(DATA, "missing")]) == 1
    out, err = capsys.readouterr()
    lines = [json.loads(line) for line in out.splitlines()]
    assert [(line["instance"], line["cost"], line["optimal"]) for line in lines] == [("tiny", 29, True),
                                                                                    ("concert", 111, True)]
    assert set(lines[0]) >= {"instance", "order", "cost", "optimal", "seconds"}
    assert lines[0]["order"] in ([3, 0, 1, 2], [2, 1, 0, 3])  # the two optimal orders of tiny (one reversed)
    assert "missing" in err
