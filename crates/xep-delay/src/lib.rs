//! XEP-0203 Delayed Delivery.
//!
//! (Skeleton: being written.)

#![warn(missing_docs)]

xep_element::elements! {
    "XEP-0203" => [],
}
