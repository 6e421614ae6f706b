//! The two ways work is spread over threads, written once: a fan-out of
//! independent parts (cutting traces, tallying directly-follows counts,
//! the removal effects of attribution) and
//! a two-stage pipeline (one thread splits a CSV into records while another
//! checks, interns and appends them). On WebAssembly, where there are no
//! threads, both run on the caller's thread with the same results.

/// How many threads to split work of this many items over: one below a
/// million items or where threads are not available (WebAssembly), else
/// the machine's parallelism up to 8.
pub(crate) fn parallelism(items: usize) -> usize {
    if items < 1_000_000 {
        return 1;
    }
    threads()
}

/// The threads worth using for work that is large: the machine's cores, at
/// most 8 (1 on wasm32, which has none of its own).
pub(crate) fn threads() -> usize {
    if cfg!(target_arch = "wasm32") {
        return 1;
    }
    std::thread::available_parallelism().map_or(1, |n| n.get().min(8))
}

/// `run` on every part, each on a thread of its own when there are several
/// (one part runs on this thread), the results in the parts' order. A
/// panic in a part is resumed here.
pub(crate) fn fan_out<P: Send, T: Send>(parts: Vec<P>, run: impl Fn(P) -> T + Sync) -> Vec<T> {
    if parts.len() <= 1 || cfg!(target_arch = "wasm32") {
        return parts.into_iter().map(run).collect();
    }
    let run = &run;
    std::thread::scope(|scope| {
        let handles: Vec<_> = parts
            .into_iter()
            .map(|part| scope.spawn(move || run(part)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

/// What a pipeline's producer made of a buffer.
pub(crate) enum Made {
    /// A buffer to consume, more to come.
    More,
    /// The last buffer to consume.
    Last,
    /// Nothing to consume from here on: the buffer goes back to the caller
    /// as it is (to be read another way).
    #[cfg_attr(target_arch = "wasm32", allow(dead_code))]
    // (only the native CSV fast path stops)
    Stop,
}

/// Buffers made by `produce` on this thread and consumed in order by
/// `consume` on a second one, the consumer's buffers handed back for reuse
/// (at most two wait in between). `first` is a buffer already made, as
/// `made` says; `produce` refills a used buffer (or a new default one) in
/// place. Threads are started only when there is a second buffer to make
/// (and never on WebAssembly). The first error ends it: the producer's if
/// it failed, else the consumer's, which also stops the producer. Returns
/// the buffer of a [`Made::Stop`].
pub(crate) fn pipeline<B: Send + Default, E: Send>(
    first: B,
    made: Made,
    mut produce: impl FnMut(&mut B) -> Result<Made, E>,
    mut consume: impl FnMut(&mut B) -> Result<(), E> + Send,
) -> Result<Option<B>, E> {
    let mut buffer = first;
    let mut made = made;
    if matches!(made, Made::Last) || cfg!(target_arch = "wasm32") {
        loop {
            match made {
                Made::Stop => return Ok(Some(buffer)),
                Made::Last => return consume(&mut buffer).map(|()| None),
                Made::More => consume(&mut buffer)?,
            }
            made = produce(&mut buffer)?;
        }
    }
    std::thread::scope(|scope| {
        let (full, full_buffers) = std::sync::mpsc::sync_channel::<B>(2);
        let (empty, empty_buffers) = std::sync::mpsc::channel::<B>();
        let worker = scope.spawn(move || {
            for mut buffer in full_buffers {
                consume(&mut buffer)?;
                // The producer may have finished already.
                let _ = empty.send(buffer);
            }
            Ok(())
        });
        let mut rest = None;
        let mut failed = None;
        loop {
            match made {
                Made::Stop => {
                    rest = Some(buffer);
                    break;
                }
                Made::Last => {
                    let _ = full.send(buffer);
                    break;
                }
                Made::More => {
                    // Stops early when the consumer stopped (an error).
                    if full.send(buffer).is_err() {
                        break;
                    }
                }
            }
            buffer = empty_buffers.try_recv().unwrap_or_default();
            match produce(&mut buffer) {
                Ok(next) => made = next,
                Err(error) => {
                    failed = Some(error);
                    break;
                }
            }
        }
        drop(full);
        let consumed = worker
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e));
        match failed {
            Some(error) => Err(error),
            None => consumed.map(|()| rest),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A producer of `count` numbered buffers (stopping at `stop`, failing
    /// at `fail`) into a consumer that fails at `refuse`.
    fn run(
        count: u32,
        stop: Option<u32>,
        fail: Option<u32>,
        refuse: Option<u32>,
    ) -> (Result<Option<u32>, String>, Vec<u32>) {
        let mut next = 0;
        let mut make = |buffer: &mut u32| {
            *buffer = next;
            next += 1;
            if Some(*buffer) == fail {
                Err(format!("made {buffer}"))
            } else if Some(*buffer) == stop {
                Ok(Made::Stop)
            } else if *buffer + 1 == count {
                Ok(Made::Last)
            } else {
                Ok(Made::More)
            }
        };
        let mut first = 0;
        let made = make(&mut first);
        let made = match made {
            Ok(made) => made,
            Err(error) => return (Err(error), Vec::new()),
        };
        let mut seen = Vec::new();
        let result = pipeline(first, made, make, |buffer: &mut u32| {
            if Some(*buffer) == refuse {
                return Err(format!("refused {buffer}"));
            }
            seen.push(*buffer);
            Ok(())
        });
        (result, seen)
    }

    #[test]
    fn every_buffer_is_consumed_once_in_order() {
        for count in 1..20 {
            let (result, seen) = run(count, None, None, None);
            assert_eq!(result, Ok(None));
            assert_eq!(seen, (0..count).collect::<Vec<_>>());
        }
    }

    #[test]
    fn a_stop_hands_its_buffer_back_after_the_earlier_ones() {
        for stop in 0..10 {
            let (result, seen) = run(20, Some(stop), None, None);
            assert_eq!(result, Ok(Some(stop)));
            assert_eq!(seen, (0..stop).collect::<Vec<_>>());
        }
    }

    #[test]
    fn the_first_error_wins() {
        for at in 1..10 {
            let (result, seen) = run(20, None, Some(at), None);
            assert_eq!(result, Err(format!("made {at}")));
            assert_eq!(seen, (0..at).collect::<Vec<_>>());
            let (result, seen) = run(20, None, None, Some(at));
            assert_eq!(result, Err(format!("refused {at}")));
            assert_eq!(seen, (0..at).collect::<Vec<_>>());
        }
    }

    #[test]
    fn a_fan_out_keeps_the_parts_order() {
        for parts in 0..6 {
            let out = fan_out((0..parts).collect(), |p: u32| p * 10);
            assert_eq!(out, (0..parts).map(|p| p * 10).collect::<Vec<_>>());
        }
    }
}
