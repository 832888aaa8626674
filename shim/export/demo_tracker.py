"""A hand-written, weight-free tracker in the bundle format (shim/BUNDLE.md): the quick start's
demo bundle (`make_standin_bundle.py --profile demo`). It is not EdgeTAM: every number is computed
by the fixed tensor code below from colour and local texture, nothing is learned.

All the work is at the low-resolution mask grid (LR = S/4, the stride of hr0), because at S/16 a
pedestrian of the quick start's clip is about one cell wide. The C tracker drives it as it drives
EdgeTAM (docs/tracking.md); what each method computes:

- encode_image: per LR pixel four features (intensity, red-green, yellow-blue, local contrast),
  each soft-assigned to a few levels (8, 3, 3, 2: 16 channels). hr0 holds them at LR; feat holds
  the same values space-to-depth packed into [C = 16*16, S/16, S/16] (attend_memory and
  encode_memory get feat only and unpack it); hr1 is unused.
- The product of the four assignments is a soft histogram bin per pixel (K = 144 bins); the log
  ratio of an object's to its background's histogram likelihood scores every pixel (positive:
  looks like the object).
- decode with points or a box (prompt): the object's histogram from small discs around the
  positive points and from the box (less what the ring around the box explains), the
  background's from that ring mixed with the whole frame; a region grows from the points (a
  fixed number of 3x3 dilations) over pixels that score positive, inside the box if any, away
  from negative points; twice, the second time with the histogram of the first region.
- encode_memory: the histograms of the mask and of a ring around it (mixed with the frame),
  whether the object is present, and a template: the features and the mask over the object's
  box, resampled to 24 x 12.
- decode's object pointer: where the object is (present flag, centre, spread, area); the
  no-object pointer (zeros) when it is absent.
- attend_memory: the present memories' histograms and templates, averaged (conditioning frames
  weigh 1.5 times all recent ones together); the most recent pointer of a frame the object was
  present on gives where it was, moved by its velocity over 3 frames; the template is searched
  within +-4 LR pixels of there (a soft minimum of the distance); pixels score by the histograms
  inside a box of the object's size (no more than its prompted size) around the place found,
  widened by the frames it was unseen. pix carries these logits (packed), the expected area and
  the place found with how well the template matched.
- decode without points (tracking): those logits, smoothed; the object score compares the mask's
  area with the expected one, so it falls below 0 when the object is hidden or gone.

Traced code with fixed iteration counts only; operators every supported runtime has.
"""

from typing import Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

# The prototype grid: levels per feature (intensity, red-green, yellow-blue, contrast) and the
# scale that puts neighbouring levels one unit apart (the features' useful ranges).
LEVELS = (8, 3, 3, 2)
SCALE = (7.0, 12.0, 12.0, 16.0)
SIGMA = 0.6  # soft assignment width, in grid units
FEATURES = len(LEVELS)
PACK = 4  # LR -> S/16: space-to-depth factor
MEMORY_DIM = 16
VELOCITY_SPAN = 3  # frames the velocity is measured over
NOVEL = 0.05  # share of the uniform histogram in the object model (unseen colours)
EDGE = 1.5  # how soft the edges of the where-prior are, LR pixels
TEMPLATE = (24, 12)  # template rows, columns: the object's box resampled
REACH = 4  # template search: offsets -REACH..REACH LR pixels around the predicted place


class DemoTracker(nn.Module):
    def __init__(self, image_size: int, pixel_mean: Tuple[float, float, float],
                 pixel_std: Tuple[float, float, float], num_maskmem: int = 7):
        super().__init__()
        S = image_size
        assert S % 16 == 0
        LR = S // 4
        K = LEVELS[0] * LEVELS[1] * LEVELS[2] * LEVELS[3]
        self.image_size = S
        self.n0, self.n1, self.n2, self.n3 = LEVELS
        self.velocity_span = VELOCITY_SPAN
        self.novel = NOVEL
        self.edge_weight = 1.0 / (EDGE * EDGE)
        self.pack = PACK
        self.sharpness = -0.5 / (SIGMA * SIGMA)
        self.low_res = LR
        self.feat_size = S // 16
        self.channels = LEVELS[0] + LEVELS[1] + LEVELS[2] + LEVELS[3]
        self.hidden_dim = self.channels * PACK * PACK
        self.memory_dim = MEMORY_DIM
        self.high_res_dim0 = self.channels
        self.high_res_dim1 = 1
        self.num_maskmem = num_maskmem
        self.bins = K
        th, tw = TEMPLATE
        self.th, self.tw = th, tw
        self.template_size = (self.channels + 1) * th * tw  # features + mask weights
        self.memory_tokens = (2 * K + 1 + self.template_size + MEMORY_DIM - 1) // MEMORY_DIM
        # template sample positions in units of the box's half extent, pixel centres
        ty = (torch.arange(th, dtype=torch.float32) + 0.5) / th * 2.0 - 1.0
        tx = (torch.arange(tw, dtype=torch.float32) + 0.5) / tw * 2.0 - 1.0
        self.register_buffer("template_ty", ty)
        self.register_buffer("template_tx", tx)
        reach = torch.arange(-REACH, REACH + 1, dtype=torch.float32)
        self.register_buffer("reach", reach)
        oy, ox = torch.meshgrid(reach, reach, indexing="ij")
        self.register_buffer("offsets", torch.stack([ox, oy], -1).view(-1, 2))  # [Nc, 2]
        self.register_buffer("pixel_index", torch.arange(LR, dtype=torch.float32).view(1, LR))
        self.register_buffer("mean", torch.tensor(pixel_mean).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(pixel_std).view(1, 3, 1, 1))
        self.register_buffer("scale", torch.tensor(SCALE).view(1, FEATURES, 1, 1))
        for name, n, centre in (("levels_i", LEVELS[0], 0.0), ("levels_rg", LEVELS[1], 1.0),
                                ("levels_yb", LEVELS[2], 1.0), ("levels_t", LEVELS[3], 0.0)):
            # chroma levels centred on grey
            levels = torch.arange(n, dtype=torch.float32) - centre * (n - 1) / 2.0
            self.register_buffer(name, levels.view(1, n, 1, 1))
        ys, xs = torch.meshgrid(torch.arange(LR, dtype=torch.float32),
                                torch.arange(LR, dtype=torch.float32), indexing="ij")
        self.register_buffer("xs", xs.reshape(1, LR * LR) + 0.5)  # pixel centres, LR units
        self.register_buffer("ys", ys.reshape(1, LR * LR) + 0.5)

    # ----------------------------------------------------------------------------- helpers

    def _pack(self, x: torch.Tensor) -> torch.Tensor:
        """[1,c,LR,LR] -> [1,c*16,H,H] (space-to-depth)."""
        c = x.size(1)
        H = self.feat_size
        x = x.reshape(1, c, H, self.pack, H, self.pack).permute(0, 1, 3, 5, 2, 4)
        return x.reshape(1, c * self.pack * self.pack, H, H)

    def _unpack(self, x: torch.Tensor) -> torch.Tensor:
        """[1,c*16,H,H] -> [1,c,LR,LR]."""
        H = self.feat_size
        c = x.size(1) // (self.pack * self.pack)
        x = x.reshape(1, c, self.pack, self.pack, H, H).permute(0, 1, 4, 2, 5, 3)
        return x.reshape(1, c, H * self.pack, H * self.pack)

    def _soft(self, x: torch.Tensor, levels: torch.Tensor) -> torch.Tensor:
        """Soft assignment of one feature [1,1,LR,LR] to its levels [1,n,1,1] -> [1,n,LR,LR].
        The product of the four features' assignments is the assignment to the prototype grid
        (a softmax of a sum of squares factorises), so the grid is never formed per pixel."""
        n = levels.size(1)
        lowest = levels[:, 0:1]
        # into the levels' range: far from every level, exp would underflow
        x = torch.max(torch.min(x, lowest + float(n - 1)), lowest)
        e = self.sharpness * (x - levels).pow(2)
        if torch.jit.is_scripting():
            e = torch.exp(e)
            return e / e.sum(1, keepdim=True)
        # torch.export (the .pte): the same as a softmax over the levels put last, which XNNPACK
        # takes (exp and a sum over channels run in the portable kernels; libtorch computes
        # them faster than a softmax over a last dimension of 2-8)
        return torch.softmax(e.permute(0, 2, 3, 1), -1).permute(0, 3, 1, 2)

    def _parts(self, a: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """hr0's assignments [1,16,LR,LR] -> intensity [8,N] and the rest's product [18,N]."""
        n0, n1, n2, n3 = self.n0, self.n1, self.n2, self.n3
        a = a.reshape(self.channels, -1)
        N = a.size(1)
        c1 = a[n0:n0 + n1].view(n1, 1, 1, N)
        c2 = a[n0 + n1:n0 + n1 + n2].view(1, n2, 1, N)
        c3 = a[n0 + n1 + n2:n0 + n1 + n2 + n3].view(1, 1, n3, N)
        return a[0:n0], (c1 * c2 * c3).reshape(n1 * n2 * n3, N)

    def _mm(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """x @ y of 2-D tensors as a batch of one: torch.export makes it a bmm, which XNNPACK
        takes whatever its operands (an mm it takes only against constant weights; ExecuTorch's
        portable mm is a plain loop on one thread)."""
        m, k, n = x.size(0), x.size(1), y.size(1)
        return torch.bmm(x.view(1, m, k), y.view(1, k, n)).view(m, n)  # views: no copies

    def _sum_rows(self, x: torch.Tensor) -> torch.Tensor:
        """The sum over the rows of x [R, N] -> [N], as a product with ones (XNNPACK's, where a
        sum over a dimension is the portable kernels')."""
        return self._mm(torch.ones(1, x.size(0), dtype=x.dtype, device=x.device), x).view(-1)

    def _hist(self, a: Tuple[torch.Tensor, torch.Tensor], w: torch.Tensor) -> torch.Tensor:
        """The histogram [K] over the prototypes of the pixels weighted by w [N]."""
        return self._mm(a[0] * w, a[1].t()).reshape(-1) / (w.sum() + 1e-6)

    def _likelihood(self, a: Tuple[torch.Tensor, torch.Tensor], h: torch.Tensor) -> torch.Tensor:
        """Per pixel likelihood [N] under the histogram h [K]."""
        return self._sum_rows(self._mm(h.view(self.n0, -1).t(), a[0]) * a[1])

    def _score(self, a: Tuple[torch.Tensor, torch.Tensor], h_obj: torch.Tensor,
               h_bg: torch.Tensor) -> torch.Tensor:
        """Per pixel log likelihood ratio object / background, [N]. The object's histogram
        is mixed with a little of a uniform one: a colour never seen is not impossible."""
        k = float(self.bins)
        p_obj = self._likelihood(a, (1.0 - self.novel) * h_obj + self.novel / k)
        p_bg = self._likelihood(a, 0.9 * h_bg + 0.1 / k)
        return torch.log(p_obj) - torch.log(p_bg)

    def _dilate(self, m: torch.Tensor, radius: int) -> torch.Tensor:
        """Max filter of a [LR*LR] map over a (2r+1)^2 square."""
        LR = self.low_res
        k = 2 * radius + 1
        x = F.max_pool2d(m.view(1, 1, LR, LR), (1, k), 1, (0, radius))  # separable: cheaper
        return F.max_pool2d(x, (k, 1), 1, (radius, 0)).reshape(LR * LR)

    def _smooth(self, z: torch.Tensor) -> torch.Tensor:
        return F.avg_pool2d(z, 3, 1, 1, count_include_pad=False)

    def _geometry(self, mask: torch.Tensor) -> torch.Tensor:
        """Centroid x/y, spread (standard deviation) x/y, area of a mask [LR*LR], LR units: [5]."""
        area = mask.sum()
        n = area + 1e-6
        cx = (mask * self.xs).sum() / n
        cy = (mask * self.ys).sum() / n
        sx = torch.sqrt((mask * (self.xs - cx).pow(2)).sum() / n + 1e-6)
        sy = torch.sqrt((mask * (self.ys - cy).pow(2)).sum() / n + 1e-6)
        return torch.stack([cx, cy, sx, sy, area])

    def _sample(self, maps: torch.Tensor, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """maps [1,c,LR,LR] bilinearly at the points (x[j], y[i]) (LR pixels; zero outside) ->
        [1,c,h,w]. The grids are separable, so two interpolation matrices do it: products
        (XNNPACK's) where a grid sampler is gathers, which ExecuTorch runs in portable kernels."""
        c = maps.size(1)
        LR = self.low_res
        h, w = y.size(0), x.size(0)
        wy = F.relu(1.0 - (y.view(-1, 1) - 0.5 - self.pixel_index).abs())  # [h, LR]
        wx = F.relu(1.0 - (x.view(-1, 1) - 0.5 - self.pixel_index).abs())  # [w, LR]
        by_row = self._mm(wy, maps.view(c, LR, LR).permute(1, 0, 2).reshape(LR, c * LR))
        out = self._mm(by_row.view(h * c, LR), wx.t())  # [h*c, w]
        return out.view(h, c, w).permute(1, 0, 2).reshape(1, c, h, w)

    def _pointer(self, mask: torch.Tensor, present: torch.Tensor, centre: torch.Tensor
                 ) -> torch.Tensor:
        """The object pointer [1,C]: present, centre x/y, spread x/y, area (LR units) of the
        mask [LR*LR] (0/1), zeros (the no-object pointer) when not present. The centre is the
        mask's centroid mixed with `centre` [3] (x, y, weight): where the template was found,
        which a mask spilling onto a neighbour does not move."""
        geo = self._geometry(mask)
        keep = centre[2]
        xy = keep * centre[0:2] + (1.0 - keep) * geo[0:2]
        geo = torch.cat([torch.ones(1, dtype=mask.dtype, device=mask.device), xy, geo[2:5]])
        geo = geo.view(1, 6)
        rest = torch.zeros(1, self.hidden_dim - 6, dtype=mask.dtype, device=mask.device)
        return torch.cat([geo, rest], 1) * present.to(mask.dtype)

    def _box_half(self, spread: torch.Tensor) -> torch.Tensor:
        """Half extents of an object's box from its spread: a uniform blob's is sqrt(3) spreads;
        a little more, so that a template holds some surroundings too."""
        return 2.0 * spread + 1.0

    def _outputs(self, z: torch.Tensor, score: torch.Tensor, multimask: bool,
                 centre: torch.Tensor
                 ) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        """decode's outputs from the low-res logits z [1,1,LR,LR], the score [1,1] and the
        centre for the pointer (_pointer)."""
        appear = score > 0
        z = torch.where(appear.view(1, 1, 1, 1), z, torch.full_like(z, -1024.0))
        ptr = self._pointer((z > 0).to(z.dtype).reshape(-1), appear.view(1), centre)
        ious = torch.full((1, 1), 0.9, dtype=z.dtype, device=z.device)
        masks = z
        if multimask:  # one mask three times: the demo has no alternatives to offer
            masks = z.expand(1, 3, z.size(2), z.size(3))
            ious = ious.expand(1, 3)
        return masks.contiguous(), ious.contiguous(), z.contiguous(), ptr, score

    def _segment(self, f: torch.Tensor, coords: torch.Tensor, labels: torch.Tensor
                 ) -> Tuple[torch.Tensor, torch.Tensor]:
        """Prompted segmentation: low-res logits [1,1,LR,LR] and score [1,1] from points/box."""
        LR = self.low_res
        a = self._parts(f)
        xy = coords.view(-1, 2) * (float(LR) / float(self.image_size))  # input px -> LR
        lab = labels.view(-1)
        d2 = (self.xs - xy[:, 0:1]).pow(2) + (self.ys - xy[:, 1:2]).pow(2)  # [P, N]
        far = torch.full_like(d2, 1e9)
        pos = (lab == 1).view(-1, 1)
        d_pos = torch.where(pos, d2, far).min(0)[0]
        d_neg = torch.where((lab == 0).view(-1, 1), d2, far).min(0)[0]
        # the box (corners labelled 2 and 3); without one, the whole frame
        c2 = (lab == 2).to(f.dtype).view(-1, 1)
        c3 = (lab == 3).to(f.dtype).view(-1, 1)
        has_box = c2.sum() > 0
        lo = (xy * c2).sum(0) / c2.sum().clamp(min=1.0)
        hi = (xy * c3).sum(0) / c3.sum().clamp(min=1.0)
        inside = ((self.xs >= lo[0]) & (self.xs <= hi[0]) & (self.ys >= lo[1]) &
                  (self.ys <= hi[1])).to(f.dtype).view(-1)
        box = torch.where(has_box, inside, torch.zeros_like(inside))
        allowed = torch.where(has_box, inside, torch.ones_like(inside))
        allowed = allowed * (d_neg > 4.0).to(f.dtype)
        # points reach at most a pedestrian's height at this size
        reach = (d_pos <= float(LR * LR) / 16.0).to(f.dtype)
        allowed = allowed * torch.where(has_box, torch.ones_like(reach), reach)
        seed = ((d_pos <= 4.0).to(f.dtype) + box).clamp(max=1.0) * allowed
        near = self._dilate(seed, 8)
        ring = near - self._dilate(seed, 3)
        h_ring = self._hist(a, ring)
        h_bg = 0.5 * h_ring + 0.5 * self._hist(a, torch.ones_like(ring))
        # a box holds background too (more than half of a walking person's box): take out of its
        # histogram what the ring around it explains
        h_obj = F.relu(self._hist(a, seed) - has_box.to(f.dtype) * h_ring)
        h_obj = h_obj / (h_obj.sum() + 1e-6)
        # what a box leaves of its background still scores a little above 0 (the background
        # varies across the box): a box's object must look clearly unlike its surroundings
        margin = has_box.to(f.dtype) * 1.0
        region = seed
        for _ in range(2):
            ok = (self._score(a, h_obj, h_bg) > margin).to(f.dtype) * allowed
            region = seed * ok + (d_pos <= 2.0).to(f.dtype) * allowed
            for _ in range(12):
                region = self._dilate(region, 1) * ok
            h_obj = self._hist(a, region)
        L = self._score(a, h_obj, h_bg)
        z = torch.where(region > 0, 2.0 + L.clamp(0.0, 4.0), -4.0 + L.clamp(-4.0, 0.0))
        z = self._smooth(z.view(1, 1, LR, LR))
        score = ((region.sum() >= 3.0).to(f.dtype) * 20.0 - 10.0).view(1, 1)
        return z, score

    # ----------------------------------------------------------------------------- methods

    @torch.jit.export
    def encode_image(self, image: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        rgb = F.avg_pool2d(image * self.std + self.mean, 4, 4)  # [1,3,LR,LR], 0..1
        r, g, b = rgb[:, 0:1], rgb[:, 1:2], rgb[:, 2:3]
        i = (r + g + b) / 3.0
        local = F.avg_pool2d(i, 3, 1, 1, count_include_pad=False)
        contrast = F.avg_pool2d((i - local).abs(), 3, 1, 1, count_include_pad=False)
        f = torch.cat([i, r - g, 0.5 * (r + g) - b, contrast], 1) * self.scale
        a = torch.cat([self._soft(f[:, 0:1], self.levels_i), self._soft(f[:, 1:2], self.levels_rg),
                       self._soft(f[:, 2:3], self.levels_yb), self._soft(f[:, 3:4], self.levels_t)],
                      1)
        hr1 = F.avg_pool2d(f[:, 0:1], 2, 2)
        return a.contiguous(), hr1.contiguous(), self._pack(a).contiguous()

    @torch.jit.export
    def attend_memory(self, feat: torch.Tensor, memory: torch.Tensor, memory_tpos: torch.Tensor,
                      obj_ptrs: torch.Tensor) -> torch.Tensor:
        n = memory.size(0)
        if n == 0:
            return feat.contiguous()
        return self._attend(feat, memory, memory_tpos, torch.ones(n, dtype=feat.dtype,
                                                                  device=feat.device), obj_ptrs)

    def attend_memory_padded(self, feat: torch.Tensor, memory: torch.Tensor,
                             memory_tpos: torch.Tensor, obj_ptrs: torch.Tensor,
                             key_bias: torch.Tensor) -> torch.Tensor:
        """attend_memory over padded memories / pointers (the ExecuTorch bundle's, bundle_pte.py):
        a memory is valid where its tokens' key bias is 0 (padded: -PADDED_KEY_SCORE)."""
        n, tokens = memory.size(0), memory.size(1)
        valid = (key_bias[0:n * tokens].view(n, tokens)[:, 0] > -1.0).to(feat.dtype)
        return self._attend(feat, memory, memory_tpos, valid, obj_ptrs)

    def _attend(self, feat: torch.Tensor, memory: torch.Tensor, memory_tpos: torch.Tensor,
                valid: torch.Tensor, obj_ptrs: torch.Tensor) -> torch.Tensor:
        """attend_memory over the memories whose `valid` [n] is 1 (padded rows, ExecuTorch: 0;
        their pointers are zero rows, which read as frames the object was absent on)."""
        K = self.bins
        LR = self.low_res
        n = memory.size(0)
        mem = memory.reshape(n, -1)
        present = mem[:, 2 * K] * valid
        cond = (memory_tpos == 0).to(feat.dtype) * valid
        recent_present = (present * (1.0 - cond)).sum().clamp(min=1.0)
        # the prompted look anchors identity: conditioning memories weigh 1.5 times as much as
        # all recent ones together (which may have caught some of a neighbour or an occluder)
        w = present * (cond * 1.5 * recent_present + (1.0 - cond))
        w = w / (w.sum() + 1e-6)
        h_obj = torch.matmul(w, mem[:, 0:K])
        h_bg = torch.matmul(w, mem[:, K:2 * K])
        a = self._parts(self._unpack(feat))
        L = self._score(a, h_obj, h_bg)

        # where: the most recent pointer of a frame the object was present on (conditioning
        # pointers come first, then by increasing distance), else the first conditioning one
        p = obj_ptrs.size(0)
        idx = torch.arange(p, dtype=feat.dtype, device=feat.device)
        n_cond = cond.sum()
        seen = obj_ptrs[:, 0] * (idx >= n_cond).to(feat.dtype)
        # rows selected by one-hot products: a tensor index is data-dependent for torch.export
        last = torch.argmax(seen * (float(p) - idx)).to(feat.dtype)
        sel = (idx == last).to(feat.dtype)
        seen_last = (seen * sel).sum()
        ago = torch.where(seen_last > 0, last - n_cond + 1.0, torch.ones_like(n_cond))
        geo = torch.matmul(sel, obj_ptrs[:, 1:6])
        # its velocity over the last few frames, when it was present on all of them
        older = (last + float(self.velocity_span)).clamp(max=float(p - 1))
        before = (idx == older).to(feat.dtype)
        moving = (seen_last * (seen * before).sum()
                  * (older == last + float(self.velocity_span)).to(feat.dtype))
        v = (geo[0:2] - torch.matmul(before, obj_ptrs[:, 1:3])) * (moving
                                                                   / float(self.velocity_span))
        v = v.clamp(-2.0, 2.0)
        centre = geo[0:2] + v * ago
        # its size may drift only so far from the prompted one, so that a mask spreading onto a
        # neighbour of the same colours, or shrinking to one part, does not feed on itself
        first = obj_ptrs[0, 3:5]
        spread = torch.max(torch.min(geo[2:4], first), 0.8 * first)

        # what: the memories' templates (weighted as the histograms) matched around there;
        # the best offsets (a soft minimum of the distance) move the centre
        th, tw = self.th, self.tw
        templates = mem[:, 2 * K + 1:2 * K + 1 + self.template_size]
        t = torch.matmul(w, templates).view(self.channels + 1, th * tw)
        t_mask = t[self.channels]
        t_feat = t[0:self.channels]
        nc = self.offsets.size(0)
        nr = self.reach.size(0)
        box = self._box_half(spread)
        # every offset's template positions: rows (offset y, template row), columns likewise
        rows = centre[1] + self.reach.view(nr, 1) + self.template_ty.view(1, th) * box[1]
        cols = centre[0] + self.reach.view(nr, 1) + self.template_tx.view(1, tw) * box[0]
        seen_feat = self._sample(self._unpack(feat), cols.reshape(-1), rows.reshape(-1))
        seen_feat = seen_feat.view(self.channels, nr, th, nr, tw).permute(0, 1, 3, 2, 4)
        seen_feat = seen_feat.reshape(self.channels, nc, th * tw)
        d2 = self._sum_rows((seen_feat - t_feat.unsqueeze(1)).pow(2).view(self.channels, -1))
        d2 = d2.view(nc, th * tw)
        dist = self._mm(d2, t_mask.view(-1, 1)).view(-1) / (t_mask.sum() + 1e-6)  # [Nc]
        step = self.offsets
        dist = dist + 0.02 * step.pow(2).sum(1)  # the smaller move wins a tie
        pick = torch.softmax(dist * -20.0, 0)
        centre = centre + torch.matmul(pick, step)
        cx = centre[0]
        cy = centre[1]
        # the mask: pixels that look like the object, in a box of its size there (soft edges)
        half = 1.73 * spread + 1.0 + (ago - 1.0)  # unseen for a while: it may be further
        out_x = F.relu((self.xs.view(-1) - cx).abs() - half[0])
        out_y = F.relu((self.ys.view(-1) - cy).abs() - half[1])
        prior = -0.5 * (out_x * out_x + out_y * out_y) * self.edge_weight
        z = (L - 0.5 + prior).view(1, 1, LR, LR)
        # pix: the logits, then the expected area, the centre found and its trust, as constant maps
        H = self.feat_size
        # the expected area: the last and the prompted one's mean (the last may be partly hidden)
        expected = 0.5 * (geo[4] + obj_ptrs[0, 5])
        # how far to trust where the template was found (a poor match: the object is partly
        # hidden or changed; then the mask's own centroid says where it is)
        trust = ((0.6 - dist.min()) / 0.3).clamp(0.0, 1.0)
        found = torch.stack([expected, cx, cy, trust]).view(1, 4, 1, 1).expand(1, 4, H, H)
        rest = torch.zeros(1, self.hidden_dim - self.pack * self.pack - 4, H, H,
                           dtype=feat.dtype, device=feat.device)
        return torch.cat([self._pack(z), found, rest], 1).contiguous()

    @torch.jit.export
    def decode(self, pix: torch.Tensor, hr0: torch.Tensor, hr1: torch.Tensor,
               point_coords: torch.Tensor, point_labels: torch.Tensor, mask_input: torch.Tensor,
               multimask: bool
               ) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        if point_coords.size(1) == 0:
            z, score, centre = self._tracked(pix)
        else:
            z, score = self._segment(hr0, point_coords, point_labels)
            centre = torch.zeros(3, dtype=z.dtype, device=z.device)
            # ExecuTorch passes no points as one point labelled -1 (BUNDLE.md): tracking, which
            # its fixed graph can only select, not branch to
            prompted = (point_labels >= 0).any()
            z_t, score_t, centre_t = self._tracked(pix)
            z = torch.where(prompted, z, z_t)
            score = torch.where(prompted, score, score_t)
            centre = torch.where(prompted, centre, centre_t)
        return self._outputs(z, score, multimask, centre)

    def _tracked(self, pix: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """decode without points (tracking): attend_memory's logits, the object score from
        their area against the expected one, and the centre found with its trust."""
        z = self._smooth(self._unpack(pix[:, 0:self.pack * self.pack]))
        found = pix[0, self.pack * self.pack:self.pack * self.pack + 4, 0, 0]
        ratio = (z > 0).to(z.dtype).sum() / (found[0] + 1.0)
        score = (12.0 * (ratio - 0.3)).clamp(-20.0, 20.0).view(1, 1)
        return z, score, found[1:4]

    @torch.jit.export
    def decode_mask(self, feat: torch.Tensor, hr0: torch.Tensor, hr1: torch.Tensor,
                    mask: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        LR = self.low_res
        best = F.interpolate(mask * 20.0 - 10.0, size=(LR, LR), mode="bilinear",
                             align_corners=False, antialias=True)
        appear = (mask > 0).any().view(1)
        score = (appear.to(feat.dtype) * 20.0 - 10.0).view(1, 1)
        ptr = self._pointer((best > 0).to(feat.dtype).reshape(-1), appear,
                            torch.zeros(3, dtype=feat.dtype, device=feat.device))
        return best.contiguous(), ptr, score.contiguous()

    @torch.jit.export
    def encode_memory(self, feat: torch.Tensor, best: torch.Tensor, object_score: torch.Tensor,
                      binarize: bool) -> torch.Tensor:
        if binarize:
            m = (best > 0).to(feat.dtype)
        else:
            m = torch.sigmoid(best)
        m = m.reshape(-1)
        present = ((object_score.view(1) > 0) & (m.sum() > 2.0)).to(feat.dtype)
        m = m * present
        a = self._parts(self._unpack(feat))
        ring = (self._dilate(m, 6) - m).clamp(min=0.0)
        h_obj = self._hist(a, m)
        h_bg = 0.5 * self._hist(a, ring) + 0.5 * self._hist(a, torch.ones_like(ring))
        # the template: features and mask over the object's box, resampled to a fixed size
        geo = self._geometry(m)
        half = self._box_half(geo[2:4])
        maps = torch.cat([self._unpack(feat), m.view(1, 1, self.low_res, self.low_res)], 1)
        template = self._sample(maps, geo[0] + self.template_tx * half[0],
                                geo[1] + self.template_ty * half[1]).reshape(-1) * present
        pad = self.memory_tokens * self.memory_dim - 2 * self.bins - 1 - self.template_size
        out = torch.cat([h_obj, h_bg, present, template,
                         torch.zeros(pad, dtype=feat.dtype, device=feat.device)])
        return out.view(1, self.memory_tokens, self.memory_dim).contiguous()


def metadata_sizes(model: DemoTracker) -> dict:
    return {"model": "demo-tracker", "image_size": model.image_size,
            "hidden_dim": model.hidden_dim, "memory_dim": model.memory_dim,
            "high_res_dim0": model.high_res_dim0, "high_res_dim1": model.high_res_dim1,
            "memory_tokens": model.memory_tokens, "num_maskmem": model.num_maskmem,
            "multimask_output_in_sam": 0, "multimask_output_for_tracking": 0}
