//! Parsed operations kept by their text: clients send the same few queries over and over,
//! and parsing and validating are a large part of the work of a small request.
//!
//! A document is validated in full (every rule of the GraphQL spec) the first time it comes
//! with a given operation name and variables. Once that passed, the same text, name and
//! variables are known to pass again: validation depends on nothing else, since the schema
//! does not change while the process runs. Such a request then runs under the schema's
//! fast validation, which still computes and enforces the depth and complexity limits.

use std::{collections::HashMap, sync::Mutex};

use async_graphql::parser::types::ExecutableDocument;

/// Documents kept at most; the cache starts over when full.
const CAPACITY: usize = 512;
/// Longer texts are parsed every time (they are rare, and would crowd the cache).
const MAX_TEXT: usize = 16 * 1024;
/// Validated (operation name, variables) pairs kept per document; more are validated anew.
const MAX_VALIDATED: usize = 32;
/// Longer variables are validated every time.
const MAX_VARIABLES: usize = 4 * 1024;

#[derive(Default)]
pub struct Documents {
    parsed: Mutex<HashMap<String, Entry>>,
}

struct Entry {
    doc: ExecutableDocument,
    /// (operation name, variables as JSON) that passed full validation with this text.
    validated: Vec<(Option<String>, String)>,
}

/// A parsed document, and whether this request is known to pass validation.
pub struct Parsed {
    pub doc: ExecutableDocument,
    pub validated: bool,
}

/// What a request is validated with besides its text.
pub struct Inputs<'a> {
    pub operation_name: Option<&'a str>,
    /// The variables as JSON (`None` when too long to remember).
    pub variables: Option<String>,
}

impl<'a> Inputs<'a> {
    pub fn of(operation_name: Option<&'a str>, variables: &async_graphql::Variables) -> Self {
        let variables = serde_json::to_string(variables)
            .ok()
            .filter(|v| v.len() <= MAX_VARIABLES);
        Self {
            operation_name,
            variables,
        }
    }

    fn matches(&self, (name, variables): &(Option<String>, String)) -> bool {
        name.as_deref() == self.operation_name && Some(variables) == self.variables.as_ref()
    }
}

impl Documents {
    /// The parsed document of `query`, or `None` when it does not parse (the executor then
    /// reports the error as usual).
    pub fn parse(&self, query: &str, inputs: &Inputs<'_>) -> Option<Parsed> {
        if let Ok(parsed) = self.parsed.lock()
            && let Some(entry) = parsed.get(query)
        {
            return Some(Parsed {
                doc: entry.doc.clone(),
                validated: entry.validated.iter().any(|v| inputs.matches(v)),
            });
        }
        let doc = async_graphql::parser::parse_query(query).ok()?;
        if query.len() <= MAX_TEXT
            && let Ok(mut parsed) = self.parsed.lock()
        {
            if parsed.len() >= CAPACITY {
                parsed.clear();
            }
            parsed.insert(
                query.to_owned(),
                Entry {
                    doc: doc.clone(),
                    validated: Vec::new(),
                },
            );
        }
        Some(Parsed {
            doc,
            validated: false,
        })
    }

    /// Records that `query` with `inputs` passed full validation.
    pub fn passed(&self, query: &str, inputs: Inputs<'_>) {
        let Some(variables) = inputs.variables else {
            return;
        };
        if let Ok(mut parsed) = self.parsed.lock()
            && let Some(entry) = parsed.get_mut(query)
            && entry.validated.len() < MAX_VALIDATED
        {
            entry
                .validated
                .push((inputs.operation_name.map(str::to_owned), variables));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_counts_as_validated_only_with_the_same_name_and_variables() {
        let docs = Documents::default();
        let q = "query A($n: Int) { __typename } query B { __typename }";
        let vars = |n: i64| async_graphql::Variables::from_json(serde_json::json!({ "n": n }));
        let (one, two) = (vars(1), vars(2));
        assert!(
            !docs
                .parse(q, &Inputs::of(Some("A"), &one))
                .expect("parses")
                .validated
        );
        docs.passed(q, Inputs::of(Some("A"), &one));
        assert!(
            docs.parse(q, &Inputs::of(Some("A"), &one))
                .expect("parses")
                .validated
        );
        assert!(
            !docs
                .parse(q, &Inputs::of(Some("A"), &two))
                .expect("parses")
                .validated
        );
        assert!(
            !docs
                .parse(q, &Inputs::of(Some("B"), &one))
                .expect("parses")
                .validated
        );
        assert!(
            !docs
                .parse(q, &Inputs::of(None, &one))
                .expect("parses")
                .validated
        );
        assert!(docs.parse("{", &Inputs::of(None, &one)).is_none());
    }
}
