#!/usr/bin/env python3
"""Per-seed table: QR engine (de-solver/runs.csv) vs QR + re-orthogonalised long-side vectors (de-solver-reorth/runs.csv)."""
import csv, sys
pa, pb = sys.argv[1:3]
a = {(r['optimizer'], r['config'], r['seed']): r for r in csv.DictReader(open(pa))}
def f(x):
    if x == '': return '—'
    v = float(x)
    return '0' if v == 0 else (f'{v:.0f}' if abs(v) >= 1000 else f'{v:.4g}')
print('| config | seed | error-to-growth (QR → QR + re-orth.) | T_eq/T | accepted/tried | steps skipped | final loss |')
print('|---|---|---|---|---|---|---|')
for r in sorted(csv.DictReader(open(pb)), key=lambda r: (r['config'], int(r['seed']))):
    o = a[(r['optimizer'], r['config'], r['seed'])]
    p = lambda c: f"{f(o[c])} (=)" if o[c] == r[c] else f"{f(o[c])} → {f(r[c])}"
    j = lambda x: f"{x['jumps_accepted']}/{x['jumps_tried']}"
    jj = f"{j(o)} (=)" if j(o) == j(r) else f"{j(o)} → {j(r)}"
    print(f"| {r['config']} | {r['seed']} | {p('error_to_growth')} | {p('teq_over_t')} | {jj} | {p('steps_skipped')} | {p('final_loss')} |")
