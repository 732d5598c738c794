//! The named choices every layer shares, each spelled once: the model's
//! architecture, its output layer, the learning-rate schedule, a vectors
//! file's format, and the largest dimension anything accepts.
//!
//! Each choice owns its names and its codes ([`Named`]): `as_str` is what
//! the command line takes and a trace records, `FromStr` parses it (aliases
//! and any case included), `code` / `from_code` is the number a checkpoint
//! stores and the C ABI's enums carry. The command line builds its choices
//! from [`Named::ALL`] and [`Named::describe`], so a new variant is added in
//! one place.

use crate::error::{Error, Result};

/// The largest vector dimension: a configuration or a file header asking
/// for more is refused before anything is allocated.
pub const MAX_DIM: usize = 1 << 20;

/// A choice with names and a stored code.
pub trait Named: Sized + Copy + PartialEq + 'static {
    /// What the choice is called in messages (`model`, `loss`...).
    const WHAT: &'static str;
    /// Every variant, in code order.
    const ALL: &'static [Self];

    /// The variant's name.
    fn as_str(self) -> &'static str;

    /// Other names it is known by (word2vec.c's and fastText's words).
    fn aliases(self) -> &'static [&'static str] {
        &[]
    }

    /// One line for `--help`.
    fn describe(self) -> &'static str;

    /// The number a file stores for it: its place in [`Named::ALL`].
    fn code(self) -> u32 {
        Self::ALL.iter().position(|&v| v == self).unwrap_or(0) as u32
    }

    /// The variant stored as `code`, if any.
    fn from_code(code: u32) -> Option<Self> {
        Self::ALL.get(code as usize).copied()
    }

    /// The variant named `s` (a name or an alias, any case, trimmed), or an
    /// error listing the names.
    fn parse_name(s: &str) -> Result<Self> {
        let t = s.trim().to_ascii_lowercase();
        Self::ALL
            .iter()
            .copied()
            .find(|v| v.as_str() == t || v.aliases().contains(&t.as_str()))
            .ok_or_else(|| {
                let names: Vec<&str> = Self::ALL.iter().map(|v| v.as_str()).collect();
                Error::invalid(format!(
                    "unknown {} `{s}`: expected {}",
                    Self::WHAT,
                    names.join(", ")
                ))
            })
    }
}

macro_rules! named_from_str {
    ($t:ty) => {
        impl std::str::FromStr for $t {
            type Err = Error;

            fn from_str(s: &str) -> Result<$t> {
                <$t as Named>::parse_name(s)
            }
        }

        impl serde::Serialize for $t {
            fn serialize<S: serde::Serializer>(
                &self,
                s: S,
            ) -> std::result::Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<$t, D::Error> {
                let s = String::deserialize(d)?;
                <$t as Named>::parse_name(&s).map_err(serde::de::Error::custom)
            }
        }

        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

/// Which word2vec architecture to train.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelKind {
    /// Skip-gram: each context word predicts the centre word.
    SkipGram,
    /// Continuous bag of words: the (mean of the) context predicts the centre word.
    Cbow,
}

impl Named for ModelKind {
    const WHAT: &'static str = "model";
    const ALL: &'static [ModelKind] = &[ModelKind::SkipGram, ModelKind::Cbow];

    fn as_str(self) -> &'static str {
        match self {
            ModelKind::SkipGram => "sgns",
            ModelKind::Cbow => "cbow",
        }
    }

    fn aliases(self) -> &'static [&'static str] {
        match self {
            ModelKind::SkipGram => &["sg", "skipgram", "skip-gram"],
            ModelKind::Cbow => &[],
        }
    }

    fn describe(self) -> &'static str {
        match self {
            ModelKind::SkipGram => "Skip-gram with the chosen loss",
            ModelKind::Cbow => "Continuous bag of words",
        }
    }
}
named_from_str!(ModelKind);

/// The output layer and its loss.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LossKind {
    /// Negative sampling from the unigram^0.75 distribution.
    NegativeSampling,
    /// Hierarchical softmax over a Huffman tree of the vocabulary.
    HierarchicalSoftmax,
}

impl Named for LossKind {
    const WHAT: &'static str = "loss";
    const ALL: &'static [LossKind] = &[LossKind::NegativeSampling, LossKind::HierarchicalSoftmax];

    fn as_str(self) -> &'static str {
        match self {
            LossKind::NegativeSampling => "ns",
            LossKind::HierarchicalSoftmax => "hs",
        }
    }

    fn describe(self) -> &'static str {
        match self {
            LossKind::NegativeSampling => "Negative sampling",
            LossKind::HierarchicalSoftmax => "Hierarchical softmax",
        }
    }
}
named_from_str!(LossKind);

/// How the learning rate changes over training.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LrSchedule {
    /// word2vec.c's: linear decay from `lr` to `lr * 1e-4` over all epochs.
    Linear,
    /// `lr` throughout (to watch slow directions grow: a decaying rate can
    /// freeze the late ones).
    Constant,
}

impl Named for LrSchedule {
    const WHAT: &'static str = "learning-rate schedule";
    const ALL: &'static [LrSchedule] = &[LrSchedule::Linear, LrSchedule::Constant];

    fn as_str(self) -> &'static str {
        match self {
            LrSchedule::Linear => "linear",
            LrSchedule::Constant => "constant",
        }
    }

    fn describe(self) -> &'static str {
        match self {
            LrSchedule::Linear => "word2vec.c's: linear decay to lr x 1e-4",
            LrSchedule::Constant => "The same rate throughout",
        }
    }
}
named_from_str!(LrSchedule);

/// Format of a vectors file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// word2vec binary.
    Binary,
    /// word2vec text.
    Text,
    /// The native format, opened by `mmap` (see [`crate::format::native`]).
    Native,
}

impl Named for Format {
    const WHAT: &'static str = "format";
    const ALL: &'static [Format] = &[Format::Binary, Format::Text, Format::Native];

    fn as_str(self) -> &'static str {
        match self {
            Format::Binary => "bin",
            Format::Text => "text",
            Format::Native => "native",
        }
    }

    fn aliases(self) -> &'static [&'static str] {
        match self {
            Format::Binary => &["binary"],
            Format::Text => &["txt", "vec"],
            Format::Native => &[],
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Format::Binary => "word2vec binary (word2vec.c -binary 1)",
            Format::Text => "word2vec text (word2vec.c -binary 0)",
            Format::Native => {
                "w2v's native format, opened by mmap (`w2v convert` turns it into the others)"
            }
        }
    }
}
named_from_str!(Format);

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trips<T: Named + std::fmt::Debug + std::str::FromStr<Err = Error>>() {
        for (i, &v) in T::ALL.iter().enumerate() {
            assert_eq!(v.code(), i as u32);
            assert_eq!(T::from_code(v.code()), Some(v));
            assert_eq!(v.as_str().parse::<T>().unwrap(), v);
            assert_eq!(v.as_str().to_uppercase().parse::<T>().unwrap(), v);
            for a in v.aliases() {
                assert_eq!(a.parse::<T>().unwrap(), v, "{a}");
            }
        }
        assert_eq!(T::from_code(T::ALL.len() as u32), None);
        let e = "nonsense".parse::<T>().unwrap_err().to_string();
        assert!(e.contains(T::WHAT) && e.contains(T::ALL[0].as_str()), "{e}");
    }

    #[test]
    fn every_choice_parses_its_names_and_keeps_its_codes() {
        round_trips::<ModelKind>();
        round_trips::<LossKind>();
        round_trips::<LrSchedule>();
        round_trips::<Format>();
        // The codes files and the C ABI hold.
        assert_eq!(ModelKind::SkipGram.code(), 0);
        assert_eq!(ModelKind::Cbow.code(), 1);
        assert_eq!(LossKind::HierarchicalSoftmax.code(), 1);
        assert_eq!(LrSchedule::Constant.code(), 1);
        assert_eq!(Format::Native.code(), 2);
    }
}
