// MOTChallenge results in the browser: parsing, a per-frame index, per-track statistics, colours
// per ID and the download formats. No DOM here.

/** Rows of a MOTChallenge result: frame,id,x,y,w,h,score,... (1-based frames). Bad lines are skipped. */
export function parseMot(text) {
  const rows = [];
  for (const line of text.split(/\r?\n/)) {
    if (!line.trim()) {
      continue;
    }
    const f = line.split(',').map((s) => Number(s.trim()));
    if (f.length < 6 || f.slice(0, 6).some((v) => !Number.isFinite(v))) {
      continue;
    }
    rows.push({ frame: f[0], id: f[1], x: f[2], y: f[3], w: f[4], h: f[5], score: Number.isFinite(f[6]) ? f[6] : -1 });
  }
  rows.sort((a, b) => a.frame - b.frame || a.id - b.id);
  return rows;
}

/** Boxes by frame, tracks by ID (rows ascending by frame), the last frame and tracks per frame. */
export function indexRows(rows) {
  const byFrame = new Map();
  const byTrack = new Map();
  let lastFrame = 0;
  for (const r of rows) {
    if (!byFrame.has(r.frame)) {
      byFrame.set(r.frame, []);
    }
    byFrame.get(r.frame).push(r);
    if (!byTrack.has(r.id)) {
      byTrack.set(r.id, []);
    }
    byTrack.get(r.id).push(r);
    lastFrame = Math.max(lastFrame, r.frame);
  }
  const counts = new Array(lastFrame + 1).fill(0);
  for (const [frame, boxes] of byFrame) {
    counts[frame] = boxes.length;
  }
  return { byFrame, byTrack, lastFrame, counts };
}

/** ID, first/last frame, frames, duration (s) and mean of the non-negative scores, by ID. */
export function trackStats(byTrack, fps) {
  const out = [];
  for (const [id, boxes] of byTrack) {
    const scores = boxes.map((b) => b.score).filter((s) => s >= 0);
    const first = boxes[0].frame;
    const last = boxes[boxes.length - 1].frame;
    out.push({
      id, first, last, frames: boxes.length,
      duration: (last - first + 1) / fps,
      meanScore: scores.length ? scores.reduce((a, b) => a + b, 0) / scores.length : null,
    });
  }
  return out.sort((a, b) => a.id - b.id);
}

/** A stable, well-separated colour per ID (golden-angle hues), as #rrggbb. */
export function colorOf(id) {
  const hue = (id * 137.508) % 360;
  return hslToHex(hue, 0.85, 0.55);
}

function hslToHex(h, s, l) {
  const a = s * Math.min(l, 1 - l);
  const f = (n) => {
    const k = (n + h / 30) % 12;
    const c = l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1));
    return Math.round(255 * c).toString(16).padStart(2, '0');
  };
  return `#${f(0)}${f(8)}${f(4)}`;
}

export function toCsv(rows) {
  const lines = ['frame,track_id,x,y,width,height,score'];
  for (const r of rows) {
    lines.push([r.frame, r.id, r.x, r.y, r.w, r.h, r.score].join(','));
  }
  return lines.join('\n') + '\n';
}

export function toJson(jobId, fps, byTrack, stats) {
  const tracks = stats.map((s) => ({
    trackId: s.id, firstFrame: s.first, lastFrame: s.last, frameCount: s.frames, meanScore: s.meanScore,
    boxes: byTrack.get(s.id).map((b) => [b.frame, b.x, b.y, b.w, b.h, b.score]),
  }));
  return JSON.stringify({ jobId, fps, boxFormat: ['frame', 'x', 'y', 'w', 'h', 'score'], tracks }, null, 1) + '\n';
}
