//! XEP-0297 Stanza Forwarding.
//!
//! (Skeleton: being written.)

#![warn(missing_docs)]

xep_element::elements! {
    "XEP-0297" => [],
}
