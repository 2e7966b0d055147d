//! XEP-0055 Jabber Search: `<query xmlns='jabber:iq:search'/>` with the
//! legacy fields, a data form or the `<item/>` results, the `jabber:iq:search`
//! form ([`SearchForm`]), the requests and the results of both kinds,
//! believed only from the service asked ([`results`]).
//!
//! ```
//! use xep_core::Iq;
//! use xep_element::XmlElement;
//! use xep_register::search::{SearchQuery, request_fields, results, search};
//!
//! let ask = request_fields("search1", "characters.shakespeare.lit".parse().unwrap());
//! let mut query = SearchQuery::default();
//! query.last = Some("Capulet".into());
//! let request = search("search2", "characters.shakespeare.lit".parse().unwrap(), query);
//! let reply = Iq::from_xml(
//!     b"<iq xmlns='jabber:client' type='result' id='search2' from='characters.shakespeare.lit'>\
//!       <query xmlns='jabber:iq:search'><item jid='juliet@capulet.com'><first>Juliet</first>\
//!       <last>Capulet</last></item></query></iq>",
//! ).unwrap();
//! let found = results(&request, &reply).unwrap().unwrap();
//! assert_eq!(found[0].jid.to_string(), "juliet@capulet.com");
//! # let _ = ask;
//! ```

use xep_core::{DefinedCondition, ErrorType, Iq, IqType, StanzaError};
use xep_element::jid::Jid;
use xep_element::{Error, Payload, XmlElement};
use xep_forms::{DataForm, form_view};

use crate::NotBelieved;

/// `jabber:iq:search`: the namespace and the form's `FORM_TYPE`.
pub const NS: &str = "jabber:iq:search";

/// `<query xmlns='jabber:iq:search'/>`: the search fields (empty ones in
/// the service's answer name the fields it supports), a data form, or the
/// results.
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = NS, name = "query", validate = SearchQuery::check)]
pub struct SearchQuery {
    /// Instructions for the user.
    #[xml(text_child)]
    pub instructions: Option<String>,
    /// Given name.
    #[xml(text_child)]
    pub first: Option<String>,
    /// Family name.
    #[xml(text_child)]
    pub last: Option<String>,
    /// Nickname.
    #[xml(text_child)]
    pub nick: Option<String>,
    /// Email address.
    #[xml(text_child)]
    pub email: Option<String>,
    /// The data form (§3), which takes precedence.
    #[xml(child)]
    pub form: Option<DataForm>,
    /// The results (legacy).
    #[xml(child)]
    pub items: Vec<SearchItem>,
    /// Children of other namespaces, kept: XEP-0059 pages search results
    /// with a `<set xmlns='http://jabber.org/protocol/rsm'/>` here (its
    /// §2.1 examples), which the XEP-0055 schema predates.
    #[xml(children(foreign))]
    pub extensions: Vec<Payload>,
}

impl SearchQuery {
    fn check(&self) -> Result<(), Error> {
        let fields = self.instructions.is_some()
            || self.first.is_some()
            || self.last.is_some()
            || self.nick.is_some()
            || self.email.is_some()
            || self.form.is_some();
        if fields && !self.items.is_empty() {
            return Err(Error::invalid(
                "search fields and <item/> results together (XEP-0055 schema: one or the other)",
            ));
        }
        Ok(())
    }
}

/// `<item jid='...'/>`: one result.
#[derive(XmlElement, Debug, Clone, PartialEq)]
#[xml(ns = NS, name = "item")]
pub struct SearchItem {
    /// The JID found.
    #[xml(attr)]
    pub jid: Jid,
    /// Given name.
    #[xml(text_child)]
    pub first: Option<String>,
    /// Family name.
    #[xml(text_child)]
    pub last: Option<String>,
    /// Nickname.
    #[xml(text_child)]
    pub nick: Option<String>,
    /// Email address.
    #[xml(text_child)]
    pub email: Option<String>,
}

form_view! {
    /// The search form's registered fields (`jabber:iq:search`, §7.2).
    pub struct SearchForm = "jabber:iq:search" {
        /// `first`.
        first: Option<String> = "first",
        /// `last`.
        last: Option<String> = "last",
        /// `nick`.
        nick: Option<String> = "nick",
        /// `email`.
        email: Option<String> = "email",
    }
}

/// The request for the search fields (§2).
pub fn request_fields(id: impl Into<String>, to: Jid) -> Iq {
    Iq::get(id, Some(to), Payload::new(SearchQuery::default()))
}

/// A search with the legacy fields of `query`.
pub fn search(id: impl Into<String>, to: Jid, query: SearchQuery) -> Iq {
    Iq::set(id, Some(to), Payload::new(query))
}

/// A search with a submitted form (§3).
pub fn search_form(id: impl Into<String>, to: Jid, form: DataForm) -> Iq {
    let query = SearchQuery {
        form: Some(form),
        ..SearchQuery::default()
    };
    Iq::set(id, Some(to), Payload::new(query))
}

/// The answer to `request` from the service asked: its query (`Err` when
/// the answer is an error, another id, another sender, or malformed).
pub fn answer(request: &Iq, reply: &Iq) -> Result<Result<SearchQuery, StanzaError>, NotBelieved> {
    crate::from_host(request, reply, None)?;
    if reply.type_ == IqType::Error {
        return Ok(Err(reply.error.clone().unwrap_or_else(|| {
            StanzaError::new(ErrorType::Cancel, DefinedCondition::UndefinedCondition)
        })));
    }
    Ok(Ok(match reply.payload::<SearchQuery>() {
        Some(Ok(q)) => q,
        // An empty result is no match (§2).
        None => SearchQuery::default(),
        Some(Err(e)) => {
            return Ok(Err(StanzaError::new(
                ErrorType::Modify,
                DefinedCondition::BadRequest,
            )
            .with_text(Some("en"), e.to_string())));
        }
    }))
}

/// The legacy results of a search, believed only from the service asked:
/// the items (none when nothing matched, §2, or when the results are a
/// form: read [`SearchQuery::form`] from [`answer`] then), or the
/// service's error.
pub fn results(
    request: &Iq,
    reply: &Iq,
) -> Result<Result<Vec<SearchItem>, StanzaError>, NotBelieved> {
    Ok(answer(request, reply)?.map(|q| q.items))
}
