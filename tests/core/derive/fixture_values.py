"""Derives the expected analysis values of the bundled fixtures by exact
rational arithmetic, independently of the library: every quantity is computed
from its definition (reach by making the touchpoint absorbing, removal effects
by deleting the touchpoint, the funnel by making later stages absorbing), not
by the fundamental-matrix shortcuts the library uses.

Run: python3 tests/derive/fixture_values.py
The numbers it prints are the expected values in tests/analysis.rs.
"""
import json
import os
from fractions import Fraction as F

ROOT = os.path.join(os.path.dirname(__file__), "..", "..", "..")


def load(name):
    with open(os.path.join(ROOT, "examples", "data", name)) as f:
        return json.load(f)["journeys"][0]


def resolved(journey):
    """Next-step probabilities of every present non-goal touchpoint."""
    present = {t["id"] for t in journey["touchpoints"] if t.get("status", "present") == "present"}
    goals = set(journey["goals"])
    steps = {}
    for tp in present - goals:
        outgoing = [t for t in journey["transitions"] if t["from"] == tp]
        explicit = [t for t in outgoing if "probability" in t]
        claimed = sum(F(str(t["probability"])) for t in explicit)
        row = {}
        for t in explicit:
            if t["to"] in present:
                row[t["to"]] = row.get(t["to"], 0) + F(str(t["probability"]))
        open_ = [t for t in outgoing if "probability" not in t and t["to"] in present]
        remaining = max(F(0), 1 - claimed)
        if open_ and remaining > 0:
            counts = [t.get("count") for t in open_]
            total = sum(c for c in counts if c is not None)
            for t in open_:
                share = F(t["count"], total) if None not in counts and total > 0 else F(1, len(open_))
                row[t["to"]] = row.get(t["to"], 0) + remaining * share
        steps[tp] = row
    return present, goals, steps


def absorb(journey, steps, transient, targets):
    """Probability of hitting `targets` (absorbing) starting from the entries,
    walking only through `transient`."""
    total = sum(F(str(e.get("weight", 1))) for e in journey["entries"])
    alpha = {e["touchpoint"]: F(str(e.get("weight", 1))) / total for e in journey["entries"]}
    nodes = sorted(transient)
    idx = {n: i for i, n in enumerate(nodes)}
    n = len(nodes)
    # visits v solve v = alpha_T + Q^T v  ->  (I - Q^T) v = alpha_T
    a = [[F(int(i == j)) for j in range(n)] + [alpha.get(nodes[i], F(0))] for i in range(n)]
    for u in nodes:
        for w, p in steps[u].items():
            if w in idx:
                a[idx[w]][idx[u]] -= p
    for c in range(n):
        pivot = next(r for r in range(c, n) if a[r][c] != 0)
        a[c], a[pivot] = a[pivot], a[c]
        for r in range(n):
            if r != c and a[r][c] != 0:
                f = a[r][c] / a[c][c]
                a[r] = [x - f * y for x, y in zip(a[r], a[c])]
    visits = {nodes[i]: a[i][n] / a[i][i] for i in range(n)}
    hit = sum(alpha.get(t, F(0)) for t in targets)
    for u in nodes:
        hit += visits[u] * sum(p for w, p in steps[u].items() if w in targets)
    return hit, visits


def derive(name):
    journey = load(name)
    present, goals, steps = resolved(journey)
    stage_of = {t["id"]: t["stage"] for t in journey["touchpoints"]}
    order = [s["id"] for s in journey["stages"]]
    transient = present - goals
    p_goal, visits = absorb(journey, steps, transient, goals)
    print(f"== {name}")
    print(f"goal_probability {float(p_goal)!r}  ({p_goal})")
    for g in journey["goals"]:
        pg, _ = absorb(journey, steps, transient, {g})
        print(f"goal {g} {float(pg)!r}")
    print(f"expected_steps {float(sum(visits.values()))!r}")
    durations = {}
    for t in journey["transitions"]:
        if "duration" in t and t["from"] in steps:
            durations[t["from"]] = durations.get(t["from"], 0) + steps[t["from"]][t["to"]] * F(str(t["duration"]))
    if durations:
        print(f"expected_time {float(sum(visits[u] * d for u, d in durations.items()))!r}")
    for tp in sorted(present):
        if tp in goals:
            reach, _ = absorb(journey, steps, transient, {tp})
        else:
            reach, _ = absorb(journey, steps, transient - {tp}, {tp})
        without = {u: {w: p for w, p in row.items() if w != tp} for u, row in steps.items()}
        if tp in goals:
            p_without, _ = absorb(journey, without, transient, goals - {tp})
        else:
            p_without, _ = absorb(journey, without, transient - {tp}, goals)
        effect = (p_goal - p_without) / p_goal
        drop = visits.get(tp, F(0)) * (1 - sum(steps.get(tp, {}).values())) if tp not in goals else F(0)
        print(f"touchpoint {tp:20} reach {float(reach)!r} visits {float(visits.get(tp, reach))!r} drop_off {float(drop)!r} removal {float(effect)!r}")
    for s, stage in enumerate(order):
        later = {t for t in present if order.index(stage_of[t]) >= s}
        reach, _ = absorb(journey, steps, transient - later, later)
        print(f"funnel {stage:15} reach {float(reach)!r}")


derive("gym.json")
derive("shoe.json")
