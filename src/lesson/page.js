// The lesson page's code. It reads the JSON in #lesson-data (see page.rs for
// the contract), draws every panel as SVG, and moves them together under the
// timeline. Data reaches the page only through textContent and setAttribute,
// never as markup, so a word can hold any character.
(function () {
  'use strict';
  const SVG = 'http://www.w3.org/2000/svg';
  const $ = (id) => document.getElementById(id);

  function svg(tag, attrs, text) {
    const node = document.createElementNS(SVG, tag);
    for (const k in attrs || {}) node.setAttribute(k, attrs[k]);
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function html(tag, attrs, text) {
    const node = document.createElement(tag);
    for (const k in attrs || {}) node.setAttribute(k, attrs[k]);
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  const fin = (v) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  const r2 = (v) => Math.round(v * 100) / 100;
  const grouped = new Intl.NumberFormat('en-US');
  function compact(v) {
    const a = Math.abs(v);
    if (a >= 1e6) return r2(v / 1e6) + 'M';
    if (a >= 1e3) return r2(v / 1e3) + 'k';
    return String(r2(v));
  }

  // ---- the data, checked once -------------------------------------------
  function load() {
    const raw = JSON.parse($('lesson-data').textContent);
    if (!raw || typeof raw !== 'object') throw new Error('the lesson data is not an object');
    const words = Array.isArray(raw.words) ? raw.words.map(String) : [];
    if (!words.length) throw new Error('the lesson data has no words');
    const n = words.length;
    const points = (xy) => words.map((_, i) => {
      const p = Array.isArray(xy) && Array.isArray(xy[i]) ? xy[i] : [];
      return [fin(p[0]), fin(p[1])];
    });
    const checkpoints = (Array.isArray(raw.checkpoints) ? raw.checkpoints : [])
      .filter((c) => c && Array.isArray(c.xy))
      .map((c) => ({
        seen: fin(c.words_seen), epoch: fin(c.epoch),
        loss: Number.isFinite(c.loss) ? c.loss : null, xy: points(c.xy),
        sv: Array.isArray(c.singular_values) ? c.singular_values.map(fin) : [],
      }));
    if (!checkpoints.length) throw new Error('the lesson data has no checkpoints');
    const closed = raw.closed_form && typeof raw.closed_form === 'object' ? raw.closed_form : {};
    const index = new Map(words.map((w, i) => [w, i]));
    const analogies = (Array.isArray(raw.analogies) ? raw.analogies : [])
      .filter((a) => a && ['a', 'b', 'c'].every((k) => index.has(String(a[k]))))
      .map((a) => ({
        a: String(a.a), b: String(a.b), c: String(a.c), expected: String(a.expected),
        answer: a.answer == null ? '' : String(a.answer), landed: a.landed === true,
      }));
    const neighbours = (Array.isArray(raw.neighbours) ? raw.neighbours : [])
      .filter((q) => q && Array.isArray(q.answers))
      .map((q) => ({
        word: String(q.word),
        answers: q.answers.map((x) => ({ word: String(x && x.word), score: fin(x && x.score) })),
      }));
    return {
      title: typeof raw.title === 'string' ? raw.title : '', n, words, index, checkpoints,
      corpus: raw.corpus || {}, config: raw.config || {}, analogies, neighbours,
      closed: Array.isArray(closed.xy) ? points(closed.xy) : null,
      eigenvalues: Array.isArray(closed.eigenvalues) ? closed.eigenvalues.map(fin) : [],
      svCount: Math.max(0, ...checkpoints.map((c) => c.sv.length)),
    };
  }

  // ---- geometry ----------------------------------------------------------
  function bounds(sets) {
    const b = { x0: Infinity, x1: -Infinity, y0: Infinity, y1: -Infinity };
    for (const pts of sets) {
      for (const [x, y] of pts) {
        b.x0 = Math.min(b.x0, x); b.x1 = Math.max(b.x1, x);
        b.y0 = Math.min(b.y0, y); b.y1 = Math.max(b.y1, y);
      }
    }
    return b;
  }
  // One scale for x and y (angles and arrows stay true), centred in w x h.
  function fit(b, w, h, pad) {
    const sw = Math.max(b.x1 - b.x0, 1e-12), sh = Math.max(b.y1 - b.y0, 1e-12);
    const k = Math.min((w - pad.l - pad.r) / sw, (h - pad.t - pad.b) / sh);
    const cx = (b.x0 + b.x1) / 2, cy = (b.y0 + b.y1) / 2;
    const ox = pad.l + (w - pad.l - pad.r) / 2, oy = pad.t + (h - pad.t - pad.b) / 2;
    return { k, x: (x) => ox + (x - cx) * k, y: (y) => oy - (y - cy) * k };
  }
  // The rotation or mirror (about the centroid) that best lays `a` over `b`:
  // 2-D orthogonal Procrustes. Eigenvectors have no preferred sign or order
  // of equal eigenvalues, so the closed form is shown in the trained map's frame.
  function align(a, b) {
    const mean = (p) => p.reduce((s, q) => [s[0] + q[0] / p.length, s[1] + q[1] / p.length], [0, 0]);
    const ma = mean(a), mb = mean(b);
    let m00 = 0, m01 = 0, m10 = 0, m11 = 0;
    a.forEach((p, i) => {
      const ax = p[0] - ma[0], ay = p[1] - ma[1], bx = b[i][0] - mb[0], by = b[i][1] - mb[1];
      m00 += ax * bx; m01 += ax * by; m10 += ay * bx; m11 += ay * by;
    });
    const rot = Math.atan2(m01 - m10, m00 + m11), ref = Math.atan2(m01 + m10, m00 - m11);
    const mirror = Math.hypot(m01 + m10, m00 - m11) > Math.hypot(m01 - m10, m00 + m11);
    const t = mirror ? ref : rot, c = Math.cos(t), s = Math.sin(t);
    const r = mirror ? [[c, s], [s, -c]] : [[c, s], [-s, c]];
    return a.map(([x, y]) => {
      const dx = x - ma[0], dy = y - ma[1];
      return [ma[0] + dx * r[0][0] + dy * r[1][0], ma[1] + dx * r[0][1] + dy * r[1][1]];
    });
  }
  function niceTicks(lo, hi, count) {
    const step0 = (hi - lo || 1) / count, mag = Math.pow(10, Math.floor(Math.log10(step0)));
    const e = step0 / mag, step = (e >= 7.5 ? 10 : e >= 3.5 ? 5 : e >= 1.5 ? 2 : 1) * mag;
    const out = [];
    for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(+v.toPrecision(12));
    return out;
  }
  function size(node) {
    const r = node.getBoundingClientRect();
    return { w: Math.max(120, Math.round(r.width)), h: Math.max(90, Math.round(r.height)) };
  }

  // ---- the page ----------------------------------------------------------
  let D;
  try {
    D = load();
  } catch (e) {
    const box = $('error');
    box.textContent = 'This lesson cannot be shown: ' + (e && e.message ? e.message : String(e)) + '.';
    box.hidden = false;
    return;
  }
  const last = D.checkpoints.length - 1;
  const state = { t: last, playing: false, zoom: false, log: false, pick: 0, all: false, hover: null };
  const finalXY = D.checkpoints[last].xy;
  const closedXY = D.closed ? align(D.closed, finalXY) : null;
  const fixedBounds = bounds(D.checkpoints.map((c) => c.xy));

  // A word's colour is the direction in which it ends up, seen from the centre
  // of the final map: follow a colour back in time to find a word's past.
  const fb = bounds([finalXY]);
  const colours = finalXY.map(([x, y]) => {
    const a = Math.atan2(y - (fb.y0 + fb.y1) / 2, x - (fb.x0 + fb.x1) / 2);
    return 'hsl(' + Math.round(((a * 180) / Math.PI + 360) % 360) + ' 62% 40%)';
  });

  function frame(t) {
    const i = Math.min(last, Math.max(0, Math.floor(t))), f = t - i;
    const a = D.checkpoints[i].xy;
    if (f <= 0 || i >= last) return a;
    const b = D.checkpoints[i + 1].xy;
    return a.map((p, j) => [p[0] + (b[j][0] - p[0]) * f, p[1] + (b[j][1] - p[1]) * f]);
  }

  // ---- maps --------------------------------------------------------------
  const PAD = { l: 14, r: 60, t: 14, b: 24 };
  const maps = [];
  function makeMap(node, kind) {
    const m = { node, kind, nodes: [], layer: null, arrows: null, label: null, w: 0, h: 0 };
    m.build = function () {
      clear(node);
      const { w, h } = size(node);
      m.w = w; m.h = h;
      node.setAttribute('viewBox', '0 0 ' + w + ' ' + h);
      node.appendChild(svg('rect', { class: 'frame', x: 0.5, y: 0.5, width: w - 1, height: h - 1, rx: 6 }));
      m.arrows = node.appendChild(svg('g', { class: 'arrows' }));
      m.layer = node.appendChild(svg('g', { class: 'words' }));
      m.nodes = D.words.map((word, i) => {
        const g = svg('g', { class: 'word', 'data-word': word, 'data-index': i });
        g.appendChild(svg('circle', { r: 3.6, fill: colours[i] }));
        g.appendChild(svg('text', { x: 6, y: 4, fill: colours[i] }, word));
        g.addEventListener('pointerenter', () => hover(word));
        g.addEventListener('pointerleave', () => hover(null));
        return m.layer.appendChild(g);
      });
      m.widths = m.nodes.map((g, i) => g.lastChild.getComputedTextLength() || D.words[i].length * 6.4);
      m.slots = m.nodes.map(() => 0);
      m.label = node.appendChild(svg('text', { class: 'scale-label', x: 10, y: h - 8 }));
      if (kind === 'analogy') {
        const defs = node.insertBefore(svg('defs'), node.firstChild);
        for (const [id, colour] of [['head-a', 'var(--accent)'], ['head-c', 'var(--mark)']]) {
          const mk = defs.appendChild(svg('marker', { id, viewBox: '0 0 10 10', refX: 9, refY: 5,
            markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }));
          mk.appendChild(svg('path', { d: 'M0,0 L10,5 L0,10 z', style: 'fill:' + colour }));
        }
      }
    };
    m.draw = function (xy, b, note) {
      const s = fit(b, m.w, m.h, PAD);
      m.s = s; m.xy = xy;
      const at = xy.map(([x, y]) => [s.x(x), s.y(y)]);
      at.forEach(([x, y], i) => {
        const px = x.toFixed(1), py = y.toFixed(1), g = m.nodes[i];
        g.setAttribute('transform', 'translate(' + px + ' ' + py + ')');
        g.setAttribute('data-x', px); g.setAttribute('data-y', py);
      });
      placeLabels(m, at);
      m.label.textContent = note;
    };
    m.build();
    maps.push(m);
    return m;
  }
  const mapTrained = makeMap($('map-trained'), 'trained');
  const mapClosed = closedXY ? makeMap($('map-closed'), 'closed') : null;
  const mapAnalogy = D.analogies.length ? makeMap($('map-analogy'), 'analogy') : null;
  if (!mapClosed) $('panel-closed').hidden = true;
  if (!mapAnalogy) document.querySelector('section.pair').hidden = true;

  // Greedy label placement: each label takes the first of six spots around its
  // dot that overlaps least with labels already placed and with other dots
  // (highlighted words first, a small bonus for keeping last frame's spot so
  // labels do not flicker while playing). A label that finds no free spot is
  // drawn faint: hovering its dot brings it forward.
  const SPOTS = [[6, -7], [-6, -7, true], [4, -18], [4, 4], [-6, -18, true], [-6, 4, true]];
  function overlap(a, b) {
    const w = Math.min(a[2], b[2]) - Math.max(a[0], b[0]), h = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
    return w > 0 && h > 0 ? w * h : 0;
  }
  function placeLabels(m, at) {
    const order = at.map((_, i) => i);
    const rank = (i) => (m.nodes[i].classList.contains('hl') ? 0 : m.nodes[i].classList.contains('key') ? 1 : 2);
    order.sort((i, j) => rank(i) - rank(j) || i - j);
    const placed = [], dots = at.map(([x, y]) => [x - 4, y - 4, x + 4, y + 4]);
    for (const i of order) {
      const [x, y] = at[i], w = m.widths[i];
      let best = 0, bestCost = Infinity, bestBox = null;
      SPOTS.forEach(([dx, dy, left], k) => {
        const x0 = left ? x + dx - w : x + dx, box = [x0, y + dy, x0 + w, y + dy + 12];
        let cost = k === m.slots[i] ? 0 : 3;
        for (const p of placed) cost += overlap(box, p);
        for (let j = 0; j < dots.length; j++) if (j !== i) cost += 0.5 * overlap(box, dots[j]);
        if (box[0] < 2 || box[2] > m.w - 2 || box[1] < 2 || box[3] > m.h - 2) cost += 400;
        if (cost < bestCost) { best = k; bestCost = cost; bestBox = box; }
      });
      placed.push(bestBox);
      m.slots[i] = best;
      const t = m.nodes[i].lastChild;
      t.setAttribute('x', (bestBox[0] - x).toFixed(1));
      t.setAttribute('y', (bestBox[1] - y + 9.5).toFixed(1));
      m.nodes[i].classList.toggle('crowd', bestCost > 24);
    }
  }

  function hover(word) {
    state.hover = word;
    for (const m of maps) {
      m.node.classList.toggle('focus', word !== null);
      m.nodes.forEach((g, i) => g.classList.toggle('hl', D.words[i] === word));
    }
    if (!state.playing) render();
  }

  function drawMaps(t) {
    const xy = frame(t);
    const b = state.zoom ? bounds([xy]) : fixedBounds;
    const spread = Math.max(b.x1 - b.x0, b.y1 - b.y0);
    const full = Math.max(fixedBounds.x1 - fixedBounds.x0, fixedBounds.y1 - fixedBounds.y0);
    const now = bounds([xy]), nowSpread = Math.max(now.x1 - now.x0, now.y1 - now.y0);
    const ratio = full / Math.max(nowSpread, 1e-12);
    const note = state.zoom
      ? 'zoomed \u00d7' + (ratio < 10 ? r2(ratio) : grouped.format(Math.round(ratio))) + ' (fit to this checkpoint)'
      : 'one scale for all checkpoints (width ' + r2(spread) + ')';
    mapTrained.draw(xy, b, note);
    if (mapAnalogy) {
      markKeys();
      mapAnalogy.draw(xy, analogyBounds(xy), 'zoomed on the analogy' + (state.all ? ' words' : '\u2019s words'));
      drawArrows();
    }
    const tiny = !state.zoom && ratio > 8;
    const zn = $('zoom-note');
    zn.hidden = !tiny;
    if (tiny) {
      zn.textContent = 'The vectors are still ' + (ratio > 1000 ? 'over a thousand' : '\u00d7' + Math.round(ratio)) +
        ' times smaller than at the end, so the words sit in a heap at the centre. ' +
        'Training started from tiny random vectors. Tick \u201czoom to fit\u201d to see their shape.';
    }
  }

  // ---- analogies -------------------------------------------------------
  const chosen = () => (state.all ? D.analogies : [D.analogies[state.pick]]);
  function markKeys() {
    const keys = new Set();
    for (const q of chosen()) [q.a, q.b, q.c, q.expected, q.answer].forEach((w) => keys.add(w));
    mapAnalogy.node.classList.add('analogy');
    mapAnalogy.nodes.forEach((g, i) => g.classList.toggle('key', keys.has(D.words[i])));
  }
  // The analogy map frames the chosen analogies' words and landing points.
  function analogyBounds(xy) {
    const pts = [];
    for (const q of chosen()) {
      for (const w of [q.a, q.b, q.c, q.expected, q.answer]) if (D.index.has(w)) pts.push(xy[D.index.get(w)]);
      const [a, b, c] = [q.a, q.b, q.c].map((w) => xy[D.index.get(w)]);
      pts.push([c[0] + b[0] - a[0], c[1] + b[1] - a[1]]);
    }
    const bx = bounds([pts]), mx = (bx.x1 - bx.x0) * 0.08, my = (bx.y1 - bx.y0) * 0.08;
    return { x0: bx.x0 - mx, x1: bx.x1 + mx, y0: bx.y0 - my, y1: bx.y1 + my };
  }
  // Arrows stop short of their end so the head does not hide the dot.
  function arrow(m, x1, y1, x2, y2, cls, colour, head) {
    const len = Math.hypot(x2 - x1, y2 - y1), cut = Math.min(6, len / 3), f = len ? (len - cut) / len : 0;
    m.arrows.appendChild(svg('line', { class: cls, x1, y1, x2: x1 + (x2 - x1) * f, y2: y1 + (y2 - y1) * f,
      stroke: colour, 'marker-end': 'url(#' + head + ')' }));
  }
  function drawArrows() {
    const m = mapAnalogy;
    clear(m.arrows);
    const ring = (w, colour, r) => {
      if (!D.index.has(w)) return;
      const [x, y] = m.xy[D.index.get(w)];
      m.arrows.appendChild(svg('circle', { class: 'landing', cx: m.s.x(x), cy: m.s.y(y), r, stroke: colour }));
    };
    for (const q of chosen()) {
      const p = (w) => { const i = D.index.get(w); return [m.s.x(m.xy[i][0]), m.s.y(m.xy[i][1])]; };
      const [ax, ay] = p(q.a), [bx, by] = p(q.b), [cx, cy] = p(q.c);
      const ex = cx + bx - ax, ey = cy + by - ay;
      arrow(m, ax, ay, bx, by, 'arrow', 'var(--accent)', 'head-a');
      arrow(m, cx, cy, ex, ey, 'arrow moved', 'var(--mark)', 'head-c');
      m.arrows.appendChild(svg('circle', { class: 'end', cx: ex, cy: ey, r: 3, fill: 'var(--mark)' }));
      ring(q.expected, 'var(--good)', 8);
      if (q.answer && q.answer !== q.expected) ring(q.answer, 'var(--bad)', 8);
    }
  }
  function buildAnalogyList() {
    const list = $('analogy-list');
    clear(list);
    D.analogies.forEach((q, i) => {
      const li = list.appendChild(html('li'));
      const btn = li.appendChild(html('button', { type: 'button', 'data-analogy': i,
        'data-landed': String(q.landed), 'aria-pressed': String(!state.all && i === state.pick) }));
      btn.appendChild(html('span', { class: 'sum' },
        q.b + ' \u2212 ' + q.a + ' + ' + q.c + ' \u2192 ' + (q.answer || '?')));
      btn.appendChild(html('span', { class: 'verdict' },
        q.landed ? '\u2713 lands' : '\u2717 expected ' + q.expected));
      btn.addEventListener('click', () => { state.pick = i; state.all = false; buildAnalogyList(); render(); });
    });
    $('analogy-all').setAttribute('aria-pressed', String(state.all));
    $('analogy-all').textContent = state.all ? 'show one' : 'show all';
  }
  $('analogy-all').addEventListener('click', () => { state.all = !state.all; buildAnalogyList(); render(); });

  function buildNeighbours() {
    const table = $('neighbours');
    clear(table);
    for (const q of D.neighbours) {
      const tr = table.appendChild(html('tr'));
      tr.appendChild(html('th', { scope: 'row' }, q.word));
      const td = tr.appendChild(html('td'));
      for (const a of q.answers) {
        const span = td.appendChild(html('span'));
        span.appendChild(html('b', {}, a.word));
        span.appendChild(document.createTextNode(' ' + a.score.toFixed(2)));
      }
    }
    if (!D.neighbours.length) table.hidden = true;
  }

  // ---- charts ----------------------------------------------------------
  const CP = { l: 44, r: 12, t: 10, b: 24 };
  function chart(node, series, opts) {
    clear(node);
    const { w, h } = size(node);
    node.setAttribute('viewBox', '0 0 ' + w + ' ' + h);
    const xs = D.checkpoints.map((c) => c.seen);
    const x0 = Math.min(...xs), x1 = Math.max(...xs, x0 + 1);
    let all = series.flat().filter((v) => v !== null && (!opts.log || v > 0));
    if (!all.length) all = [opts.log ? 1e-3 : 0, 1];
    let y0 = opts.log ? Math.min(...all) : Math.min(0, ...all), y1 = Math.max(...all, y0 + 1e-9);
    if (opts.log) { y0 = Math.log10(y0); y1 = Math.log10(y1); }
    const X = (v) => CP.l + ((v - x0) / (x1 - x0)) * (w - CP.l - CP.r);
    const Y = (v) => h - CP.b - (((opts.log ? Math.log10(v) : v) - y0) / (y1 - y0 || 1)) * (h - CP.t - CP.b);
    const grid = node.appendChild(svg('g', { class: 'grid' }));
    const axis = node.appendChild(svg('g', { class: 'axis' }));
    const yt = opts.log
      ? niceTicks(Math.ceil(y0), Math.floor(y1), 4).filter(Number.isInteger).map((e) => Math.pow(10, e))
      : niceTicks(y0, y1, 4);
    for (const v of yt) {
      grid.appendChild(svg('line', { x1: CP.l, x2: w - CP.r, y1: Y(v), y2: Y(v) }));
      axis.appendChild(svg('text', { x: CP.l - 6, y: Y(v) + 3.5, 'text-anchor': 'end' },
        opts.log ? (v >= 1 ? String(v) : v.toExponential(0)) : String(v)));
    }
    for (const v of niceTicks(x0, x1, Math.max(2, Math.floor(w / 90)))) {
      axis.appendChild(svg('line', { x1: X(v), x2: X(v), y1: h - CP.b, y2: h - CP.b + 4 }));
      axis.appendChild(svg('text', { x: X(v), y: h - CP.b + 15, 'text-anchor': 'middle' }, compact(v)));
    }
    axis.appendChild(svg('line', { x1: CP.l, x2: w - CP.r, y1: h - CP.b, y2: h - CP.b }));
    axis.appendChild(svg('text', { x: w - CP.r, y: h - CP.b - 5, 'text-anchor': 'end' }, 'words seen'));
    series.forEach((ys, k) => {
      let d = '';
      ys.forEach((v, i) => {
        if (v === null || (opts.log && v <= 0)) return;
        d += (d ? 'L' : 'M') + X(xs[i]).toFixed(1) + ',' + Y(v).toFixed(1);
      });
      node.appendChild(svg('path', { class: opts.cls, d, stroke: opts.colour(k), 'data-series': k }));
    });
    const marker = node.appendChild(svg('g', { class: 'marker-layer' }));
    const seek = (ev) => {
      const r = node.getBoundingClientRect();
      const v = x0 + ((((ev.clientX - r.left) / r.width) * w - CP.l) / (w - CP.l - CP.r)) * (x1 - x0);
      let best = 0;
      xs.forEach((x, i) => { if (Math.abs(x - v) < Math.abs(xs[best] - v)) best = i; });
      stop(); setT(best);
    };
    node.onpointerdown = (ev) => { node.setPointerCapture(ev.pointerId); seek(ev); };
    node.onpointermove = (ev) => { if (node.hasPointerCapture(ev.pointerId)) seek(ev); };
    return { X, Y, h, marker, series, xs, log: opts.log };
  }
  function drawMarker(c, t, label) {
    clear(c.marker);
    const i = Math.min(last, Math.floor(t)), f = t - i;
    const lerp = (a) => (i >= last || a[i + 1] == null || a[i] == null ? a[i] : a[i] + (a[i + 1] - a[i]) * f);
    const x = c.X(lerp(c.xs));
    c.marker.appendChild(svg('line', { class: 'marker', x1: x, x2: x, y1: CP.t, y2: c.h - CP.b }));
    for (const ys of c.series) {
      const v = lerp(ys);
      if (v !== null && !(c.log && v <= 0)) {
        c.marker.appendChild(svg('circle', { class: 'marker-dot', cx: x, cy: c.Y(v), r: 3.5 }));
      }
    }
    if (label) {
      const right = x > c.X(c.xs[last]) - 60;
      c.marker.appendChild(svg('text', { class: 'marker-text', x: right ? x - 6 : x + 6, y: CP.t + 10,
        'text-anchor': right ? 'end' : 'start' }, label));
    }
  }
  let lossChart = null, svChart = null;
  function buildCharts() {
    lossChart = chart($('loss-chart'), [D.checkpoints.map((c) => c.loss)],
      { cls: 'loss-line', colour: () => 'var(--accent)', log: false });
    const sv = [];
    for (let k = 0; k < D.svCount; k++) sv.push(D.checkpoints.map((c) => (k < c.sv.length ? c.sv[k] : null)));
    if (!sv.length) { $('panel-sv').hidden = true; return; }
    svChart = chart($('sv-chart'), sv, { cls: 'sv-line', log: state.log,
      colour: (k) => 'hsl(' + (212 - k * 9) + ' 55% ' + (26 + (k * 46) / Math.max(1, D.svCount - 1)) + '%)' });
  }
  function buildEigen() {
    const ev = D.eigenvalues.filter((v) => v > 0);
    const box = $('eigen-bars');
    clear(box);
    if (!ev.length) { box.parentNode.hidden = true; return; }
    const w = 120, h = 26, bw = w / ev.length;
    box.setAttribute('viewBox', '0 0 ' + w + ' ' + h);
    ev.forEach((v, k) => box.appendChild(svg('rect', { x: k * bw + 1, width: bw - 2,
      y: h - (v / ev[0]) * h, height: (v / ev[0]) * h })));
    $('eigen-label').textContent = 'Top eigenvalues of M*: ' + ev.slice(0, 4).map((v) => r2(v)).join(', ') +
      (ev.length > 4 ? ' \u2026' : '') + ' In theory, training learns their directions in this order.';
  }

  // ---- the timeline ----------------------------------------------------
  const slider = $('timeline');
  slider.max = String(last);
  function render() {
    const t = state.t, i = Math.min(last, Math.round(t)), c = D.checkpoints[i];
    drawMaps(t);
    if (mapClosed) mapClosed.draw(closedXY, bounds([closedXY]), 'aligned to the final trained map');
    drawMarker(lossChart, t, c.loss === null ? '' : c.loss.toFixed(3));
    if (svChart) drawMarker(svChart, t, '');
    if (String(i) !== slider.value) slider.value = String(i);
    $('checkpoint-label').textContent = 'checkpoint ' + (i + 1) + ' of ' + (last + 1);
    $('epoch-label').textContent = 'epoch ' + c.epoch.toFixed(1) + ' \u00b7 ' + grouped.format(c.seen) + ' words';
    $('loss-value').textContent = c.loss === null ? 'loss \u2013' : 'loss ' + c.loss.toFixed(3);
    slider.setAttribute('aria-valuetext', $('checkpoint-label').textContent + ', ' + $('loss-value').textContent);
    document.body.setAttribute('data-checkpoint', String(i));
  }
  function setT(t) { state.t = Math.min(last, Math.max(0, t)); render(); }
  slider.addEventListener('input', () => { stop(); setT(Number(slider.value)); });

  const PER_CHECKPOINT_MS = Math.max(60, 7000 / Math.max(1, last));
  let lastTime = 0, raf = 0;
  function tick(now) {
    if (!state.playing) return;
    const dt = lastTime ? now - lastTime : 0;
    lastTime = now;
    const t = state.t + dt / PER_CHECKPOINT_MS;
    if (t >= last) { setT(last); stop(); return; }
    setT(t);
    raf = requestAnimationFrame(tick);
  }
  function play() {
    if (last === 0) return;
    if (state.t >= last) state.t = 0;
    state.playing = true; lastTime = 0;
    const b = $('play');
    b.setAttribute('data-playing', 'true'); b.textContent = 'Pause'; b.setAttribute('aria-label', 'Pause');
    raf = requestAnimationFrame(tick);
  }
  function stop() {
    if (!state.playing) return;
    state.playing = false; cancelAnimationFrame(raf);
    const b = $('play');
    b.setAttribute('data-playing', 'false'); b.textContent = 'Play'; b.setAttribute('aria-label', 'Play');
  }
  $('play').addEventListener('click', () => (state.playing ? stop() : play()));
  $('zoom').addEventListener('change', (e) => { state.zoom = e.target.checked; render(); });
  $('sv-log').addEventListener('change', (e) => { state.log = e.target.checked; buildCharts(); render(); });
  document.addEventListener('keydown', (e) => {
    const tag = e.target && e.target.tagName;
    if (tag === 'INPUT' || tag === 'BUTTON' || e.altKey || e.ctrlKey || e.metaKey) return;
    if (e.key === ' ') { e.preventDefault(); state.playing ? stop() : play(); }
    if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
      stop(); setT(Math.round(state.t) + (e.key === 'ArrowRight' ? 1 : -1));
    }
  });

  // ---- text that comes from the data -------------------------------------
  const cfg = D.config, cor = D.corpus;
  if (D.title) { $('kicker').textContent = D.title; document.title = D.title + ': what word2vec learns'; }
  for (const node of document.querySelectorAll('.fill-dim')) {
    if (Number.isFinite(cfg.dim)) node.textContent = String(cfg.dim);
  }
  const MODELS = { sgns: 'skip-gram', cbow: 'CBOW' };
  const facts = [
    Number.isFinite(cor.sentences) && grouped.format(cor.sentences) + ' sentences',
    Number.isFinite(cor.tokens) && grouped.format(cor.tokens) + ' tokens',
    Number.isFinite(cor.vocab) && grouped.format(cor.vocab) + ' words kept',
    cfg.model != null && (MODELS[cfg.model] || String(cfg.model)),
    Number.isFinite(cfg.dim) && cfg.dim + ' dimensions',
    Number.isFinite(cfg.window) && 'window ' + cfg.window,
    Number.isFinite(cfg.negative) && cfg.negative + ' negatives',
    Number.isFinite(cfg.epochs) && cfg.epochs + ' epochs',
    Number.isFinite(cfg.lr) && 'learning rate ' + cfg.lr,
    Number.isFinite(cfg.init_scale) && 'initial scale ' + cfg.init_scale,
    Number.isFinite(cfg.seed) && 'seed ' + cfg.seed,
  ].filter(Boolean);
  facts.forEach((f, i) => {
    $('facts').appendChild(html('span', {}, f));
    if (i < facts.length - 1) $('facts').appendChild(document.createTextNode(' \u00b7 '));
  });

  buildAnalogyList();
  buildNeighbours();
  buildEigen();
  buildCharts();
  render();
  let resizeTimer = 0;
  new ResizeObserver(() => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => {
      for (const m of maps) { m.build(); if (state.hover) hover(state.hover); }
      buildCharts(); render();
    }, 60);
  }).observe(document.querySelector('main'));
})();
