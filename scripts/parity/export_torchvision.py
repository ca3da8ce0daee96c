#!/usr/bin/python3
"""Write torchvision ResNet ImageNet weights as a torchvision-named safetensors file for
`model.pretrained` (core/weights/node/pretrained.ts).

  /usr/bin/python3 scripts/parity/export_torchvision.py resnet34 resnet34.safetensors
  /usr/bin/python3 scripts/parity/export_torchvision.py resnet34 resnet34.safetensors --pth resnet34-b627a593.pth

Without --pth the weights are downloaded by torchvision (needs network); with --pth a local
state_dict file (e.g. from torch hub's cache) is converted. No `safetensors` module needed.
"""
import argparse

import torch
import torchvision

from make_fixtures import write_safetensors

p = argparse.ArgumentParser()
p.add_argument('arch', choices=['resnet18', 'resnet34', 'resnet50'])
p.add_argument('out')
p.add_argument('--pth', help='a local torchvision state_dict (.pth) instead of downloading')
a = p.parse_args()
if a.pth:
    state = torch.load(a.pth, map_location='cpu')
else:
    state = getattr(torchvision.models, a.arch)(weights='IMAGENET1K_V1').state_dict()
reference = getattr(torchvision.models, a.arch)().state_dict()
missing = sorted(set(reference) - set(state))
if missing:
    raise SystemExit(f'{a.pth or a.arch}: not a torchvision {a.arch} state_dict (missing {missing[0]} …)')
write_safetensors(a.out, {k: v.detach().cpu().contiguous().numpy() for k, v in state.items()},
                  {'format': 'pt', 'source': f'torchvision {torchvision.__version__} {a.arch} IMAGENET1K_V1'})
print(f'wrote {a.out}: {len(state)} tensors')
