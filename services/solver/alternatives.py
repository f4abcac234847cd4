"""The approaches measured beside the chosen one (``python -m bench --talent FILES --compare``, docs/solver.md).

- ``subset_dp``: the plain dynamic program over every subset of scenes, vectorised with numpy: no bounds,
  no dominance, the same preprocessing. Exact, but 2^n states: refused above 24 merged scenes.
- ``ends``: the A* search over :class:`TalentEnds`, scenes placed alternately at both ends (the paper's
  last refinement), with the same rules and bounds at each end.

Neither is used by the application; numpy is a test/benchmark dependency only (requirements-dev.txt).
"""
import time

from services.solver import talent
from services.solver.talent import TalentModel


class TalentEnds(TalentModel):
    """The same problem scheduled from both ends (the paper's last step): a state is the scenes placed
    at the front and those placed at the back; the side alternates. Whoever has worked at both ends is
    on location for everything still to shoot, so bounds are much tighter. A move is s (front) or n + s
    (back)."""

    improve = initial = None  # moves here are (side, scene) codes

    def root(self):
        return 0

    def is_goal(self, state):
        return (state | state >> self.n) & self.full == self.full

    def undo(self, state, move):
        return state ^ (1 << move)

    def order(self, moves):
        front = [m for m in moves if m < self.n]
        back = [m - self.n for m in moves if m >= self.n]
        return front + back[::-1]

    def _actors(self, front, back):
        remaining = self.full ^ front ^ back
        in_front = in_back = in_rest = 0
        for a, scenes in enumerate(self.scenes_of):
            bit = 1 << a
            if scenes & front:
                in_front |= bit
            if scenes & back:
                in_back |= bit
            if scenes & remaining:
                in_rest |= bit
        return remaining, in_front, in_back, in_rest

    def expand(self, state):
        n = self.n
        front, back = state & self.full, state >> n
        remaining, in_front, in_back, in_rest = self._actors(front, back)
        at_front = front.bit_count() <= back.bit_count()
        if at_front:
            done, offset, held = in_front, 0, in_front & (in_rest | in_back)
        else:
            done, offset, held = in_back, n, in_back & (in_rest | in_front)
        scenes = [s for s in range(n) if remaining >> s & 1]
        for s in scenes:
            if self.A[s] == held:
                return [(s + offset, state | 1 << (s + offset), self.base[s])]
        # reversing an order costs the same: of the first front/back pair keep the one with front < back
        first_back = None if at_front or back else front.bit_length() - 1
        if first_back is not None and remaining >> (first_back + 1) == 0:
            first_back = None  # nothing above it: keep every pair rather than a dead end
        out = []
        for s in scenes:
            if first_back is not None and s < first_back:
                continue
            allowed = done | self.A[s]
            if any(remaining >> j & 1 and self.A[j] & ~allowed == 0 for j in self.supersets(s)):
                continue
            idle = held & ~self.A[s]
            out.append((s + offset, state | 1 << (s + offset),
                        self.base[s] + (self.d[s] * self.cost_of(idle) if idle else 0)))
        return out

    def bound(self, state):
        front, back = state & self.full, state >> self.n
        remaining, in_front, in_back, in_rest = self._actors(front, back)
        total = self.base_of(remaining)
        both = in_front & in_back & in_rest
        if both:  # on location from the first remaining day to the last
            length = sum(self.d[s] for s in range(self.n) if remaining >> s & 1)
            rest = both
            while rest:
                low = rest & -rest
                a = low.bit_length() - 1
                rest ^= low
                own = self.scenes_of[a] & remaining
                total += self.c[a] * (length - sum(self.d[s] for s in range(self.n) if own >> s & 1))
        total += self.waiting_bound(in_front & in_rest & ~in_back, remaining)
        total += self.waiting_bound(in_back & in_rest & ~in_front, remaining)
        return total


def ends(instance, time_limit=None):
    """Both-ends A* (TalentEnds)."""
    return talent.solve(instance, time_limit, model=TalentEnds)


def subset_dp(instance, time_limit=None, max_scenes=24):
    """The plain DP over all subsets of the merged scenes, one popcount layer at a time (numpy)."""
    import numpy as np

    started_at = time.perf_counter()
    reduced = talent.reduce(instance)
    n, m = len(reduced.durations), len(reduced.costs)
    if n > max_scenes:
        raise ValueError(f"{n} scenes: the plain DP keeps 2^n values, at most 2^{max_scenes} here")
    size = 1 << n
    states = np.arange(size, dtype=np.int64)
    masks = np.arange(1 << m, dtype=np.int64)
    rate = np.zeros(1 << m, dtype=np.int64)
    for a, cost in enumerate(reduced.costs):
        rate += cost * ((masks >> a) & 1)
    scenes_of = [sum(1 << s for s in range(n) if reduced.actors[s] >> a & 1) for a in range(m)]
    value = np.zeros(size, dtype=np.int64)
    choice = np.zeros(size, dtype=np.int8)
    counts = np.bitwise_count(states)
    layers = np.argsort(counts, kind="stable")
    bounds = np.searchsorted(counts[layers], np.arange(n + 2))
    full = size - 1
    for k in range(1, n + 1):
        left = layers[bounds[k]:bounds[k + 1]]  # the states with k scenes left
        present = np.zeros(len(left), dtype=np.int64)
        for a, scenes in enumerate(scenes_of):
            present |= (((left & scenes) != 0) & ((~left & full & scenes) != 0)).astype(np.int64) << a
        best = np.full(len(left), np.iinfo(np.int64).max, dtype=np.int64)
        pick = np.zeros(len(left), dtype=np.int8)
        for s in range(n):
            has = (left >> s) & 1 == 1
            cand = reduced.durations[s] * rate[reduced.actors[s] | present[has]] + value[left[has] ^ (1 << s)]
            current = best[has]
            better = cand < current
            best[has] = np.where(better, cand, current)
            pick[has] = np.where(better, s, pick[has])
        value[left] = best
        choice[left] = pick
    order = list(reduced.first)
    state = full
    while state:
        s = int(choice[state])
        order.extend(reduced.groups[s])
        state ^= 1 << s
    cost = talent.evaluate(instance, order)
    if cost != int(value[full]) + reduced.constant:
        raise AssertionError("the DP's value is not its order's cost")
    return talent.Result(order, cost, cost, True, time.perf_counter() - started_at, size)


APPROACHES = [("ends", ends), ("subset_dp", subset_dp)]
