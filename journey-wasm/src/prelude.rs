//! What every module of the binding uses.

pub(crate) use journey_core::analysis::Options;
pub(crate) use journey_core::{Document, Error, ErrorKind, Journey};
pub(crate) use serde::Serialize;
pub(crate) use serde::de::DeserializeOwned;
pub(crate) use wasm_bindgen::prelude::*;

pub(crate) use crate::convert::*;
pub(crate) use crate::error::*;
