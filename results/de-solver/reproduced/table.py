#!/usr/bin/env python3
"""Per-seed old → new markdown table of the headline columns of two runs.csv files (the rows both have).
usage: table.py de|mnist OLD.csv NEW.csv"""
import csv, sys, math
kind, po, pn = sys.argv[1:4]
def load(p):
    with open(p) as f: return list(csv.DictReader(f))
def key(r): return (r.get('optimizer', ''), r['config'], int(r['seed']))
old = {key(r): r for r in load(po)}
new = [r for r in load(pn)]
new.sort(key=lambda r: (r.get('optimizer',''), r['config'], int(r['seed'])))
def g(x):
    if x == '' or x is None: return '—'
    try: v = float(x)
    except ValueError: return x
    if v == 0: return '0'
    a = abs(v)
    if a >= 1000: return f'{v:.0f}'
    if a >= 100: return f'{v:.1f}'
    return f'{v:.3g}' if a >= 0.01 else f'{v:.3g}'
def pair(a, b, fmt=None):
    f = fmt or g
    if a == b: return f'{f(a)} (=)'
    return f'{f(a)} → {f(b)}'
def g4(x):
    try: return f'{float(x):.4g}' if x not in ('', None) else '—'
    except ValueError: return x
if kind == 'de':
    cols = [('success','success'),('teq_over_t','T_eq/T'),('error_to_growth','error-to-growth'),('speedup_paper','speedup paper'),('speedup_honest','speedup honest'),
            ('end_to_end','end-to-end'),('final_loss','final loss'),('jumps','accepted/tried'),('jump_horizon','first horizon'),('steps_skipped','steps skipped')]
    head = ['optimizer','config','seed']
else:
    cols = [('success','success'),('teq_over_t','T_eq/T'),('teq_train_over_t','T_eq/T train'),('ko_test_loss','KO test loss'),('error_to_growth','error-to-growth'),
            ('speedup_paper','speedup paper'),('speedup_honest','speedup honest'),('end_to_end','end-to-end'),('final_test_loss','final test loss'),('final_test_acc','final acc'),
            ('jumps','accepted/jumps'),('first_jump_horizon_steps','first horizon')]
    head = ['config','seed']
print('| ' + ' | '.join(head + [c[1] for c in cols]) + ' |')
print('|' + '---|' * (len(head) + len(cols)))
for r in new:
    o = old.get(key(r))
    if o is None: continue
    cells = [r[h] for h in head]
    for c, _ in cols:
        if c == 'jumps':
            if kind == 'de': a, b = f"{o['jumps_accepted']}/{o['jumps_tried']}", f"{r['jumps_accepted']}/{r['jumps_tried']}"
            else: a, b = f"{o['accepted_jumps']}/{o['jumps']}", f"{r['accepted_jumps']}/{r['jumps']}"
            cells.append(f'{a} (=)' if a == b else f'{a} → {b}')
        else: cells.append(pair(o[c], r[c], g4 if kind == 'mnist' and c in ('final_test_acc', 'final_test_loss', 'ko_test_loss') else None))
    print('| ' + ' | '.join(cells) + ' |')
