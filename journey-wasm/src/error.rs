//! Errors as JS sees them: the `JourneyError` class the entry modules
//! register, core errors converted with their `ErrorKind` code, and a panic
//! hook that throws `JourneyError("internal")` instead of trapping.

use std::cell::RefCell;

use crate::prelude::*;

thread_local! {
    /// The `JourneyError` class of the JS wrapper, registered at load time.
    static ERROR_CLASS: RefCell<Option<js_sys::Function>> = const { RefCell::new(None) };
}

/// Registers the JS class thrown on failure (the package's entry modules
/// do this; applications never need to).
#[wasm_bindgen(js_name = "__setErrorClass", skip_typescript)]
pub fn set_error_class(class: js_sys::Function) {
    ERROR_CLASS.with(|slot| *slot.borrow_mut() = Some(class));
    std::panic::set_hook(Box::new(|info| {
        // A panic is a bug; it surfaces as a JourneyError with code
        // "internal", never as `RuntimeError: unreachable`.
        let error = make_error(
            &format!("internal error: {info}; please report this"),
            ErrorKind::Internal,
            JsValue::UNDEFINED,
        );
        wasm_bindgen::throw_val(error);
    }));
}

/// Panics on purpose, so the tests can see how a panic surfaces. Only in
/// builds with the `test-panic` feature, never in the package.
#[cfg(feature = "test-panic")]
#[wasm_bindgen(js_name = "__testPanic", skip_typescript)]
pub fn test_panic() {
    #[allow(clippy::panic)]
    {
        panic!("a deliberate panic for the tests");
    }
}

pub(crate) fn make_error(message: &str, kind: ErrorKind, problems: JsValue) -> JsValue {
    let code = kind.code();
    let class = ERROR_CLASS.with(|slot| slot.borrow().clone());
    let arguments = js_sys::Array::of3(&message.into(), &code.into(), &problems);
    if let Some(class) = class
        && let Ok(error) = js_sys::Reflect::construct(&class, &arguments)
    {
        return error;
    }
    let error = js_sys::Error::new(message);
    error.set_name("JourneyError");
    let _ = js_sys::Reflect::set(&error, &"code".into(), &code.into());
    let _ = js_sys::Reflect::set(&error, &"problems".into(), &problems);
    error.into()
}

pub(crate) fn to_js_error(error: Error) -> JsValue {
    let problems = match &error {
        Error::Invalid { report } => to_js(&report.findings).unwrap_or(JsValue::UNDEFINED),
        _ => JsValue::UNDEFINED,
    };
    make_error(&error.to_string(), error.kind(), problems)
}

pub(crate) fn invalid_argument(message: String) -> JsValue {
    make_error(&message, ErrorKind::InvalidArgument, JsValue::UNDEFINED)
}
