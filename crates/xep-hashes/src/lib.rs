//! XEP-0300 hash elements and hash computation.
//!
//! (Skeleton: being written.)

#![warn(missing_docs)]

xep_element::elements! {
    "XEP-0300" => [],
}
