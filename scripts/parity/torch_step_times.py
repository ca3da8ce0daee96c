#!/usr/bin/python3
"""PyTorch reference step times for joint / branched / distilled, built from the same modules as the
parity fixtures (make_fixtures.py): forward + backward (CE + MSE, and the aux terms of distilled) +
Adam, training mode, on CPU. Prints one JSON line per architecture.

  /usr/bin/python3 scripts/parity/torch_step_times.py --encoder resnet18 --width 0.5 --size 128x256 \
      --batch 4 --dilation F,F,T --steps 3 --threads 2
"""
import argparse
import json
import time

import torch
import torch.nn.functional as F

from make_fixtures import ARCHS

p = argparse.ArgumentParser()
p.add_argument('--encoder', default='resnet18')
p.add_argument('--width', type=float, default=0.5)
p.add_argument('--size', default='128x256')
p.add_argument('--batch', type=int, default=4)
p.add_argument('--dilation', default='F,F,T')
p.add_argument('--steps', type=int, default=3)
p.add_argument('--threads', type=int, default=2)
p.add_argument('--template', action='store_true', help='1x1 ASPP and no skip (the course template)')
a = p.parse_args()
torch.set_num_threads(a.threads)
h, w = (int(v) for v in a.size.split('x'))
dilation = [v.strip().upper().startswith('T') for v in a.dilation.split(',')]
for arch, cls in ARCHS.items():
    cfg = {'encoder': a.encoder, 'width': a.width, 'aspp': not a.template, 'skip': not a.template,
           'rates': (6, 12, 18), 'dilation': dilation}
    model = cls(cfg).train()
    opt = torch.optim.Adam(model.parameters(), 1e-4)
    x = torch.randn(a.batch, 3, h, w)
    labels = torch.randint(0, 19, (a.batch, h, w))
    depth = torch.randn(a.batch, 1, h, w)

    def step():
        out = model(x)
        loss = F.cross_entropy(out['semseg'], labels) + F.mse_loss(out['depth'], depth)
        if 'aux_semseg' in out:
            loss = (loss + F.cross_entropy(out['aux_semseg'], labels) + F.mse_loss(out['aux_depth'], depth)) / 2
        opt.zero_grad()
        loss.backward()
        opt.step()

    step()  # warm-up
    t0 = time.perf_counter()
    for _ in range(a.steps):
        step()
    ms = 1000 * (time.perf_counter() - t0) / a.steps
    print(json.dumps({'arch': arch, 'encoder': a.encoder, 'width': a.width, 'size': [h, w], 'batch': a.batch,
                      'threads': a.threads, 'params': sum(q.numel() for q in model.parameters()),
                      'torch_ms_per_step': round(ms, 1)}))
