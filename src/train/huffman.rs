//! The Huffman tree of hierarchical softmax (word2vec.c's
//! `CreateBinaryTree`): frequent words get short paths from the root.

/// Huffman codes and paths for hierarchical softmax (word2vec.c's
/// `CreateBinaryTree`). Word `i` has code bits `codes[offsets[i]..offsets[i+1]]`
/// and inner-node indices `points[...]` in `0..len-1`.
#[derive(Debug, Clone)]
pub struct Huffman {
    offsets: Vec<u32>,
    codes: Vec<u8>,
    points: Vec<u32>,
}

impl Huffman {
    /// Build from counts sorted descending (as [`crate::text::Vocab`] holds them).
    pub fn new(counts: &[u64]) -> Huffman {
        let v = counts.len();
        if v < 2 {
            // One word: no inner node; a path of length zero.
            return Huffman {
                offsets: vec![0; v + 1],
                codes: Vec::new(),
                points: Vec::new(),
            };
        }
        let mut count: Vec<u64> = Vec::with_capacity(2 * v);
        count.extend_from_slice(counts);
        count.resize(2 * v, u64::MAX / 4);
        let mut binary = vec![0u8; 2 * v];
        let mut parent = vec![0usize; 2 * v];
        let (mut pos1, mut pos2) = (v as isize - 1, v);
        let pick = |count: &Vec<u64>, pos1: &mut isize, pos2: &mut usize| -> usize {
            if *pos1 >= 0 && count[*pos1 as usize] < count[*pos2] {
                *pos1 -= 1;
                (*pos1 + 1) as usize
            } else {
                *pos2 += 1;
                *pos2 - 1
            }
        };
        for a in 0..v - 1 {
            let min1 = pick(&count, &mut pos1, &mut pos2);
            let min2 = pick(&count, &mut pos1, &mut pos2);
            count[v + a] = count[min1] + count[min2];
            parent[min1] = v + a;
            parent[min2] = v + a;
            binary[min2] = 1;
        }
        let root = 2 * v - 2;
        let mut offsets = Vec::with_capacity(v + 1);
        let mut codes = Vec::new();
        let mut points = Vec::new();
        let (mut code_buf, mut point_buf) = (Vec::new(), Vec::new());
        for a in 0..v {
            code_buf.clear();
            point_buf.clear();
            let mut b = a;
            while b != root {
                code_buf.push(binary[b]);
                point_buf.push(b);
                b = parent[b];
            }
            offsets.push(codes.len() as u32);
            // Root first: points are the inner nodes from the root down.
            let depth = code_buf.len();
            for i in (0..depth).rev() {
                codes.push(code_buf[i]);
                let p = if i + 1 < depth {
                    point_buf[i + 1]
                } else {
                    root
                };
                points.push((p - v) as u32);
            }
        }
        offsets.push(codes.len() as u32);
        Huffman {
            offsets,
            codes,
            points,
        }
    }

    /// The code bits and inner-node indices of word `i`.
    #[inline]
    pub fn path(&self, i: usize) -> (&[u8], &[u32]) {
        let (a, b) = (self.offsets[i] as usize, self.offsets[i + 1] as usize);
        (&self.codes[a..b], &self.points[a..b])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn huffman_codes_are_prefix_free_and_frequent_words_short() {
        let counts = [50u64, 20, 10, 10, 5, 3, 1, 1];
        let h = Huffman::new(&counts);
        let codes: Vec<Vec<u8>> = (0..counts.len()).map(|i| h.path(i).0.to_vec()).collect();
        for i in 0..codes.len() {
            assert!(!codes[i].is_empty());
            for j in 0..codes.len() {
                if i != j {
                    assert!(!codes[j].starts_with(&codes[i]), "{i} is a prefix of {j}");
                }
            }
            for &p in h.path(i).1 {
                assert!((p as usize) < counts.len() - 1);
            }
            // Every path starts at the root (the last inner node).
            assert_eq!(h.path(i).1[0] as usize, counts.len() - 2);
        }
        assert!(codes[0].len() <= codes[7].len());
        // Kraft equality for a full binary tree.
        let kraft: f64 = codes.iter().map(|c| 0.5f64.powi(c.len() as i32)).sum();
        assert!((kraft - 1.0).abs() < 1e-12);
    }
}
