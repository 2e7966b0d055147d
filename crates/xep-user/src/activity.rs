//! XEP-0108 User Activity.

use xep_element::{Error, Payload, XmlElement};

/// `http://jabber.org/protocol/activity`: the namespace and the PEP node.
pub const NS_ACTIVITY: &str = "http://jabber.org/protocol/activity";

fn at_most_one(p: &[Payload]) -> Result<(), Error> {
    if p.len() > 1 {
        return Err(Error::invalid(
            "at most one element of another namespace here",
        ));
    }
    Ok(())
}

macro_rules! general {
    ($($variant:ident = $name:tt),* $(,)?) => {
        /// One element type per general activity of §3 (`<relaxing/>`,
        /// ...), each holding the optional specific activity: one of §3's
        /// or, instead, one element of another namespace (§2.1).
        pub mod general {
            use xep_element::{Payload, XmlElement};

            use super::{NS_ACTIVITY, SpecificActivity};

            $(
                #[doc = concat!("`<", $name, "/>`.")]
                #[derive(XmlElement, Debug, Clone, PartialEq, Default)]
                #[xml(ns = NS_ACTIVITY, name = $name, validate = super::check_general)]
                pub struct $variant {
                    /// The specific activity of §3, if any.
                    #[xml(child)]
                    pub specific: Option<SpecificActivity>,
                    /// Instead of one of §3's, a specific activity of
                    /// another namespace (at most one).
                    #[xml(children(foreign))]
                    pub extension: Vec<Payload>,
                }

                impl super::GeneralParts for $variant {
                    fn parts(&self) -> (&Option<SpecificActivity>, &[Payload]) {
                        (&self.specific, &self.extension)
                    }
                }
            )*
        }

        /// The general activity of an `<activity/>`, one variant per
        /// general activity of §3.
        #[derive(XmlElement, Debug, Clone, PartialEq)]
        pub enum GeneralActivity {
            $(
                #[doc = concat!("`<", $name, "/>`.")]
                $variant(general::$variant),
            )*
        }

        /// The general activities of §3.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum GeneralKind {
            $(
                #[doc = concat!("`", $name, "`.")]
                $variant,
            )*
        }

        impl GeneralKind {
            /// Every general activity.
            pub const ALL: &'static [GeneralKind] = &[$(GeneralKind::$variant),*];

            /// The element name.
            pub fn name(self) -> &'static str {
                match self {
                    $(GeneralKind::$variant => $name,)*
                }
            }

            /// The general activity named `name`.
            pub fn from_name(name: &str) -> Option<GeneralKind> {
                match name {
                    $($name => Some(GeneralKind::$variant),)*
                    _ => None,
                }
            }
        }

        impl GeneralActivity {
            /// The general activity `kind`, with a specific one of §3 if any.
            pub fn new(kind: GeneralKind, specific: Option<SpecificActivity>) -> GeneralActivity {
                match kind {
                    $(GeneralKind::$variant => GeneralActivity::$variant(general::$variant {
                        specific,
                        extension: Vec::new(),
                    }),)*
                }
            }

            /// Which general activity.
            pub fn kind(&self) -> GeneralKind {
                match self {
                    $(GeneralActivity::$variant(_) => GeneralKind::$variant,)*
                }
            }

            /// The specific activity of §3, if any.
            pub fn specific(&self) -> Option<&SpecificActivity> {
                match self {
                    $(GeneralActivity::$variant(g) => g.specific.as_ref(),)*
                }
            }

            /// The specific activity of another namespace, if any.
            pub fn extension(&self) -> Option<&Payload> {
                match self {
                    $(GeneralActivity::$variant(g) => g.extension.first(),)*
                }
            }
        }
    };
}

macro_rules! specific {
    ($($variant:ident = $name:tt [$($under:ident),*]),* $(,)?) => {
        /// One element type per specific activity of §3 (`<partying/>`,
        /// ...), each holding an optional detail of another namespace.
        pub mod specific {
            use xep_element::{Payload, XmlElement};

            use super::NS_ACTIVITY;

            $(
                #[doc = concat!("`<", $name, "/>`.")]
                #[derive(XmlElement, Debug, Clone, PartialEq, Default)]
                #[xml(ns = NS_ACTIVITY, name = $name, validate = super::check_specific)]
                pub struct $variant {
                    /// More detail about the activity, in another namespace
                    /// (at most one element).
                    #[xml(children(foreign))]
                    pub detail: Vec<Payload>,
                }

                impl super::SpecificParts for $variant {
                    fn detail(&self) -> &[Payload] {
                        &self.detail
                    }
                }
            )*
        }

        /// A specific activity, one variant per specific activity of §3.
        #[derive(XmlElement, Debug, Clone, PartialEq)]
        pub enum SpecificActivity {
            $(
                #[doc = concat!("`<", $name, "/>`.")]
                $variant(specific::$variant),
            )*
        }

        /// The specific activities of §3.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum SpecificKind {
            $(
                #[doc = concat!("`", $name, "`.")]
                $variant,
            )*
        }

        impl SpecificKind {
            /// Every specific activity.
            pub const ALL: &'static [SpecificKind] = &[$(SpecificKind::$variant),*];

            /// The element name.
            pub fn name(self) -> &'static str {
                match self {
                    $(SpecificKind::$variant => $name,)*
                }
            }

            /// The specific activity named `name`.
            pub fn from_name(name: &str) -> Option<SpecificKind> {
                match name {
                    $($name => Some(SpecificKind::$variant),)*
                    _ => None,
                }
            }

            /// The general activities §3 lists it under (empty for
            /// `other`, which goes under any). It may be used under any
            /// general activity; these are the recommended ones.
            pub fn recommended_under(self) -> &'static [GeneralKind] {
                match self {
                    $(SpecificKind::$variant => &[$(GeneralKind::$under),*],)*
                }
            }
        }

        impl SpecificActivity {
            /// The specific activity `kind`, without detail.
            pub fn new(kind: SpecificKind) -> SpecificActivity {
                match kind {
                    $(SpecificKind::$variant => SpecificActivity::$variant(specific::$variant::default()),)*
                }
            }

            /// Which specific activity.
            pub fn kind(&self) -> SpecificKind {
                match self {
                    $(SpecificActivity::$variant(_) => SpecificKind::$variant,)*
                }
            }

            /// The detail of another namespace, if any.
            pub fn detail(&self) -> Option<&Payload> {
                match self {
                    $(SpecificActivity::$variant(s) => s.detail.first(),)*
                }
            }
        }
    };
}

trait GeneralParts {
    fn parts(&self) -> (&Option<SpecificActivity>, &[Payload]);
}

trait SpecificParts {
    fn detail(&self) -> &[Payload];
}

fn check_general<T: GeneralParts>(g: &T) -> Result<(), Error> {
    let (specific, extension) = g.parts();
    at_most_one(extension)?;
    if specific.is_some() && !extension.is_empty() {
        // §2.1: a specific activity of another namespace comes instead
        // of, not in addition to, one of §3's.
        return Err(Error::invalid(
            "a specific activity of §3 or one of another namespace, not both",
        ));
    }
    Ok(())
}

fn check_specific<T: SpecificParts>(s: &T) -> Result<(), Error> {
    at_most_one(s.detail())
}

general! {
    DoingChores = "doing_chores",
    Drinking = "drinking",
    Eating = "eating",
    Exercising = "exercising",
    Grooming = "grooming",
    HavingAppointment = "having_appointment",
    Inactive = "inactive",
    Relaxing = "relaxing",
    Talking = "talking",
    Traveling = "traveling",
    Undefined = "undefined",
    Working = "working",
}

specific! {
    AtTheSpa = "at_the_spa" [Grooming],
    BrushingTeeth = "brushing_teeth" [Grooming],
    BuyingGroceries = "buying_groceries" [DoingChores],
    Cleaning = "cleaning" [DoingChores],
    Coding = "coding" [Working],
    Commuting = "commuting" [Traveling],
    Cooking = "cooking" [DoingChores],
    Cycling = "cycling" [Exercising, Traveling],
    Dancing = "dancing" [Exercising],
    DayOff = "day_off" [Inactive],
    DoingMaintenance = "doing_maintenance" [DoingChores],
    DoingTheDishes = "doing_the_dishes" [DoingChores],
    DoingTheLaundry = "doing_the_laundry" [DoingChores],
    Driving = "driving" [Traveling],
    Fishing = "fishing" [Relaxing],
    Gaming = "gaming" [Relaxing],
    Gardening = "gardening" [DoingChores],
    GettingAHaircut = "getting_a_haircut" [Grooming],
    GoingOut = "going_out" [Relaxing],
    HangingOut = "hanging_out" [Inactive],
    HavingABeer = "having_a_beer" [Drinking],
    HavingASnack = "having_a_snack" [Eating],
    HavingBreakfast = "having_breakfast" [Eating],
    HavingCoffee = "having_coffee" [Drinking],
    HavingDinner = "having_dinner" [Eating],
    HavingLunch = "having_lunch" [Eating],
    HavingTea = "having_tea" [Drinking],
    Hiding = "hiding" [Inactive],
    Hiking = "hiking" [Exercising],
    InACar = "in_a_car" [Traveling],
    InAMeeting = "in_a_meeting" [Working],
    InRealLife = "in_real_life" [Talking],
    Jogging = "jogging" [Exercising],
    OnABus = "on_a_bus" [Traveling],
    OnAPlane = "on_a_plane" [Traveling],
    OnATrain = "on_a_train" [Traveling],
    OnATrip = "on_a_trip" [Traveling],
    OnThePhone = "on_the_phone" [Talking],
    OnVacation = "on_vacation" [Inactive],
    OnVideoPhone = "on_video_phone" [Talking],
    Other = "other" [],
    Partying = "partying" [Relaxing],
    PlayingSports = "playing_sports" [Exercising],
    Praying = "praying" [Inactive],
    Reading = "reading" [Relaxing],
    Rehearsing = "rehearsing" [Relaxing],
    Running = "running" [Exercising],
    RunningAnErrand = "running_an_errand" [DoingChores],
    ScheduledHoliday = "scheduled_holiday" [Inactive],
    Shaving = "shaving" [Grooming],
    Shopping = "shopping" [Relaxing],
    Skiing = "skiing" [Exercising],
    Sleeping = "sleeping" [Inactive],
    Smoking = "smoking" [Relaxing],
    Socializing = "socializing" [Relaxing],
    Studying = "studying" [Working],
    Sunbathing = "sunbathing" [Relaxing],
    Swimming = "swimming" [Exercising],
    TakingABath = "taking_a_bath" [Grooming],
    TakingAShower = "taking_a_shower" [Grooming],
    Thinking = "thinking" [Inactive],
    Walking = "walking" [Traveling],
    WalkingTheDog = "walking_the_dog" [DoingChores],
    WatchingAMovie = "watching_a_movie" [Relaxing],
    WatchingTv = "watching_tv" [Relaxing],
    WorkingOut = "working_out" [Exercising],
    Writing = "writing" [Working],
}

/// `<text/>` of an `<activity/>`: a natural-language description, with
/// its `xml:lang` (§5 asks for one here or on the activity).
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS_ACTIVITY, name = "text")]
pub struct ActivityText {
    /// `xml:lang`.
    #[xml(lang)]
    pub lang: Option<String>,
    /// The description.
    #[xml(text)]
    pub text: String,
}

/// `<activity/>`: what the user is doing; empty, the user stopped
/// publishing (§2.2).
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = NS_ACTIVITY, name = "activity", validate = Activity::check)]
pub struct Activity {
    /// `xml:lang`.
    #[xml(lang)]
    pub lang: Option<String>,
    /// The general activity (required unless this is the stop).
    #[xml(child)]
    pub general: Option<GeneralActivity>,
    /// A natural-language description.
    #[xml(child)]
    pub text: Option<ActivityText>,
}

impl Activity {
    /// The activity `general` (with `specific`, if any).
    pub fn new(general: GeneralKind, specific: Option<SpecificKind>) -> Activity {
        Activity {
            lang: None,
            general: Some(GeneralActivity::new(
                general,
                specific.map(SpecificActivity::new),
            )),
            text: None,
        }
    }

    /// The empty `<activity/>`: the stop.
    pub fn stop() -> Activity {
        Activity::default()
    }

    /// Whether this is the stop.
    pub fn is_stop(&self) -> bool {
        self.general.is_none() && self.text.is_none()
    }

    /// The most specific activity of §3 given: `(general, specific)`
    /// ("Juliet is partying" rather than "relaxing", §3).
    pub fn kinds(&self) -> Option<(GeneralKind, Option<SpecificKind>)> {
        let g = self.general.as_ref()?;
        Some((g.kind(), g.specific().map(SpecificActivity::kind)))
    }

    fn check(&self) -> Result<(), Error> {
        if self.general.is_none() && self.text.is_some() {
            // §2.1: the general activity is required; only the empty
            // <activity/> (the stop) goes without it.
            return Err(Error::invalid(
                "a text without a general activity: only the empty <activity/> (the stop) has none",
            ));
        }
        Ok(())
    }
}
