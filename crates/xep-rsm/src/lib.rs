//! XEP-0059 Result Set Management.
//!
//! (Skeleton: being written.)

#![warn(missing_docs)]

xep_element::elements! {
    "XEP-0059" => [],
}
