"""The production objective on the same search (a prototype for POST /schedule/propose; docs/solver.md).

Scenes of ``eighths`` of a page are packed, in order, into consecutive shooting days of at most
``capacity`` eighths (a longer scene gets a day of its own). The cost, in integers:

- cast: each member's daily rate for every shooting day from their first to their last work day, holds
  included (talent scheduling counted in days instead of scene durations);
- moves: ``weights.moves`` for every change of location between consecutive scenes of a day;
- day/night: ``weights.day_night`` for every switch between day and night scenes inside a day;

and a cast member is never placed on a day index listed in their ``unavailable`` set (the caller maps
dates to shooting-day indexes). :func:`evaluate` prices a given board; :func:`solve` searches for the
cheapest one with services/solver/search.py, exactly like the talent model.

The search state is (scenes left, scenes of the open day, its index, the last scene shot). A move puts
a scene next in the open day or opens the next day with it; a day's cast cost is settled when it
closes, since then the people who have worked and still have scenes to come are known.
"""
import time
from dataclasses import dataclass

from services.solver import search


@dataclass(frozen=True)
class Weights:
    cast: int = 1
    moves: int = 500
    day_night: int = 200


@dataclass(frozen=True)
class Production:
    eighths: tuple       # per scene
    cast: tuple          # per scene: cast indexes
    rates: tuple         # per cast member: daily rate (an integer: cents, or whole units)
    locations: tuple     # per scene: anything comparable; a change inside a day is a company move
    night: tuple         # per scene: True for night
    capacity: int        # eighths per day
    unavailable: tuple = ()  # per cast member: a set of shooting-day indexes (0-based)
    weights: Weights = Weights()
    started: frozenset = frozenset()  # cast who worked before day 0 (days kept): paid from day 0 if they work again

    def available(self, scene, day):
        return not any(day in self.unavailable[a] for a in self.cast[scene] if a < len(self.unavailable))


@dataclass
class Cost:
    cast: int
    moves: int
    day_night: int
    total: int


@dataclass
class Plan:
    days: list          # lists of scene indexes
    cost: Cost
    lower_bound: int
    optimal: bool
    seconds: float


def evaluate(production, days):
    """The cost of a board (days of scene indexes); ValueError naming the first rule it breaks."""
    placed = [s for day in days for s in day]
    if sorted(placed) != list(range(len(production.eighths))):
        raise ValueError("a board places every scene exactly once")
    first, last = {}, {}
    moves = switches = 0
    for index, day in enumerate(days):
        if not day:
            raise ValueError(f"day {index + 1} is empty")
        if len(day) > 1 and sum(production.eighths[s] for s in day) > production.capacity:
            raise ValueError(f"day {index + 1} holds more than {production.capacity} eighths")
        for position, s in enumerate(day):
            if not production.available(s, index):
                raise ValueError(f"scene {s} is on day {index + 1}, when one of its cast is unavailable")
            for a in production.cast[s]:
                first.setdefault(a, index)
                last[a] = index
            if position:
                before = day[position - 1]
                moves += production.locations[s] != production.locations[before]
                switches += production.night[s] != production.night[before]
    for a in production.started:
        if a in first:
            first[a] = 0
    cast = sum(production.rates[a] * (last[a] - first[a] + 1) for a in first)
    w = production.weights
    return Cost(cast, moves, switches, w.cast * cast + w.moves * moves + w.day_night * switches)


class DayModel:
    """States (left, today, day, last): bitmasks of scenes not placed and of the open day's scenes."""

    def __init__(self, production):
        self.p = production
        self.n = len(production.eighths)
        self.full = (1 << self.n) - 1
        self.actors = [sum(1 << a for a in production.cast[s]) for s in range(self.n)]
        self.capped = [min(e, production.capacity) for e in production.eighths]
        self.horizon = self.n + max((max(days, default=0) for days in production.unavailable), default=0) + 1
        self.scenes_of = [sum(1 << s for s in range(self.n) if a in production.cast[s])
                          for a in range(len(production.rates))]
        self.started = sum(1 << a for a in production.started)

    def initial(self):
        """The scenes in their given order, each day filled as far as it goes: None if a date forbids it."""
        p = self.p
        moves, day, used = [], -1, None
        for s in range(self.n):
            if used is not None and used + p.eighths[s] <= p.capacity and p.available(s, day):
                moves.append((s, False))
                used += p.eighths[s]
            elif p.available(s, day + 1):
                day += 1
                moves.append((s, True))
                used = p.eighths[s]
            else:
                return None
        board = []
        for s, new_day in moves:
            if new_day:
                board.append([])
            board[-1].append(s)
        return (evaluate(p, board).total, moves) if moves else (0, [])

    def improve(self, moves, cost, clock):
        """Local search on an answer: open or close a day before one scene, or move one scene elsewhere
        (opening a day there or not), while that lowers the cost and breaks no rule (first improvement)."""
        moves = list(moves)
        improved = True
        while improved and not clock.out():
            improved = False
            for i in range(1, len(moves)):
                if clock.out():
                    return cost, moves
                candidate = moves[:i] + [(moves[i][0], not moves[i][1])] + moves[i + 1:]
                value = self._price(candidate)
                if value is not None and value < cost:
                    moves, cost, improved = candidate, value, True
            for i in range(len(moves)):
                if clock.out():
                    break
                scene = moves[i][0]
                rest = moves[:i] + moves[i + 1:]
                for j in range(len(rest) + 1):
                    if clock.out():
                        return cost, moves
                    for opens in (False, True):
                        candidate = rest[:j] + [(scene, opens)] + rest[j:]
                        value = self._price(candidate)
                        if value is not None and value < cost:
                            moves, cost, improved = candidate, value, True
                            break
                    else:
                        continue
                    break
        return cost, moves

    def _price(self, moves):
        """The total of the board these moves build, or None when it breaks a rule."""
        if not moves or not moves[0][1]:
            return None
        board = []
        for s, opens in moves:
            if opens:
                board.append([])
            board[-1].append(s)
        try:
            return evaluate(self.p, board).total
        except ValueError:
            return None

    def rate_of(self, mask):
        total, a = 0, 0
        while mask:
            if mask & 1:
                total += self.p.rates[a]
            mask >>= 1
            a += 1
        return total

    def union(self, scenes):
        out = 0
        s = 0
        while scenes:
            if scenes & 1:
                out |= self.actors[s]
            scenes >>= 1
            s += 1
        return out

    def close(self, left, today):
        """The cast cost of the day ``today`` (scenes) when ``left`` is still to shoot after it."""
        before = self.union(self.full ^ left ^ today) | self.started
        return self.p.weights.cast * self.rate_of(self.union(today) | (before & self.union(left)))

    def root(self):
        return (self.full, 0, -1, -1)

    def is_goal(self, state):
        return state[0] == 0

    def expand(self, state):
        left, today, day, last = state
        p = self.p
        used = sum(p.eighths[s] for s in range(self.n) if today >> s & 1)
        out = []
        closing = self.close(left, today) if today else 0
        for s in range(self.n):
            if not left >> s & 1:
                continue
            bit = 1 << s
            rest = left ^ bit
            if today and used + p.eighths[s] <= p.capacity and p.available(s, day):
                step = (p.weights.moves * (p.locations[s] != p.locations[last])
                        + p.weights.day_night * (p.night[s] != p.night[last]))
                if not rest:
                    step += self.close(0, today | bit)
                out.append(((s, False), (rest, today | bit, day, s), step))
            if day + 1 < self.horizon and p.available(s, day + 1):
                step = closing + (self.close(0, bit) if not rest else 0)
                out.append(((s, True), (rest, bit, day + 1, s), step))
        return out

    def bound(self, state):
        left, today, day, last = state
        if not left:
            return 0
        p = self.p
        total = self.close(left, today) if today else 0
        free = p.capacity - sum(p.eighths[s] for s in range(self.n) if today >> s & 1) if today else 0
        capacity = p.capacity
        for a, rate in enumerate(p.rates):
            need = 0
            mine = left & self.scenes_of[a]
            while mine:
                low = mine & -mine
                need += self.capped[low.bit_length() - 1]
                mine ^= low
            if need > free:  # the days a still has to work after the open one
                total += p.weights.cast * rate * -(-(need - free) // capacity)
        return total


def solve(production, time_limit=None):
    """Plan(days, cost, lower_bound, optimal, seconds), or None when no board respects the dates."""
    started = time.perf_counter()
    if production.capacity <= 0:
        raise ValueError("a day holds at least one eighth of a page")
    outcome = search.solve(DayModel(production), time_limit)
    if outcome.moves is None:
        return None
    days = []
    for s, new_day in outcome.moves:
        if new_day:
            days.append([])
        days[-1].append(s)
    cost = evaluate(production, days)
    if cost.total != outcome.cost:
        raise AssertionError(f"the search's cost {outcome.cost} is not the board's {cost.total}")
    return Plan(days, cost, min(outcome.lower_bound, cost.total), outcome.optimal, time.perf_counter() - started)
