"""An anytime exact search over a sequencing model: beam search for upper bounds, then A* for the proof.

A *model* describes a problem whose answer is a sequence of moves (scenes, in talent scheduling):

- ``root()``: the start state (hashable: an int bitmask of what is left, for instance);
- ``is_goal(state)``: nothing left to place;
- ``expand(state)``: ``[(move, child, step_cost), ...]``, the moves worth trying from ``state``
  (a model may leave out moves that a dominance rule proves unnecessary, and may return one forced move);
- ``bound(state)``: a lower bound on the cost still to pay from ``state`` to a goal (admissible);
- ``initial()`` (optional): (cost, moves) of a cheap first answer, or None;
- ``undo(state, move)`` (optional): the state ``move`` was made from, so that A* keeps only the last move
  into each state; without it A* keeps (parent state, move) links.

Costs are integers. :func:`solve` returns the best sequence found, its cost, a lower bound on the optimum
and whether the optimum is proven (the lower bound reached the cost). Nothing here knows what a scene is:
the production objective (days, company moves, unavailable dates) is another model over the same engine.
"""
import heapq
import itertools
import time
from dataclasses import dataclass, field


@dataclass
class Outcome:
    moves: list
    cost: int
    lower_bound: int
    optimal: bool
    nodes: int = 0
    stats: dict = field(default_factory=dict)


class _Clock:
    def __init__(self, time_limit):
        self.deadline = None if time_limit is None else time.perf_counter() + max(0.0, time_limit)

    def out(self):
        return self.deadline is not None and time.perf_counter() >= self.deadline

    def left(self):
        return float("inf") if self.deadline is None else self.deadline - time.perf_counter()


def beam(model, width, clock=None, cache=None):
    """(cost, moves) of the best goal reached by a beam of ``width`` states per layer ranked by g + bound.

    Greedy when width is 1. Returns None when the clock runs out before a goal is reached."""
    cache = {} if cache is None else cache
    layer = {model.root(): (0, [])}
    while True:
        if not layer:  # every path ran into a dead end (a model may have some)
            return None
        if all(model.is_goal(state) for state in layer):
            cost, moves = min(layer.values(), key=lambda item: item[0])
            return cost, moves
        if clock is not None and clock.out():
            return None
        children = {}
        for state, (g, moves) in layer.items():
            if clock is not None and clock.out():
                return None
            if model.is_goal(state):
                children[state] = min(children.get(state, (g, moves)), (g, moves), key=lambda item: item[0])
                continue
            for move, child, step in model.expand(state):
                g2 = g + step
                known = children.get(child)
                if known is None or g2 < known[0]:
                    children[child] = (g2, moves + [move])
        ranked = []
        for child, (g2, moves) in children.items():
            if clock is not None and clock.out():
                return None
            h = cache.get(child)
            if h is None:
                h = cache[child] = model.bound(child)
            ranked.append((g2 + h, g2, child))
        ranked.sort(key=lambda item: (item[0], item[1]))
        layer = {child: children[child] for _, _, child in ranked[:width]}


def astar(model, clock, upper=None, cache=None, max_nodes=None):
    """A* from the root, pruning anything whose g + bound reaches ``upper`` (cost, moves).

    Returns (best, lower_bound, finished, expanded). ``finished`` means the search space is exhausted:
    ``best`` is then optimal (the improving goal A* popped, or ``upper`` when none beats it)."""
    cache = {} if cache is None else cache
    best = upper
    limit = best[0] if best else float("inf")
    root = model.root()
    h0 = cache.get(root)
    if h0 is None:
        h0 = cache[root] = model.bound(root)
    if h0 >= limit:
        return best, limit, True, 0
    g_of = {root: 0}
    via = {}  # the move into each state; model.undo gives the state before it (memory is the limit)
    undo = getattr(model, "undo", None)
    tie = itertools.count()
    heap = [(h0, 0, next(tie), root)]
    expanded = 0
    floor = h0  # every least f seen is a lower bound (the bound may be inconsistent): keep the highest
    while heap:
        f, neg_depth, _, state = heap[0]
        if f >= limit:
            break
        floor = max(floor, f)
        if clock.out() or (max_nodes is not None and len(g_of) > max_nodes):
            return best, min(floor, limit), False, expanded
        heapq.heappop(heap)
        g = g_of[state]
        if f > g + cache[state]:  # a stale entry: the state was reached more cheaply since
            continue
        if model.is_goal(state):
            return (g, _path(model, via, root, state)), g, True, expanded
        expanded += 1
        for move, child, step in model.expand(state):
            if clock.out():  # a state of thousands of children: keep the limit (this state's f is the floor)
                return best, min(floor, limit), False, expanded
            g2 = g + step
            known = g_of.get(child)
            if known is not None and known <= g2:
                continue
            h = cache.get(child)
            if h is None:
                h = cache[child] = model.bound(child)
            f2 = g2 + h
            if f2 >= limit:
                continue
            g_of[child] = g2
            via[child] = move if undo else (state, move)
            heapq.heappush(heap, (f2, neg_depth - 1, next(tie), child))
    return best, limit, True, expanded


def _path(model, via, root, goal):
    """The moves from root to goal, following the last move into each state back to the root."""
    moves = []
    state = goal
    undo = getattr(model, "undo", None)
    while state != root:
        if undo:
            move = via[state]
            state = undo(state, move)
        else:
            state, move = via[state]
        moves.append(move)
    moves.reverse()
    return moves


def solve(model, time_limit=None, beam_share=0.05, reserve=0.15, max_states=2_000_000):
    """Best sequence, its cost, a lower bound and whether it is proven optimal, within ``time_limit`` seconds.

    1. the model's ``initial()`` answer when it has one (linear time: the scenes as given), then a greedy
       pass (clocked when there is an initial answer, else run to the end: there is always one to return);
    2. beams of growing width (8, 32, 128...; up to 64 without a limit) improve it for ``beam_share`` of
       the time, each answer polished by the model's ``improve(moves, cost, clock)`` when it has one;
    3. A* closes the gap, pruned by the best cost known, until it proves the optimum, it holds
       ``max_states`` states (memory, on a shared machine) or only ``reserve`` of the time is left;
    4. stopped early, wider beams use the time left. The lower bound is the least g + bound still open.
    """
    clock = _Clock(time_limit)
    cache = {}
    improve = getattr(model, "improve", None)

    def better(found, best):
        if found is None or (best is not None and found[0] >= best[0]):
            return best
        return improve(found[1], found[0], clock) if improve else found

    initial = getattr(model, "initial", None)
    best = better(initial(), None) if initial else None  # a cheap answer first, so that any limit is kept
    best = better(beam(model, 1, clock if best is not None else None, cache), best)
    phase = _Clock(None if time_limit is None else time_limit * beam_share)
    width = 8
    while not (phase.out() or clock.out()) and (time_limit is not None or width <= 64):
        best = better(beam(model, width, phase, cache), best)
        width *= 4
    proof = _Clock(None if time_limit is None else clock.left() - time_limit * reserve)
    best, lower, finished, expanded = astar(model, proof, best, cache, max_states)
    if not finished and time_limit is not None:
        cache.clear()
        while not clock.out() and width <= 1 << 20:
            best = better(beam(model, width, clock, cache), best)
            width *= 2
    if best is None:  # no goal reachable (finished), or none found in time
        return Outcome(None, None, lower, False, expanded, {"infeasible": finished})
    cost, moves = best
    lower = cost if finished else min(lower, cost)
    return Outcome(moves, cost, lower, finished or lower >= cost, expanded, {"widest_beam": width})
