//! Conversions at the boundary, written once: `(ptr, len)` strings in,
//! handles, out-pointers, caller-owned strings and arrays out, options as
//! JSON text (read strictly by `journey_core::options`).

use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::prelude::*;

/// Releases a handle made by `Box::into_raw`; NULL is ignored, and a panic
/// while dropping it never crosses into C.
///
/// # Safety
/// `handle` must be NULL or a live handle of type `T` from this library,
/// used by no other thread; it must not be used again.
pub(crate) unsafe fn release<T>(handle: *mut T) {
    if !handle.is_null() {
        // SAFETY: ownership passes from the caller, as the contract says.
        let _ = catch_unwind(AssertUnwindSafe(|| drop(unsafe { Box::from_raw(handle) })));
    }
}

/// Reads a `(ptr, len)` UTF-8 string argument.
///
/// # Safety
/// `ptr` must be NULL with `len == 0`, or point to `len` readable bytes.
pub(crate) unsafe fn text<'a>(
    ptr: *const c_char,
    len: usize,
    what: &str,
) -> Result<&'a str, Failure> {
    if ptr.is_null() {
        return if len == 0 {
            Ok("")
        } else {
            Err(invalid(format!("{what} is NULL")))
        };
    }
    // SAFETY: the caller guarantees `len` readable bytes at `ptr`.
    let bytes = unsafe { std::slice::from_raw_parts(ptr.cast::<u8>(), len) };
    std::str::from_utf8(bytes).map_err(|e| {
        invalid(format!(
            "{what} is not valid UTF-8 (at byte {})",
            e.valid_up_to()
        ))
    })
}

/// A shared reference from a handle pointer.
///
/// # Safety
/// `ptr` must be NULL or a live handle from this library.
pub(crate) unsafe fn handle<'a, T>(ptr: *const T, what: &str) -> Result<&'a T, Failure> {
    // SAFETY: the caller guarantees a live handle or NULL.
    unsafe { ptr.as_ref() }.ok_or_else(|| invalid(format!("{what} is NULL")))
}

/// Writes `value` through an out-pointer.
///
/// # Safety
/// `out` must be NULL or valid for a write of `T`.
pub(crate) unsafe fn put<T>(out: *mut T, value: T, what: &str) -> Result<(), Failure> {
    if out.is_null() {
        return Err(invalid(format!("{what} is NULL")));
    }
    // SAFETY: checked non-NULL; the caller guarantees it is writable.
    unsafe { out.write(value) };
    Ok(())
}

/// Checks out-pointers before any work, so a failure leaves nothing allocated.
pub(crate) fn require<T>(out: *mut T, what: &str) -> Result<(), Failure> {
    if out.is_null() {
        Err(invalid(format!("{what} is NULL")))
    } else {
        Ok(())
    }
}

/// Allocates a caller-owned, NUL-terminated copy of `value`. A hidden length
/// header in front of the bytes lets `journey_string_free()` release it even
/// when the text has interior NULs.
pub(crate) fn owned_string(value: &str) -> *mut c_char {
    owned_bytes(value.as_bytes()).cast::<c_char>()
}

/// Allocates a caller-owned copy of `value` (followed by a NUL, so text can
/// be read as a C string), with the hidden length header that
/// `journey_string_free()` and `journey_bytes_free()` read.
pub(crate) fn owned_bytes(value: &[u8]) -> *mut u8 {
    const HEADER: usize = std::mem::size_of::<usize>();
    let mut buffer = Vec::with_capacity(HEADER + value.len() + 1);
    buffer.extend_from_slice(&value.len().to_ne_bytes());
    buffer.extend_from_slice(value);
    buffer.push(0);
    let raw = Box::into_raw(buffer.into_boxed_slice()).cast::<u8>();
    // SAFETY: the allocation is HEADER + len + 1 bytes long.
    unsafe { raw.add(HEADER) }
}

/// Writes caller-owned bytes and their length.
///
/// # Safety
/// `out` must be valid for a write (checked non-NULL); `out_len` NULL or writable.
#[cfg_attr(not(feature = "png"), allow(dead_code))]
pub(crate) unsafe fn put_bytes(
    out: *mut *mut u8,
    out_len: *mut usize,
    value: &[u8],
) -> Result<(), Failure> {
    require(out, "out")?;
    // SAFETY: `out` checked; `out_len` is NULL or writable by contract.
    unsafe {
        out.write(owned_bytes(value));
        if !out_len.is_null() {
            out_len.write(value.len());
        }
    }
    Ok(())
}

/// Writes a caller-owned string and its length.
///
/// # Safety
/// `out` must be valid for a write (checked non-NULL); `out_len` NULL or writable.
pub(crate) unsafe fn put_string(
    out: *mut *mut c_char,
    out_len: *mut usize,
    value: &str,
) -> Result<(), Failure> {
    require(out, "out")?;
    // SAFETY: `out` checked; `out_len` is NULL or writable by contract.
    unsafe {
        out.write(owned_string(value));
        if !out_len.is_null() {
            out_len.write(value.len());
        }
    }
    Ok(())
}

/// The journey named by a `(ptr, len)` id in a model handle.
///
/// # Safety
/// `model` must be NULL or live; `journey` as in the conventions.
pub(crate) unsafe fn journey_arg<'a>(
    model: *const JourneyModel,
    journey: *const c_char,
    journey_len: usize,
) -> Result<&'a Journey, Failure> {
    // SAFETY: forwarded caller guarantees.
    let (model, id) = unsafe {
        (
            handle(model, "model")?,
            text(journey, journey_len, "journey")?,
        )
    };
    find_journey(model, id)
}

/// Writes an item's id and name as two caller-owned strings, or neither.
///
/// # Safety
/// `out_id` and `out_name` must be NULL (refused) or writable.
pub(crate) unsafe fn put_id_and_name(
    out_id: *mut *mut c_char,
    out_name: *mut *mut c_char,
    id: &str,
    name: &str,
) -> Result<(), Failure> {
    require(out_id, "out_id")?;
    require(out_name, "out_name")?;
    // SAFETY: both checked non-NULL; the caller guarantees writability.
    unsafe {
        put_string(out_id, std::ptr::null_mut(), id)?;
        put_string(out_name, std::ptr::null_mut(), name)
    }
}

pub(crate) fn find_journey<'a>(model: &'a JourneyModel, id: &str) -> Result<&'a Journey, Failure> {
    model.0.journey(id).ok_or_else(|| not_found("journey", id))
}

pub(crate) fn find_touchpoint<'a>(
    journey: &'a Journey,
    id: &str,
) -> Result<&'a Touchpoint, Failure> {
    journey
        .touchpoint(id)
        .ok_or_else(|| not_found("touchpoint", id))
}

pub(crate) fn at<'a, T>(items: &'a [T], index: usize, what: &str) -> Result<&'a T, Failure> {
    items.get(index).ok_or_else(|| {
        invalid(format!(
            "{what} index {index} is out of range (there are {})",
            items.len()
        ))
    })
}

/// Releases a string returned by this library. NULL is ignored.
///
/// # Safety
/// `string` must be NULL or a string returned by this library through a
/// `char **out` parameter, not yet released. Never pass it to `free()`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_string_free(string: *mut c_char) {
    // SAFETY: forwarded caller guarantees (strings and bytes share a layout).
    unsafe { release_owned(string.cast::<u8>()) }
}

/// Releases bytes returned by this library (a PNG). NULL is ignored.
///
/// # Safety
/// `bytes` must be NULL or bytes returned by this library through a
/// `uint8_t **out` parameter, not yet released. Never pass them to `free()`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_bytes_free(bytes: *mut u8) {
    // SAFETY: forwarded caller guarantees.
    unsafe { release_owned(bytes) }
}

/// Frees what `owned_bytes` allocated.
///
/// # Safety
/// `bytes` must be NULL or from `owned_bytes`, not yet released.
unsafe fn release_owned(bytes: *mut u8) {
    if bytes.is_null() {
        return;
    }
    let _ = catch_unwind(AssertUnwindSafe(|| {
        const HEADER: usize = std::mem::size_of::<usize>();
        // SAFETY: `bytes` came from `owned_bytes`, HEADER bytes after the
        // start of a boxed slice of HEADER + len + 1 bytes.
        unsafe {
            let start = bytes.sub(HEADER);
            let len = usize::from_ne_bytes(std::ptr::read_unaligned(start.cast::<[u8; HEADER]>()));
            let slice = std::ptr::slice_from_raw_parts_mut(start, HEADER + len + 1);
            drop(Box::from_raw(slice));
        }
    }));
}

/// Reads optional JSON options (NULL or empty text: the defaults).
///
/// # Safety
/// As for `text()`.
pub(crate) unsafe fn json_options<T: serde::de::DeserializeOwned + Default>(
    ptr: *const c_char,
    len: usize,
    what: &str,
) -> Result<T, Failure> {
    // SAFETY: forwarded caller guarantees.
    let text = unsafe { text(ptr, len, what) }?;
    Ok(journey_core::options::from_json(text)?)
}

pub(crate) fn json<T: serde::Serialize>(value: &T) -> Result<String, Failure> {
    serde_json::to_string(value).map_err(|e| Failure(JourneyStatus::Internal, e.to_string()))
}

pub(crate) fn c_str(text: &str) -> (*const c_char, usize) {
    (text.as_ptr().cast(), text.len())
}

/// Writes up to `cap` items into a caller's array and their number.
///
/// # Safety
/// `out` must be valid for `cap` writes (NULL only with `cap == 0`);
/// `written` writable.
pub(crate) unsafe fn put_array<T>(
    items: impl Iterator<Item = T>,
    out: *mut T,
    cap: usize,
    written: *mut usize,
) -> Result<(), Failure> {
    require(written, "written")?;
    if out.is_null() && cap > 0 {
        return Err(invalid("out is NULL"));
    }
    let mut count = 0;
    for item in items.take(cap) {
        // SAFETY: count < cap, and the caller guarantees cap writable slots.
        unsafe { out.add(count).write(item) };
        count += 1;
    }
    // SAFETY: checked non-NULL.
    unsafe { written.write(count) };
    Ok(())
}
