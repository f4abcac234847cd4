"""Talent scheduling (Cheng, Diamond & Lin 1993): order scenes so that the cast's paid days cost least.

A scene has a duration and a cast; each cast member costs a daily rate and is paid for every day from the
start of their first scene to the end of their last one, waiting days included. :func:`solve` returns an
order with its cost, a lower bound and whether the order is proven optimal.

The method is the dynamic program of Garcia de la Banda, Stuckey & Chu ("Solving Talent Scheduling with
Dynamic Programming", INFORMS JOC 2011), searched best-first (A*) over the set of scenes still to shoot:

- preprocessing: a cast member in one scene only costs the same in every order (a constant); scenes
  with the same cast are shot back to back (merged); a scene left with nobody goes first, for free;
- the cost of shooting scene s next depends only on the set already shot, not its order: everybody in s,
  plus whoever has started and still has a scene to come, is paid d(s) days;
- dominance: a scene whose cast is exactly the people on location is shot at once; a scene s is not shot
  next while a scene j still to shoot has cast(s) ⊂ cast(j) ⊆ cast(s) ∪ started (j first is no worse);
- lower bound: every remaining scene's own cast, plus the waiting of the people on location, bounded by
  a single-machine weighted-completion relaxation (Smith's rule), the bound the ``ddo`` solver uses.

All of it stays inside :class:`TalentModel`; the search itself (services/solver/search.py) only sees
states, moves, costs and bounds.
"""
import math
import time
from dataclasses import dataclass

from services.solver import search


@dataclass(frozen=True)
class Instance:
    """``durations[s]`` days; ``cast[s]`` the cast indexes of scene s; ``costs[a]`` a's daily rate."""

    durations: tuple
    cast: tuple
    costs: tuple
    name: str = ""

    @classmethod
    def of(cls, durations, cast, costs, name=""):
        instance = cls(tuple(int(d) for d in durations), tuple(tuple(sorted(set(c))) for c in cast),
                       tuple(int(c) for c in costs), name)
        instance.check()
        return instance

    def check(self):
        if len(self.durations) != len(self.cast):
            raise ValueError(f"{len(self.durations)} durations for {len(self.cast)} scenes")
        if any(d < 0 for d in self.durations):
            raise ValueError("a scene's duration is at least 0")
        if any(c < 0 for c in self.costs):
            raise ValueError("a daily cost is at least 0")
        for scene, members in enumerate(self.cast):
            for a in members:
                if not 0 <= a < len(self.costs):
                    raise ValueError(f"scene {scene} names cast member {a}, not one of the {len(self.costs)}")


@dataclass
class Result:
    order: list
    cost: int
    lower_bound: int
    optimal: bool
    seconds: float
    nodes: int = 0


def parse(text):
    """An instance from the benchmark's text format (name, n, m, m rows of n flags + cost, n durations)."""
    tokens = text.split()
    if len(tokens) < 3:
        raise ValueError("expected a name, the number of scenes and the number of actors")
    name = tokens[0]
    try:
        numbers = [int(token) for token in tokens[1:]]
    except ValueError as error:
        raise ValueError(f"{name}: every field after the name is an integer ({error})") from None
    n, m = numbers[0], numbers[1]
    expected = 2 + m * (n + 1) + n
    if n < 0 or m < 0 or len(numbers) != expected:
        raise ValueError(f"{name}: {n} scenes and {m} actors need {expected} numbers, found {len(numbers)}")
    rows = numbers[2:2 + m * (n + 1)]
    cast = [[] for _ in range(n)]
    costs = []
    for a in range(m):
        row = rows[a * (n + 1):(a + 1) * (n + 1)]
        for s, flag in enumerate(row[:n]):
            if flag not in (0, 1):
                raise ValueError(f"{name}: actor {a + 1}, scene {s + 1}: a flag is 0 or 1")
            if flag:
                cast[s].append(a)
        costs.append(row[n])
    return Instance.of(numbers[2 + m * (n + 1):], cast, costs, name)


def evaluate(instance, order):
    """The cost of shooting the scenes in ``order``: each cast member's rate times first-to-last span."""
    if sorted(order) != list(range(len(instance.durations))):
        raise ValueError("an order lists every scene exactly once")
    start, end = {}, {}
    clock = 0
    for s in order:
        for a in instance.cast[s]:
            start.setdefault(a, clock)
            end[a] = clock + instance.durations[s]
        clock += instance.durations[s]
    return sum(instance.costs[a] * (end[a] - start[a]) for a in start)


# --- preprocessing -----------------------------------------------------------------------------------

@dataclass
class Reduced:
    """The instance the search sees, and how to map its answer back."""

    durations: list      # per merged scene
    actors: list         # per merged scene: bitmask of the remaining actors
    costs: list          # per remaining actor
    groups: list         # per merged scene: the original scenes, shot in this order
    first: list          # original scenes with nobody left: shot first, free
    constant: int        # cost that every order pays (actors in one scene only)


def reduce(instance):
    """Remove single-scene actors, merge scenes with the same cast, set cast-less scenes apart; repeat."""
    groups = [[s] for s in range(len(instance.durations))]
    durations = list(instance.durations)
    casts = [set(c) for c in instance.cast]
    constant = 0
    while True:
        appearances = {}
        for s, members in enumerate(casts):
            for a in members:
                appearances.setdefault(a, []).append(s)
        lonely = {a for a, scenes in appearances.items() if len(scenes) == 1}
        for a in lonely:
            s = appearances[a][0]
            constant += instance.costs[a] * durations[s]
            casts[s].discard(a)
        merged = {}
        for s, members in enumerate(casts):
            key = frozenset(members)
            if key in merged:
                t = merged[key]
                groups[t].extend(groups[s])
                durations[t] += durations[s]
            else:
                merged[key] = s
        keep = sorted(merged.values())
        changed = bool(lonely) or len(keep) < len(casts)
        groups = [groups[s] for s in keep]
        durations = [durations[s] for s in keep]
        casts = [casts[s] for s in keep]
        if not changed:
            break
    first = []
    kept = [i for i, members in enumerate(casts) if members]
    for i, members in enumerate(casts):
        if not members:
            first.extend(groups[i])
    actor_ids = sorted({a for i in kept for a in casts[i]})
    index = {a: k for k, a in enumerate(actor_ids)}
    return Reduced([durations[i] for i in kept], [sum(1 << index[a] for a in casts[i]) for i in kept],
                   [instance.costs[a] for a in actor_ids], [groups[i] for i in kept], first, constant)


# --- the search model -------------------------------------------------------------------------------

class TalentModel:
    """States are bitmasks of the merged scenes still to shoot; moves are merged scene indexes."""

    # the subset dominance costs O(n^2) per expansion: past a few hundred scenes (where no proof is in
    # reach anyway) it would make one expansion outlast a short time limit
    DOMINANCE_UP_TO = 300

    def __init__(self, durations, actors, costs):
        self.n = len(durations)
        self.m = len(costs)
        self.d = list(durations)
        self.A = list(actors)
        self.c = list(costs)
        self.full = (1 << self.n) - 1
        self.scenes_of = [sum(1 << s for s in range(self.n) if self.A[s] >> a & 1) for a in range(self.m)]
        self.base = [self.d[s] * self.cost_of(self.A[s]) for s in range(self.n)]
        self._supersets = {}
        self._sums = {}
        self._by_present = {}
        self._cast = [[a for a in range(self.m) if self.A[s] >> a & 1] for s in range(self.n)]
        self._base_bytes = [[sum(self.base[k + b] for b in range(8) if byte >> b & 1 and k + b < self.n)
                             for byte in range(256)] for k in range(0, self.n, 8)]

    def supersets(self, s):
        """The scenes j whose cast strictly contains s's (j may have to come first); computed on demand."""
        known = self._supersets.get(s)
        if known is None:
            mine = self.A[s]
            known = self._supersets[s] = [j for j, cast in enumerate(self.A) if cast != mine and mine & ~cast == 0]
        return known

    def initial(self):
        """The merged scenes in their given order: an answer in linear time, before any search."""
        moves = list(range(self.n))
        return self.sequence_cost(moves), moves

    def cost_of(self, mask):
        total = 0
        a = 0
        while mask:
            if mask & 1:
                total += self.c[a]
            mask >>= 1
            a += 1
        return total

    def _sum_sq(self, mask):
        known = self._sums.get(mask)
        if known is None:
            members = [a for a in range(self.m) if mask >> a & 1]
            total = sum(self.c[a] for a in members)
            known = self._sums[mask] = (total, sum(self.c[a] ** 2 for a in members), members)
        return known

    def root(self):
        return self.full

    def is_goal(self, state):
        return state == 0

    def undo(self, state, move):
        return state | (1 << move)

    def started_and_left(self, remaining):
        """(actors who have worked, actors still needed) as bitmasks."""
        done = self.full ^ remaining
        started = needed = 0
        for a, scenes in enumerate(self.scenes_of):
            if scenes & done:
                started |= 1 << a
            if scenes & remaining:
                needed |= 1 << a
        return started, needed

    def step_cost(self, remaining, s, on_location=None):
        """What shooting s next costs when ``remaining`` (s included) is left: d(s) x everyone on location."""
        if on_location is None:
            started, needed = self.started_and_left(remaining)
            on_location = started & needed
        return self.d[s] * self.cost_of(self.A[s] | on_location)

    def expand(self, remaining):
        started, needed = self.started_and_left(remaining)
        present = started & needed
        scenes = [s for s in range(self.n) if remaining >> s & 1]
        for s in scenes:
            if self.A[s] == present:
                return [(s, remaining ^ (1 << s), self.base[s])]
        out = []
        prune = self.n <= self.DOMINANCE_UP_TO
        for s in scenes:
            allowed = started | self.A[s]
            if prune and any(remaining >> j & 1 and self.A[j] & ~allowed == 0 for j in self.supersets(s)):
                continue
            idle = present & ~self.A[s]
            out.append((s, remaining ^ (1 << s), self.base[s] + (self.d[s] * self.cost_of(idle) if idle else 0)))
        return out

    def bound(self, remaining):
        started, needed = self.started_and_left(remaining)
        return self.base_of(remaining) + self.waiting_bound(started & needed, remaining)

    def base_of(self, remaining):
        """What the remaining scenes' own casts cost, a byte of scenes at a time."""
        base = 0
        chunk = 0
        while remaining:
            base += self._base_bytes[chunk][remaining & 255]
            remaining >>= 8
            chunk += 1
        return base

    def waiting_bound(self, present, remaining):
        """A lower bound on the waiting days paid to ``present`` (on location, each until their last
        remaining scene) while ``remaining`` is shot: split every scene among its present actors in
        proportion to their rates, order the actors by Smith's rule (a single machine, weighted
        completion time), and take back what the split may have gained inside a scene."""
        if not present:
            return 0
        known = self._by_present.get(present)
        if known is None:
            known = self._by_present[present] = self._scene_shares(present)
        relevant, shares, members = known
        relevant &= remaining
        correction = 0.0
        ratio = dict.fromkeys(members, 0.0)
        while relevant:
            low = relevant & -relevant
            relevant ^= low
            part, share, who = shares[low.bit_length() - 1]
            correction += part
            for a in who:
                ratio[a] += share
        smith = 0.0
        elapsed = 0.0
        for a in sorted(ratio, key=ratio.get):
            elapsed += ratio[a] * self.c[a]
            smith += self.c[a] * elapsed
        idle = smith - correction
        return math.ceil(idle - 1e-6) if idle > 1e-6 else 0

    def _scene_shares(self, present):
        """For one set of people on location: the scenes that hold any of them, and per scene its
        correction term, each actor's share of its days and who they are (cached: few such sets recur)."""
        relevant = 0
        shares = [None] * self.n
        for s in range(self.n):
            here = self.A[s] & present
            if here:
                total, squares, who = self._sum_sq(here)
                if total:
                    relevant |= 1 << s
                    shares[s] = (self.d[s] * (total + squares / total) / 2, self.d[s] / total, who)
        return relevant, shares, [a for a in range(self.m) if present >> a & 1]

    def order(self, moves):
        return list(moves)

    def sequence_cost(self, moves):
        """The cost of shooting the merged scenes in this order (every actor's rate x span)."""
        start, end = {}, {}
        clock = 0
        for s in moves:
            for a in self._cast[s]:
                if a not in start:
                    start[a] = clock
                end[a] = clock + self.d[s]
            clock += self.d[s]
        return sum(self.c[a] * (end[a] - start[a]) for a in start)

    def improve(self, moves, cost, clock):
        """Local search on an answer: move one scene elsewhere while that lowers the cost (first improvement)."""
        moves = list(moves)
        improved = True
        while improved and not clock.out():
            improved = False
            for i in range(len(moves)):
                scene = moves[i]
                rest = moves[:i] + moves[i + 1:]
                for j in range(len(moves)):
                    if j == i:
                        continue
                    if clock.out():
                        return cost, moves
                    candidate = rest[:j] + [scene] + rest[j:]
                    value = self.sequence_cost(candidate)
                    if value < cost:
                        moves, cost, improved = candidate, value, True
                        break
                if clock.out():
                    break
        return cost, moves


def solve(instance, time_limit=None, model=None):
    """Result(order, cost, lower_bound, optimal, seconds, nodes): the order of least cost found.

    ``model`` picks the search model class (alternatives.py has another, measured side by side)."""
    started = time.perf_counter()
    reduced = reduce(instance)
    model = (model or TalentModel)(reduced.durations, reduced.actors, reduced.costs)
    outcome = search.solve(model, time_limit)
    order = list(reduced.first)
    for s in model.order(outcome.moves):
        order.extend(reduced.groups[s])
    cost = evaluate(instance, order)
    if cost != outcome.cost + reduced.constant:
        raise AssertionError(f"the search's cost {outcome.cost + reduced.constant} is not the order's {cost}")
    lower = min(cost, outcome.lower_bound + reduced.constant)
    return Result(order, cost, lower, outcome.optimal, time.perf_counter() - started, outcome.nodes)


def random_instance(seed, scenes, actors, max_duration=4, max_cost=100):
    """A random instance as the benchmark literature builds them (docs/solver.md): every scene has
    between 2 and half the actors (uniform), durations 1..max_duration and rates 1..max_cost (uniform)."""
    import random

    rng = random.Random(seed)
    top = max(2, (actors + 1) // 2)
    cast = [rng.sample(range(actors), rng.randint(min(2, actors), min(top, actors))) for _ in range(scenes)]
    return Instance.of([rng.randint(1, max_duration) for _ in range(scenes)], cast,
                       [rng.randint(1, max_cost) for _ in range(actors)], f"random-{scenes}x{actors}-{seed}")
