"""Reference training step in PyTorch for `mtl-studio bench --vs-torch`.

The same architecture as core/model (SPEC section 6) -- ResNet encoder with a width multiplier and
dilation flags, template or full ASPP, template or DeepLabV3+ decoder, joint or branched heads --
trained with the same step (forward, CE + depth MSE, backward, SGD/Adam update) on random data.
Reads one JSON object (the model config plus batch/size/steps) on argv[1]; prints one JSON line:
{"ms_per_step", "params", "threads", "torch_version", "steps"}.
Run with Debian's interpreter: /usr/bin/python3 core/bench/torch_step.py '{...}'.
"""

import json
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def scale(c, width):
    return max(1, round(c * width))


class ConvBnRelu(nn.Sequential):
    def __init__(self, cin, cout, k, dilation=1):
        pad = dilation * (k - 1) // 2
        super().__init__(
            nn.Conv2d(cin, cout, k, padding=pad, dilation=dilation, bias=False),
            nn.BatchNorm2d(cout),
            nn.ReLU(inplace=True),
        )


class BasicBlock(nn.Module):
    def __init__(self, cin, planes, stride, dilation, downsample):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, planes, 3, stride, padding=dilation, dilation=dilation, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, padding=dilation, dilation=dilation, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = (
            nn.Sequential(nn.Conv2d(cin, planes, 1, stride, bias=False), nn.BatchNorm2d(planes)) if downsample else None
        )

    def forward(self, x):
        identity = self.downsample(x) if self.downsample is not None else x
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + identity)


LAYERS = {"resnet18": [2, 2, 2, 2], "resnet34": [3, 4, 6, 3]}


class ResNet(nn.Module):
    def __init__(self, name, width, dilation_flags):
        super().__init__()
        if name not in LAYERS:
            raise SystemExit(f"torch reference: encoder {name} not supported (resnet18, resnet34)")
        inplanes = scale(64, width)
        self.conv1 = nn.Conv2d(3, inplanes, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(inplanes)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        dilation = 1
        stages = []
        self.channels = []
        for i, blocks in enumerate(LAYERS[name]):
            planes = scale([64, 128, 256, 512][i], width)
            stride = 1 if i == 0 else 2
            previous = dilation
            if i > 0 and dilation_flags[i - 1]:
                dilation *= stride
                stride = 1
            mods = []
            for b in range(blocks):
                mods.append(
                    BasicBlock(
                        inplanes if b == 0 else planes,
                        planes,
                        stride if b == 0 else 1,
                        previous if b == 0 else dilation,
                        b == 0 and (stride != 1 or inplanes != planes),
                    )
                )
            inplanes = planes
            stages.append(nn.Sequential(*mods))
            self.channels.append(planes)
        self.layers = nn.ModuleList(stages)

    def forward(self, x):
        x = self.maxpool(F.relu(self.bn1(self.conv1(x))))
        feats = []
        for layer in self.layers:
            x = layer(x)
            feats.append(x)
        return feats


class Aspp(nn.Module):
    def __init__(self, cin, c, rates, full):
        super().__init__()
        self.full = full
        if full:
            self.branches = nn.ModuleList([ConvBnRelu(cin, c, 1)] + [ConvBnRelu(cin, c, 3, r) for r in rates])
            self.pooling = ConvBnRelu(cin, c, 1)
        self.project = ConvBnRelu(c * (len(rates) + 2) if full else cin, c, 1)

    def forward(self, x):
        if self.full:
            parts = [b(x) for b in self.branches]
            p = self.pooling(F.adaptive_avg_pool2d(x, 1))
            parts.append(p.expand(-1, -1, x.shape[2], x.shape[3]))
            x = torch.cat(parts, 1)
        return self.project(x)


class Head(nn.Module):
    """ASPP -> decoder (template or DeepLabV3+ with the 48-ch skip) -> 1x1 prediction."""

    def __init__(self, enc_channels, width, rates, aspp, skip, outputs):
        super().__init__()
        c = scale(256, width)
        self.aspp = Aspp(enc_channels[3], c, rates, aspp)
        self.skip = skip
        if skip:
            s = scale(48, width)
            self.proj = ConvBnRelu(enc_channels[0], s, 1)
            self.conv1 = ConvBnRelu(c + s, c, 3)
            self.conv2 = ConvBnRelu(c, c, 3)
        self.head = nn.Conv2d(c, outputs, 1)

    def forward(self, feats):
        y = self.aspp(feats[3])
        size = feats[0].shape[2:]
        y = F.interpolate(y, size=size, mode="bilinear", align_corners=False)
        if self.skip:
            y = self.conv2(self.conv1(torch.cat([y, self.proj(feats[0])], 1)))
        return self.head(y)


class Model(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        if cfg["arch"] not in ("joint", "branched"):
            raise SystemExit(f"torch reference: arch {cfg['arch']} not supported (joint, branched)")
        if cfg.get("se", "none") != "none" or cfg.get("extraSkips"):
            raise SystemExit("torch reference: model.se and model.extraSkips are not supported")
        w = cfg["width"]
        self.encoder = ResNet(cfg["encoder"], w, cfg["dilation"])
        args = (self.encoder.channels, w, cfg["asppRates"], cfg["aspp"], cfg["skip"])
        self.joint = cfg["arch"] == "joint"
        if self.joint:
            self.head = Head(*args, 20)
        else:
            self.semseg = Head(*args, 19)
            self.depth = Head(*args, 1)

    def forward(self, x):
        feats = self.encoder(x)
        size = x.shape[2:]
        up = lambda t: F.interpolate(t, size=size, mode="bilinear", align_corners=False)  # noqa: E731
        if self.joint:
            p = up(self.head(feats))
            return p[:, :19], p[:, 19:]
        return up(self.semseg(feats)), up(self.depth(feats))


def main():
    o = json.loads(sys.argv[1])
    if o.get("threads"):
        torch.set_num_threads(o["threads"])
    torch.manual_seed(0)
    model = Model(o["model"])
    model.train()
    params = sum(p.numel() for p in model.parameters())
    opt_cfg = o["optimizer"]
    if opt_cfg["name"] == "adam":
        opt = torch.optim.Adam(model.parameters(), lr=opt_cfg["lr"], weight_decay=opt_cfg["weightDecay"])
    else:
        opt = torch.optim.SGD(
            model.parameters(), lr=opt_cfg["lr"], momentum=opt_cfg["momentum"], weight_decay=opt_cfg["weightDecay"]
        )
    b, h, w = o["batch"], o["height"], o["width"]
    x = torch.randn(b, 3, h, w)
    labels = torch.randint(0, 19, (b, h, w))
    depth = torch.randn(b, h, w)
    ws, wd = o["loss"]["semsegWeight"], o["loss"]["depthWeight"]

    def step():
        opt.zero_grad(set_to_none=True)
        sem, dep = model(x)
        loss = ws * F.cross_entropy(sem, labels, ignore_index=255) + wd * F.mse_loss(dep[:, 0], depth)
        loss.backward()
        opt.step()
        return loss.item()

    step()  # warm-up
    times = []
    for _ in range(o["steps"]):
        t0 = time.perf_counter()
        step()
        times.append((time.perf_counter() - t0) * 1000)
    print(
        json.dumps(
            {
                "ms_per_step": statistics.median(times),
                "params": params,
                "threads": torch.get_num_threads(),
                "torch_version": torch.__version__,
                "steps": o["steps"],
            }
        )
    )


if __name__ == "__main__":
    main()
