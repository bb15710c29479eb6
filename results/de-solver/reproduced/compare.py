#!/usr/bin/env python3
"""Cell-by-cell comparison of two runs.csv files (rows keyed by optimizer/config/seed or config/seed).
Timing cells (wall/cpu/ms/speedup/end_to_end) are listed apart: they are noise on a shared machine."""
import csv, sys, math
TIMING = ('ms', 'wall', 'cpu', 'speedup', 'end_to_end', 'by_epoch_wall')
def timing(c): return c != 'end_to_end_steps' and any(t in c for t in TIMING)
def key(r): return tuple(r[k] for k in ('optimizer','config','seed') if k in r)
def load(p):
    with open(p) as f: return {key(r): r for r in csv.DictReader(f)}
def num(s):
    try: return float(s)
    except ValueError: return None
def cmp(a, b):
    if a == b: return 0.0
    xa, xb = a.split(' '), b.split(' ')
    if len(xa) != len(xb): return math.inf
    worst = 0.0
    for u, v in zip(xa, xb):
        fu, fv = num(u), num(v)
        if fu is None or fv is None:
            if u != v: return math.inf
            continue
        if fu == fv: continue
        den = max(abs(fu), abs(fv))
        worst = max(worst, abs(fu - fv) / den if den else 0)
    return worst
old, new = load(sys.argv[1]), load(sys.argv[2])
only = sys.argv[3].split(',') if len(sys.argv) > 3 and sys.argv[3] else None
keys = [k for k in old if k in new]
cols = [c for c in next(iter(old.values())).keys() if c in next(iter(new.values())).keys()]
if only: cols = [c for c in cols if c in only]
same = diff = tsame = tdiff = 0
rows = []
for k in keys:
    for c in cols:
        if c in ('backend',): continue
        d = cmp(old[k][c], new[k][c])
        t = timing(c)
        if d == 0: 
            if t: tsame += 1
            else: same += 1
        else:
            if t: tdiff += 1
            else:
                diff += 1; rows.append((k, c, old[k][c], new[k][c], d))
print(f"rows compared: {len(keys)} (old {len(old)}, new {len(new)}); non-timing cells: {same+diff}, differ: {diff}; timing cells: {tsame+tdiff} (differ {tdiff})")
for k, c, a, b, d in sorted(rows, key=lambda x: -x[4] if x[4] != math.inf else -1e99):
    a1 = a if len(a) < 60 else a[:57] + '...'; b1 = b if len(b) < 60 else b[:57] + '...'
    print(f"  {'/'.join(k)} {c}: {a1} -> {b1}  (rel {d:.3g})")
