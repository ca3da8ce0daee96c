#!/usr/bin/python3
"""Golden fixtures for the PyTorch parity tests of core/model (test/core/model/parity.test.ts).

Builds the joint / branched / distilled networks in PyTorch on torchvision's ResNet (its
_make_layer, BasicBlock and Bottleneck, with a channel multiplier `width`), with the same parameter
names as core/model, and writes under test/fixtures/parity:

  <encoder>_<arch>.weights.safetensors   random weights (PyTorch layout, OIHW), one file serving
                                         every output stride
  <encoder>_<arch>.expected.safetensors  input and expected outputs (NHWC) at output stride 32, 16, 8,
                                         in eval mode and in train mode (BatchNorm batch statistics),
                                         plus running statistics of two BN layers after the train pass
  torchvision_resnet18.safetensors       a torchvision-named ResNet-18 state_dict (fc.*, int64
                                         num_batches_tracked included), as a user would supply
  torchvision_resnet18.features.safetensors  its input and layer1..layer4 features (eval)
  param_counts.json                      full-width parameter counts, resnet18/34 x arch x variant

Expected outputs are computed in float64 (the exact answer for the float32 weights and input), so
the tests measure our float32 error alone; PyTorch's own float32 error is recorded in the metadata.
They are stored on every fifth row and column (1, 6, 11 …) to keep the files small; the sampled
pixels cover every phase of the x4 bilinear upsampling.

Run with Debian's torch:  apt-get install -y python3-torch python3-torchvision
                          /usr/bin/python3 scripts/parity/make_fixtures.py
"""
import json
import math
import os
import struct
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision
from torchvision.models import resnet as tv

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'test', 'fixtures', 'parity')
WIDTH = 0.0625  # channels 4/8/16/32, ASPP 16, skip 3
ASPP_RATES = (1, 2, 3)  # small rates so the atrous taps land inside the small feature maps
INPUT = (2, 64, 96)  # batch, height, width: non-square on purpose
SAMPLE = slice(1, None, 5)  # rows/cols 1, 6, 11, 16 …: every phase of the x4 upsampling
DILATIONS = {32: [False, False, False], 16: [False, False, True], 8: [False, True, True]}
NUM_CLASSES = 19


def ch(c, width):
    """Channels after the width multiplier: rounded half up (as JS Math.round), at least 1."""
    return max(1, int(math.floor(c * width + 0.5)))


# ---------------------------------------------------------------------------- encoder (torchvision)


class DilatedBasicBlock(tv.BasicBlock):
    """torchvision's BasicBlock (same names, same forward) with the block's dilation on both 3x3
    convs; torchvision raises for dilation > 1 in BasicBlock."""

    def __init__(self, inplanes, planes, stride=1, downsample=None, groups=1, base_width=64, dilation=1,
                 norm_layer=None):
        nn.Module.__init__(self)
        self.conv1 = tv.conv3x3(inplanes, planes, stride, dilation=dilation)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = tv.conv3x3(planes, planes, dilation=dilation)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample
        self.stride = stride


class ScaledResNet(tv.ResNet):
    """torchvision.models.ResNet.__init__ with every channel count scaled by `width`."""

    def __init__(self, block, layers, width=1.0, dilation=(False, False, False), num_classes=1000):
        nn.Module.__init__(self)
        self._norm_layer = nn.BatchNorm2d
        self.inplanes = ch(64, width)
        self.dilation = 1
        self.groups = 1
        self.base_width = 64
        self.conv1 = nn.Conv2d(3, self.inplanes, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(self.inplanes)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(block, ch(64, width), layers[0])
        self.layer2 = self._make_layer(block, ch(128, width), layers[1], stride=2, dilate=dilation[0])
        self.layer3 = self._make_layer(block, ch(256, width), layers[2], stride=2, dilate=dilation[1])
        self.layer4 = self._make_layer(block, ch(512, width), layers[3], stride=2, dilate=dilation[2])
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(ch(512, width) * block.expansion, num_classes)

    def features(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        f1 = self.layer1(x)
        f2 = self.layer2(f1)
        f3 = self.layer3(f2)
        f4 = self.layer4(f3)
        return {'layer1': f1, 'layer2': f2, 'layer3': f3, 'layer4': f4}


ENCODERS = {
    'resnet18': (DilatedBasicBlock, [2, 2, 2, 2]),
    'resnet34': (DilatedBasicBlock, [3, 4, 6, 3]),
    'resnet50': (tv.Bottleneck, [3, 4, 6, 3]),
}


def encoder(name, width, dilation):
    block, layers = ENCODERS[name]
    enc = ScaledResNet(block, layers, width, dilation)
    del enc.fc, enc.avgpool  # the encoder of a dense model has no classifier
    return enc


# ---------------------------------------------------------------------------- heads (core/model)


class ConvBnRelu(nn.Module):
    def __init__(self, cin, cout, k, dilation=1):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, k, padding=dilation * (k - 1) // 2, dilation=dilation, bias=False)
        self.bn = nn.BatchNorm2d(cout)

    def forward(self, x):
        return F.relu(self.bn(self.conv(x)))


class AsppPooling(nn.Module):
    def __init__(self, cin, c):
        super().__init__()
        self.conv = ConvBnRelu(cin, c, 1)

    def forward(self, x):
        p = self.conv(F.adaptive_avg_pool2d(x, 1))
        return F.interpolate(p, size=x.shape[2:], mode='bilinear', align_corners=False)


class ASPP(nn.Module):
    def __init__(self, enabled, cin, c, rates):
        super().__init__()
        self.enabled = enabled
        if enabled:
            self.branches = nn.ModuleList([ConvBnRelu(cin, c, 1)] + [ConvBnRelu(cin, c, 3, r) for r in rates])
            self.pooling = AsppPooling(cin, c)
        self.project = ConvBnRelu(c * (len(rates) + 2) if enabled else cin, c, 1)

    def forward(self, x):
        if self.enabled:
            x = torch.cat([b(x) for b in self.branches] + [self.pooling(x)], 1)
        return self.project(x)


class Decoder(nn.Module):
    SKIP_NAMES = ['skip', 'skipLayer2', 'skipLayer3']

    def __init__(self, full, cin, skip_in, skip_c, c):
        super().__init__()
        self.full = full
        self.out_channels = c if full else cin
        if full:
            self.skip_names = self.SKIP_NAMES[: len(skip_in)]
            for name, s in zip(self.skip_names, skip_in):
                setattr(self, name, ConvBnRelu(s, skip_c, 1))
            self.conv1 = ConvBnRelu(cin + skip_c * len(skip_in), c, 3)
            self.conv2 = ConvBnRelu(c, c, 3)

    def forward(self, x, skips, size):
        up = lambda t: F.interpolate(t, size=size, mode='bilinear', align_corners=False)
        y = up(x)
        if self.full:
            y = torch.cat([y] + [up(getattr(self, n)(s)) for n, s in zip(self.skip_names, skips)], 1)
            y = self.conv2(self.conv1(y))
        return y


class SelfAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv = nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.attention = nn.Conv2d(c, c, 3, padding=1, bias=False)
        nn.init.zeros_(self.attention.weight)

    def forward(self, x):
        return self.conv(x) * torch.sigmoid(self.attention(x))


def head_parts(cfg, enc):
    w = cfg['width']
    chans = [enc.layer1[-1], enc.layer2[-1], enc.layer3[-1], enc.layer4[-1]]
    out_ch = [b.bn3.num_features if hasattr(b, 'bn3') else b.bn2.num_features for b in chans]
    c = ch(256, w)
    aspp = lambda: ASPP(cfg['aspp'], out_ch[3], c, cfg['rates'])
    decoder = lambda: Decoder(cfg['skip'], c, [out_ch[0]], ch(48, w), ch(256, w))
    return aspp, decoder


class DenseHead(nn.Module):
    def __init__(self, aspp, decoder, outputs):
        super().__init__()
        self.aspp = aspp()
        self.decoder = decoder()
        self.head = nn.Conv2d(self.decoder.out_channels, outputs, 1)

    def forward(self, f):
        feats = self.decoder(self.aspp(f['layer4']), [f['layer1']], f['layer1'].shape[2:])
        return self.head(feats), feats


def up_to(t, x):
    return F.interpolate(t, size=x.shape[2:], mode='bilinear', align_corners=False)


class Joint(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.encoder = encoder(cfg['encoder'], cfg['width'], cfg['dilation'])
        aspp, decoder = head_parts(cfg, self.encoder)
        self.aspp = aspp()
        self.decoder = decoder()
        self.head = nn.Conv2d(self.decoder.out_channels, NUM_CLASSES + 1, 1)

    def forward(self, x):
        f = self.encoder.features(x)
        feats = self.decoder(self.aspp(f['layer4']), [f['layer1']], f['layer1'].shape[2:])
        y = up_to(self.head(feats), x)
        return {'semseg': y[:, :NUM_CLASSES], 'depth': y[:, NUM_CLASSES:]}


class Branched(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.encoder = encoder(cfg['encoder'], cfg['width'], cfg['dilation'])
        aspp, decoder = head_parts(cfg, self.encoder)
        self.semseg = DenseHead(aspp, decoder, NUM_CLASSES)
        self.depth = DenseHead(aspp, decoder, 1)

    def forward(self, x):
        f = self.encoder.features(x)
        return {'semseg': up_to(self.semseg(f)[0], x), 'depth': up_to(self.depth(f)[0], x)}


class Distillation(nn.Module):
    def __init__(self, c, full, outputs):
        super().__init__()
        self.attention = SelfAttention(c)
        self.decoder = Decoder(full, c, [], 0, c)
        self.head = nn.Conv2d(self.decoder.out_channels, outputs, 1)

    def forward(self, own, other):
        return self.head(self.decoder(own + self.attention(other), [], own.shape[2:]))


class Distilled(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.encoder = encoder(cfg['encoder'], cfg['width'], cfg['dilation'])
        aspp, decoder = head_parts(cfg, self.encoder)
        self.semseg = DenseHead(aspp, decoder, NUM_CLASSES)
        self.depth = DenseHead(aspp, decoder, 1)
        c = self.semseg.decoder.out_channels
        self.distill_semseg = Distillation(c, cfg['skip'], NUM_CLASSES)
        self.distill_depth = Distillation(c, cfg['skip'], 1)

    def forward(self, x):
        f = self.encoder.features(x)
        s_pred, s_feat = self.semseg(f)
        d_pred, d_feat = self.depth(f)
        return {
            'semseg': up_to(self.distill_semseg(s_feat, d_feat), x),
            'depth': up_to(self.distill_depth(d_feat, s_feat), x),
            'aux_semseg': up_to(s_pred, x),
            'aux_depth': up_to(d_pred, x),
        }


ARCHS = {'joint': Joint, 'branched': Branched, 'distilled': Distilled}


def part_of(name):
    """Same rule as partOf() in core/model/multiTaskModel.ts."""
    seg = name.split('.')
    if seg[0] == 'encoder':
        return 'encoder'
    for s in seg:
        if s in ('aspp', 'decoder', 'attention'):
            return s
        if s == 'head':
            return 'heads'
    return 'other'


# ---------------------------------------------------------------------------- safetensors


DTYPES = {np.dtype('float32'): 'F32', np.dtype('int64'): 'I64', np.dtype('int32'): 'I32'}


def write_safetensors(path, tensors, metadata=None):
    """The format: u64 little-endian header size, JSON header, raw little-endian data."""
    header, chunks, offset = {}, [], 0
    if metadata:
        header['__metadata__'] = {k: str(v) for k, v in metadata.items()}
    for name, arr in tensors.items():
        arr = np.ascontiguousarray(arr)
        data = arr.astype(arr.dtype.newbyteorder('<')).tobytes()
        header[name] = {'dtype': DTYPES[arr.dtype], 'shape': list(arr.shape), 'data_offsets': [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    h = json.dumps(header, separators=(',', ':')).encode()
    h += b' ' * (-len(h) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)))
        f.write(h)
        for c in chunks:
            f.write(c)


def nhwc(t):
    return t.detach().permute(0, 2, 3, 1).contiguous().numpy()


def randomize(model, gen):
    """Random but well-conditioned weights: conv Kaiming-like, BN affine and running stats random."""
    with torch.no_grad():
        for name, p in model.state_dict().items():
            if name.endswith('num_batches_tracked'):
                p.fill_(7)
            elif name.endswith('running_var'):
                p.copy_(0.5 + torch.rand(p.shape, generator=gen))
            elif name.endswith('running_mean'):
                p.copy_(0.2 * torch.randn(p.shape, generator=gen))
            elif name.endswith('.bias'):
                # Mostly positive: few dead ReLUs, so train-mode BN over small maps stays well conditioned.
                p.copy_(0.1 + 0.1 * torch.randn(p.shape, generator=gen))
            elif p.dim() == 1:  # BN weight
                p.copy_(0.8 + 0.4 * torch.rand(p.shape, generator=gen))
            else:
                fan_in = p[0].numel()
                p.copy_(torch.randn(p.shape, generator=gen) * math.sqrt(2.0 / fan_in))


def state_arrays(model):
    return {k: v.detach().numpy() for k, v in model.state_dict().items()}


# ---------------------------------------------------------------------------- main


WELL_CONDITIONED = 2e-5  # PyTorch's own float32 error must stay below this (see reference_outputs)


def reference_outputs(cls, base, model, x):
    """Expected outputs for every output stride and mode, computed in float64, and PyTorch's own
    float32 error against them (max relative to the output scale)."""
    expected = {'input': nhwc(x)}
    torch_error = 0.0
    for stride, dilation in DILATIONS.items():
        for mode in ('eval', 'train'):
            m = cls({**base, 'dilation': dilation})
            m.load_state_dict(model.state_dict())
            m.train(mode == 'train')
            with torch.no_grad():
                out32 = m(x)
            m.load_state_dict(model.state_dict())  # undo the running-stat update
            m.double()
            with torch.no_grad():
                out = m(x.double())
            for key, t in out.items():
                exact = nhwc(t)[:, SAMPLE, SAMPLE, :]
                err = np.abs(nhwc(out32[key])[:, SAMPLE, SAMPLE, :] - exact).max() / np.abs(exact).max()
                torch_error = max(torch_error, float(err))
                expected[f'os{stride}.{mode}.{key}'] = exact.astype(np.float32)
            if mode == 'train':
                sd = m.state_dict()
                for bn in ('encoder.bn1', 'encoder.layer4.0.bn2'):
                    for stat in ('running_mean', 'running_var'):
                        expected[f'os{stride}.train.{bn}.{stat}'] = sd[f'{bn}.{stat}'].float().numpy()
    return expected, torch_error


def parity_fixtures():
    gen = torch.Generator().manual_seed(1234)
    x = torch.randn((INPUT[0], 3, INPUT[1], INPUT[2]), generator=gen)
    for enc in ('resnet18', 'resnet34'):
        for arch, cls in ARCHS.items():
            base = {'encoder': enc, 'width': WIDTH, 'aspp': True, 'skip': True, 'rates': ASPP_RATES}
            model = cls({**base, 'dilation': DILATIONS[32]})
            # Train-mode BatchNorm over the few values of a 4-channel net on small maps can be ill
            # conditioned (a near-dead channel's roundoff is amplified by 1/sqrt(eps)); such a draw
            # cannot tell a correct float32 implementation from a wrong one, so draw again.
            for attempt in range(20):
                randomize(model, gen)
                expected, torch_error = reference_outputs(cls, base, model, x)
                if torch_error <= WELL_CONDITIONED:
                    break
                print(f'{enc} {arch}: draw {attempt} ill-conditioned ({torch_error:.3g}), redrawing', file=sys.stderr)
            weights = state_arrays(model)
            write_safetensors(f'{OUT}/{enc}_{arch}.weights.safetensors',
                              {k: v for k, v in weights.items() if not k.endswith('num_batches_tracked')},
                              {'encoder': enc, 'arch': arch, 'width': WIDTH, 'asppRates': json.dumps(ASPP_RATES)})
            write_safetensors(f'{OUT}/{enc}_{arch}.expected.safetensors', expected,
                              {'sample': 'rows and columns 1, 6, 11, ... of the NHWC outputs',
                               'precision': 'float64 reference, stored as float32',
                               'torch_fp32_max_rel_error': f'{torch_error:.3g}'})
            print(f'{enc} {arch}: {sum(v.size for v in weights.values())} values, '
                  f'PyTorch float32 max relative error {torch_error:.3g}', file=sys.stderr)


def torchvision_fixture():
    gen = torch.Generator().manual_seed(99)
    net = ScaledResNet(DilatedBasicBlock, [2, 2, 2, 2], WIDTH, num_classes=10)
    randomize(net, gen)
    net.eval()
    write_safetensors(f'{OUT}/torchvision_resnet18.safetensors', state_arrays(net), {'format': 'pt'})
    x = torch.randn((1, 3, INPUT[1], INPUT[2]), generator=gen)
    with torch.no_grad():
        feats = net.features(x)
    write_safetensors(f'{OUT}/torchvision_resnet18.features.safetensors',
                      {'input': nhwc(x), **{k: nhwc(v) for k, v in feats.items()}}, {'width': WIDTH})


def param_counts():
    # Our scaled ResNet at width 1 is torchvision's ResNet, name for name and shape for shape.
    for name, ref in (('resnet18', torchvision.models.resnet18()), ('resnet34', torchvision.models.resnet34()),
                      ('resnet50', torchvision.models.resnet50())):
        block, layers = ENCODERS[name]
        ours = ScaledResNet(block, layers, 1.0).state_dict()
        assert {k: v.shape for k, v in ours.items()} == {k: v.shape for k, v in ref.state_dict().items()}, name
    rows = []
    for enc in ('resnet18', 'resnet34', 'resnet50'):
        for arch, cls in ARCHS.items():
            for variant, on in (('full', True), ('template', False)):
                m = cls({'encoder': enc, 'width': 1.0, 'aspp': on, 'skip': on, 'rates': (6, 12, 18),
                         'dilation': [False, False, False]})
                parts = {}
                for n, p in m.named_parameters():
                    parts[part_of(n)] = parts.get(part_of(n), 0) + p.numel()
                rows.append({'encoder': enc, 'arch': arch, 'variant': variant,
                             'params': sum(p.numel() for p in m.parameters()), 'parts': parts})
    with open(f'{OUT}/param_counts.json', 'w') as f:
        json.dump({'torch': torch.__version__, 'torchvision': torchvision.__version__, 'counts': rows}, f, indent=1)
        f.write('\n')


if __name__ == '__main__':
    os.makedirs(OUT, exist_ok=True)
    torch.set_num_threads(2)
    param_counts()
    parity_fixtures()
    torchvision_fixture()
    print('fixtures written to', os.path.normpath(OUT), file=sys.stderr)
