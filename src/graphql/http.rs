//! GraphQL over HTTP: reading a request (POST with JSON, or GET with query parameters),
//! refusing what must not run, and answering in the media type the client accepts.
//!
//! - `application/json` when asked for, and when `Accept` is missing or `*/*`: every
//!   GraphQL answer is 200, errors travel in the body.
//! - `application/graphql-response+json` when asked for: a request that could not be
//!   executed (parse, validation or variable errors, a query too deep) is 400 without `data`.
//! - A POST needs `Content-Type: application/json` (415 otherwise; 400 for `text/plain`,
//!   which is what a client that set none sends); a GET may only query (405 for a mutation).

use async_graphql::{
    ServerError, Variables,
    parser::types::{ExecutableDocument, OperationType, Selection},
};
use axum::{
    http::{
        HeaderMap, HeaderValue, StatusCode,
        header::{ACCEPT, ALLOW, CONTENT_TYPE},
    },
    response::{IntoResponse, Response},
};
use serde_json::Value;

/// Deepest nesting of `[`, `{` and `(` a query text may have. Deeper texts are refused before
/// any parser (which is recursive) sees them.
pub const MAX_NESTING: usize = 64;

/// The media type of the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Accept {
    Json,
    GraphqlResponse,
}

impl Accept {
    /// The first of the two types the `Accept` header names (wildcards mean JSON); JSON when
    /// it names neither or is missing.
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let Some(accept) = headers.get(ACCEPT).and_then(|v| v.to_str().ok()) else {
            return Self::Json;
        };
        for part in accept.split(',') {
            let media = part.split(';').next().unwrap_or("").trim();
            match media.to_ascii_lowercase().as_str() {
                "application/graphql-response+json" => return Self::GraphqlResponse,
                "application/json" | "*/*" | "application/*" => return Self::Json,
                _ => {}
            }
        }
        Self::Json
    }

    fn content_type(self) -> HeaderValue {
        HeaderValue::from_static(match self {
            Self::Json => "application/json; charset=utf-8",
            Self::GraphqlResponse => "application/graphql-response+json; charset=utf-8",
        })
    }
}

/// What a client asked to run.
#[derive(Debug, Default)]
pub struct Params {
    pub query: String,
    pub operation_name: Option<String>,
    pub variables: Variables,
}

/// A request refused before GraphQL saw it.
#[derive(Debug)]
pub struct Refused {
    pub status: StatusCode,
    pub message: String,
}

impl Refused {
    fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }

    fn bad(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    /// The refusal as a GraphQL-shaped answer.
    pub fn into_response(self, accept: Accept, request_id: &str) -> Response {
        let body = serde_json::json!({
            "errors": [{
                "message": self.message,
                "extensions": { "code": "BAD_USER_INPUT", "requestId": request_id },
            }]
        });
        let mut response = reply(accept, self.status, &body, request_id);
        if self.status == StatusCode::METHOD_NOT_ALLOWED {
            response
                .headers_mut()
                .insert(ALLOW, HeaderValue::from_static("POST"));
        }
        response
    }
}

/// A POST body: a JSON object with `query` and optional `operationName`, `variables` and
/// `extensions`.
pub fn from_post(headers: &HeaderMap, body: &[u8]) -> Result<Params, Refused> {
    let media = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        });
    match media.as_deref() {
        Some("application/json") => {}
        Some("text/plain") => {
            return Err(Refused::bad(
                "send the request as JSON, with Content-Type: application/json",
            ));
        }
        _ => {
            return Err(Refused::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "send the request as JSON, with Content-Type: application/json",
            ));
        }
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(Refused::bad("the request body is empty"));
    }
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| Refused::bad(format!("the request body is not JSON: {e}")))?;
    let Value::Object(mut fields) = value else {
        return Err(Refused::bad(
            "send one operation per request, as a JSON object: a batch (array) is refused",
        ));
    };
    let query = match fields.remove("query") {
        Some(Value::String(q)) => q,
        Some(_) => return Err(Refused::bad("`query` must be a string")),
        None => return Err(Refused::bad("`query` is missing")),
    };
    let operation_name = match fields.remove("operationName") {
        None | Some(Value::Null) => None,
        Some(Value::String(name)) => Some(name),
        Some(_) => return Err(Refused::bad("`operationName` must be a string")),
    };
    let variables = match fields.remove("variables") {
        None | Some(Value::Null) => Variables::default(),
        Some(v @ Value::Object(_)) => Variables::from_json(v),
        Some(_) => return Err(Refused::bad("`variables` must be an object")),
    };
    match fields.remove("extensions") {
        None | Some(Value::Null) | Some(Value::Object(_)) => {}
        Some(_) => return Err(Refused::bad("`extensions` must be an object")),
    }
    Ok(Params {
        query,
        operation_name,
        variables,
    })
}

/// A GET's query string: `query`, and optional `operationName` and `variables` (JSON).
/// `None` when it has no `query` (the GraphiQL page, if it is served).
pub fn from_get(raw: Option<&str>) -> Result<Option<Params>, Refused> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.unwrap_or(""))
        .map_err(|_| Refused::bad("the query string is malformed"))?;
    let get = |key: &str| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
    let Some(query) = get("query") else {
        return Ok(None);
    };
    let variables = match get("variables").filter(|v| !v.trim().is_empty()) {
        None => Variables::default(),
        Some(text) => match serde_json::from_str::<Value>(&text) {
            Ok(v @ Value::Object(_)) => Variables::from_json(v),
            Ok(Value::Null) => Variables::default(),
            _ => return Err(Refused::bad("`variables` must be a JSON object")),
        },
    };
    Ok(Some(Params {
        query,
        operation_name: get("operationName").filter(|n| !n.is_empty()),
        variables,
    }))
}

/// Refuses a query text whose `[`, `{` or `(` nest deeper than `max` (outside strings and
/// comments). One pass, no recursion: it runs before any parser does.
pub fn nesting_error(query: &str, max: usize) -> Option<String> {
    let bytes = query.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
                    i += 1;
                }
            }
            b'"' if bytes[i..].starts_with(b"\"\"\"") => {
                i += 3;
                while i < bytes.len() && !bytes[i..].starts_with(b"\"\"\"") {
                    i += if bytes[i..].starts_with(b"\\\"\"\"") {
                        4
                    } else {
                        1
                    };
                }
                i += 2;
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && !matches!(bytes[i], b'"' | b'\n' | b'\r') {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'[' | b'{' | b'(' => {
                depth += 1;
                if depth > max {
                    return Some(format!(
                        "the query nests lists, objects or arguments deeper than {max} levels"
                    ));
                }
            }
            b']' | b'}' | b')' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    None
}

/// The operation of `doc` that would run.
pub fn selected_operation<'a>(
    doc: &'a ExecutableDocument,
    name: Option<&str>,
) -> Option<&'a async_graphql::parser::types::OperationDefinition> {
    match name {
        Some(name) => doc
            .operations
            .iter()
            .find(|(n, _)| n.map(|n| n.as_str()) == Some(name))
            .map(|(_, op)| &op.node),
        None => {
            let mut ops = doc.operations.iter();
            match (ops.next(), ops.next()) {
                (Some((_, op)), None) => Some(&op.node),
                _ => None,
            }
        }
    }
}

/// Whether the selected operation of `doc` is a mutation.
pub fn is_mutation(doc: &ExecutableDocument, name: Option<&str>) -> bool {
    selected_operation(doc, name).is_some_and(|op| op.ty == OperationType::Mutation)
}

/// The first root field of the selected operation (for metrics: schema names only, never
/// what a client made up, since an invalid request is labelled as such).
pub fn root_field(doc: &ExecutableDocument, name: Option<&str>) -> Option<String> {
    selected_operation(doc, name)?
        .selection_set
        .node
        .items
        .iter()
        .find_map(|s| match &s.node {
            Selection::Field(f) => Some(f.node.name.node.to_string()),
            _ => None,
        })
}

/// Whether a response is a request error: nothing was executed (parse, validation, variable
/// coercion or limits), as opposed to errors in fields that ran.
pub fn is_request_error(response: &async_graphql::Response) -> bool {
    response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response
            .errors
            .iter()
            .all(|e: &ServerError| e.path.is_empty())
}

/// A GraphQL answer: 200, or 400 without `data` for a request error under
/// `application/graphql-response+json`.
pub fn answer(accept: Accept, response: &async_graphql::Response, request_id: &str) -> Response {
    let (status, body) = if accept == Accept::GraphqlResponse && is_request_error(response) {
        let mut body = serde_json::to_value(response).unwrap_or(Value::Null);
        if let Value::Object(fields) = &mut body {
            fields.remove("data");
        }
        (StatusCode::BAD_REQUEST, body.to_string())
    } else {
        // Written straight from the response, so that fields come in the order the query
        // asked for them (and nothing is built twice).
        let body = serde_json::to_string(response).unwrap_or_else(|err| {
            tracing::error!(error = %err, request_id, "a response could not be written");
            r#"{"data":null,"errors":[{"message":"Internal error","extensions":{"code":"INTERNAL"}}]}"#
                .to_owned()
        });
        (StatusCode::OK, body)
    };
    let mut reply = reply_text(accept, status, body, request_id);
    for (name, value) in response.http_headers.iter() {
        reply.headers_mut().insert(name.clone(), value.clone());
    }
    reply
}

/// `body` as JSON of the accepted media type, with the request id.
pub fn reply(accept: Accept, status: StatusCode, body: &Value, request_id: &str) -> Response {
    reply_text(accept, status, body.to_string(), request_id)
}

/// JSON text as the accepted media type, with the request id.
fn reply_text(accept: Accept, status: StatusCode, body: String, request_id: &str) -> Response {
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, accept.content_type());
    if let Ok(value) = HeaderValue::from_str(request_id) {
        headers.insert("x-request-id", value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_is_counted_outside_strings_and_comments() {
        let deep = format!(
            "{{ actions(filter: {{ status: {}OPEN{} }}) {{ id }} }}",
            "[".repeat(5000),
            "]".repeat(5000)
        );
        assert!(nesting_error(&deep, MAX_NESTING).is_some());
        let fine = format!(
            "# {}\n{{ a(x: \"{}\", y: \"\"\"{}\\\"\"\"\"\"\") {{ b }} }}",
            "[".repeat(100),
            "{".repeat(100),
            "(".repeat(100)
        );
        assert_eq!(nesting_error(&fine, MAX_NESTING), None);
        let at_limit = format!("{}{}", "{".repeat(64), "}".repeat(64));
        assert_eq!(nesting_error(&at_limit, MAX_NESTING), None);
        assert!(nesting_error(&format!("{{{at_limit}}}"), MAX_NESTING).is_some());
    }

    #[test]
    fn accept_picks_the_first_known_type() {
        let with = |v: &str| {
            let mut h = HeaderMap::new();
            h.insert(ACCEPT, HeaderValue::from_str(v).expect("header"));
            Accept::from_headers(&h)
        };
        assert_eq!(Accept::from_headers(&HeaderMap::new()), Accept::Json);
        assert_eq!(with("*/*"), Accept::Json);
        assert_eq!(with("application/json"), Accept::Json);
        assert_eq!(
            with("application/graphql-response+json"),
            Accept::GraphqlResponse
        );
        assert_eq!(
            with("application/graphql-response+json, application/json;q=0.9"),
            Accept::GraphqlResponse
        );
        assert_eq!(with("text/html"), Accept::Json);
    }
}
