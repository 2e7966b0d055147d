//! XEP-0115 and XEP-0390 entity capabilities: verification strings, hashes and a no-I/O cache.
//!
//! (Skeleton: being written.)

#![warn(missing_docs)]

xep_element::elements! {
    "XEP-0115" => [],
}
