//! `JourneyModel`: a loaded document, validation, analysis, comparison,
//! rendering and Mermaid.

use crate::prelude::*;

/// A loaded journey document: personas, measure definitions and journeys.
///
/// Immutable. Call `free()` when done, or let it be garbage-collected.
#[wasm_bindgen]
pub struct JourneyModel {
    pub(crate) document: Document,
}

impl JourneyModel {
    pub(crate) fn journey_by_id(&self, id: &str) -> Result<&Journey, JsValue> {
        self.document.require_journey(id).map_err(to_js_error)
    }
}

#[wasm_bindgen]
impl JourneyModel {
    /// Loads a document from JSON text. Throws a `JourneyError` with code
    /// `parse_error` (with line and column), `unsupported_schema` or
    /// `limit_exceeded`. A document with validation errors loads; see
    /// `validate()`.
    #[wasm_bindgen(js_name = fromJson)]
    pub fn from_json(
        #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
    ) -> Result<JourneyModel, JsValue> {
        Self::read(&string(text, "text")?)
    }

    fn read(text: &str) -> Result<JourneyModel, JsValue> {
        let document = Document::from_json(text).map_err(to_js_error)?;
        Ok(JourneyModel { document })
    }

    /// Loads a document from a plain object (as `JSON.parse` gives).
    #[wasm_bindgen(js_name = fromObject)]
    pub fn from_object(
        #[wasm_bindgen(unchecked_param_type = "JourneyDocument")] document: JsValue,
    ) -> Result<JourneyModel, JsValue> {
        if !document.is_object() {
            return Err(invalid_argument("the document is not an object".to_owned()));
        }
        let text = js_sys::JSON::stringify(&document)
            .ok()
            .and_then(|text| text.as_string())
            .ok_or_else(|| invalid_argument("the document cannot be written as JSON".to_owned()))?;
        Self::read(&text)
    }

    /// The document as JSON text: the same model always gives the same bytes.
    #[wasm_bindgen(js_name = toJson)]
    pub fn to_json(&self) -> Result<String, JsValue> {
        self.document.to_json().map_err(to_js_error)
    }

    /// The document as a plain object.
    #[wasm_bindgen(js_name = toObject, unchecked_return_type = "JourneyDocument")]
    pub fn to_object(&self) -> Result<JsValue, JsValue> {
        to_js(&self.document)
    }

    /// Every validation finding, errors and warnings.
    #[wasm_bindgen(unchecked_return_type = "Report")]
    pub fn validate(&self) -> Result<JsValue, JsValue> {
        to_js(&self.document.validate())
    }

    /// Analyzes one journey exactly (see the core's `analysis` module).
    /// Throws `not_found` for an unknown journey and `validation_error`
    /// (with `problems`) for a journey with validation errors.
    #[wasm_bindgen(unchecked_return_type = "Analysis")]
    pub fn analyze(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] journey: JsValue,
        options: Option<AnalysisOptionsArg>,
    ) -> Result<JsValue, JsValue> {
        let journey = &string(journey, "journey")?;
        let options: Options = optional(options.map(JsValue::from))?;
        let analysis = self
            .document
            .analyze(journey, &options)
            .map_err(to_js_error)?;
        to_js(&analysis)
    }

    /// Compares two journeys of the document (current vs future state, or
    /// two personas' journeys).
    #[wasm_bindgen(unchecked_return_type = "Comparison")]
    pub fn compare(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] before: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] after: JsValue,
        options: Option<AnalysisOptionsArg>,
    ) -> Result<JsValue, JsValue> {
        let before = &string(before, "before")?;
        let after = &string(after, "after")?;
        let options: Options = optional(options.map(JsValue::from))?;
        let comparison = self
            .document
            .compare(before, after, &options)
            .map_err(to_js_error)?;
        to_js(&comparison)
    }

    /// The personas.
    #[wasm_bindgen(unchecked_return_type = "Persona[]")]
    pub fn personas(&self) -> Result<JsValue, JsValue> {
        to_js(&self.document.personas)
    }

    /// The journeys, whole.
    #[wasm_bindgen(unchecked_return_type = "Journey[]")]
    pub fn journeys(&self) -> Result<JsValue, JsValue> {
        to_js(&self.document.journeys)
    }

    /// One journey. Throws `not_found` for an unknown id.
    #[wasm_bindgen(unchecked_return_type = "Journey")]
    pub fn journey(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] id: JsValue,
    ) -> Result<JsValue, JsValue> {
        let id = &string(id, "id")?;
        to_js(self.journey_by_id(id)?)
    }

    /// A journey's stages, in order.
    #[wasm_bindgen(unchecked_return_type = "Stage[]")]
    pub fn stages(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] journey: JsValue,
    ) -> Result<JsValue, JsValue> {
        let journey = &string(journey, "journey")?;
        to_js(&self.journey_by_id(journey)?.stages)
    }

    /// A journey's touchpoints, in document order (present and missing).
    #[wasm_bindgen(unchecked_return_type = "Touchpoint[]")]
    pub fn touchpoints(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] journey: JsValue,
    ) -> Result<JsValue, JsValue> {
        let journey = &string(journey, "journey")?;
        to_js(&self.journey_by_id(journey)?.touchpoints)
    }

    /// A journey's touchpoint graph as Graphviz DOT text (a cluster per
    /// stage, missing touchpoints dashed, edges labelled). In the full
    /// build (`journey-wasm/full`).
    #[cfg(feature = "full")]
    #[wasm_bindgen(js_name = toDot)]
    pub fn to_dot(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] journey: JsValue,
        options: Option<DotOptionsArg>,
    ) -> Result<String, JsValue> {
        let journey = &string(journey, "journey")?;
        let journey = self.journey_by_id(journey)?;
        let options = optional(options.map(JsValue::from))?;
        Ok(journey_core::render::to_dot(journey, &options))
    }

    /// A journey map as an SVG document (stages as columns, touchpoints as
    /// cards, missing ones dashed, pain points marked, the emotion curve and
    /// a legend), ready to insert into a page. Throws `not_found` for an
    /// unknown journey, `invalid_option` for bad options and
    /// `validation_error` when `analysis` is asked of an invalid journey.
    #[wasm_bindgen(js_name = renderSvg)]
    pub fn render_svg(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] journey: JsValue,
        options: Option<SvgOptionsArg>,
    ) -> Result<String, JsValue> {
        let journey = &string(journey, "journey")?;
        let options = optional(options.map(JsValue::from))?;
        journey_core::render::render_svg(&self.document, journey, &options).map_err(to_js_error)
    }

    /// A journey's stage flow as an SVG document: where customers go from
    /// stage to stage and where they leave, from the analysis or (`observed:
    /// true`) the transitions' counts. Throws `not_found` for an unknown
    /// journey, `invalid_option` for bad options and `validation_error` when
    /// an analysed flow is asked of an invalid journey. In the full build
    /// (`journey-wasm/full`).
    #[cfg(feature = "full")]
    #[wasm_bindgen(js_name = renderStageFlow)]
    pub fn render_stage_flow(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] journey: JsValue,
        options: Option<FlowOptionsArg>,
    ) -> Result<String, JsValue> {
        let journey = &string(journey, "journey")?;
        let options = optional(options.map(JsValue::from))?;
        journey_core::render::render_stage_flow(&self.document, journey, &options)
            .map_err(to_js_error)
    }

    /// A journey as a Mermaid `journey` diagram (title, a section per stage,
    /// a task per present touchpoint with its 1–5 score and actors). In the
    /// full build (`journey-wasm/full`).
    #[cfg(feature = "full")]
    #[wasm_bindgen(js_name = toMermaid)]
    pub fn to_mermaid(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] journey: JsValue,
    ) -> Result<String, JsValue> {
        let journey = &string(journey, "journey")?;
        journey_core::mermaid::to_mermaid(&self.document, journey).map_err(to_js_error)
    }

    /// Reads a Mermaid `journey` diagram into a model: actors become
    /// personas, sections stages, tasks touchpoints. Throws `parse_error`
    /// with the line. In the full build (`journey-wasm/full`).
    #[cfg(feature = "full")]
    #[wasm_bindgen(js_name = fromMermaid)]
    pub fn from_mermaid(
        #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
    ) -> Result<JourneyModel, JsValue> {
        let text = &string(text, "text")?;
        let document = journey_core::mermaid::from_mermaid(text).map_err(to_js_error)?;
        Ok(JourneyModel { document })
    }

    /// One touchpoint of a journey. Throws `not_found` for an unknown id.
    #[wasm_bindgen(unchecked_return_type = "Touchpoint")]
    pub fn touchpoint(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] journey: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] id: JsValue,
    ) -> Result<JsValue, JsValue> {
        let journey = &string(journey, "journey")?;
        let id = &string(id, "id")?;
        let touchpoint = self.journey_by_id(journey)?.touchpoint(id).ok_or_else(|| {
            to_js_error(Error::NotFound {
                kind: "touchpoint",
                id: id.to_owned(),
            })
        })?;
        to_js(touchpoint)
    }
}
