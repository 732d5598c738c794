//! Building the graph: every valid row coded, its level drawn, then inserted
//! by HNSW's `INSERT` on any number of threads (a lock per node guards its
//! link lists; readers see each link as one atomic word), and the result laid
//! out as the stored sections.

use super::search::{Coded, Graph, Item, score_nodes, search_layer};
use super::{Index, IndexParams, IndexScratch};
use crate::error::{Error, ErrorKind, Result};
use crate::format::native::{IndexMeta, MAX_INDEX_LEVEL, RECORD_HEAD, matrix_crc};
use crate::model::scan::{QueryCode, padded_dim, supports};
use crate::simd::Kernels;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};

/// The graph as it grows.
struct Growing<'a> {
    n: usize,
    m: usize,
    m0: usize,
    /// Node `i`'s code: `codes[i * code_len..][..code_len]`.
    codes: &'a [u8],
    code_len: usize,
    scales: &'a [f32],
    levels: &'a [u8],
    /// Node `i`'s level-1 list in `upper` (its level `l` list is `first + l - 1`).
    first: &'a [u32],
    /// Per node `1 + m0` words: the count, then the links.
    links0: Vec<AtomicU32>,
    /// Per list `1 + m` words.
    upper: Vec<AtomicU32>,
    locks: Vec<Mutex<()>>,
}

impl Growing<'_> {
    /// The words of `node`'s list at `level`, and its capacity.
    fn list(&self, node: u32, level: usize) -> (&[AtomicU32], usize) {
        if level == 0 {
            let w = 1 + self.m0;
            (&self.links0[node as usize * w..][..w], self.m0)
        } else {
            let w = 1 + self.m;
            let l = self.first[node as usize] as usize + level - 1;
            (&self.upper[l * w..][..w], self.m)
        }
    }

    /// Replace `node`'s list at `level` (the caller holds its lock).
    fn set(&self, node: u32, level: usize, ids: &[u32]) {
        let (words, cap) = self.list(node, level);
        let n = ids.len().min(cap);
        for (w, &id) in words[1..].iter().zip(&ids[..n]) {
            w.store(id, Ordering::Relaxed);
        }
        words[0].store(n as u32, Ordering::Release);
    }
}

impl Graph for Growing<'_> {
    fn nodes(&self) -> usize {
        self.n
    }

    fn links(&self, node: u32, level: usize, out: &mut Vec<u32>) {
        out.clear();
        if level > self.levels[node as usize] as usize {
            return;
        }
        let (words, cap) = self.list(node, level);
        let count = (words[0].load(Ordering::Acquire) as usize).min(cap);
        out.extend(
            words[1..1 + count]
                .iter()
                .map(|w| w.load(Ordering::Relaxed)),
        );
    }

    fn codes(&self) -> (&[u8], usize) {
        (self.codes, self.code_len)
    }

    fn scale(&self, node: u32) -> f32 {
        self.scales[node as usize]
    }
}

/// SplitMix64: the level of node `i` depends on the seed and `i` only.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Node `i`'s level: `floor(-ln(u) / ln(m))`, `u` uniform in `(0, 1]`.
fn level_of(seed: u64, i: usize, m: usize) -> u8 {
    let u = ((mix(seed ^ mix(i as u64)) >> 11) as f64 + 1.0) / (1u64 << 53) as f64;
    let l = (-u.ln() / (m as f64).ln()).floor();
    l.clamp(0.0, MAX_INDEX_LEVEL as f64) as u8
}

/// What each node's search needs: its code as a query (the i8 coding of
/// [`QueryCode`], zero past the dimension).
struct Queries {
    bytes: Vec<i8>,
    codes: Vec<QueryCode>,
    len: usize,
}

impl Queries {
    fn of(&self, i: u32) -> Coded<'_> {
        Coded {
            code: &self.bytes[i as usize * self.len..][..self.len],
            q: self.codes[i as usize],
        }
    }
}

/// Build an index over `matrix` (`norms.len()` rows of `dim` floats): see
/// the module documentation of [`super`]. Rows with no cosine (zero or not
/// finite) are left out of the graph.
pub fn build(
    matrix: &[f32],
    dim: usize,
    norms: &[f32],
    kern: &Kernels,
    params: &IndexParams,
) -> Result<Index> {
    params.check()?;
    let n = norms.len();
    if !supports(dim) || matrix.len() != n * dim {
        return Err(Error::invalid(format!(
            "no index for {n} rows of dimension {dim}"
        )));
    }
    if n >= u32::MAX as usize {
        return Err(Error::invalid(format!(
            "an index covers fewer than 2^32 - 1 rows, the model has {n}"
        )));
    }
    let (m, m0) = (params.m, 2 * params.m);
    let code_len = IndexMeta::code_len(dim);
    let record = IndexMeta::record_len(m0, code_len)
        .ok_or_else(|| Error::invalid("index records too large"))?;
    let total = n
        .checked_mul(record)
        .ok_or_else(|| Error::new(ErrorKind::OutOfMemory, "index too large"))?;
    // Codes: rows as unsigned bytes (the scan copy's coding), and as queries.
    let pd = padded_dim(dim);
    let mut codes = vec![128u8; n * code_len];
    let mut scales = vec![0.0f32; n];
    let mut queries = Queries {
        bytes: vec![0i8; n * code_len],
        codes: Vec::with_capacity(n),
        len: code_len,
    };
    let mut unit = vec![0.0f32; dim];
    let mut valid = Vec::with_capacity(n);
    for (i, (row, &norm)) in matrix.chunks_exact(dim).zip(norms).enumerate() {
        let ok = norm > 0.0 && norm.is_finite() && row.iter().all(|x| x.is_finite());
        let max = row.iter().fold(0.0f32, |a, &x| a.max((x / norm).abs()));
        let a = max / 127.0;
        let code = if ok && a > 0.0 && a.is_finite() {
            for (u, &x) in unit.iter_mut().zip(row) {
                *u = x / norm;
            }
            for (c, &u) in codes[i * code_len..][..dim].iter_mut().zip(&unit) {
                *c = ((u / a).round().clamp(-127.0, 127.0) as i32 + 128) as u8;
            }
            scales[i] = a;
            valid.push(i as u32);
            QueryCode::encode(&unit, &mut queries.bytes[i * code_len..][..pd])
        } else {
            unit.fill(0.0);
            unit[0] = 1.0;
            QueryCode::encode(&unit, &mut queries.bytes[i * code_len..][..pd])
        };
        queries.codes.push(code);
    }
    let levels: Vec<u8> = (0..n)
        .map(|i| {
            if scales[i] > 0.0 {
                level_of(params.seed, i, m)
            } else {
                0
            }
        })
        .collect();
    let mut first = vec![0u32; n];
    let mut lists = 0usize;
    for &i in &valid {
        first[i as usize] = lists as u32;
        lists += levels[i as usize] as usize;
    }
    let g = Growing {
        n,
        m,
        m0,
        codes: &codes,
        code_len,
        scales: &scales,
        levels: &levels,
        first: &first,
        links0: (0..n * (1 + m0)).map(|_| AtomicU32::new(0)).collect(),
        upper: (0..lists * (1 + m)).map(|_| AtomicU32::new(0)).collect(),
        locks: (0..n).map(|_| Mutex::new(())).collect(),
    };
    let (entry, max_level) = insert_all(&g, &queries, kern, &valid, params);
    // Lay the graph out as the stored sections.
    let mut records = vec![0u64; total.div_ceil(8)];
    let bytes: &mut [u8] = bytemuck::cast_slice_mut(&mut records);
    let mut ids = Vec::with_capacity(m0);
    for i in 0..n {
        let rec = &mut bytes[i * record..(i + 1) * record];
        g.links(i as u32, 0, &mut ids);
        let level = levels[i] as u32;
        rec[0..4].copy_from_slice(&scales[i].to_le_bytes());
        rec[4..8].copy_from_slice(&level.to_le_bytes());
        rec[8..12].copy_from_slice(&first[i].to_le_bytes());
        rec[12..16].copy_from_slice(&(ids.len() as u32).to_le_bytes());
        for (j, slot) in rec[RECORD_HEAD..RECORD_HEAD + 4 * m0]
            .chunks_exact_mut(4)
            .enumerate()
        {
            let id = ids.get(j).copied().unwrap_or(u32::MAX);
            slot.copy_from_slice(&id.to_le_bytes());
        }
        let at = RECORD_HEAD + 4 * m0;
        rec[at..at + code_len].copy_from_slice(&codes[i * code_len..(i + 1) * code_len]);
    }
    let upper: Vec<u32> = g.upper.iter().map(|w| w.load(Ordering::Relaxed)).collect();
    Ok(Index {
        meta: IndexMeta {
            vocab: n as u64,
            upper_lists: lists as u64,
            seed: params.seed,
            m: m as u32,
            m0: m0 as u32,
            ef_construction: params.ef_construction as u32,
            entry,
            max_level,
            record_bytes: record as u32,
            code_bytes: code_len as u32,
            matrix_crc: matrix_crc(matrix),
            reserved: [0; 2],
        },
        records,
        upper,
    })
}

/// One building thread's buffers, reused for every node it inserts.
#[derive(Default)]
struct Buffers {
    /// The heuristic's choice.
    sel: Vec<Item>,
    /// What `select` works with.
    picks: Picks,
    /// A new node's links while they are connected back.
    ids: Vec<u32>,
    /// A full list's links and the new one, scored.
    cands: Vec<Item>,
    /// What such a list keeps.
    keep: Vec<u32>,
}

/// Insert every node of `order` (the first one as the entry point, then the
/// rest on `params.threads` threads); the entry point and top level.
fn insert_all(
    g: &Growing<'_>,
    queries: &Queries,
    kern: &Kernels,
    order: &[u32],
    params: &IndexParams,
) -> (u32, u32) {
    let Some(&first) = order.first() else {
        return (0, 0);
    };
    let top = Mutex::new((first, g.levels[first as usize] as u32));
    let next = AtomicUsize::new(1);
    let threads = params.threads.min(order.len()).max(1);
    std::thread::scope(|sc| {
        for _ in 0..threads {
            sc.spawn(|| {
                let mut s = IndexScratch::default();
                let mut b = Buffers::default();
                loop {
                    let at = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&x) = order.get(at) else { break };
                    insert(
                        g,
                        queries,
                        kern,
                        x,
                        &top,
                        params.ef_construction,
                        &mut s,
                        &mut b,
                    );
                }
            });
        }
    });
    let (e, l) = *top.lock().unwrap_or_else(|p| p.into_inner());
    (e, l)
}

/// HNSW's `INSERT` of node `x`.
#[allow(clippy::too_many_arguments)]
fn insert(
    g: &Growing<'_>,
    queries: &Queries,
    kern: &Kernels,
    x: u32,
    top: &Mutex<(u32, u32)>,
    ef_construction: usize,
    s: &mut IndexScratch,
    b: &mut Buffers,
) {
    let (entry, max_level) = *top.lock().unwrap_or_else(|p| p.into_inner());
    let level = g.levels[x as usize] as usize;
    let q = queries.of(x);
    let mut cur = Item {
        score: f32::NEG_INFINITY,
        id: entry,
    };
    score_nodes(g, kern, &q, &[entry], &mut s.sums, |_, sc| cur.score = sc);
    for l in (level + 1..=max_level as usize).rev() {
        search_layer(g, kern, &q, &[cur], 1, l, s);
        if let Some(&b) = s.found.first() {
            cur = b;
        }
    }
    for l in (0..=level.min(max_level as usize)).rev() {
        search_layer(g, kern, &q, &[cur], ef_construction, l, s);
        s.found.retain(|it| it.id != x);
        if let Some(&b) = s.found.first() {
            cur = b;
        }
        // The new node keeps `m` links on every level, as hnswlib does;
        // level 0 holds up to `m0 = 2 m` of them, so the links it gains
        // from later nodes are kept without pruning until then (pruning
        // a full list is most of a build's time).
        let cap = if l == 0 { g.m0 } else { g.m };
        select(
            g,
            queries,
            kern,
            &s.found,
            g.m,
            &mut b.sel,
            &mut b.picks,
            &mut s.sums,
        );
        let mut ids = std::mem::take(&mut b.ids);
        ids.clear();
        ids.extend(b.sel.iter().map(|it| it.id));
        {
            let _guard = g.locks[x as usize]
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            g.set(x, l, &ids);
        }
        for &nb in &ids {
            connect(g, queries, kern, nb, x, l, cap, s, b);
        }
        b.ids = ids;
    }
    if level as u32 > max_level {
        let mut t = top.lock().unwrap_or_else(|p| p.into_inner());
        if level as u32 > t.1 {
            *t = (x, level as u32);
        }
    }
}

/// Add `x` to `nb`'s list at `level`; past `cap` links, keep the heuristic's
/// choice among them and `x`, filled up to `m` (not `cap`): the list is left
/// with room, so the next links it gains are added without pruning it again
/// (hnswlib and faiss keep the heuristic's choice alone; the fill keeps a
/// node whose links the heuristic thinned reachable).
#[allow(clippy::too_many_arguments)]
fn connect(
    g: &Growing<'_>,
    queries: &Queries,
    kern: &Kernels,
    nb: u32,
    x: u32,
    level: usize,
    cap: usize,
    s: &mut IndexScratch,
    b: &mut Buffers,
) {
    let _guard = g.locks[nb as usize]
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    g.links(nb, level, &mut s.links);
    if s.links.contains(&x) {
        return;
    }
    s.links.push(x);
    if s.links.len() <= cap {
        g.set(nb, level, &s.links);
        return;
    }
    let q = queries.of(nb);
    let cands = &mut b.cands;
    cands.clear();
    score_nodes(g, kern, &q, &s.links, &mut s.sums, |id, score| {
        cands.push(Item { score, id })
    });
    cands.sort_unstable_by(|a, b| b.cmp(a));
    select(
        g,
        queries,
        kern,
        cands,
        cap,
        &mut b.sel,
        &mut b.picks,
        &mut s.sums,
    );
    b.keep.clear();
    b.keep.extend(b.sel.iter().map(|it| it.id));
    g.set(nb, level, &b.keep);
}

/// Candidates compared at a time with every link kept so far.
const WINDOW: usize = 32;

/// HNSW's neighbour heuristic: from `cands` (best first), keep a candidate
/// only if it is nearer the new node than to every one kept, up to `cap`;
/// then fill the list up to `m` (at most `cap`) with the nearest of the
/// others.
///
/// Each kept link's query code is scored against the candidates' row codes
/// after it, a window at a time (`near[j]`: candidate `j`'s best cosine to a
/// kept link so far): the few kept queries stay in cache, and the
/// candidates' rows were just read by the search that found them, where
/// scoring each candidate's own query would fetch a cold code per candidate.
#[allow(clippy::too_many_arguments)]
fn select(
    g: &Growing<'_>,
    queries: &Queries,
    kern: &Kernels,
    cands: &[Item],
    cap: usize,
    out: &mut Vec<Item>,
    b: &mut Picks,
    sums: &mut Vec<i32>,
) {
    out.clear();
    if cands.len() <= cap {
        out.extend_from_slice(cands);
        return;
    }
    let Picks { kept, ids, near } = b;
    kept.clear();
    ids.clear();
    ids.extend(cands.iter().map(|c| c.id));
    near.clear();
    near.resize(cands.len(), f32::NEG_INFINITY);
    let mut end = 0;
    for (i, &c) in cands.iter().enumerate() {
        if out.len() >= cap {
            break;
        }
        if i == end {
            end = (i + WINDOW).min(cands.len());
            for &k in kept.iter() {
                raise(
                    g,
                    kern,
                    &queries.of(k),
                    &ids[i..end],
                    &mut near[i..end],
                    sums,
                );
            }
        }
        if near[i] >= c.score {
            continue;
        }
        out.push(c);
        kept.push(c.id);
        if out.len() < cap {
            let q = queries.of(c.id);
            raise(g, kern, &q, &ids[i + 1..end], &mut near[i + 1..end], sums);
        }
    }
    // Keep the pruned ones too, nearest first, up to `m` (the paper's
    // `keepPrunedConnections`): on rows as alike as word vectors the
    // heuristic alone keeps few links, and a node all its neighbours pruned
    // could no longer be reached.
    for &c in cands {
        if out.len() >= g.m.min(cap) {
            break;
        }
        if !kept.contains(&c.id) {
            out.push(c);
        }
    }
}

/// `near[t] = max(near[t], cos(q, ids[t]))`.
fn raise(
    g: &Growing<'_>,
    kern: &Kernels,
    q: &Coded<'_>,
    ids: &[u32],
    near: &mut [f32],
    sums: &mut Vec<i32>,
) {
    let mut t = 0;
    score_nodes(g, kern, q, ids, sums, |_, score| {
        near[t] = near[t].max(score);
        t += 1;
    });
}

/// The heuristic's buffers.
#[derive(Default)]
struct Picks {
    /// The ids kept so far.
    kept: Vec<u32>,
    /// The candidates' ids.
    ids: Vec<u32>,
    /// Each candidate's best cosine to a kept one.
    near: Vec<f32>,
}
