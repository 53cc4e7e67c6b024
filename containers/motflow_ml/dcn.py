"""Modulated deformable convolution (DCNv2, Zhu et al. 2019) on ``torchvision.ops.deform_conv2d``:
no compiled extension, so it runs wherever torchvision does (torch 1.13 CPU, torch 2.x GPU).

Parameters follow the convention of the original DCNv2 module, so that checkpoints made with it load
unchanged: the layer's own ``weight`` [out, in, kh, kw] and ``bias`` [out], and one ordinary
convolution ``conv_offset_mask`` that predicts, per output pixel, 3 * kh * kw channels. Those split
in three equal parts along channels: the first two, concatenated, are the sampling offsets (for
kernel tap k, channel 2k is the vertical and 2k + 1 the horizontal shift, in input pixels), the third
through a sigmoid is the per-tap modulation mask. torchvision reads offsets and mask in that same
layout, so they are passed through as they are.
"""
import math

import torch
import torch.nn as nn
from torch.nn.modules.utils import _pair
from torchvision.ops import deform_conv2d


class ModulatedDeformConv2d(nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size=3, stride=1, padding=1, dilation=1):
        super().__init__()
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size = _pair(kernel_size)
        self.stride, self.padding, self.dilation = _pair(stride), _pair(padding), _pair(dilation)
        kh, kw = self.kernel_size
        self.weight = nn.Parameter(torch.empty(out_channels, in_channels, kh, kw))
        self.bias = nn.Parameter(torch.empty(out_channels))
        self.conv_offset_mask = nn.Conv2d(in_channels, 3 * kh * kw, self.kernel_size, stride=self.stride,
                                          padding=self.padding, dilation=self.dilation, bias=True)
        self.reset_parameters()

    def reset_parameters(self):
        bound = 1.0 / math.sqrt(self.in_channels * self.kernel_size[0] * self.kernel_size[1])
        nn.init.uniform_(self.weight, -bound, bound)
        nn.init.zeros_(self.bias)
        # Zero offsets and a 0.5 mask everywhere: training starts from a plain (halved) convolution.
        nn.init.zeros_(self.conv_offset_mask.weight)
        nn.init.zeros_(self.conv_offset_mask.bias)

    def forward(self, x):
        dy_dx_a, dy_dx_b, mask_logits = torch.chunk(self.conv_offset_mask(x), 3, dim=1)
        offset = torch.cat((dy_dx_a, dy_dx_b), dim=1)
        mask = torch.sigmoid(mask_logits)
        # deform_conv2d wants one dtype for all its tensors; under autocast the offset conv may differ.
        return deform_conv2d(x, offset.to(x.dtype), self.weight.to(x.dtype), self.bias.to(x.dtype),
                             stride=self.stride, padding=self.padding, dilation=self.dilation,
                             mask=mask.to(x.dtype))

    def extra_repr(self):
        return (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}, "
                f"padding={self.padding}, dilation={self.dilation}")
