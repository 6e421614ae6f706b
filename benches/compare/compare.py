"""The peers' side of the comparison (benches/compare/run.sh): pm4py on the
event log and ChannelAttribution on the path data, each timed end to end
and checked against journey's results.

    python compare.py discover LOG.csv OURS.json
    python compare.py attribute PATHS.csv ORDER OURS.json
    python compare.py xes LOG.xes[.gz] OURS.json
"""
import json
import sys
import time


def compare_discovery(ours_path, dfg, starts, ends, variants, extra=()):
    """Prints and returns whether journey's discovery (OURS.json) equals pm4py's."""
    with open(ours_path) as f:
        ours = json.load(f)
    our_dfg = {(a, b): n for a, b, n in ours["edges"]}
    their_dfg = {k: int(v) for k, v in dfg.items()}
    our_variants = {tuple(v): n for v, n in ours["variants"]}
    their_variants = {tuple(k): (v if isinstance(v, int) else len(v)) for k, v in variants.items()}
    checks = [check(ours) for check in extra] + [
        ("directly-follows counts", our_dfg == their_dfg, len(our_dfg)),
        ("start counts", ours["starts"] == {k: int(v) for k, v in starts.items()}, len(starts)),
        ("end counts", ours["ends"] == {k: int(v) for k, v in ends.items()}, len(ends)),
        ("variants", our_variants == their_variants, len(our_variants)),
    ]
    for name, equal, size in checks:
        print(f"equal {name}: {'yes' if equal else 'NO'} ({size} entries)")
    return all(equal for _, equal, _ in checks)


def discover(log_path, ours_path):
    import pandas as pd
    import pm4py

    start = time.perf_counter()
    df = pd.read_csv(log_path)
    df = pm4py.format_dataframe(df, case_id="customer", activity_key="event", timestamp_key="timestamp")
    dfg, starts, ends = pm4py.discover_dfg(df)
    variants = pm4py.get_variants(df)
    elapsed = time.perf_counter() - start
    print(f"seconds pm4py_discover {elapsed:.6f}")
    return compare_discovery(ours_path, dfg, starts, ends, variants)


def xes(log_path, ours_path):
    import pm4py

    start = time.perf_counter()
    df = pm4py.read_xes(log_path)
    elapsed = time.perf_counter() - start
    print(f"seconds pm4py_read_xes {elapsed:.6f}")
    dfg, starts, ends = pm4py.discover_dfg(df)
    variants = pm4py.get_variants(df)
    events = lambda ours: ("events", ours["events"] == len(df) and ours["skipped"] == 0, len(df))
    return compare_discovery(ours_path, dfg, starts, ends, variants, extra=[events])


def attribute(paths_path, order, ours_path):
    import pandas as pd
    from ChannelAttribution import markov_model

    start = time.perf_counter()
    data = pd.read_csv(paths_path)
    result = markov_model(
        data,
        var_path="path",
        var_conv="total_conversions",
        var_value="total_conversion_value",
        var_null="total_null",
        order=int(order),
        out_more=True,
        sep=">",
        verbose=0,
        flg_pro=False,
    )
    elapsed = time.perf_counter() - start
    print(f"seconds channelattribution_order_{order} {elapsed:.6f}")
    effects = result["removal_effects"]
    theirs = dict(zip(effects["channel_name"], effects["removal_effects_conversion"]))
    with open(ours_path) as f:
        ours = json.load(f)["removal_effects"]
    worst = 0.0
    for channel, value in ours.items():
        other = float(theirs.get(channel, 0.0))
        relative = abs(value - other) / max(abs(other), 1e-12)
        worst = max(worst, relative)
    print(f"removal effects order {order}: largest relative difference {100 * worst:.2f}% over {len(ours)} channels")
    if int(order) == 1:
        # ChannelAttribution estimates removal effects by simulating its own
        # chain; solving that chain (its transition_matrix) exactly tells its
        # sampling error apart from a difference of model.
        exact = exact_from_matrix(result["transition_matrix"], list(effects["channel_name"]))
        ours_vs_exact = max(abs(ours[c] - v) / v for c, v in exact.items())
        sim_vs_exact = max(abs(float(theirs[c]) - v) / v for c, v in exact.items())
        print(f"removal effects order 1, solved exactly from ChannelAttribution's own transition matrix: "
              f"journey differs by at most {100 * ours_vs_exact:.2g}%, ChannelAttribution's simulation by "
              f"{100 * sim_vs_exact:.2f}%")
        return ours_vs_exact <= 1e-9
    return True


def exact_from_matrix(matrix, names):
    """Removal effects of ChannelAttribution's first-order chain, by linear solves.
    Its matrix numbers channels 1, 2, ... in the order of `names`."""
    import numpy as np

    states = sorted(set(matrix["channel_from"]) | set(matrix["channel_to"]))
    index = {state: i for i, state in enumerate(states)}
    P = np.zeros((len(states), len(states)))
    for a, b, p in zip(matrix["channel_from"], matrix["channel_to"], matrix["transition_probability"]):
        P[index[a], index[b]] += p
    special = ("(start)", "(conversion)", "(null)")

    def conversion(removed):
        kept = [i for i, s in enumerate(states) if s not in special and s not in removed]
        x = np.linalg.solve(np.eye(len(kept)) - P[np.ix_(kept, kept)], P[kept, index["(conversion)"]])
        return float(P[index["(start)"], kept] @ x)

    base = conversion(set())
    return {name: 1 - conversion({str(k)}) / base for k, name in enumerate(names, start=1)}


if __name__ == "__main__":
    command = sys.argv[1]
    ok = {"discover": discover, "attribute": attribute, "xes": xes}[command](*sys.argv[2:])
    sys.exit(0 if ok else 1)
