//! The words training contrasts each prediction with: the alias sampler
//! that draws negatives from the unigram distribution raised to 0.75.

/// Draws word indices from the unigram distribution raised to a power
/// (0.75 for negative sampling) in O(1) per draw with Walker's alias method:
/// 8 bytes per word instead of word2vec.c's 100-million-entry (400 MB) table.
#[derive(Debug, Clone)]
pub struct AliasSampler {
    /// Per bucket: the probability (as a u32 fraction) of keeping the
    /// bucket's own index, and the index returned otherwise. Side by side, so
    /// that a draw reads one cache line (the table of a large vocabulary does
    /// not fit in cache, and training draws several negatives per word).
    buckets: Vec<[u32; 2]>,
}

impl AliasSampler {
    /// A sampler over `counts[i]^power`. Words with count 0 are never drawn.
    /// Returns `None` if no count is positive.
    pub fn new(counts: &[u64], power: f64) -> Option<AliasSampler> {
        let n = counts.len();
        let weights: Vec<f64> = counts.iter().map(|&c| (c as f64).powf(power)).collect();
        let total: f64 = weights.iter().sum();
        if n == 0 || total <= 0.0 {
            return None;
        }
        // Vose's algorithm on scaled weights (mean 1).
        let mut scaled: Vec<f64> = weights.iter().map(|w| w * n as f64 / total).collect();
        let mut prob = vec![u32::MAX; n];
        let mut alias: Vec<u32> = (0..n as u32).collect();
        let (mut small, mut large): (Vec<usize>, Vec<usize>) =
            (0..n).partition(|&i| scaled[i] < 1.0);
        while let (Some(s), Some(&l)) = (small.pop(), large.last()) {
            prob[s] = (scaled[s] * 4294967296.0).min(4294967295.0) as u32;
            alias[s] = l as u32;
            scaled[l] -= 1.0 - scaled[s];
            if scaled[l] < 1.0 {
                large.pop();
                small.push(l);
            }
        }
        // Leftovers (rounding) keep their own index with probability 1.
        let buckets = prob.into_iter().zip(alias).map(|(p, a)| [p, a]).collect();
        Some(AliasSampler { buckets })
    }

    /// Draw an index from 64 random bits.
    #[inline(always)]
    pub fn sample(&self, random: u64) -> u32 {
        let n = self.buckets.len() as u64;
        let bucket = ((random >> 32) * n) >> 32;
        // In bounds: `(random >> 32) < 2^32`, so `bucket < n`.
        let b = bucket as usize;
        let [prob, alias] = self.buckets[b];
        if (random as u32) < prob {
            b as u32
        } else {
            alias
        }
    }

    /// Number of indices.
    pub fn len(&self) -> usize {
        self.buckets.len()
    }

    /// Whether there are no indices.
    pub fn is_empty(&self) -> bool {
        self.buckets.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng, rngs::SmallRng};

    #[test]
    fn alias_sampler_matches_distribution() {
        let counts = [1000u64, 300, 50, 7, 0, 1];
        let s = AliasSampler::new(&counts, 0.75).unwrap();
        let weights: Vec<f64> = counts.iter().map(|&c| (c as f64).powf(0.75)).collect();
        let total: f64 = weights.iter().sum();
        let mut hist = [0u64; 6];
        let mut rng = SmallRng::seed_from_u64(1);
        let draws = 2_000_000;
        for _ in 0..draws {
            hist[s.sample(rng.next_u64()) as usize] += 1;
        }
        assert_eq!(hist[4], 0, "count 0 is never drawn");
        for i in 0..6 {
            let p = weights[i] / total;
            let got = hist[i] as f64 / draws as f64;
            assert!((got - p).abs() < 0.002 + 0.01 * p, "word {i}: {got} vs {p}");
        }
    }
}
