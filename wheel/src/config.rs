//! The wheel's shape: level-0 tick, slots per level, levels, stripes; and
//! the one vocabulary for turning deadlines into ticks, levels and slots.
//!
//! With the defaults (tick 2^10 ns, 64-slot rotations, 9 levels), a slot
//! of each level spans, and a level's two rotations reach:
//!
//! | level | slot width | reach |
//! | --- | --- | --- |
//! | 0 | 1.02 µs | 131 µs |
//! | 1 | 65.5 µs | 8.39 ms |
//! | 2 | 4.19 ms | 537 ms |
//! | 3 | 268 ms | 34.4 s |
//! | 4 | 17.2 s | 36.7 min |
//! | 5 | 18.3 min | 39.1 h |
//! | 6 | 19.5 h | 104 days |
//! | 7 | 52 days | 18.3 years |
//! | 8 | 9.1 years | the rest of `i64` |
//!
//! so every `i64` deadline, `i64::MAX` included, has a level. Fewer levels
//! (or a coarser shape, as in the loom models) send far deadlines to an
//! overflow list that is re-filed once its earliest deadline is due;
//! nothing is dropped.
//!
//! A rotation's slots must be a power of two (a slot index is a group of
//! bits of the tick) and at most 64 (a level's two rotations in one `u128`
//! occupancy bitmap).
//!
//! # How the defaults were chosen
//!
//! The tick only shapes the structure (timers fire at their exact
//! deadlines whatever it is), so it was chosen by cost, for the workload
//! gowheel is for: servers resetting idle timeouts on every packet. The
//! measurements (`tick_sweep`, and the `load` binary with `--tick-shift`)
//! are in `benches/README.md`. 2^`slot_bits` slots a rotation, two
//! rotations a level: 64 a rotation makes a level's 128 slots fit one
//! `u128` bitmap, with the fewest levels. One stripe per CPU mirrors Go's
//! one heap per P.

use crate::node::{Location, MAX_LEVEL_INDEX, MAX_SLOT_INDEX};

/// The shape of a [`TimingWheel`](crate::TimingWheel).
///
/// ```
/// use gowheel_wheel::WheelConfig;
///
/// let config = WheelConfig::default().stripes(8).tick_shift(12);
/// assert!(config.validate().is_ok());
/// assert!(WheelConfig::default().slot_bits(7).validate().is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WheelConfig {
    pub(crate) tick_shift: u32,
    pub(crate) slot_bits: u32,
    pub(crate) levels: u32,
    pub(crate) stripes: usize,
    pub(crate) cascade_budget: usize,
    pub(crate) sweep_budget: usize,
    pub(crate) unlink_on_stop: bool,
}

/// Why a [`WheelConfig`] was refused.
///
/// ```
/// use gowheel_wheel::WheelConfig;
/// let error = WheelConfig::default().stripes(0).validate().unwrap_err();
/// assert!(error.to_string().contains("stripes"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError(String);

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "invalid wheel configuration: {}", self.0)
    }
}

impl std::error::Error for ConfigError {}

/// Default level-0 tick: 2^10 ns, about a microsecond (see the module doc
/// for how it was chosen).
pub const DEFAULT_TICK_SHIFT: u32 = 10;
/// Default slots per rotation: 2^6 = 64, so a level's two rotations fill
/// one `u128` bitmap.
pub const DEFAULT_SLOT_BITS: u32 = 6;
/// Default cascade budget: the most nodes a level's cascade ahead may owe
/// before the wheel asks for a check (see [`WheelConfig::cascade_budget`]).
pub const DEFAULT_CASCADE_BUDGET: usize = 256;
/// Default sweep budget: the slab places one share of the sweep of
/// stopped timers visits (see [`WheelConfig::sweep_budget`]).
pub const DEFAULT_SWEEP_BUDGET: usize = 256;
/// The most stripes a wheel may have; more is refused by
/// [`WheelConfig::validate`] rather than failing to allocate. Far more
/// than any machine has CPUs (the default is one stripe per CPU, capped
/// here).
///
/// ```
/// use gowheel_wheel::{MAX_STRIPES, WheelConfig};
/// assert!(WheelConfig::default().stripes(MAX_STRIPES + 1).validate().is_err());
/// ```
pub const MAX_STRIPES: usize = 4096;

impl Default for WheelConfig {
    /// The measured defaults: 1.02 µs ticks, two rotations of 64 slots a
    /// level, enough levels for every `i64` deadline, one stripe per
    /// available CPU, and budgets of 256.
    fn default() -> WheelConfig {
        let stripes = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(MAX_STRIPES);
        WheelConfig {
            tick_shift: DEFAULT_TICK_SHIFT,
            slot_bits: DEFAULT_SLOT_BITS,
            levels: levels_to_cover(DEFAULT_TICK_SHIFT, DEFAULT_SLOT_BITS),
            stripes,
            cascade_budget: DEFAULT_CASCADE_BUDGET,
            sweep_budget: DEFAULT_SWEEP_BUDGET,
            unlink_on_stop: true,
        }
    }
}

/// The number of levels that give every `i64` deadline a level, capped at
/// the most a node can record; with fewer, the overflow list takes the
/// rest.
fn levels_to_cover(tick_shift: u32, slot_bits: u32) -> u32 {
    let tick_bits = 63u32.saturating_sub(tick_shift).max(1);
    tick_bits.div_ceil(slot_bits).min(MAX_LEVEL_INDEX)
}

impl WheelConfig {
    /// Sets the level-0 tick to `2^shift` ns (0..=40), and the levels to
    /// cover every deadline with it (at most 15; beyond them deadlines wait
    /// in the overflow list).
    ///
    /// ```
    /// let config = gowheel_wheel::WheelConfig::default().tick_shift(20); // ~1 ms ticks
    /// assert_eq!(config.level_count(), 8);
    /// ```
    pub fn tick_shift(mut self, shift: u32) -> WheelConfig {
        self.tick_shift = shift;
        self.levels = levels_to_cover(shift, self.slot_bits.clamp(1, 6));
        self
    }

    /// Sets the slots per level to `2^bits` (1..=6), and the levels to cover
    /// every deadline with it (at most 15; beyond them deadlines wait in the
    /// overflow list).
    ///
    /// ```
    /// let config = gowheel_wheel::WheelConfig::default().slot_bits(4); // 16 slots
    /// assert!(config.validate().is_ok());
    /// ```
    pub fn slot_bits(mut self, bits: u32) -> WheelConfig {
        self.slot_bits = bits;
        self.levels = levels_to_cover(self.tick_shift, bits.clamp(1, 6));
        self
    }

    /// Sets the number of levels (1..=15). Deadlines beyond the top level
    /// wait in an overflow list.
    ///
    /// ```
    /// let config = gowheel_wheel::WheelConfig::default().levels(3);
    /// assert_eq!(config.level_count(), 3);
    /// ```
    pub fn levels(mut self, levels: u32) -> WheelConfig {
        self.levels = levels;
        self
    }

    /// Sets the number of stripes (independently locked parts),
    /// 1..=[`MAX_STRIPES`].
    ///
    /// ```
    /// let config = gowheel_wheel::WheelConfig::default().stripes(16);
    /// assert_eq!(config.stripe_count(), 16);
    /// ```
    pub fn stripes(mut self, stripes: usize) -> WheelConfig {
        self.stripes = stripes;
        self
    }

    /// Sets the cascade budget (at least 1): the most nodes one level's
    /// cascade ahead may owe before the wheel asks for a check, by
    /// returning an earlier time from `check`. A check moves about this
    /// many nodes a level at most, if checks come by the time `check`
    /// returns. Smaller budgets mean shorter checks, and more of them.
    ///
    /// ```
    /// let config = gowheel_wheel::WheelConfig::default().cascade_budget(64);
    /// assert!(config.validate().is_ok());
    /// assert!(gowheel_wheel::WheelConfig::default().cascade_budget(0).validate().is_err());
    /// ```
    pub fn cascade_budget(mut self, nodes: usize) -> WheelConfig {
        self.cascade_budget = nodes;
        self
    }

    /// Sets the sweep budget (at least 1): the slab places one share of the
    /// sweep of stopped timers visits while holding the stripe lock.
    ///
    /// ```
    /// let config = gowheel_wheel::WheelConfig::default().sweep_budget(1024);
    /// assert!(config.validate().is_ok());
    /// ```
    pub fn sweep_budget(mut self, places: usize) -> WheelConfig {
        self.sweep_budget = places;
        self
    }

    /// Sets whether `stop` takes a pending timer out of its slot at once
    /// when its stripe's lock is free (the default), or always leaves it
    /// there as a zombie for a later sweep, as Go's `t.stop` does.
    ///
    /// Either way `stop` is O(1) and answers the same. Unlinking at once
    /// leaves nothing for the sweep, so a stop followed by a start reuses
    /// the node at once, and a thread that only starts and stops timers
    /// never pays for a sweep. A stop never waits for the stripe lock: if
    /// another thread holds it, the timer becomes a zombie either way.
    /// `false` keeps every stop off the stripe's lock, as Go's stops stay
    /// off other Ps' heaps; the tests use it to exercise the sweep.
    ///
    /// ```
    /// use gowheel_wheel::{TimingWheel, WheelConfig, callback};
    ///
    /// let lazy = TimingWheel::new(WheelConfig::default().stripes(1).unlink_on_stop(false));
    /// let eager = TimingWheel::new(WheelConfig::default().stripes(1));
    /// for wheel in [&lazy, &eager] {
    ///     let timers: Vec<_> = (1..=8)
    ///         .map(|when| wheel.start_timer(callback(|_, _| {}), when, 0))
    ///         .collect();
    ///     assert!(wheel.stop(&timers[0]));
    /// }
    /// assert_eq!(lazy.stats().zombies, 1); // left for a sweep
    /// assert_eq!((eager.stats().zombies, eager.stats().filed), (0, 7));
    /// ```
    pub fn unlink_on_stop(mut self, unlink: bool) -> WheelConfig {
        self.unlink_on_stop = unlink;
        self
    }

    /// The configured number of levels.
    ///
    /// ```
    /// assert_eq!(gowheel_wheel::WheelConfig::default().level_count(), 9);
    /// ```
    pub fn level_count(&self) -> u32 {
        self.levels
    }

    /// The configured number of stripes.
    ///
    /// ```
    /// assert!(gowheel_wheel::WheelConfig::default().stripe_count() >= 1);
    /// ```
    pub fn stripe_count(&self) -> usize {
        self.stripes
    }

    /// Checks the configuration.
    ///
    /// ```
    /// assert!(gowheel_wheel::WheelConfig::default().validate().is_ok());
    /// ```
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.tick_shift > 40 {
            return Err(ConfigError(format!(
                "tick_shift {} is over 40 (a tick of 2^40 ns is already 18 minutes)",
                self.tick_shift
            )));
        }
        if !(1..=6).contains(&self.slot_bits) || (2u32 << self.slot_bits) - 1 > MAX_SLOT_INDEX {
            return Err(ConfigError(format!(
                "slot_bits {} is not in 1..=6 (2 to 64 slots per level)",
                self.slot_bits
            )));
        }
        // One level index is kept for the overflow list.
        if self.levels == 0 || self.levels > MAX_LEVEL_INDEX {
            return Err(ConfigError(format!(
                "levels {} is not in 1..={}",
                self.levels, MAX_LEVEL_INDEX
            )));
        }
        if self.stripes == 0 {
            return Err(ConfigError("stripes must be at least 1".to_string()));
        }
        if self.stripes > MAX_STRIPES {
            return Err(ConfigError(format!(
                "stripes {} is over {MAX_STRIPES}",
                self.stripes
            )));
        }
        if self.cascade_budget == 0 {
            return Err(ConfigError("cascade_budget must be at least 1".to_string()));
        }
        if self.sweep_budget == 0 {
            return Err(ConfigError("sweep_budget must be at least 1".to_string()));
        }
        Ok(())
    }

    pub(crate) fn geometry(&self) -> Geometry {
        Geometry {
            tick_shift: self.tick_shift,
            slot_bits: self.slot_bits,
            levels: self.levels,
            cascade_budget: self.cascade_budget,
            sweep_budget: self.sweep_budget,
            slot_bits_reciprocal: (1u32 << 16).div_ceil(self.slot_bits.max(1)),
        }
    }
}

/// Deadline arithmetic for one shape of wheel.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Geometry {
    pub(crate) tick_shift: u32,
    pub(crate) slot_bits: u32,
    pub(crate) levels: u32,
    pub(crate) cascade_budget: usize,
    pub(crate) sweep_budget: usize,
    /// `ceil(2^16 / slot_bits)`, for `divide_by_slot_bits`.
    pub(crate) slot_bits_reciprocal: u32,
}

impl Geometry {
    /// Slots per level: two rotations of `2^slot_bits`, so that a level
    /// holds the current group of the level above and the next one.
    #[inline]
    pub(crate) fn slots_per_level(&self) -> usize {
        2 << self.slot_bits
    }

    #[inline]
    fn slot_mask(&self) -> u64 {
        (2 << self.slot_bits) - 1
    }

    /// Slots in a stripe, the overflow list included.
    pub(crate) fn slot_count(&self) -> usize {
        self.levels as usize * self.slots_per_level() + 1
    }

    /// The level index of the overflow list.
    #[inline]
    pub(crate) fn overflow_level(&self) -> u32 {
        self.levels
    }

    /// The index of a slot in a stripe's slot array.
    #[inline]
    pub(crate) fn slot_index(&self, location: Location) -> usize {
        location.level as usize * self.slots_per_level() + location.slot as usize
    }

    /// The tick a deadline falls in.
    #[inline]
    pub(crate) fn deadline_to_tick(&self, when: i64) -> u64 {
        (when.max(0) as u64) >> self.tick_shift
    }

    /// The first tick of tick `tick`, in nanoseconds (saturating).
    #[inline]
    pub(crate) fn tick_to_deadline(&self, tick: u64) -> i64 {
        i64::try_from(u128::from(tick) << self.tick_shift).unwrap_or(i64::MAX)
    }

    /// Ticks per slot of `level`, or `None` if that exceeds `u64`.
    #[inline]
    pub(crate) fn slot_width(&self, level: u32) -> Option<u64> {
        let shift = level * self.slot_bits;
        (shift < 64).then(|| 1u64 << shift)
    }

    /// The slot-sized group of `level` that `tick` falls in: `tick` divided
    /// by the level's slot width (0 past the top of `u64`).
    #[inline]
    pub(crate) fn group(&self, tick: u64, level: u32) -> u64 {
        let shift = level * self.slot_bits;
        if shift >= 64 { 0 } else { tick >> shift }
    }

    /// Where a deadline in tick `when_tick` is filed when the stripe has
    /// processed every tick before `elapsed`: at the lowest level whose two
    /// rotations reach it, that is, whose tick lies in the same or the next
    /// slot of the level above as `elapsed` does; in the slot named by its
    /// group at that level. A tick at or before `elapsed` goes to the
    /// current level-0 slot, which is processed first.
    #[inline]
    pub(crate) fn location_for(&self, elapsed: u64, when_tick: u64) -> Location {
        if when_tick <= elapsed {
            return Location {
                level: 0,
                slot: (elapsed & self.slot_mask()) as u32,
            };
        }
        // With `s` slot bits, level `l` takes the tick iff its group of
        // width 2^(s(l+1)) is the same as `elapsed`'s or the next. A
        // distance of `b` bits fits in one such group from level
        // `high = (b - 1) / s` on, so `high` always takes it; a distance of
        // at least 2^(s(l+1)+1) spans two groups, so no level below
        // `high - 1` does. That leaves `high - 1` to test.
        let distance_bits = u64::BITS - (when_tick - elapsed).leading_zeros();
        let high = self.divide_by_slot_bits(distance_bits - 1);
        let level = if high > 0 && self.group(when_tick, high) - self.group(elapsed, high) <= 1 {
            high - 1
        } else {
            high
        };
        if level >= self.levels {
            return Location {
                level: self.overflow_level(),
                slot: 0,
            };
        }
        Location {
            level,
            slot: (self.group(when_tick, level) & self.slot_mask()) as u32,
        }
    }

    /// `bits / slot_bits` for `bits` < 64, by a multiplication: exact,
    /// since `bits` × the rounding error of the reciprocal stays below
    /// `1 / slot_bits`.
    #[inline]
    fn divide_by_slot_bits(&self, bits: u32) -> u32 {
        debug_assert!(bits < 64);
        (bits * self.slot_bits_reciprocal) >> 16
    }

    /// The slot of `level` at which rotated order starts: the one holding
    /// `elapsed`'s own group.
    #[inline]
    pub(crate) fn cursor(&self, elapsed: u64, level: u32) -> u32 {
        (self.group(elapsed, level) & self.slot_mask()) as u32
    }

    /// `occupied`, a level's bitmap, rotated so that bit 0 is the slot at
    /// `cursor`: its trailing zeros count slots in deadline order.
    #[inline]
    pub(crate) fn rotate(&self, occupied: u128, cursor: u32) -> u128 {
        let width = self.slots_per_level() as u32;
        if width == 128 {
            occupied.rotate_right(cursor)
        } else if cursor == 0 {
            occupied
        } else {
            ((occupied >> cursor) | (occupied << (width - cursor))) & ((1u128 << width) - 1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(level: u32, slot: u32) -> Location {
        Location { level, slot }
    }

    #[test]
    fn defaults_cover_every_deadline() {
        let geometry = WheelConfig::default().geometry();
        assert_eq!(geometry.levels, 9);
        let top = geometry.deadline_to_tick(i64::MAX);
        let location = geometry.location_for(0, top);
        assert!(
            location.level < geometry.levels,
            "i64::MAX must not overflow the default wheel"
        );
    }

    #[test]
    fn location_reaches_two_rotations_ahead() {
        let geometry = WheelConfig::default().geometry();
        assert_eq!(geometry.location_for(0, 0), at(0, 0));
        assert_eq!(geometry.location_for(0, 63), at(0, 63));
        assert_eq!(geometry.location_for(0, 64), at(0, 64)); // next rotation
        assert_eq!(geometry.location_for(0, 127), at(0, 127));
        assert_eq!(geometry.location_for(0, 128), at(1, 2));
        assert_eq!(geometry.location_for(64, 130), at(0, 2));
        assert_eq!(geometry.location_for(100, 5), at(0, 100)); // past: current slot
        assert_eq!(geometry.location_for(0, 64 * 64), at(1, 64));
        assert_eq!(geometry.location_for(0, 2 * 64 * 64), at(2, 2));
        assert_eq!(geometry.cursor(4100, 1), 64);
        assert_eq!(geometry.rotate(0b1001, 3), 1 | 1 << 125);
    }

    /// The lowest level whose two rotations reach `when_tick`, found by
    /// trying each level in turn: the definition `location_for` computes.
    fn location_by_search(geometry: &Geometry, elapsed: u64, when_tick: u64) -> Location {
        if when_tick <= elapsed {
            return at(0, (elapsed & geometry.slot_mask()) as u32);
        }
        for level in 0..geometry.levels {
            if geometry.group(when_tick, level + 1) - geometry.group(elapsed, level + 1) <= 1 {
                return at(
                    level,
                    (geometry.group(when_tick, level) & geometry.slot_mask()) as u32,
                );
            }
        }
        at(geometry.overflow_level(), 0)
    }

    #[test]
    fn location_is_the_lowest_level_that_reaches_the_tick() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for slot_bits in 1..=6 {
            for levels in [1, 2, 3, 5, 9, 64 / slot_bits] {
                let geometry = WheelConfig::default()
                    .tick_shift(0)
                    .slot_bits(slot_bits)
                    .levels(levels)
                    .geometry();
                for _ in 0..20_000 {
                    let elapsed = next() >> (next() % 64);
                    let ahead = next() >> (next() % 64);
                    let when_tick = elapsed.saturating_add(ahead);
                    assert_eq!(
                        geometry.location_for(elapsed, when_tick),
                        location_by_search(&geometry, elapsed, when_tick),
                        "slot_bits {slot_bits}, levels {levels}, elapsed {elapsed}, tick {when_tick}"
                    );
                }
                for bits in 0..64 {
                    assert_eq!(geometry.divide_by_slot_bits(bits), bits / slot_bits);
                }
            }
        }
    }

    #[test]
    fn small_wheels_overflow() {
        let geometry = WheelConfig::default()
            .tick_shift(0)
            .slot_bits(2)
            .levels(2)
            .geometry();
        assert_eq!(geometry.location_for(0, 31), at(1, 7));
        assert_eq!(geometry.location_for(0, 32), at(2, 0)); // overflow
        assert_eq!(geometry.slot_count(), 17);
        assert_eq!(geometry.rotate(0b1001, 3), 0b0010_0001);
    }

    #[test]
    fn every_setter_shape_is_valid() {
        for bits in 1..=6 {
            for shift in [0, 10, 40] {
                let config = WheelConfig::default().tick_shift(shift).slot_bits(bits);
                assert!(
                    config.validate().is_ok(),
                    "slot_bits {bits}, tick_shift {shift}"
                );
            }
        }
    }

    #[test]
    fn bad_shapes_are_refused_with_reasons() {
        let base = WheelConfig::default();
        for (config, word) in [
            (base.tick_shift(41), "tick_shift"),
            (base.slot_bits(0), "slot_bits"),
            (base.levels(0), "levels"),
            (base.levels(16), "levels"),
            (base.stripes(0), "stripes"),
            (base.cascade_budget(0), "cascade_budget"),
            (base.sweep_budget(0), "sweep_budget"),
        ] {
            let error = config.validate().unwrap_err().to_string();
            assert!(error.contains(word), "{error}");
        }
    }
}
