//! A tiny seeded random number generator for tests.
//!
//! The suites need reproducible "random" interleavings (Go's
//! `TestAdjustTimers` draws from `math/rand`), not statistical quality, so a
//! SplitMix64 generator written inline does, and keeps `rand` out of the
//! dependency tree. Every test prints nothing and fixes its seed, so a
//! failure replays exactly (up to thread scheduling in multi-threaded tests).

/// A SplitMix64 generator: 64 bits of state, one addition and a mix per
/// number. Not cryptographic; plenty for shuffling test operations.
///
/// ```
/// use gowheel_compat_tests::TestRng;
///
/// let mut a = TestRng::new(7);
/// let mut b = TestRng::new(7);
/// assert_eq!(a.next_u64(), b.next_u64()); // same seed, same sequence
/// let roll = a.below(6);
/// assert!(roll < 6);
/// ```
#[derive(Clone, Debug)]
pub struct TestRng {
    state: u64,
}

impl TestRng {
    /// A generator whose sequence is fixed by `seed`.
    pub fn new(seed: u64) -> TestRng {
        TestRng { state: seed }
    }

    /// The next 64 random bits (SplitMix64, Steele, Lea and Flood 2014).
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..bound`.
    ///
    /// The modulo bias is at most `bound / 2^64`: irrelevant for the small
    /// bounds tests use.
    ///
    /// # Panics
    ///
    /// If `bound` is 0.
    pub fn below(&mut self, bound: u64) -> u64 {
        assert!(bound > 0, "TestRng::below: empty range");
        self.next_u64() % bound
    }

    /// A number in `low..=high`.
    ///
    /// # Panics
    ///
    /// If `low > high`.
    ///
    /// ```
    /// let mut rng = gowheel_compat_tests::TestRng::new(1);
    /// let x = rng.in_range(-3, 3);
    /// assert!((-3..=3).contains(&x));
    /// ```
    pub fn in_range(&mut self, low: i64, high: i64) -> i64 {
        assert!(low <= high, "TestRng::in_range: {low} > {high}");
        let span = high.abs_diff(low);
        if span == u64::MAX {
            return self.next_u64() as i64;
        }
        low.wrapping_add(self.below(span + 1) as i64)
    }

    /// An index into a collection of `len` items.
    ///
    /// # Panics
    ///
    /// If `len` is 0.
    pub fn index(&mut self, len: usize) -> usize {
        self.below(len as u64) as usize
    }

    /// True with probability `numerator / denominator`.
    pub fn chance(&mut self, numerator: u64, denominator: u64) -> bool {
        self.below(denominator) < numerator
    }

    /// Shuffles `items` in place (Fisher–Yates).
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.index(i + 1);
            items.swap(i, j);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_inclusive_and_bounded() {
        let mut rng = TestRng::new(42);
        let mut seen = [false; 5];
        for _ in 0..1_000 {
            let x = rng.in_range(10, 14);
            assert!((10..=14).contains(&x), "{x} out of range");
            seen[(x - 10) as usize] = true;
        }
        assert_eq!(seen, [true; 5], "every value of a small range shows up");
        assert_eq!(rng.in_range(5, 5), 5);
        let extreme = rng.in_range(i64::MIN, i64::MAX);
        let _ = extreme; // any value is in range; must not panic
    }

    #[test]
    fn shuffle_is_a_permutation() {
        let mut rng = TestRng::new(3);
        let mut items: Vec<u32> = (0..100).collect();
        rng.shuffle(&mut items);
        assert_ne!(
            items,
            (0..100).collect::<Vec<_>>(),
            "100 items stay put with odds 1/100!"
        );
        items.sort_unstable();
        assert_eq!(items, (0..100).collect::<Vec<_>>());
    }
}
