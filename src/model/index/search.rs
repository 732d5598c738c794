//! One search over a graph's level (HNSW's `SEARCH-LAYER`), used by the
//! queries over a stored index and by the build over the graph it grows; and
//! the stored index's graph, every link bounds-checked where it is read.

use super::IndexScratch;
use crate::format::native::{IndexParts, RECORD_HEAD};
use crate::model::scan::{QueryCode, padded_dim};
use crate::simd::{Kernels, prefetch};
use std::cmp::{Ordering, Reverse};

/// A node and its approximate cosine to the query.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Item {
    pub score: f32,
    pub id: u32,
}

impl Ord for Item {
    /// By score, then the lower id as the better (a total order, NaN included).
    fn cmp(&self, o: &Item) -> Ordering {
        self.score
            .total_cmp(&o.score)
            .then_with(|| o.id.cmp(&self.id))
    }
}

impl PartialOrd for Item {
    fn partial_cmp(&self, o: &Item) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}

impl PartialEq for Item {
    fn eq(&self, o: &Item) -> bool {
        self.cmp(o) == Ordering::Equal
    }
}

impl Eq for Item {}

/// What a search walks: nodes with 8-bit codes and links per level.
pub(crate) trait Graph {
    /// Number of nodes (every id is below it).
    fn nodes(&self) -> usize;
    /// The links of `node` at `level` into `out` (cleared first), each an id
    /// below [`nodes`](Graph::nodes).
    fn links(&self, node: u32, level: usize, out: &mut Vec<u32>);
    /// The codes: node `i`'s is `rows[i * stride..][..code_len]`.
    fn codes(&self) -> (&[u8], usize);
    /// Node `i`'s scale (its code times it is its unit row, roughly).
    fn scale(&self, node: u32) -> f32;
}

/// A coded query: its bytes and its scale.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Coded<'a> {
    pub code: &'a [i8],
    pub q: QueryCode,
}

/// Score `ids` against `q` into `sums`, then call `f(id, cosine)` for each.
#[inline]
pub(crate) fn score_nodes<G: Graph>(
    g: &G,
    kern: &Kernels,
    q: &Coded<'_>,
    ids: &[u32],
    sums: &mut Vec<i32>,
    mut f: impl FnMut(u32, f32),
) {
    let (rows, stride) = g.codes();
    for &id in ids {
        prefetch(
            rows.as_ptr().wrapping_add(id as usize * stride).cast(),
            q.code.len(),
        );
    }
    sums.clear();
    sums.resize(ids.len(), 0);
    kern.dot_u8_gather(q.code, rows, stride, ids, sums);
    for (&id, &s) in ids.iter().zip(sums.iter()) {
        let cos = s.wrapping_sub(q.q.correction) as f32 * (q.q.scale * g.scale(id));
        f(id, cos);
    }
}

/// HNSW's `SEARCH-LAYER`: from `entries` (scored), the `ef` nodes of
/// `level` nearest `q`, into `s.found`, best first. Each node is expanded at
/// most once, so the search ends on any graph.
pub(crate) fn search_layer<G: Graph>(
    g: &G,
    kern: &Kernels,
    q: &Coded<'_>,
    entries: &[Item],
    ef: usize,
    level: usize,
    s: &mut IndexScratch,
) {
    let ef = ef.max(1);
    s.begin(g.nodes());
    for &e in entries {
        if (e.id as usize) < g.nodes() && s.visit(e.id) {
            s.cand.push(e);
            s.top.push(Reverse(e));
            if s.top.len() > ef {
                s.top.pop();
            }
        }
    }
    let IndexScratch {
        visited,
        stamp,
        cand,
        top,
        links,
        sums,
        found,
        ..
    } = s;
    while let Some(c) = cand.pop() {
        let worst = top.peek().map_or(f32::NEG_INFINITY, |r| r.0.score);
        if top.len() >= ef && c.score < worst {
            break;
        }
        g.links(c.id, level, links);
        links.retain(|&id| {
            let v = &mut visited[id as usize];
            let new = *v != *stamp;
            *v = *stamp;
            new
        });
        score_nodes(g, kern, q, links, sums, |id, score| {
            let worst = top.peek().map_or(f32::NEG_INFINITY, |r| r.0.score);
            if top.len() < ef || score > worst {
                let it = Item { score, id };
                cand.push(it);
                top.push(Reverse(it));
                if top.len() > ef {
                    top.pop();
                }
            }
        });
    }
    found.clear();
    found.extend(top.drain().map(|r| r.0));
    found.sort_unstable_by(|a, b| b.cmp(a));
}

/// The nodes whose best few also start the bottom level's search.
const PIVOTS: usize = 1024;
/// How many of them.
const PIVOT_ENTRIES: usize = 4;

/// A stored index as a [`Graph`].
struct Stored<'a> {
    ix: IndexParts<'a>,
    n: usize,
    record: usize,
    m0: usize,
    m: usize,
}

#[inline]
fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

impl Stored<'_> {
    fn record(&self, node: u32) -> &[u8] {
        let at = node as usize * self.record;
        &self.ix.records[at..at + self.record]
    }
}

impl Graph for Stored<'_> {
    fn nodes(&self) -> usize {
        self.n
    }

    fn links(&self, node: u32, level: usize, out: &mut Vec<u32>) {
        out.clear();
        let rec = self.record(node);
        let n = self.n as u32;
        if level == 0 {
            let count = (u32_at(rec, 12) as usize).min(self.m0);
            let ids: &[u32] = bytemuck::cast_slice(&rec[RECORD_HEAD..RECORD_HEAD + 4 * self.m0]);
            out.extend(ids[..count].iter().copied().filter(|&id| id < n));
            return;
        }
        if level > u32_at(rec, 4) as usize {
            return;
        }
        let list = u32_at(rec, 8) as usize + (level - 1);
        let width = 1 + self.m;
        if let Some(l) = self.ix.upper.get(list * width..(list + 1) * width) {
            let count = (l[0] as usize).min(self.m);
            out.extend(l[1..1 + count].iter().copied().filter(|&id| id < n));
        }
    }

    fn codes(&self) -> (&[u8], usize) {
        (&self.ix.records[self.ix.meta.code_offset()..], self.record)
    }

    fn scale(&self, node: u32) -> f32 {
        f32::from_bits(u32_at(self.record(node), 0))
    }
}

/// Search a stored index for the `ef` nodes nearest the unit vector `unit`,
/// into `s.found`, best first (approximate cosines).
pub(crate) fn search(
    ix: &IndexParts<'_>,
    kern: &Kernels,
    unit: &[f32],
    ef: usize,
    s: &mut IndexScratch,
) {
    let meta = ix.meta;
    let g = Stored {
        ix: *ix,
        n: meta.vocab as usize,
        record: meta.record_bytes as usize,
        m0: meta.m0 as usize,
        m: meta.m as usize,
    };
    s.found.clear();
    if g.n == 0 {
        return;
    }
    let mut code = std::mem::take(&mut s.code);
    code.clear();
    code.resize(meta.code_bytes as usize, 0);
    let pd = padded_dim(unit.len());
    let q = Coded {
        q: QueryCode::encode(unit, &mut code[..pd]),
        code: &code,
    };
    let mut cur = Item {
        score: f32::NEG_INFINITY,
        id: meta.entry,
    };
    score_nodes(&g, kern, &q, &[meta.entry], &mut s.sums, |_, sc| {
        cur.score = sc
    });
    for level in (1..=meta.max_level as usize).rev() {
        search_layer(&g, kern, &q, &[cur], 1, level, s);
        if let Some(&best) = s.found.first() {
            cur = best;
        }
    }
    // Besides the descent's end, the bottom level starts from the best few
    // of the first `PIVOTS` nodes (a native model's most frequent words):
    // rows as unevenly spread as word vectors (a dense blob of rare words)
    // can hold a descent in the wrong region, and these reach the rest.
    let none = Item {
        score: f32::NEG_INFINITY,
        id: cur.id,
    };
    let mut entries = [none; 1 + PIVOT_ENTRIES];
    entries[0] = cur;
    s.links.clear();
    s.links.extend(0..g.n.min(PIVOTS) as u32);
    let pivots = std::mem::take(&mut s.links);
    score_nodes(&g, kern, &q, &pivots, &mut s.sums, |id, score| {
        let it = Item { score, id };
        if g.scale(id) > 0.0 && it > entries[PIVOT_ENTRIES] {
            let mut j = PIVOT_ENTRIES;
            while j > 1 && entries[j - 1] < it {
                entries[j] = entries[j - 1];
                j -= 1;
            }
            entries[j] = it;
        }
    });
    s.links = pivots;
    search_layer(&g, kern, &q, &entries, ef, 0, s);
    s.code = code;
}
