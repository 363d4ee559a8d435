#!/usr/bin/env python3
"""Prints bench/results/verify-accuracy.json as the README's markdown table (cosine rows, and each
baseline's own metric), so the README's figures are the bench's, not retyped. Rows the last bench
run carried over from an earlier run (not re-measured) are marked with a dagger."""
import json, sys
rows = json.load(open(sys.argv[1] if len(sys.argv) > 1 else 'bench/results/verify-accuracy.json'))['rows']
print('| set | model | detector | accuracy (10-fold) | AUC | EER | TAR@FAR 1e-2 | TAR@FAR 1e-3 | no face |')
print('|---|---|---|---|---|---|---|---|---|')
for r in rows:
    if r['metric'] not in ('cosine', 'fused') and not r['model'].startswith('@'):
        continue
    pct = lambda x: f"{100 * x:.2f}%"
    mark = ' †' if r.get('carried') else ''
    print(f"| {r['dataset']} | {r['model']} | {r['detector']}{mark} | {pct(r['accuracy'])} ± {pct(r['std'])} | {r['auc']:.4f} | {pct(r['eer'])} | {pct(r['tarAt1e2'])} | {pct(r['tarAt1e3'])} | {r['noFace']} |")
