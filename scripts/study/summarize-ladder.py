#!/usr/bin/env python3
"""Markdown tables of the pretrained-ladder runs (scripts/study/pretrained-ladder.sh) of a workspace:
per run the validation curve (step, mIoU, SI-logRMSE, multitask), parameters and median ms/step,
and the first validation at which `recommended` has a lower SI-logRMSE than `baseline-pretrained`
of the same seed.   python3 scripts/study/summarize-ladder.py WORKSPACE
"""
import json
import os
import statistics
import sys

ws = sys.argv[1]
runs = {}
for rid in sorted(os.listdir(os.path.join(ws, 'runs'))):
    path = os.path.join(ws, 'runs', rid, 'events.jsonl')
    if not os.path.exists(path):
        continue
    ev = [json.loads(line) for line in open(path) if line.strip()]
    name = json.load(open(os.path.join(ws, 'runs', rid, 'run.json'))).get('name', rid)
    vals = [(e['step'], e['metrics']['miou'], e['metrics']['si_log_rmse'], e['metrics']['multitask'])
            for e in ev if e['type'] == 'val']
    ms = [e['msPerStep'] for e in ev if e['type'] == 'step']
    params = next((e['params'] for e in ev if e['type'] == 'start'), None)
    status = [e['status'] for e in ev if e['type'] == 'status'][-1:] or ['?']
    runs[name] = dict(vals=vals, ms=statistics.median(ms) if ms else None, params=params, status=status[0],
                      steps=max((e['step'] for e in ev if e['type'] == 'step'), default=0))

print('| run | status | steps | params | median ms/step | last val: mIoU | SI-logRMSE | multitask |')
print('|---|---|---|---|---|---|---|---|')
for name, r in runs.items():
    last = r['vals'][-1] if r['vals'] else (None, float('nan'), float('nan'), float('nan'))
    print(f"| {name} | {r['status']} | {r['steps']} | {r['params']:,} | {r['ms']:.0f} | {last[1]:.2f} | {last[2]:.2f} | {last[3]:.2f} |"
          if r['params'] else f"| {name} | {r['status']} | {r['steps']} | | | | | |")
print()
print('Validation curves (step: mIoU / SI-logRMSE):')
print()
for name, r in runs.items():
    print(f"- {name}: " + ', '.join(f'{s}: {m:.2f} / {d:.2f}' for s, m, d, _ in r['vals']))
for name, r in runs.items():
    if name.startswith('recommended-s'):
        base = runs.get(name.replace('recommended', 'baseline-pretrained'))
        if not base:
            continue
        b = dict((s, d) for s, _, d, _ in base['vals'])
        over = [s for s, _, d, _ in r['vals'] if s in b and d < b[s]]
        print(f"\n{name}: depth below baseline-pretrained from step {over[0]}" if over
              else f"\n{name}: depth not below baseline-pretrained at any shared validation step")
