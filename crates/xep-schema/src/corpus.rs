//! The schemas of a directory of XEP documents, by target namespace, with
//! the reference schema of each ([`Corpus::preferred`]). Plain Rust: the
//! comparison with the model (`diff`) needs nothing more; validation
//! (`validate`, feature `libxml`) compiles these schemas with libxml2.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use crate::extract::{XepSchema, extract_schemas, xep_status};

/// XEP statuses whose schemas are not the reference for their namespace.
const DEAD: &[&str] = &["Deprecated", "Obsolete", "Rejected", "Retracted"];

/// Whether an RFC (6120, 6121, 7395, ...) defines the namespace, so that
/// its reference schema is the RFC's, not a XEP's.
pub fn rfc_namespace(ns: &str) -> bool {
    ns.starts_with("urn:ietf:params:xml:ns:")
        || matches!(
            ns,
            "jabber:client"
                | "jabber:server"
                | "http://etherx.jabber.org/streams"
                | "jabber:iq:roster"
        )
}

/// The schemas of a set of XEP documents, by namespace.
pub struct Corpus {
    /// Every schema, by target namespace, in XEP order.
    by_ns: BTreeMap<String, Vec<XepSchema>>,
    /// Status of each XEP.
    status: HashMap<u32, String>,
    /// The schemas written to files and compiled by libxml2.
    #[cfg(feature = "libxml")]
    pub(crate) files: crate::validate::Files,
}

impl Corpus {
    /// Reads the schemas of every `xep-*.xml` document of `dir`.
    pub fn from_dir(dir: &Path) -> std::io::Result<Self> {
        let mut docs = Vec::new();
        for e in std::fs::read_dir(dir)? {
            let path = e?.path();
            let Some(xep) = xep_number_from_path(&path) else {
                continue;
            };
            if path.extension().is_some_and(|x| x == "xml") {
                docs.push((xep, std::fs::read_to_string(&path)?));
            }
        }
        Ok(Self::from_documents(
            docs.iter().map(|(x, t)| (*x, t.as_str())),
        ))
    }

    /// The schemas of the given documents (XEP number, text).
    pub fn from_documents<'a>(docs: impl IntoIterator<Item = (u32, &'a str)>) -> Self {
        let mut by_ns: BTreeMap<String, Vec<XepSchema>> = BTreeMap::new();
        let mut status = HashMap::new();
        let mut docs: Vec<(u32, &str)> = docs.into_iter().collect();
        docs.sort_by_key(|(x, _)| *x);
        for (xep, text) in docs {
            if let Some(s) = xep_status(text) {
                status.insert(xep, s);
            }
            for s in extract_schemas(text, Some(xep)) {
                if !s.target_ns.is_empty() {
                    by_ns.entry(s.target_ns.clone()).or_default().push(s);
                }
            }
        }
        Corpus {
            #[cfg(feature = "libxml")]
            files: crate::validate::Files::new(&by_ns),
            by_ns,
            status,
        }
    }

    /// Every namespace some document of the corpus has a schema for.
    pub fn namespaces(&self) -> impl Iterator<Item = &str> {
        self.by_ns.keys().map(String::as_str)
    }

    /// The reference schema of `ns`: the first one (in XEP order) of a XEP
    /// that is not deprecated, obsolete, rejected or retracted; failing
    /// that, the first one, unless an RFC defines the namespace
    /// ([`rfc_namespace`]): an obsolete proposal (XEP-0192's SASL and bind
    /// schemas, say) is not the reference for a namespace RFC 6120 defines.
    /// [`Corpus::dead_only`] names those.
    pub fn preferred(&self, ns: &str) -> Option<&XepSchema> {
        let list = self.by_ns.get(ns)?;
        list.iter()
            .find(|s| self.is_live(s))
            .or_else(|| list.first().filter(|_| !rfc_namespace(ns)))
    }

    /// The schema of `ns` that is not the reference because only a dead
    /// XEP has it and an RFC defines the namespace (see
    /// [`Corpus::preferred`]).
    pub fn dead_only(&self, ns: &str) -> Option<&XepSchema> {
        match self.preferred(ns) {
            Some(_) => None,
            None => self.by_ns.get(ns)?.first(),
        }
    }

    /// The status of a XEP (`Final`, `Obsolete`, ...), as its header says.
    pub fn status_of(&self, xep: u32) -> Option<&str> {
        self.status.get(&xep).map(String::as_str)
    }

    fn is_live(&self, s: &XepSchema) -> bool {
        s.xep
            .and_then(|x| self.status.get(&x))
            .is_none_or(|st| !DEAD.contains(&st.as_str()))
    }

    /// The schema of `ns` to validate an example of `xep` against: the
    /// XEP's own schema of that namespace, else the preferred one.
    pub fn schema_for(&self, xep: Option<u32>, ns: &str) -> Option<&XepSchema> {
        let own = self
            .by_ns
            .get(ns)
            .and_then(|l| l.iter().find(|s| s.xep.is_some() && s.xep == xep));
        own.or_else(|| self.preferred(ns))
    }
}

/// Takes the XEP number from a file name such as `xep-0045.xml`.
fn xep_number_from_path(path: &Path) -> Option<u32> {
    let stem = path.file_stem()?.to_str()?;
    stem.strip_prefix("xep-")?.parse().ok()
}
