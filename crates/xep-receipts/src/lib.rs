//! XEP-0184 Message Delivery Receipts: `<request/>` in a content message,
//! `<received id='...'/>` in the ack that says it reached a client of the
//! recipient.
//!
//! The rules of §5 as functions: [`request`] adds a request only to a
//! non-error message with an `id` (a receipt must be trackable);
//! [`receipt_for`] builds the ack a recipient returns, only for a message
//! that asks for one, has an `id` and is no error or ack itself (no
//! loops), with the same type and the `<received/>` as its only payload;
//! [`confirms`] tells the sender whether an ack answers a message it sent,
//! which means it comes from the entity the message went to (a bare JID
//! accepts any of its resources) and echoes the message's `id`.
//!
//! ```
//! use xep_core::Message;
//! use xep_element::XmlElement;
//! use xep_receipts::{confirms, receipt_for, request};
//!
//! let mut m = Message::chat("juliet@capulet.example".parse().unwrap(), "My lord?");
//! m.id = Some("richard2-4.1.247".into());
//! request(&mut m).unwrap();
//! assert!(m.to_xml().contains("<request xmlns='urn:xmpp:receipts'/>"));
//!
//! // Juliet's client received it (with its `from` stamped by the server).
//! let mut delivered = m.clone();
//! delivered.from = Some("northumberland@shakespeare.example/westminster".parse().unwrap());
//! delivered.to = Some("juliet@capulet.example/balcony".parse().unwrap());
//! let mut ack = receipt_for(&delivered).expect("a receipt is due");
//! ack.from = delivered.to.clone();
//! assert!(confirms(&ack, &m).is_ok());
//! ```

#![warn(missing_docs)]

use std::fmt;

use xep_core::{Message, MessageType};
use xep_element::{Error, Payload, XmlElement};

/// `urn:xmpp:receipts`.
pub const NS: &str = "urn:xmpp:receipts";

/// `<request/>`: the sender asks for a receipt.
#[derive(XmlElement, Debug, Clone, Copy, PartialEq, Eq, Default)]
#[xml(ns = NS, name = "request")]
pub struct Request;

/// `<received/>`: the ack for the message whose `id` it echoes.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS, name = "received", validate = Received::check)]
pub struct Received {
    /// The `id` of the message received.
    #[xml(attr)]
    pub id: String,
}

impl Received {
    fn check(&self) -> Result<(), Error> {
        if self.id.is_empty() {
            return Err(Error::bad_attribute(
                "id",
                "",
                "a receipt echoes the id of the message received (XEP-0184 §5)",
            ));
        }
        Ok(())
    }
}

/// Why a receipt cannot be requested, or an ack does not confirm a
/// message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReceiptError {
    /// The message has no `id`: §5 requires one on every message that
    /// requests a receipt, and an ack for it could not name it.
    NoId,
    /// A message of type `error` carries no receipt request.
    ErrorMessage,
    /// The message holds no `<received/>`.
    NotAnAck,
    /// The ack names another message.
    OtherId(String),
    /// The ack comes from another entity than the one the message went to.
    WrongSender,
    /// The `<received/>` does not parse.
    Malformed(Error),
}

impl fmt::Display for ReceiptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReceiptError::NoId => {
                f.write_str("a message requesting a receipt needs an id (XEP-0184 §5)")
            }
            ReceiptError::ErrorMessage => {
                f.write_str("an error message carries no receipt request")
            }
            ReceiptError::NotAnAck => f.write_str("not a receipt"),
            ReceiptError::OtherId(id) => write!(f, "a receipt for another message ('{id}')"),
            ReceiptError::WrongSender => {
                f.write_str("a receipt from another entity than the recipient")
            }
            ReceiptError::Malformed(e) => write!(f, "malformed receipt: {e}"),
        }
    }
}

impl std::error::Error for ReceiptError {}

/// Asks for a receipt on `message` (once): refused without an `id` or on
/// an error message.
pub fn request(message: &mut Message) -> Result<(), ReceiptError> {
    if message.id.as_deref().is_none_or(str::is_empty) {
        return Err(ReceiptError::NoId);
    }
    if message.type_ == Some(MessageType::Error) {
        return Err(ReceiptError::ErrorMessage);
    }
    if message.payload::<Request>().is_none() {
        message.payloads.push(Payload::new(Request));
    }
    Ok(())
}

/// Whether `message` asks for a receipt.
pub fn requests_receipt(message: &Message) -> bool {
    message.payload::<Request>().is_some()
}

/// The ack a recipient that returns receipts sends for `message`: `None`
/// unless the message asks for one, has an `id`, is not of type `error`
/// and is not itself an ack. The ack goes to the message's sender, with
/// its type and thread, and `<received/>` as its only payload (§5);
/// `from` is left for the server to stamp.
///
/// §7: a recipient SHOULD NOT return receipts to senders not allowed to
/// see its presence; that decision is the caller's.
pub fn receipt_for(message: &Message) -> Option<Message> {
    let id = message.id.as_deref().filter(|id| !id.is_empty())?;
    if !requests_receipt(message)
        || message.type_ == Some(MessageType::Error)
        || message.payload::<Received>().is_some()
    {
        return None;
    }
    Some(Message {
        to: message.from.clone(),
        type_: message.type_.clone(),
        thread: message.thread.clone(),
        payloads: vec![Payload::new(Received { id: id.to_string() })],
        ..Message::default()
    })
}

/// Whether `ack` confirms the delivery of `sent`, a message this client
/// sent: it holds a `<received/>` echoing `sent`'s id, and comes from
/// the entity `sent` went to (any resource of it when `sent` went to a
/// bare JID, exactly that full JID otherwise).
pub fn confirms(ack: &Message, sent: &Message) -> Result<(), ReceiptError> {
    let received = match ack.payload::<Received>() {
        None => return Err(ReceiptError::NotAnAck),
        Some(r) => r.map_err(ReceiptError::Malformed)?,
    };
    if sent.id.as_deref() != Some(received.id.as_str()) {
        return Err(ReceiptError::OtherId(received.id));
    }
    let from_recipient = match (&sent.to, &ack.from) {
        (Some(to), Some(from)) if to.is_bare() => to.to_bare() == from.to_bare(),
        (Some(to), Some(from)) => to == from,
        _ => false,
    };
    if !from_recipient {
        return Err(ReceiptError::WrongSender);
    }
    Ok(())
}

xep_element::elements! {
    "XEP-0184" => [Request, Received],
}

#[cfg(test)]
mod tests;
