"""Camera-motion compensation (CMC) for the batch pipeline: the global motion between consecutive frames,
estimated from the images, as a 2x3 affine warp that maps the previous frame's pixel coordinates to this
frame's. The tracker moves its Kalman states by it before association (JdeTracker.apply_camera_motion),
so that a pan or a shake of the camera is not mistaken for the targets' own motion.

Method ("sparse_flow"): the frame is turned grey and shrunk so that its longer side is at most
`max_side` pixels; corners (cv2.goodFeaturesToTrack) are picked outside this frame's detection boxes
(people move; the background is what follows the camera) and followed into the next frame by pyramidal
Lucas-Kanade optical flow (cv2.calcOpticalFlowPyrLK); a rotation + uniform scale + translation is
fitted to the pairs with RANSAC (cv2.estimateAffinePartial2D). Too few points or inliers (a blank or
crowded frame, a cut, a size change) give the identity: compensation never invents motion.

Off by default ("none"): for a static camera the best warp is the identity, which it is without the
cost. Chosen per model by the `camera_motion` key of its config.json (the training hyperparameter of the
same name writes it), or per run (the processing job's --camera-motion, the server's
MOTFLOW_CAMERA_MOTION).
"""
import cv2
import numpy as np

MODES = ("none", "sparse_flow")
DEFAULT_MODE = "none"


def identity():
    return np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])


class SparseFlowEstimator:
    """Feed it every frame in order (estimate); each call returns the warp from the previous frame."""

    # Defaults chosen with bench/camera_motion_bench.py: shrinking 1080p to 320 wide costs a third of 640
    # for the same tracking; a low corner quality keeps corners on weakly textured ground (at 0.01, low
    # texture left under 10 corners and the identity while the camera moved).
    def __init__(self, max_side=320, max_corners=200, quality=0.003, min_distance=8, min_inliers=10,
                 ransac_px=1.5, box_margin=0.05):
        self.max_side = max_side
        self.max_corners, self.quality, self.min_distance = max_corners, quality, min_distance
        self.min_inliers = min_inliers
        self.ransac_px = ransac_px  # RANSAC reprojection threshold, in pixels of the shrunk frame
        self.box_margin = box_margin  # boxes are masked this much larger (a fraction of their size) per side
        self._prev = None
        self._prev_pts = None
        self.last_inliers = 0  # RANSAC inliers of the last estimate (0 when it fell back to the identity)

    def reset(self):
        self._prev = self._prev_pts = None

    def _small_grey(self, frame):
        grey = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY) if frame.ndim == 3 else frame
        h, w = grey.shape[:2]
        scale = min(1.0, self.max_side / max(h, w))
        if scale < 1.0:
            grey = cv2.resize(grey, (max(1, round(w * scale)), max(1, round(h * scale))),
                              interpolation=cv2.INTER_AREA)
        return grey, scale

    def _mask(self, shape, boxes_tlbr, scale):
        mask = np.full(shape, 255, np.uint8)
        if boxes_tlbr is None:
            return mask
        for x1, y1, x2, y2 in np.asarray(boxes_tlbr, np.float64).reshape(-1, 4):
            mx, my = (x2 - x1) * self.box_margin, (y2 - y1) * self.box_margin
            a = (int(max(0, np.floor((x1 - mx) * scale))), int(max(0, np.floor((y1 - my) * scale))))
            b = (int(np.ceil((x2 + mx) * scale)), int(np.ceil((y2 + my) * scale)))
            if b[0] > a[0] and b[1] > a[1]:
                mask[a[1]:b[1], a[0]:b[0]] = 0
        return mask

    def estimate(self, frame, boxes_tlbr=None):
        """The 2x3 warp (previous frame -> this frame, full-resolution pixels) of a BGR or grey frame.
        boxes_tlbr: this frame's detections [n, 4] x1, y1, x2, y2; no corner is taken inside them."""
        small, scale = self._small_grey(frame)
        warp = identity()
        self.last_inliers = 0
        prev, prev_pts = self._prev, self._prev_pts
        followable = prev_pts is not None and len(prev_pts) >= self.min_inliers
        if followable and prev.shape == small.shape:  # a new frame size starts over
            nxt, status, _ = cv2.calcOpticalFlowPyrLK(prev, small, prev_pts, None, winSize=(21, 21), maxLevel=3)
            ok = status.reshape(-1) == 1
            p0, p1 = prev_pts.reshape(-1, 2)[ok], nxt.reshape(-1, 2)[ok]
            if len(p0) >= self.min_inliers:
                m, inliers = cv2.estimateAffinePartial2D(p0, p1, method=cv2.RANSAC,
                                                         ransacReprojThreshold=self.ransac_px, maxIters=500,
                                                         confidence=0.99)
                n_in = int(inliers.sum()) if inliers is not None else 0
                if m is not None and n_in >= self.min_inliers and np.all(np.isfinite(m)):
                    warp = m.astype(np.float64)
                    warp[:, 2] /= scale  # translation back to full-resolution pixels (the linear part is scale-free)
                    self.last_inliers = n_in
        pts = cv2.goodFeaturesToTrack(small, self.max_corners, self.quality, self.min_distance,
                                      mask=self._mask(small.shape, boxes_tlbr, scale), blockSize=3)
        self._prev, self._prev_pts = small, pts
        return warp


def make_estimator(mode):
    """The estimator a setting asks for, or None for "none" (no compensation)."""
    mode = DEFAULT_MODE if mode is None else str(mode).strip().lower()
    if mode == "none":
        return None
    if mode == "sparse_flow":
        return SparseFlowEstimator()
    raise ValueError(f"camera_motion must be one of {', '.join(MODES)}, not {mode!r}")
