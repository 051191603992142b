//! The properties of the seeded generator (`fastrand::Rng::with_seed`)
//! that the suites rely on: a seed fixes the whole sequence, so that a
//! failing random interleaving replays exactly (up to thread scheduling);
//! the ranges the suites draw from are inclusive and reached; a shuffle is
//! a permutation.

use fastrand::Rng;

#[test]
fn a_seed_fixes_the_sequence() {
    let mut a = Rng::with_seed(7);
    let mut b = Rng::with_seed(7);
    let from_a: Vec<u64> = (0..100).map(|_| a.u64(..)).collect();
    let from_b: Vec<u64> = (0..100).map(|_| b.u64(..)).collect();
    assert_eq!(from_a, from_b, "same seed, same sequence");
    let mut c = Rng::with_seed(8);
    let from_c: Vec<u64> = (0..100).map(|_| c.u64(..)).collect();
    assert_ne!(from_a, from_c, "another seed, another sequence");
}

#[test]
fn ranges_are_inclusive_and_bounded() {
    let mut rng = Rng::with_seed(42);
    let mut seen = [false; 5];
    for _ in 0..1_000 {
        let x = rng.i64(10..=14);
        assert!((10..=14).contains(&x), "{x} out of range");
        seen[(x - 10) as usize] = true;
    }
    assert_eq!(seen, [true; 5], "every value of a small range shows up");
    assert_eq!(rng.i64(5..=5), 5);
    let extreme = rng.i64(i64::MIN..=i64::MAX);
    let _ = extreme; // any value is in range; must not panic
    for _ in 0..1_000 {
        assert!(rng.usize(..3) < 3);
        assert!(rng.u64(..6) < 6);
    }
}

#[test]
fn shuffle_is_a_permutation() {
    let mut rng = Rng::with_seed(3);
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
