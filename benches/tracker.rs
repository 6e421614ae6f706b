//! The live tracker at a million customers: `observe` and `next(k = 3)` in
//! Rust and through the C ABI, a new customer's first event at capacity,
//! memory per tracked customer, and throughput with two threads.
//!
//! cargo bench -p journey-ffi --bench tracker

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use journey::{
    JourneyModel, JourneyNextStep, JourneyStatus, JourneyTracker, journey_model_from_json,
    journey_tracker_new, journey_tracker_next, journey_tracker_observe,
};
use journey_core::Document;
use journey_core::tracker::{Tracker, TrackerOptions};

/// Counts live heap bytes, to measure the memory per customer.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator and only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        // SAFETY: forwarded.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: forwarded.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const GYM: &str = include_str!("../examples/data/gym.json");
const CUSTOMERS: usize = 1_000_000;
/// Each customer's first steps, observed while populating.
const WALK: [&str; 3] = ["online_reviews", "free_trial_popup", "free_trial_signup"];

fn keys() -> Vec<String> {
    (0..CUSTOMERS).map(|c| format!("c{c:07}")).collect()
}

/// A pseudo-random customer order (multiplicative hashing of the index).
fn pick(i: u64) -> usize {
    (i.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 20) as usize % CUSTOMERS
}

/// The key of customer `c` (as `keys()` writes it), formatted on the stack
/// as a request handler would have it: no lookup in a million-entry table.
/// Two digits a step and no UTF-8 check (it is ASCII), so that the harness
/// costs little next to the call it times.
fn key(c: usize, buffer: &mut [u8; 8]) -> &str {
    const PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
        2021222324252627282930313233343536373839\
        4041424344454647484950515253545556575859\
        6061626364656667686970717273747576777879\
        8081828384858687888990919293949596979899";
    buffer[0] = b'c';
    let mut n = c % 10_000_000;
    for at in [6, 4, 2] {
        let pair = n % 100 * 2;
        buffer[at..at + 2].copy_from_slice(&PAIRS[pair..pair + 2]);
        n /= 100;
    }
    buffer[1] = b'0' + n as u8;
    // SAFETY: 'c' and ASCII digits are UTF-8.
    unsafe { std::str::from_utf8_unchecked(buffer) }
}

/// `journey_tracker_observe` with Rust strings.
fn c_observe(tracker: *mut JourneyTracker, key: &str, name: &str, time: i64) -> JourneyStatus {
    // SAFETY: a live tracker from journey_tracker_new; valid (ptr, len) strings.
    unsafe {
        journey_tracker_observe(
            tracker,
            key.as_ptr().cast(),
            key.len(),
            name.as_ptr().cast(),
            name.len(),
            time,
            std::ptr::null_mut(),
        )
    }
}

fn populate(tracker: &Tracker, keys: &[String]) {
    for (step, name) in WALK.iter().enumerate() {
        for key in keys {
            tracker.observe(key, name, step as i64 * 1000).unwrap();
        }
    }
}

fn tracker_bench(c: &mut Criterion) {
    let document = Document::from_json(GYM).unwrap();
    let journey = document.journey("gym").unwrap();
    let keys = keys();
    let mut buffer = [0; 8];
    assert!(
        keys.iter()
            .enumerate()
            .all(|(c, k)| key(c, &mut buffer) == k)
    );
    let options = TrackerOptions {
        history: 4,
        ..TrackerOptions::default()
    };

    let before = LIVE.load(Ordering::Relaxed);
    let tracker = Tracker::new(journey, options.clone()).unwrap();
    populate(&tracker, &keys);
    let bytes = LIVE.load(Ordering::Relaxed) - before;
    println!(
        "memory: {:.1} bytes per tracked customer ({} customers, {} visits each, history ring of 4 \
         visits = 64 bytes of it)",
        bytes as f64 / CUSTOMERS as f64,
        CUSTOMERS,
        WALK.len()
    );

    // Throughput with two threads on one tracker.
    let rounds = 1_000_000u64;
    let start = Instant::now();
    std::thread::scope(|scope| {
        for thread in 0..2u64 {
            let tracker = &tracker;
            scope.spawn(move || {
                let mut buffer = [0; 8];
                for i in 0..rounds {
                    let key = key(pick(i * 2 + thread), &mut buffer);
                    tracker
                        .observe(key, "orientation", 10_000 + i as i64)
                        .unwrap();
                }
            });
        }
    });
    let seconds = start.elapsed().as_secs_f64();
    println!(
        "two threads: {:.2} million observe/s in all ({} each)",
        2.0 * rounds as f64 / seconds / 1e6,
        rounds
    );

    // The same tracker through the C ABI.
    let mut model: *mut JourneyModel = std::ptr::null_mut();
    // SAFETY: valid pointers and lengths.
    let status = unsafe { journey_model_from_json(GYM.as_ptr().cast(), GYM.len(), &mut model) };
    assert_eq!(status, JourneyStatus::Ok);
    let options_json = r#"{"history": 4}"#;
    let mut c_tracker: *mut JourneyTracker = std::ptr::null_mut();
    // SAFETY: live model, valid strings and out-pointer.
    let status = unsafe {
        journey_tracker_new(
            model,
            "gym".as_ptr().cast(),
            3,
            options_json.as_ptr().cast(),
            options_json.len(),
            &mut c_tracker,
        )
    };
    assert_eq!(status, JourneyStatus::Ok);
    for (step, name) in WALK.iter().enumerate() {
        for key in &keys {
            let status = c_observe(c_tracker, key, name, step as i64 * 1000);
            assert_eq!(status, JourneyStatus::Ok);
        }
    }

    let mut group = c.benchmark_group("tracker_observe_1m");
    let mut i = 0u64;
    group.bench_function("rust", |b| {
        b.iter(|| {
            i += 1;
            let mut buffer = [0; 8];
            let key = key(pick(i), &mut buffer);
            black_box(tracker.observe(key, "orientation", 2_000_000 + i as i64))
        })
    });
    let mut i = 0u64;
    group.bench_function("c_abi", |b| {
        b.iter(|| {
            i += 1;
            let mut buffer = [0; 8];
            let key = key(pick(i), &mut buffer);
            black_box(c_observe(
                c_tracker,
                key,
                "orientation",
                2_000_000 + i as i64,
            ))
        })
    });
    group.finish();

    let mut group = c.benchmark_group("tracker_next_k3_1m");
    let mut i = 0u64;
    let mut out = Vec::with_capacity(3);
    group.bench_function("rust", |b| {
        b.iter(|| {
            i += 1;
            let mut buffer = [0; 8];
            tracker.next_into(key(pick(i), &mut buffer), 3, &mut out);
            black_box(out.len())
        })
    });
    let mut i = 0u64;
    let mut steps = [JourneyNextStep {
        touchpoint: std::ptr::null(),
        touchpoint_len: 0,
        probability: 0.0,
    }; 3];
    group.bench_function("c_abi", |b| {
        b.iter(|| {
            i += 1;
            let mut buffer = [0; 8];
            let key = key(pick(i), &mut buffer);
            let mut written = 0;
            // SAFETY: live tracker, valid string, room for 3 steps.
            black_box(unsafe {
                journey_tracker_next(
                    c_tracker,
                    key.as_ptr().cast(),
                    key.len(),
                    steps.as_mut_ptr(),
                    3,
                    &mut written,
                )
            });
            black_box(written)
        })
    });
    group.finish();

    // A customer's first event with the tracker full (a million, the
    // default capacity): the search misses, the least recently observed
    // customer is evicted and the new one stored. Last, as it evicts.
    let mut group = c.benchmark_group("tracker_new_customer_1m");
    let mut i = 0u64;
    group.bench_function("rust", |b| {
        b.iter(|| {
            i += 1;
            let mut buffer = [0; 8];
            let key = key(CUSTOMERS + (i % 9_000_000) as usize, &mut buffer);
            black_box(tracker.observe(key, "orientation", 4_000_000 + i as i64))
        })
    });
    group.finish();
    assert_eq!(tracker.stats().customers, CUSTOMERS as u64);
    drop(tracker);

    // The floor: one dependent read at a random place of a buffer the size
    // of the tracker's tables (a random cycle through 48M u32, 192 MB), in
    // 4 KiB pages as the allocator gives them.
    let chain = random_cycle(48 << 20);
    let mut group = c.benchmark_group("memory_reference");
    let mut at = 0u32;
    group.bench_function("dependent_random_read_192mb", |b| {
        b.iter(|| {
            at = chain[at as usize];
            black_box(at)
        })
    });
    group.finish();
}

/// One cycle through `0..len` in a pseudo-random order (Sattolo's shuffle).
fn random_cycle(len: usize) -> Vec<u32> {
    let mut order: Vec<u32> = (0..len as u32).collect();
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    for i in (1..len).rev() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        order.swap(i, (state % i as u64) as usize);
    }
    let mut next = vec![0u32; len];
    for i in 0..len {
        next[order[i] as usize] = order[(i + 1) % len];
    }
    next
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(std::time::Duration::from_secs(3));
    targets = tracker_bench
}
criterion_main!(benches);
