#!/usr/bin/python3
"""PyTorch-written fixtures for the .pth/.ckpt importer (test/core/weights/torchImport.test.ts).

Writes under test/fixtures/weights (small: a ResNet-18 at 1/16 width, channels 4/8/16/32):

  resnet18_w16.pth        torch.save(model.state_dict()) of a torchvision-named ResNet-18 (BN
                          buffers, int64 num_batches_tracked, the state_dict's _metadata, fc.*)
  resnet18_w16.ckpt       the same tensors as Lightning saves them: {"epoch", "global_step",
                          "state_dict": {"model.encoder.<name>", "model.decoder.*"},
                          "optimizer_states", "hyper_parameters"}
  dtypes.pt               half / bfloat16 / float64 / int64 tensors, a transposed view and a
                          strided slice sharing one storage
  evil.pth                a pickle whose object reduces to os.system (must be refused)
  expected.safetensors    every tensor above as float32 (int64 as int32), for comparison

Run with Debian's torch (no torchvision needed):
  apt-get install -y python3-torch && /usr/bin/python3 scripts/weights/make_torch_fixtures.py
"""
import collections
import json
import os
import struct

import torch
import torch.nn as nn

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'test', 'fixtures', 'weights')


class BasicBlock(nn.Module):  # torchvision.models.resnet.BasicBlock, same names
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))


class ResNet18(nn.Module):  # torchvision's resnet18 names at channel width 1/16
    def __init__(self, w=4, classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(3, w, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(w)
        cin = w
        for i, mult in enumerate([1, 2, 4, 8]):
            cout = w * mult
            stride = 1 if i == 0 else 2
            setattr(self, f'layer{i + 1}', nn.Sequential(BasicBlock(cin, cout, stride), BasicBlock(cout, cout, 1)))
            cin = cout
        self.fc = nn.Linear(cin, classes)


def write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        t = t.detach().contiguous()
        if t.dtype in (torch.int64, torch.int32, torch.int16, torch.int8, torch.uint8, torch.bool):
            t, dtype = t.to(torch.int32), 'I32'
        else:
            t, dtype = t.to(torch.float32), 'F32'
        b = t.numpy().tobytes()
        header[name] = {'dtype': dtype, 'shape': list(t.shape), 'data_offsets': [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    h = json.dumps(header).encode()
    h += b' ' * ((8 - len(h) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)) + h + b''.join(blobs))


class Evil:
    def __reduce__(self):
        return (os.system, ('echo pwned > /tmp/mtl-evil-pickle',))


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(0)
    model = ResNet18()
    with torch.no_grad():  # move BN statistics off their defaults so they are checked too
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.running_mean.normal_()
                m.running_var.uniform_(0.5, 2)
                m.num_batches_tracked.fill_(17)
    sd = model.state_dict()
    torch.save(sd, os.path.join(OUT, 'resnet18_w16.pth'))

    lightning_sd = collections.OrderedDict((f'model.encoder.{k}', v) for k, v in sd.items() if not k.startswith('fc.'))
    lightning_sd['model.decoder.conv1.weight'] = torch.randn(2, 4, 1, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    torch.save({
        'epoch': 3,
        'global_step': 120,
        'pytorch-lightning_version': '2.1.0',
        'state_dict': lightning_sd,
        'optimizer_states': [opt.state_dict()],
        'lr_schedulers': [],
        'hyper_parameters': {'lr': 0.1, 'encoder': 'resnet18', 'dilation': (False, True, True)},
    }, os.path.join(OUT, 'resnet18_w16.ckpt'))

    base = torch.randn(6, 8, dtype=torch.float32)
    dtypes = collections.OrderedDict([
        ('half', torch.randn(3, 5).half()),
        ('bfloat16', torch.randn(4).bfloat16()),
        ('double', torch.randn(2, 3, dtype=torch.float64)),
        ('long', torch.tensor([1, -2, 3_000_000_000 // 2], dtype=torch.int64)),
        ('transposed', base.t()),
        ('sliced', base[1:, ::3]),
    ])
    torch.save(dtypes, os.path.join(OUT, 'dtypes.pt'))

    torch.save({'conv1.weight': torch.zeros(1), 'payload': Evil()}, os.path.join(OUT, 'evil.pth'))

    expected = collections.OrderedDict((f'pth/{k}', v) for k, v in sd.items())
    expected.update((f'dtypes/{k}', v) for k, v in dtypes.items())
    write_safetensors(os.path.join(OUT, 'expected.safetensors'), expected)
    print('wrote', sorted(os.listdir(OUT)), 'with torch', torch.__version__)


if __name__ == '__main__':
    main()
