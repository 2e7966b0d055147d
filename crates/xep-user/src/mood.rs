//! XEP-0107 User Mood.

use xep_element::{Error, Payload, XmlElement};

/// `http://jabber.org/protocol/mood`: the namespace and the PEP node.
pub const NS_MOOD: &str = "http://jabber.org/protocol/mood";

macro_rules! moods {
    ($($variant:ident = $name:tt),* $(,)?) => {
        /// One element type per mood of §3 (`<happy/>`, `<in_awe/>`, ...),
        /// each holding the optional, more specific mood an application
        /// adds as a child of another namespace (§2.1).
        pub mod moods {
            use xep_element::{Payload, XmlElement};

            use super::NS_MOOD;

            $(
                #[doc = concat!("`<", $name, "/>`.")]
                #[derive(XmlElement, Debug, Clone, PartialEq, Default)]
                #[xml(ns = NS_MOOD, name = $name)]
                pub struct $variant {
                    /// A more specific mood, in another namespace (ignored
                    /// by whoever does not understand it).
                    #[xml(children(foreign))]
                    pub specific: Vec<Payload>,
                }
            )*
        }

        /// The mood element of a `<mood/>`, one variant per mood of §3.
        #[derive(XmlElement, Debug, Clone, PartialEq)]
        pub enum MoodValue {
            $(
                #[doc = concat!("`<", $name, "/>`.")]
                $variant(moods::$variant),
            )*
        }

        /// The moods of §3, without their specific extension.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum MoodKind {
            $(
                #[doc = concat!("`", $name, "`.")]
                $variant,
            )*
        }

        impl MoodKind {
            /// Every mood, in the order of §3.
            pub const ALL: &'static [MoodKind] = &[$(MoodKind::$variant),*];

            /// The element name.
            pub fn name(self) -> &'static str {
                match self {
                    $(MoodKind::$variant => $name,)*
                }
            }

            /// The mood named `name`.
            pub fn from_name(name: &str) -> Option<MoodKind> {
                match name {
                    $($name => Some(MoodKind::$variant),)*
                    _ => None,
                }
            }
        }

        impl MoodValue {
            /// The mood `kind` with the specific mood `specific` (elements
            /// of other namespaces; may be empty).
            pub fn new(kind: MoodKind, specific: Vec<Payload>) -> MoodValue {
                match kind {
                    $(MoodKind::$variant => MoodValue::$variant(moods::$variant { specific }),)*
                }
            }

            /// Which mood.
            pub fn kind(&self) -> MoodKind {
                match self {
                    $(MoodValue::$variant(_) => MoodKind::$variant,)*
                }
            }

            /// The more specific mood, if any.
            pub fn specific(&self) -> &[Payload] {
                match self {
                    $(MoodValue::$variant(m) => &m.specific,)*
                }
            }
        }
    };
}

moods! {
    Afraid = "afraid",
    Amazed = "amazed",
    Amorous = "amorous",
    Angry = "angry",
    Annoyed = "annoyed",
    Anxious = "anxious",
    Aroused = "aroused",
    Ashamed = "ashamed",
    Bored = "bored",
    Brave = "brave",
    Calm = "calm",
    Cautious = "cautious",
    Cold = "cold",
    Confident = "confident",
    Confused = "confused",
    Contemplative = "contemplative",
    Contented = "contented",
    Cranky = "cranky",
    Crazy = "crazy",
    Creative = "creative",
    Curious = "curious",
    Dejected = "dejected",
    Depressed = "depressed",
    Disappointed = "disappointed",
    Disgusted = "disgusted",
    Dismayed = "dismayed",
    Distracted = "distracted",
    Embarrassed = "embarrassed",
    Envious = "envious",
    Excited = "excited",
    Flirtatious = "flirtatious",
    Frustrated = "frustrated",
    Grateful = "grateful",
    Grieving = "grieving",
    Grumpy = "grumpy",
    Guilty = "guilty",
    Happy = "happy",
    Hopeful = "hopeful",
    Hot = "hot",
    Humbled = "humbled",
    Humiliated = "humiliated",
    Hungry = "hungry",
    Hurt = "hurt",
    Impressed = "impressed",
    InAwe = "in_awe",
    InLove = "in_love",
    Indignant = "indignant",
    Interested = "interested",
    Intoxicated = "intoxicated",
    Invincible = "invincible",
    Jealous = "jealous",
    Lonely = "lonely",
    Lost = "lost",
    Lucky = "lucky",
    Mean = "mean",
    Moody = "moody",
    Nervous = "nervous",
    Neutral = "neutral",
    Offended = "offended",
    Outraged = "outraged",
    Playful = "playful",
    Proud = "proud",
    Relaxed = "relaxed",
    Relieved = "relieved",
    Remorseful = "remorseful",
    Restless = "restless",
    Sad = "sad",
    Sarcastic = "sarcastic",
    Satisfied = "satisfied",
    Serious = "serious",
    Shocked = "shocked",
    Shy = "shy",
    Sick = "sick",
    Sleepy = "sleepy",
    Spontaneous = "spontaneous",
    Stressed = "stressed",
    Strong = "strong",
    Surprised = "surprised",
    Thankful = "thankful",
    Thirsty = "thirsty",
    Tired = "tired",
    Undefined = "undefined",
    Weak = "weak",
    Worried = "worried",
}

impl From<MoodKind> for MoodValue {
    fn from(kind: MoodKind) -> Self {
        MoodValue::new(kind, Vec::new())
    }
}

/// `<mood/>`: the user's mood and why; empty, the user stopped
/// publishing (the "stop" of §2.2). In a message it colours that message
/// only (§2.3).
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = NS_MOOD, name = "mood", validate = Mood::check)]
pub struct Mood {
    /// The mood (required unless this is the stop).
    #[xml(child)]
    pub value: Option<MoodValue>,
    /// A natural-language description of, or reason for, the mood.
    #[xml(text_child)]
    pub text: Option<String>,
}

impl Mood {
    /// The mood `kind`, with an optional description.
    pub fn new(kind: MoodKind, text: Option<String>) -> Mood {
        Mood {
            value: Some(kind.into()),
            text,
        }
    }

    /// The empty `<mood/>`: the stop.
    pub fn stop() -> Mood {
        Mood::default()
    }

    /// Whether this is the stop.
    pub fn is_stop(&self) -> bool {
        self.value.is_none() && self.text.is_none()
    }

    /// Which mood, if any.
    pub fn kind(&self) -> Option<MoodKind> {
        self.value.as_ref().map(MoodValue::kind)
    }

    fn check(&self) -> Result<(), Error> {
        if self.value.is_none() && self.text.is_some() {
            // §2.1: the mood element is required; only the empty <mood/>
            // (the stop) goes without it.
            return Err(Error::invalid(
                "a text without a mood element: only the empty <mood/> (the stop) has none",
            ));
        }
        Ok(())
    }
}
