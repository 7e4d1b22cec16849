//! Parsed operations kept by their text: clients send the same few queries over and over,
//! and parsing is a large part of the work of a small request.

use std::{collections::HashMap, sync::Mutex};

use async_graphql::parser::types::ExecutableDocument;

/// Documents kept at most; the cache starts over when full.
const CAPACITY: usize = 512;

/// Longer texts are parsed every time (they are rare, and would crowd the cache).
const MAX_TEXT: usize = 16 * 1024;

#[derive(Default)]
pub struct Documents {
    parsed: Mutex<HashMap<String, ExecutableDocument>>,
}

impl Documents {
    /// The parsed document of `query`, or `None` when it does not parse (the executor then
    /// reports the error as usual).
    pub fn parse(&self, query: &str) -> Option<ExecutableDocument> {
        if let Ok(parsed) = self.parsed.lock()
            && let Some(doc) = parsed.get(query)
        {
            return Some(doc.clone());
        }
        let doc = async_graphql::parser::parse_query(query).ok()?;
        if query.len() <= MAX_TEXT
            && let Ok(mut parsed) = self.parsed.lock()
        {
            if parsed.len() >= CAPACITY {
                parsed.clear();
            }
            parsed.insert(query.to_owned(), doc.clone());
        }
        Some(doc)
    }
}
