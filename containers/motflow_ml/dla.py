"""FairMOT's network (Zhang et al., "FairMOT", 2021): a DLA-34 base (Yu et al., "Deep Layer
Aggregation", 2018), its DLAUp / IDAUp upsampling neck with modulated deformable convolutions, and
four CenterNet heads, at stride 4.

Written for motflow from the papers and the published checkpoint layout: module and parameter names
and shapes are those of FairMOT's published ``state_dict`` (``base.*``, ``dla_up.*``, ``ida_up.*``,
``hm.0.weight`` ...), so its checkpoints load with every key used and none missing.

Layout, briefly:
- base: a 7x7 stem and six levels with channels 16, 32, 64, 128, 256, 512 at strides 1, 2, 4, 8, 16,
  32. Levels 0 and 1 are plain 3x3 conv stacks; levels 2 to 5 are aggregation trees of residual
  blocks whose "root" nodes merge (1x1 conv over the concatenation) the tree's outputs and, for
  level_root trees, the tree's downsampled input.
- dla_up: iterative deep aggregation from the deepest level up to level 2: at each step every deeper
  map is projected, upsampled x2 and merged with its shallower neighbour (projections and merge nodes
  are deformable 3x3 conv + BN + ReLU; upsampling is a depthwise transposed conv with bilinear init).
- ida_up: one more aggregation of dla_up's stride-4, -8 and -16 outputs into one 64-channel stride-4 map.
- heads hm (1), wh (4: left, top, right, bottom), id (re-ID, 128) and reg (2: centre offset): 3x3 conv
  (head_conv channels) + ReLU + 1x1 conv. Outputs are the raw maps, as FairMOT's network gives them:
  the heatmap as logits (sigmoid in decoding), sizes without a ReLU, embeddings not normalised.
"""
import math

import torch
import torch.nn as nn

from .dcn import ModulatedDeformConv2d

DLA34_LEVELS = (1, 1, 1, 2, 2, 1)
DLA34_CHANNELS = (16, 32, 64, 128, 256, 512)
FIRST_LEVEL = 2  # log2 of the output stride 4
LAST_LEVEL = 5  # ida_up merges levels FIRST_LEVEL .. LAST_LEVEL - 1
BN_MOMENTUM = 0.1


def _bn(channels):
    return nn.BatchNorm2d(channels, momentum=BN_MOMENTUM)


# ----------------------------------------------------------------------------------------------------
# Base


class BasicBlock(nn.Module):
    """Two 3x3 convs with a residual; the residual may be given (a tree's projected input)."""

    def __init__(self, cin, cout, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)
        self.bn1 = _bn(cout)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(cout, cout, 3, stride=1, padding=1, bias=False)
        self.bn2 = _bn(cout)

    def forward(self, x, residual=None):
        shortcut = x if residual is None else residual
        y = self.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return self.relu(y + shortcut)


class Root(nn.Module):
    """Aggregation node: 1x1 conv over the concatenated inputs, BN, ReLU (DLA-34 has no root residual)."""

    def __init__(self, cin, cout):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, 1, stride=1, padding=0, bias=False)
        self.bn = _bn(cout)
        self.relu = nn.ReLU(inplace=True)

    def forward(self, *inputs):
        return self.relu(self.bn(self.conv(torch.cat(inputs, 1))))


class Tree(nn.Module):
    """Hierarchical deep aggregation tree of `depth` levels of BasicBlocks.

    A depth-1 tree is two blocks and a root over (second block, first block, extra inputs). A deeper
    tree is two subtrees; the second one's root also receives the first subtree's output (and, for a
    level root, the tree's downsampled input), which is what root_dim counts.
    """

    def __init__(self, depth, cin, cout, stride=1, level_root=False, root_dim=0):
        super().__init__()
        if root_dim == 0:
            root_dim = 2 * cout
        if level_root:
            root_dim += cin
        if depth == 1:
            self.tree1 = BasicBlock(cin, cout, stride)
            self.tree2 = BasicBlock(cout, cout, 1)
            self.root = Root(root_dim, cout)
        else:
            self.tree1 = Tree(depth - 1, cin, cout, stride, root_dim=0)
            self.tree2 = Tree(depth - 1, cout, cout, 1, root_dim=root_dim + cout)
        self.depth = depth
        self.level_root = level_root
        self.downsample = nn.MaxPool2d(stride, stride=stride) if stride > 1 else None
        self.project = nn.Sequential(nn.Conv2d(cin, cout, 1, stride=1, bias=False), _bn(cout)) if cin != cout else None
        if depth > 1 and self.project is not None:
            # Part of the published layout, but its output is never used: a deeper tree's first subtree
            # makes its own residual (so in DLA's reference too). Not run, and frozen, so that
            # DistributedDataParallel does not wait for gradients that never come.
            self.project.requires_grad_(False)

    def forward(self, x, residual=None, children=None):
        children = [] if children is None else children
        bottom = self.downsample(x) if self.downsample is not None else x
        if self.level_root:
            children.append(bottom)
        if self.depth == 1:
            residual = self.project(bottom) if self.project is not None else bottom
            x1 = self.tree1(x, residual)
            return self.root(self.tree2(x1), x1, *children)
        x1 = self.tree1(x)
        children.append(x1)
        return self.tree2(x1, children=children)


def _conv_stack(cin, cout, convs, stride=1):
    layers = []
    for i in range(convs):
        layers += [nn.Conv2d(cin if i == 0 else cout, cout, 3, stride=stride if i == 0 else 1, padding=1, bias=False),
                   _bn(cout), nn.ReLU(inplace=True)]
    return nn.Sequential(*layers)


class DLABase(nn.Module):
    """DLA backbone; returns the six level outputs (strides 1, 2, 4, 8, 16, 32)."""

    def __init__(self, levels=DLA34_LEVELS, channels=DLA34_CHANNELS):
        super().__init__()
        self.channels = list(channels)
        self.base_layer = nn.Sequential(nn.Conv2d(3, channels[0], 7, stride=1, padding=3, bias=False),
                                        _bn(channels[0]), nn.ReLU(inplace=True))
        self.level0 = _conv_stack(channels[0], channels[0], levels[0])
        self.level1 = _conv_stack(channels[0], channels[1], levels[1], stride=2)
        self.level2 = Tree(levels[2], channels[1], channels[2], 2, level_root=False)
        self.level3 = Tree(levels[3], channels[2], channels[3], 2, level_root=True)
        self.level4 = Tree(levels[4], channels[3], channels[4], 2, level_root=True)
        self.level5 = Tree(levels[5], channels[4], channels[5], 2, level_root=True)

    def forward(self, x):
        x = self.base_layer(x)
        outs = []
        for i in range(6):
            x = getattr(self, f"level{i}")(x)
            outs.append(x)
        return outs


# ----------------------------------------------------------------------------------------------------
# Neck


class DeformConv(nn.Module):
    """Deformable 3x3 conv, then BN + ReLU (named `conv` and `actf` as in the published layout)."""

    def __init__(self, cin, cout):
        super().__init__()
        self.actf = nn.Sequential(_bn(cout), nn.ReLU(inplace=True))
        self.conv = ModulatedDeformConv2d(cin, cout, 3, stride=1, padding=1, dilation=1)

    def forward(self, x):
        return self.actf(self.conv(x))


def _bilinear_upsampling(deconv: nn.ConvTranspose2d):
    """Initialises a depthwise transposed conv as bilinear interpolation (every channel the same kernel)."""
    w = deconv.weight.data
    k = w.size(2)
    f = math.ceil(k / 2)
    c = (2 * f - 1 - f % 2) / (2.0 * f)
    ramp = torch.tensor([1 - abs(i / f - c) for i in range(k)])
    w.copy_((ramp[:, None] * ramp[None, :]).expand_as(w))


class IDAUp(nn.Module):
    """Iterative deep aggregation: maps i = 1 .. n-1 (channels[i], each up_factors[i] times coarser than
    the previous map) are projected to `out_channels`, upsampled and merged into their predecessor, in
    turn, so that the last map ends up aggregating all of them at the first map's resolution.
    Modules are proj_i, up_i, node_i (i from 1)."""

    def __init__(self, out_channels, channels, up_factors):
        super().__init__()
        for i in range(1, len(channels)):
            f = int(up_factors[i])
            up = nn.ConvTranspose2d(out_channels, out_channels, f * 2, stride=f, padding=f // 2, output_padding=0,
                                    groups=out_channels, bias=False)
            _bilinear_upsampling(up)
            setattr(self, f"proj_{i}", DeformConv(channels[i], out_channels))
            setattr(self, f"up_{i}", up)
            setattr(self, f"node_{i}", DeformConv(out_channels, out_channels))

    def forward(self, layers, start, end):
        """Updates layers[start + 1 .. end - 1] in place."""
        for i in range(start + 1, end):
            k = i - start
            up = getattr(self, f"up_{k}")(getattr(self, f"proj_{k}")(layers[i]))
            layers[i] = getattr(self, f"node_{k}")(up + layers[i - 1])


class DLAUp(nn.Module):
    """Aggregates the base levels first_level..5 bottom-up: ida_0 merges the two deepest levels, ida_1
    the three deepest (the deepest ones already merged), and so on; each step's result is one more
    output, from stride 2**first_level (first) to the deepest level's stride (last)."""

    def __init__(self, first_level, channels, scales):
        super().__init__()
        self.first_level = first_level
        channels = list(channels)
        in_channels = list(channels)
        scales = [int(s) for s in scales]
        for i in range(len(channels) - 1):
            j = len(channels) - 2 - i  # the shallowest level this step merges into
            setattr(self, f"ida_{i}", IDAUp(channels[j], in_channels[j:], [s // scales[j] for s in scales[j:]]))
            # after this step the deeper maps live at level j's scale with its channel count
            scales[j + 1:] = [scales[j]] * (len(scales) - j - 1)
            in_channels[j + 1:] = [channels[j]] * (len(in_channels) - j - 1)

    def forward(self, layers):
        layers = list(layers)
        outs = [layers[-1]]
        for i in range(len(layers) - self.first_level - 1):
            getattr(self, f"ida_{i}")(layers, len(layers) - i - 2, len(layers))
            outs.insert(0, layers[-1])
        return outs


# ----------------------------------------------------------------------------------------------------
# The whole network


def _head(cin, head_conv, cout):
    return nn.Sequential(nn.Conv2d(cin, head_conv, 3, padding=1, bias=True), nn.ReLU(inplace=True),
                         nn.Conv2d(head_conv, cout, 1, stride=1, padding=0, bias=True))


class DLASeg(nn.Module):
    """FairMOT's DLA-34 tracker network. forward(x) -> (hm logits [B,1,h,w], wh ltrb [B,4,h,w],
    reg [B,2,h,w], id [B,reid_dim,h,w]) at stride 4: the tuple contract of model.TrackerNet."""

    def __init__(self, reid_dim=128, head_conv=256):
        super().__init__()
        self.reid_dim = reid_dim
        self.base = DLABase()
        channels = self.base.channels[FIRST_LEVEL:]  # 64, 128, 256, 512
        self.dla_up = DLAUp(FIRST_LEVEL, channels, [2 ** i for i in range(len(channels))])
        out_channels = channels[0]
        self.ida_up = IDAUp(out_channels, self.base.channels[FIRST_LEVEL:LAST_LEVEL],
                            [2 ** i for i in range(LAST_LEVEL - FIRST_LEVEL)])
        self.hm = _head(out_channels, head_conv, 1)
        self.wh = _head(out_channels, head_conv, 4)
        self.id = _head(out_channels, head_conv, reid_dim)
        self.reg = _head(out_channels, head_conv, 2)
        # Heatmap prior of ~0.1 keeps the focal loss stable at the start; the other heads' last convs
        # start at zero bias.
        nn.init.constant_(self.hm[-1].bias, -2.19)
        for head in (self.wh, self.id, self.reg):
            for m in head.modules():
                if isinstance(m, nn.Conv2d):
                    nn.init.normal_(m.weight, std=0.001)
                    nn.init.zeros_(m.bias)

    def forward(self, x):
        levels = self.dla_up(self.base(x))
        feats = levels[:LAST_LEVEL - FIRST_LEVEL]  # ida_up replaces list entries, not tensors
        self.ida_up(feats, 0, len(feats))
        y = feats[-1]
        return self.hm(y), self.wh(y), self.reg(y), self.id(y)
