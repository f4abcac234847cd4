"""The production objective on the same search (services/solver/days.py): days of pages, moves, day/night."""
import itertools
import random

import pytest

from services.solver import days


def board_cost(production, board):
    """The test's own pricing: rate x (last day - first day + 1), 500 a move, 200 a switch inside a day."""
    first, last, moves, switches = {}, {}, 0, 0
    for index, day in enumerate(board):
        for position, s in enumerate(day):
            for a in production.cast[s]:
                first.setdefault(a, index)
                last[a] = index
            if position:
                moves += production.locations[s] != production.locations[day[position - 1]]
                switches += production.night[s] != production.night[day[position - 1]]
    return sum(production.rates[a] * (last[a] - first[a] + 1) for a in first) + 500 * moves + 200 * switches


def feasible(production, board):
    for index, day in enumerate(board):
        if len(day) > 1 and sum(production.eighths[s] for s in day) > production.capacity:
            return False
        if not all(production.available(s, index) for s in day):
            return False
    return True


def boards(n):
    """Every order of n scenes cut into consecutive non-empty days."""
    for order in itertools.permutations(range(n)):
        for cuts in itertools.product((False, True), repeat=max(0, n - 1)):
            board, day = [], [order[0]]
            for s, cut in zip(order[1:], cuts):
                if cut:
                    board.append(day)
                    day = []
                day.append(s)
            board.append(day)
            yield board


def random_production(rng, n):
    actors = rng.randint(1, 4)
    return days.Production(
        eighths=tuple(rng.randint(1, 12) for _ in range(n)),
        cast=tuple(tuple(a for a in range(actors) if rng.random() < 0.5) for _ in range(n)),
        rates=tuple(rng.randint(100, 2000) for _ in range(actors)),
        locations=tuple(rng.choice("ABC") for _ in range(n)),
        night=tuple(rng.random() < 0.4 for _ in range(n)),
        capacity=rng.choice((8, 16, 24)),
        unavailable=tuple(frozenset(d for d in range(n) if rng.random() < 0.15) for _ in range(actors)))


def test_a_board_priced_by_hand():
    # two days; actor 0 (rate 1000) works days 1 and 2, actor 1 (300) day 1 only;
    # day 1 shoots A-day then B-night: one move and one switch
    production = days.Production(eighths=(8, 8, 16), cast=((0, 1), (0,), (0,)), rates=(1000, 300),
                                 locations=("A", "B", "A"), night=(False, True, False), capacity=16)
    cost = days.evaluate(production, [[0, 1], [2]])
    assert (cost.cast, cost.moves, cost.day_night) == (2 * 1000 + 300, 1, 1)
    assert cost.total == 2300 + 500 + 200
    with pytest.raises(ValueError, match="more than 16 eighths"):
        days.evaluate(production, [[0, 1, 2]])


def test_solver_matches_brute_force_on_small_productions():
    rng = random.Random(3)
    solved = 0
    for _ in range(30):
        production = random_production(rng, rng.randint(1, 5))
        n = len(production.eighths)
        options = [board_cost(production, b) for b in boards(n) if feasible(production, b)]
        plan = days.solve(production)
        if not options:  # every board would break an unavailable date
            assert plan is None
            continue
        solved += 1
        assert plan is not None and plan.optimal
        assert plan.cost.total == min(options)
        assert sorted(s for day in plan.days for s in day) == list(range(n))
        assert feasible(production, plan.days)
        assert board_cost(production, plan.days) == plan.cost.total
    assert solved >= 25


def test_a_scene_longer_than_a_day_gets_a_day_of_its_own():
    production = days.Production(eighths=(40, 4, 4), cast=((0,), (0,), (0,)), rates=(100,),
                                 locations=("A", "A", "A"), night=(False, False, False), capacity=8)
    plan = days.solve(production)
    assert plan.optimal and sorted(map(len, plan.days)) == [1, 2]
    assert plan.cost.cast == 200


def test_unavailable_days_are_never_worked():
    # actor 0 cannot work day index 0: their scene must wait for day 2 even though everything fits in one day
    production = days.Production(eighths=(2, 2), cast=((0,), (1,)), rates=(100, 100), locations=("A", "A"),
                                 night=(False, False), capacity=8, unavailable=(frozenset({0}), frozenset()))
    plan = days.solve(production)
    assert plan.days == [[1], [0]]
    assert plan.cost.cast == 200


def test_a_large_production_under_a_zero_limit_gets_a_board():
    rng = random.Random(9)
    n = 1000
    production = days.Production(
        eighths=tuple(rng.randint(2, 24) for _ in range(n)),
        cast=tuple(tuple(rng.sample(range(20), rng.randint(1, 4))) for _ in range(n)),
        rates=tuple(rng.randint(100, 900) for _ in range(20)), locations=tuple(rng.choice("ABCD") for _ in range(n)),
        night=tuple(rng.random() < 0.3 for _ in range(n)), capacity=40)
    plan = days.solve(production, time_limit=0)
    assert sorted(s for day in plan.days for s in day) == list(range(n))
    assert feasible(production, plan.days)
    assert plan.cost.total == board_cost(production, plan.days)
    assert 0 < plan.lower_bound <= plan.cost.total


def test_a_time_limited_board_is_valid_and_no_worse_than_the_scenes_as_given():
    rng = random.Random(12)
    n = 40
    production = days.Production(
        eighths=tuple(rng.randint(2, 24) for _ in range(n)),
        cast=tuple(tuple(rng.sample(range(12), rng.randint(1, 4))) for _ in range(n)),
        rates=tuple(rng.randint(100, 900) for _ in range(12)), locations=tuple(rng.choice("ABCD") for _ in range(n)),
        night=tuple(rng.random() < 0.3 for _ in range(n)), capacity=40,
        unavailable=tuple(frozenset(rng.sample(range(20, 40), 2)) for _ in range(12)))
    as_given, _ = days.DayModel(production).initial()  # about 15 days: the dates off come later
    plan = days.solve(production, time_limit=0.3)
    assert sorted(s for day in plan.days for s in day) == list(range(n))
    assert feasible(production, plan.days)
    assert plan.cost.total == board_cost(production, plan.days) <= as_given
    assert plan.lower_bound <= plan.cost.total


def test_cast_who_worked_on_kept_days_are_paid_from_the_first_new_day():
    """``started``: with days kept on the board, a cast member who already worked is held from the first
    appended day to their last work day (brute force agrees on random productions)."""
    production = days.Production(eighths=(8, 8), cast=((0,), (1,)), rates=(1000, 10), locations=("A", "A"),
                                 night=(False, False), capacity=8, started=frozenset({0}))
    assert days.evaluate(production, [[1], [0]]).cast == 2 * 1000 + 10  # held on day 1, works day 2
    plan = days.solve(production)
    assert plan.optimal and plan.days == [[0], [1]] and plan.cost.cast == 1010
    rng = random.Random(11)
    for _ in range(15):
        base = random_production(rng, rng.randint(1, 5))
        production = days.Production(**{**base.__dict__, "started": frozenset({0})})
        n = len(production.eighths)
        options = [days.evaluate(production, b).total for b in boards(n) if feasible(production, b)]
        plan = days.solve(production)
        assert (plan is None) if not options else (plan.optimal and plan.cost.total == min(options))
