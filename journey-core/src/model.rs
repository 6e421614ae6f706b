//! The journey model: personas, journeys, stages, touchpoints, transitions and
//! experience measures, as plain data that (de)serializes to the JSON document.
//!
//! These types hold what a practitioner puts on a journey map. They are plain
//! structs with public fields so that hosts can read and edit them freely; the
//! rules that make a model trustworthy live in [`crate::validate`], and the
//! computable view of a journey (a petgraph of touchpoints) in
//! [`crate::graph::JourneyGraph`]. Every struct keeps the fields this version
//! of the library does not know in `extra`, so documents written by newer
//! tools survive a round trip through this one.

use std::collections::BTreeMap;
use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

/// Fields a document carried that this version of the library does not know.
///
/// They are kept, in key order, and written back unchanged.
pub type Extra = BTreeMap<String, Value>;

fn is_default<T: Default + PartialEq>(value: &T) -> bool {
    *value == T::default()
}

/// A fictional representative of a customer segment.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct Persona {
    /// Unique id within the document.
    pub id: String,
    /// Display name, e.g. "Hannah, HR manager".
    pub name: String,
    /// Background in a sentence or two.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// What the persona wants to achieve.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub goals: Vec<String>,
    /// Why the persona acts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub motivations: Vec<String>,
    /// What frustrates the persona.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pain_points: Vec<String>,
    /// Channels the persona prefers, most preferred first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub preferred_channels: Vec<Channel>,
    /// Free attributes: demographics (age, location, occupation) and the like.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, Value>,
    /// Fields this version does not know, kept as they were.
    #[serde(flatten)]
    pub extra: Extra,
}

impl Persona {
    /// A persona with this id and name and nothing else yet.
    pub fn new(id: impl Into<String>, name: impl Into<String>) -> Self {
        Persona {
            id: id.into(),
            name: name.into(),
            ..Persona::default()
        }
    }

    /// Sets the description.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Adds a goal.
    pub fn goal(mut self, goal: impl Into<String>) -> Self {
        self.goals.push(goal.into());
        self
    }

    /// Adds a motivation.
    pub fn motivation(mut self, motivation: impl Into<String>) -> Self {
        self.motivations.push(motivation.into());
        self
    }

    /// Adds a pain point.
    pub fn pain_point(mut self, pain_point: impl Into<String>) -> Self {
        self.pain_points.push(pain_point.into());
        self
    }

    /// Adds a preferred channel.
    pub fn preferred_channel(mut self, channel: Channel) -> Self {
        self.preferred_channels.push(channel);
        self
    }

    /// Sets a free attribute, e.g. `("age", 36.into())`.
    pub fn attribute(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.attributes.insert(key.into(), value.into());
        self
    }
}

/// What a journey map depicts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum JourneyKind {
    /// The journey as customers live it today (as-is).
    #[default]
    CurrentState,
    /// A designed journey (to-be).
    FutureState,
    /// A day, week or other period in the customer's life.
    DayInTheLife,
    /// A service blueprint: adds frontstage/backstage and support processes.
    ServiceBlueprint,
}

/// Where a journey starts and ends, in words.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct Scope {
    /// The starting situation, e.g. "notices they get winded on stairs".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    /// The end of the journey, e.g. "recommends the gym to a friend".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<String>,
    /// Fields this version does not know, kept as they were.
    #[serde(flatten)]
    pub extra: Extra,
}

/// One journey: stages as ordered columns, touchpoints within them, and the
/// transitions customers take between touchpoints.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct Journey {
    /// Unique id within the document.
    pub id: String,
    /// Display name.
    pub name: String,
    /// What the map depicts. Default: current state.
    #[serde(default, skip_serializing_if = "is_default")]
    pub kind: JourneyKind,
    /// A sentence on the journey.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Where the journey starts and ends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<Scope>,
    /// Ids of the personas this journey is for.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub personas: Vec<String>,
    /// The stages, in order: their order is the order of this list.
    #[serde(default)]
    pub stages: Vec<Stage>,
    /// Touchpoints, each belonging to one stage.
    #[serde(default)]
    pub touchpoints: Vec<Touchpoint>,
    /// Directed transitions between touchpoints; loops, back-jumps and skips are allowed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub transitions: Vec<Transition>,
    /// Where customers start, with relative weights.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entries: Vec<Entry>,
    /// Ids of the touchpoints that mean success.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub goals: Vec<String>,
    /// Higher-order context: what customers did next after sequences of
    /// touchpoints, learnt from event logs by [`crate::fit`]. The live
    /// tracker's next steps read it; analysis uses the transitions only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub context: Vec<Context>,
    /// Fields this version does not know, kept as they were.
    #[serde(flatten)]
    pub extra: Extra,
}

/// What came next after one sequence of touchpoints (a higher-order
/// transition table row): the next step depends on more than the current
/// touchpoint, e.g. customers who reach pricing from a review leave more often
/// than those who reach it from an ad.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct Context {
    /// The last touchpoints, oldest first, the current one last: two or more.
    pub path: Vec<String>,
    /// How often each touchpoint came next after this path.
    #[serde(default)]
    pub next: BTreeMap<String, u64>,
    /// How often the trace ended after this path (customers who left).
    #[serde(default, skip_serializing_if = "is_default")]
    pub ends: u64,
    /// Fields this version does not know, kept as they were.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The first position of each of `ids`.
fn positions<'a>(ids: impl Iterator<Item = &'a str>) -> hashbrown::HashMap<&'a str, usize> {
    let mut first = hashbrown::HashMap::new();
    for (k, id) in ids.enumerate() {
        first.entry(id).or_insert(k);
    }
    first
}

impl Journey {
    /// Starts a [`crate::JourneyBuilder`] for a journey with this id and name.
    pub fn builder(id: impl Into<String>, name: impl Into<String>) -> crate::JourneyBuilder {
        crate::JourneyBuilder::new(id, name)
    }

    /// The stage with this id.
    pub fn stage(&self, id: &str) -> Option<&Stage> {
        self.stages.iter().find(|stage| stage.id == id)
    }

    /// The touchpoint with this id.
    pub fn touchpoint(&self, id: &str) -> Option<&Touchpoint> {
        self.touchpoints
            .iter()
            .find(|touchpoint| touchpoint.id == id)
    }

    /// The touchpoints of a stage, in list order.
    pub fn touchpoints_in<'a>(&'a self, stage: &'a str) -> impl Iterator<Item = &'a Touchpoint> {
        self.touchpoints
            .iter()
            .filter(move |touchpoint| touchpoint.stage == stage)
    }

    /// The touchpoints of each stage of the stage list, each group in list
    /// order: what `touchpoints_in` gives stage by stage, in one pass over
    /// the touchpoints (a walk over every stage stays linear however narrow
    /// the stages).
    pub(crate) fn touchpoints_by_stage(&self) -> Vec<Vec<&Touchpoint>> {
        let first = positions(self.stages.iter().map(|stage| stage.id.as_str()));
        let mut groups: Vec<Vec<&Touchpoint>> = vec![Vec::new(); self.stages.len()];
        for touchpoint in &self.touchpoints {
            if let Some(&at) = first.get(touchpoint.stage.as_str()) {
                groups[at].push(touchpoint);
            }
        }
        // A stage id listed again holds the same touchpoints there too.
        for (k, stage) in self.stages.iter().enumerate() {
            let at = first[stage.id.as_str()];
            if at != k {
                groups[k] = groups[at].clone();
            }
        }
        groups
    }

    /// The positions of the stages by id (the first of a duplicated id, as
    /// [`Journey::stage`] finds), for lookups in a loop.
    pub(crate) fn stage_positions(&self) -> hashbrown::HashMap<&str, usize> {
        positions(self.stages.iter().map(|stage| stage.id.as_str()))
    }

    /// The positions of the touchpoints by id (the first of a duplicated
    /// id, as [`Journey::touchpoint`] finds), for lookups in a loop.
    pub(crate) fn touchpoint_positions(&self) -> hashbrown::HashMap<&str, usize> {
        positions(
            self.touchpoints
                .iter()
                .map(|touchpoint| touchpoint.id.as_str()),
        )
    }

    /// Touchpoints that should exist but do not yet (gaps and opportunities).
    pub fn missing_touchpoints(&self) -> impl Iterator<Item = &Touchpoint> {
        self.touchpoints
            .iter()
            .filter(|touchpoint| touchpoint.status == Status::Missing)
    }

    /// For each touchpoint id, the position of its stage in the stage list
    /// ([`NO_STAGE`] when its stage does not exist), for lookups per event.
    pub(crate) fn touchpoint_stage_positions(&self) -> hashbrown::HashMap<&str, usize> {
        let positions: hashbrown::HashMap<&str, usize> = self
            .stages
            .iter()
            .enumerate()
            .rev() // the first of duplicated stage ids wins
            .map(|(i, stage)| (stage.id.as_str(), i))
            .collect();
        self.touchpoints
            .iter()
            .rev() // the first of duplicated touchpoint ids wins, as in `touchpoint()`
            .map(|t| {
                let position = positions.get(t.stage.as_str()).copied();
                (t.id.as_str(), position.unwrap_or(NO_STAGE))
            })
            .collect()
    }
}

/// The stage position of a touchpoint whose stage does not exist, in
/// [`Journey::touchpoint_stage_positions`] (a plain number, so the map is of
/// a type the crate uses elsewhere: the npm package pays for each).
pub(crate) const NO_STAGE: usize = usize::MAX;

/// A stage (phase): a column of the map grouping steps by the customer's mindset.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct Stage {
    /// Unique id within the journey.
    pub id: String,
    /// Display name, e.g. "Awareness".
    pub name: String,
    /// What the customer is about in this stage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// What the customer does in this stage.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<String>,
    /// What the customer thinks or asks in this stage.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub thoughts: Vec<String>,
    /// Fields this version does not know, kept as they were.
    #[serde(flatten)]
    pub extra: Extra,
}

impl Stage {
    /// A stage with this id and name.
    pub fn new(id: impl Into<String>, name: impl Into<String>) -> Self {
        Stage {
            id: id.into(),
            name: name.into(),
            ..Stage::default()
        }
    }

    /// Sets the description.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Adds an action to the stage's actions lane.
    pub fn action(mut self, action: impl Into<String>) -> Self {
        self.actions.push(action.into());
        self
    }

    /// Adds a thought or question to the stage's thoughts lane.
    pub fn thought(mut self, thought: impl Into<String>) -> Self {
        self.thoughts.push(thought.into());
        self
    }
}

/// The channel through which a touchpoint happens.
///
/// Serialized as a snake_case string (`"mobile_app"`); any other string is a
/// custom channel and is kept as written.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Channel {
    /// A website.
    #[default]
    Web,
    /// A mobile app or in-app surface.
    MobileApp,
    /// Email.
    Email,
    /// A phone call.
    Phone,
    /// Live chat with a person.
    Chat,
    /// An automated chatbot.
    Chatbot,
    /// Text messages.
    Sms,
    /// Social media.
    Social,
    /// Advertising: search, display, TV or streaming.
    Ads,
    /// Review sites.
    ReviewSite,
    /// In person or in a store.
    InPerson,
    /// A community or forum.
    Community,
    /// A knowledge base or self-service portal.
    KnowledgeBase,
    /// Postal mail.
    PostalMail,
    /// Word of mouth.
    WordOfMouth,
    /// Events, workshops and fairs.
    Event,
    /// Any other channel, named by the map.
    Custom(String),
}

impl Channel {
    /// Every built-in channel, in declaration order.
    pub const BUILT_IN: [Channel; 16] = [
        Channel::Web,
        Channel::MobileApp,
        Channel::Email,
        Channel::Phone,
        Channel::Chat,
        Channel::Chatbot,
        Channel::Sms,
        Channel::Social,
        Channel::Ads,
        Channel::ReviewSite,
        Channel::InPerson,
        Channel::Community,
        Channel::KnowledgeBase,
        Channel::PostalMail,
        Channel::WordOfMouth,
        Channel::Event,
    ];

    /// The channel's name as written in documents.
    pub fn as_str(&self) -> &str {
        match self {
            Channel::Web => "web",
            Channel::MobileApp => "mobile_app",
            Channel::Email => "email",
            Channel::Phone => "phone",
            Channel::Chat => "chat",
            Channel::Chatbot => "chatbot",
            Channel::Sms => "sms",
            Channel::Social => "social",
            Channel::Ads => "ads",
            Channel::ReviewSite => "review_site",
            Channel::InPerson => "in_person",
            Channel::Community => "community",
            Channel::KnowledgeBase => "knowledge_base",
            Channel::PostalMail => "postal_mail",
            Channel::WordOfMouth => "word_of_mouth",
            Channel::Event => "event",
            Channel::Custom(name) => name,
        }
    }

    /// Reads a channel name; names that are not built in become [`Channel::Custom`].
    pub fn parse(name: &str) -> Channel {
        Channel::BUILT_IN
            .iter()
            .find(|channel| channel.as_str() == name)
            .cloned()
            .unwrap_or_else(|| Channel::Custom(name.to_owned()))
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Channel {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Channel {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        Ok(Channel::parse(&name))
    }
}

impl JsonSchema for Channel {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Channel".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let names: Vec<&str> = Channel::BUILT_IN.iter().map(Channel::as_str).collect();
        schemars::json_schema!({
            "description": "A built-in channel name, or any other string for a custom channel.",
            "type": "string",
            "minLength": 1,
            "examples": names,
        })
    }
}

/// The two kinds of touchpoint of the CJML modelling language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TouchpointKind {
    /// A communication between two actors (initiator, receiver, channel).
    #[default]
    CommunicationPoint,
    /// A non-communicative activity of one actor.
    Action,
}

/// Whether the customer sees a touchpoint (service-blueprint layers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Layer {
    /// Seen by the customer.
    #[default]
    Frontstage,
    /// Behind the scenes: staff and systems the customer does not see.
    Backstage,
    /// Support processes: the internal systems and partners that make the
    /// frontstage and backstage work (a service blueprint's bottom layer).
    Support,
}

/// Whether a touchpoint exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The touchpoint exists.
    #[default]
    Present,
    /// The touchpoint should exist but does not: a gap, an opportunity.
    /// Analysis treats it as absent from the journey.
    Missing,
}

/// An interaction where the customer meets the brand.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct Touchpoint {
    /// Unique id within the journey.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Id of the stage this touchpoint belongs to.
    pub stage: String,
    /// The channel. Default: web.
    #[serde(default, skip_serializing_if = "is_default")]
    pub channel: Channel,
    /// Communication point or action. Default: communication point.
    #[serde(default, skip_serializing_if = "is_default")]
    pub kind: TouchpointKind,
    /// Frontstage, backstage or support processes. Default: frontstage.
    #[serde(default, skip_serializing_if = "is_default")]
    pub layer: Layer,
    /// The team or department that owns the touchpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Ids of the personas taking part here (Mermaid's actors of a task).
    /// Empty: the journey's personas.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub personas: Vec<String>,
    /// Present, or missing (a gap). Default: present.
    #[serde(default, skip_serializing_if = "is_default")]
    pub status: Status,
    /// A sentence on the touchpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// What the customer does here.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<String>,
    /// What the customer thinks or asks here.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub thoughts: Vec<String>,
    /// What hurts here.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pain_points: Vec<String>,
    /// What could be better here.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub opportunities: Vec<String>,
    /// How the customer feels, from −2 (very negative) to +2 (very positive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emotion: Option<f64>,
    /// How much the touchpoint matters, a non-negative weight. Analysis uses 1 when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub importance: Option<f64>,
    /// Experience-measure values keyed by measure key.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub measures: BTreeMap<String, MeasureValue>,
    /// Fields this version does not know, kept as they were.
    #[serde(flatten)]
    pub extra: Extra,
}

impl Touchpoint {
    /// A present web touchpoint with this id and name in this stage.
    pub fn new(id: impl Into<String>, name: impl Into<String>, stage: impl Into<String>) -> Self {
        Touchpoint {
            id: id.into(),
            name: name.into(),
            stage: stage.into(),
            ..Touchpoint::default()
        }
    }

    /// Sets the channel.
    pub fn channel(mut self, channel: Channel) -> Self {
        self.channel = channel;
        self
    }

    /// Sets the kind.
    pub fn kind(mut self, kind: TouchpointKind) -> Self {
        self.kind = kind;
        self
    }

    /// Sets the layer.
    pub fn layer(mut self, layer: Layer) -> Self {
        self.layer = layer;
        self
    }

    /// Sets the owning team.
    pub fn owner(mut self, owner: impl Into<String>) -> Self {
        self.owner = Some(owner.into());
        self
    }

    /// Adds a persona taking part here (by id).
    pub fn persona(mut self, persona: impl Into<String>) -> Self {
        self.personas.push(persona.into());
        self
    }

    /// Marks the touchpoint missing: it should exist but does not.
    pub fn missing(mut self) -> Self {
        self.status = Status::Missing;
        self
    }

    /// Sets the description.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Adds an action to the actions lane.
    pub fn action(mut self, action: impl Into<String>) -> Self {
        self.actions.push(action.into());
        self
    }

    /// Adds a thought or question.
    pub fn thought(mut self, thought: impl Into<String>) -> Self {
        self.thoughts.push(thought.into());
        self
    }

    /// Adds a pain point.
    pub fn pain_point(mut self, pain_point: impl Into<String>) -> Self {
        self.pain_points.push(pain_point.into());
        self
    }

    /// Adds an opportunity.
    pub fn opportunity(mut self, opportunity: impl Into<String>) -> Self {
        self.opportunities.push(opportunity.into());
        self
    }

    /// Sets the emotion on the −2..+2 scale.
    pub fn emotion(mut self, emotion: f64) -> Self {
        self.emotion = Some(emotion);
        self
    }

    /// Sets the importance weight.
    pub fn importance(mut self, importance: f64) -> Self {
        self.importance = Some(importance);
        self
    }

    /// Records a measure value with an optional sample size.
    pub fn measure(mut self, key: impl Into<String>, value: f64, sample_size: Option<u64>) -> Self {
        self.measures.insert(
            key.into(),
            MeasureValue {
                value,
                sample_size,
                extra: Extra::new(),
            },
        );
        self
    }
}

/// A directed edge between two touchpoints.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct Transition {
    /// Id of the touchpoint the customer leaves.
    pub from: String,
    /// Id of the touchpoint the customer goes to (may equal `from`: a loop).
    pub to: String,
    /// Probability of taking this transition from `from`, in [0, 1].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probability: Option<f64>,
    /// How many times the transition was observed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
    /// Typical time between the two touchpoints, in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<f64>,
    /// A label, e.g. "clicks the coupon".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Fields this version does not know, kept as they were.
    #[serde(flatten)]
    pub extra: Extra,
}

impl Transition {
    /// A transition with no probability, count, duration or label.
    pub fn new(from: impl Into<String>, to: impl Into<String>) -> Self {
        Transition {
            from: from.into(),
            to: to.into(),
            ..Transition::default()
        }
    }

    /// Sets the probability.
    pub fn probability(mut self, probability: f64) -> Self {
        self.probability = Some(probability);
        self
    }

    /// Sets the observed count.
    pub fn count(mut self, count: u64) -> Self {
        self.count = Some(count);
        self
    }

    /// Sets the typical duration in seconds.
    pub fn duration(mut self, seconds: f64) -> Self {
        self.duration = Some(seconds);
        self
    }

    /// Sets the label.
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }
}

/// A touchpoint where customers start, with its relative weight.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct Entry {
    /// Id of the entry touchpoint.
    pub touchpoint: String,
    /// Relative weight; weights are normalized over all entries. Default: 1.
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub weight: f64,
    /// Fields this version does not know, kept as they were.
    #[serde(flatten)]
    pub extra: Extra,
}

fn one() -> f64 {
    1.0
}

fn is_one(value: &f64) -> bool {
    *value == 1.0
}

/// The scale an experience measure is expressed on.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Scale {
    /// A bounded score such as CSAT 1–5, NPS −100..100 or CES 1–7.
    Score {
        /// Lowest possible value.
        min: f64,
        /// Highest possible value.
        max: f64,
    },
    /// A ratio in [0, 1] such as conversion or drop-off.
    Ratio,
    /// A duration in seconds (non-negative).
    Duration,
    /// A count (non-negative).
    Count,
}

impl Scale {
    /// The bounds of the scale; durations and counts are unbounded above.
    pub fn bounds(&self) -> (f64, f64) {
        match *self {
            Scale::Score { min, max } => (min, max),
            Scale::Ratio => (0.0, 1.0),
            Scale::Duration | Scale::Count => (0.0, f64::INFINITY),
        }
    }

    /// Whether a value lies on the scale.
    pub fn contains(&self, value: f64) -> bool {
        let (low, high) = self.bounds();
        value.is_finite() && value >= low && value <= high
    }
}

/// Which way a measure improves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Higher values are better (CSAT, NPS, conversion).
    #[default]
    HigherIsBetter,
    /// Lower values are better (effort, wait time, drop-off).
    LowerIsBetter,
}

/// The definition of an experience measure, shared by every journey of a document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MeasureDefinition {
    /// Key touchpoints use for their values, e.g. `csat`.
    pub key: String,
    /// Display name.
    pub name: String,
    /// Unit, e.g. "%", "s", "points".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// The scale values lie on.
    pub scale: Scale,
    /// Which way the measure improves. Default: higher is better.
    #[serde(default, skip_serializing_if = "is_default")]
    pub direction: Direction,
    /// The value the business aims for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<f64>,
    /// Fields this version does not know, kept as they were.
    #[serde(flatten)]
    pub extra: Extra,
}

impl MeasureDefinition {
    /// A higher-is-better measure with no unit and no target.
    pub fn new(key: impl Into<String>, name: impl Into<String>, scale: Scale) -> Self {
        MeasureDefinition {
            key: key.into(),
            name: name.into(),
            unit: None,
            scale,
            direction: Direction::HigherIsBetter,
            target: None,
            extra: Extra::new(),
        }
    }

    /// Sets the unit.
    pub fn unit(mut self, unit: impl Into<String>) -> Self {
        self.unit = Some(unit.into());
        self
    }

    /// Sets the direction.
    pub fn direction(mut self, direction: Direction) -> Self {
        self.direction = direction;
        self
    }

    /// Sets the target.
    pub fn target(mut self, target: f64) -> Self {
        self.target = Some(target);
        self
    }

    /// How far a value misses the target, as a share of the scale's span
    /// (0 when the target is met or there is no target; at most 1).
    ///
    /// Unbounded scales (durations, counts) measure the miss relative to the target.
    pub fn shortfall(&self, value: f64) -> f64 {
        let Some(target) = self.target else {
            return 0.0;
        };
        let miss = match self.direction {
            Direction::HigherIsBetter => target - value,
            Direction::LowerIsBetter => value - target,
        };
        // NaN compares as not greater, so it counts as no miss.
        if miss.is_nan() || miss <= 0.0 {
            return 0.0;
        }
        let (low, high) = self.scale.bounds();
        let span = if high.is_finite() {
            high - low
        } else {
            target.abs()
        };
        if span > 0.0 {
            (miss / span).min(1.0)
        } else {
            1.0
        }
    }
}

/// One measured value of an experience measure at a touchpoint.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct MeasureValue {
    /// The value, on the measure's scale.
    pub value: f64,
    /// How many answers or observations the value rests on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sample_size: Option<u64>,
    /// Fields this version does not know, kept as they were.
    #[serde(flatten)]
    pub extra: Extra,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_names_round_trip_and_unknown_names_are_custom() {
        for channel in Channel::BUILT_IN {
            assert_eq!(Channel::parse(channel.as_str()), channel);
        }
        assert_eq!(Channel::parse("kiosk"), Channel::Custom("kiosk".into()));
        let json = serde_json::to_string(&Channel::Custom("kiosk".into())).unwrap_or_default();
        assert_eq!(json, "\"kiosk\"");
    }

    #[test]
    fn shortfall_follows_direction_and_scale() {
        let csat =
            MeasureDefinition::new("csat", "CSAT", Scale::Score { min: 1.0, max: 5.0 }).target(4.0);
        assert_eq!(csat.shortfall(3.0), 0.25);
        assert_eq!(csat.shortfall(4.5), 0.0);
        let ces = MeasureDefinition::new("ces", "CES", Scale::Score { min: 1.0, max: 7.0 })
            .direction(Direction::LowerIsBetter)
            .target(2.5);
        assert_eq!(ces.shortfall(5.5), 0.5);
        assert_eq!(ces.shortfall(2.0), 0.0);
        let wait = MeasureDefinition::new("wait", "Wait", Scale::Duration)
            .direction(Direction::LowerIsBetter)
            .target(300.0);
        assert_eq!(wait.shortfall(450.0), 0.5);
        assert_eq!(wait.shortfall(3000.0), 1.0);
        let untargeted = MeasureDefinition::new("n", "N", Scale::Count);
        assert_eq!(untargeted.shortfall(5.0), 0.0);
    }

    #[test]
    fn scale_bounds() {
        assert!(Scale::Ratio.contains(0.5));
        assert!(!Scale::Ratio.contains(1.5));
        assert!(!Scale::Count.contains(-1.0));
        assert!(!Scale::Count.contains(f64::NAN));
        assert!(
            Scale::Score {
                min: -100.0,
                max: 100.0
            }
            .contains(-100.0)
        );
    }
}
