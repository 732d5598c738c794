//! The approximate neighbour index: a hierarchical navigable small-world
//! graph (HNSW, Malkov and Yashunin) over the model's unit rows, stored as
//! three sections of the native file (`hnsw`, `hnsw0`, `hnswup`: see
//! [`crate::format::native`]) and mapped with it, so a process that opens
//! the model can search at once and every process shares the pages.
//!
//! # The graph
//!
//! Every row with a cosine (a finite, nonzero row) is a node. Node `i` is on
//! levels `0..=l_i`, `l_i` drawn from the seed and `i` alone (a geometric law
//! with ratio `1 / m`), so the levels do not depend on the threads. A node
//! enters with `m` links on each of its levels, chosen from a search of
//! breadth `ef_construction` by HNSW's heuristic (a candidate is kept only if
//! it is nearer the new node than every link already kept), the list then
//! filled up with the nearest of the others (so that no node loses every
//! link to it); each new neighbour links back. A list that grows past its
//! cap (`m0 = 2 m` on level 0, `m` above) is chosen again the same way and
//! filled up to `m` only, so that it has room for the next links it gains
//! before it is pruned again (a pruning is most of a build's time).
//! Nodes are inserted in index order (the most frequent words first); with
//! one thread the graph is a function of the rows, `m`, `ef_construction`
//! and the seed, byte for byte.
//!
//! # Distances
//!
//! The bottom level's search starts from the upper levels' answer and from
//! the best four of the first 1,024 nodes (a native model's most frequent
//! words): word vectors are unevenly spread (rare words in a dense blob), and
//! a descent that ends in the blob does not reach a frequent word's region.
//!
//! The graph is walked on 8-bit codes of the unit rows (the scan copy's
//! coding, [`super::scan`]): each level-0 record holds the node's links and
//! its code side by side, so following a link reads one record, and a
//! distance is one [`Kernels::dot_u8_gather`](crate::simd::Kernels::dot_u8_gather)
//! (a quarter of the f32 row's bytes). The search keeps the `ef` best nodes
//! by that approximate cosine; the query functions then score those `ef`
//! with the f32 rows and return the exact top `k` among them
//! ([`Embeddings::nearest_batch_into`](super::Embeddings::nearest_batch_into)).
//!
//! # A damaged index
//!
//! Opening checks the settings and every section's length in constant time.
//! Links are read where they are followed: an id past the rows, a count past
//! `m0` or an upper list past the section is skipped, and every node is
//! expanded once per search (a visited mark), so a corrupt graph gives a
//! worse answer, never an out-of-bounds read or a loop that does not end.
//! `w2v info --verify` checks every section's CRC.

mod build;
mod search;

pub use build::build;
pub(crate) use search::{Item, search};

use crate::error::{Error, Result};
use crate::format::native::{IndexMeta, IndexParts, MAX_INDEX_M};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// How to build an index ([`Embeddings::build_index`](super::Embeddings::build_index)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexParams {
    /// Links per node above level 0 (level 0 has `2 m`): more links, better
    /// recall per visited node, a larger index. hnswlib's default, 16.
    pub m: usize,
    /// The breadth of the searches that pick each node's links. 200, as
    /// hnswlib's examples.
    pub ef_construction: usize,
    /// Threads inserting nodes (at least 1). With one, the index is the
    /// same bytes for the same rows and seed.
    pub threads: usize,
    /// Draws the nodes' levels.
    pub seed: u64,
}

/// The search breadth queries use unless told otherwise: on part1's model
/// (230,507 words x 300), the top 10 of the 1,000 most frequent words share
/// 9.5 of 10 words with the exact scan's at 200 (9.0 at 64, where random
/// words already find 0.97 of theirs: the frequent words' lists, among
/// thousands of rare words at nearly equal cosines, are the hard ones).
pub const DEFAULT_EF: usize = 200;

/// The largest `ef` or `ef_construction` accepted.
pub const MAX_EF: usize = 1 << 16;

impl Default for IndexParams {
    fn default() -> IndexParams {
        IndexParams {
            m: 16,
            ef_construction: 200,
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
            seed: 1,
        }
    }
}

impl IndexParams {
    /// Errors for settings no index can have.
    pub fn check(&self) -> Result<()> {
        if !(2..=MAX_INDEX_M as usize).contains(&self.m) {
            return Err(Error::invalid(format!(
                "--m must be between 2 and {MAX_INDEX_M}, got {}",
                self.m
            )));
        }
        if !(1..=MAX_EF).contains(&self.ef_construction) {
            return Err(Error::invalid(format!(
                "--ef-construction must be between 1 and {MAX_EF}, got {}",
                self.ef_construction
            )));
        }
        if self.threads == 0 || self.threads > 4096 {
            return Err(Error::invalid(format!(
                "--threads must be between 1 and 4096, got {}",
                self.threads
            )));
        }
        Ok(())
    }
}

/// An index built in memory: the sections a native file stores.
#[derive(Debug, Clone)]
pub struct Index {
    meta: IndexMeta,
    /// The level-0 records, in `u64`s so that their `u32` fields are aligned.
    records: Vec<u64>,
    upper: Vec<u32>,
}

impl Index {
    /// The index as the sections a native file stores.
    pub fn parts(&self) -> IndexParts<'_> {
        let bytes: &[u8] = bytemuck::cast_slice(&self.records);
        IndexParts {
            meta: self.meta,
            records: &bytes[..self.meta.vocab as usize * self.meta.record_bytes as usize],
            upper: &self.upper,
        }
    }
}

/// Search buffers, one per thread (inside [`super::query::Scratch`]): they
/// grow to the model's size on the first search and are reused after.
#[derive(Debug, Default, Clone)]
pub struct IndexScratch {
    /// `visited[i] == stamp`: node `i` was reached in this search.
    visited: Vec<u32>,
    stamp: u32,
    /// Nodes to expand, best first.
    cand: BinaryHeap<Item>,
    /// The `ef` best found, worst on top.
    top: BinaryHeap<Reverse<Item>>,
    /// Links of the node being expanded, then the unvisited ones.
    links: Vec<u32>,
    sums: Vec<i32>,
    /// The coded query.
    pub(crate) code: Vec<i8>,
    /// The search's answer, best first.
    pub(crate) found: Vec<Item>,
}

impl IndexScratch {
    /// Start a search over `n` nodes: a fresh visited mark.
    fn begin(&mut self, n: usize) {
        if self.visited.len() != n {
            self.visited.clear();
            self.visited.resize(n, 0);
            self.stamp = 0;
        }
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp == 0 {
            self.visited.fill(0);
            self.stamp = 1;
        }
        self.cand.clear();
        self.top.clear();
    }

    /// Mark `i` visited; whether it was new.
    #[inline]
    fn visit(&mut self, i: u32) -> bool {
        let v = &mut self.visited[i as usize];
        let new = *v != self.stamp;
        *v = self.stamp;
        new
    }
}
