//! What every module of the library uses: the std FFI types, the core
//! types the handles wrap, and the boundary helpers.

pub(crate) use std::ffi::{CStr, CString, c_char};

pub(crate) use journey_core::analysis::{Analysis, Options};
pub(crate) use journey_core::attribution::AttributionOptions;
pub(crate) use journey_core::events::{EventLog, Mapping};
pub(crate) use journey_core::fit::FitOptions;
pub(crate) use journey_core::tracker::Observed;
pub(crate) use journey_core::{Document, Error, ErrorKind, Journey, Touchpoint};

pub(crate) use crate::JOURNEY_ABI_VERSION;
pub(crate) use crate::analysis::JourneyAnalysis;
pub(crate) use crate::convert::*;
pub(crate) use crate::model::JourneyModel;
pub(crate) use crate::status::*;
