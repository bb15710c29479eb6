#!/usr/bin/env python3
"""Compares the CSVs of two quick-mode output folders, column by column, except wall/CPU-time
columns (and measures derived from them), which differ run to run."""
import csv, os, re, sys
TIMING = re.compile(r'(^|_)(ms|wall|cpu)(_|$)|_ms$|ms_|speedup|^end_to_end$|^end_to_end_cpu$|median_end_to_end|wall_s|epoch_ms')
def rows(p):
    with open(p, newline='') as f: return list(csv.DictReader(f))
def main(a, b):
    total_bad = 0; checked = 0; cols_checked = set(); skipped = set()
    for root, _, files in os.walk(a):
        for fn in sorted(files):
            if not fn.endswith('.csv'): continue
            pa = os.path.join(root, fn); rel = os.path.relpath(pa, a); pb = os.path.join(b, rel)
            if not os.path.exists(pb): print(f'MISSING in {b}: {rel}'); total_bad += 1; continue
            ra, rb = rows(pa), rows(pb)
            if len(ra) != len(rb): print(f'{rel}: {len(ra)} rows vs {len(rb)}'); total_bad += 1; continue
            ca = list(ra[0].keys()) if ra else []; cb = list(rb[0].keys()) if rb else []
            if ca != cb: print(f'{rel}: columns differ {set(ca) ^ set(cb)}'); total_bad += 1
            bad = 0
            for i, (x, y) in enumerate(zip(ra, rb)):
                for c in ca:
                    if TIMING.search(c): skipped.add(c); continue
                    cols_checked.add(c); checked += 1
                    if x.get(c) != y.get(c):
                        bad += 1
                        if bad <= 5: print(f'{rel} row {i} {c}: {x.get(c)!r} vs {y.get(c)!r}')
            if bad: print(f'{rel}: {bad} cells differ'); total_bad += bad
            else: print(f'{rel}: {len(ra)} rows identical (non-timing columns)')
    print(f'cells compared {checked}, differing {total_bad}')
    print('timing columns skipped:', ', '.join(sorted(skipped)))
    return total_bad
if __name__ == '__main__':
    sys.exit(1 if main(sys.argv[1], sys.argv[2]) else 0)
