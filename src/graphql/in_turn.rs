//! Objects whose selected fields are at hand, resolved one field after the other.
//!
//! async-graphql resolves the selected fields of an object side by side: each field's future
//! boxed and run as a task of a `FuturesUnordered`, so that fields waiting on loaders wait
//! together. A row of a page whose fields are all in memory (the action's columns, its lead
//! ministry and meeting read by the same statement) waits on nothing, and those tasks are
//! pure cost: an allocation, reference counting and wake-up bookkeeping per field, some 700
//! times for a page of 100 actions. [`InTurn`] resolves such an object's fields in turn
//! instead (async-graphql's own serial resolution, as for mutations); an object of which more
//! than one selected field may wait is resolved side by side, as before.
//!
//! Which fields are at hand only decides how fast an object resolves, never what it
//! resolves to: a field counted at hand that does wait is awaited all the same, before the
//! next field starts.
//!
//! async-graphql's serial resolution still boxes each field's future and grows the object's
//! result map as it goes (and hashes each key twice, to merge a key selected twice). An
//! object whose selection is plain fields — no fragment, no directive, no response key twice,
//! which is what a page's rows are — is resolved by `in_place` instead: the same calls in the
//! same order, each field's future awaited where it is made, the map sized once. Anything
//! else goes through async-graphql. Tindak's schema registers no extension (their per-field
//! hooks would be skipped here; `graphql::build` says so).

use std::borrow::Cow;

use async_graphql::{
    ContainerType, ContextSelectionSet, Name, OutputType, Positioned, ServerResult, Value,
    indexmap::IndexMap,
    parser::types::{Field, Selection, SelectionSet},
    registry::Registry,
    resolver_utils::{resolve_container, resolve_container_serial},
};

/// An object of the schema, resolved field after field when at most one of the fields the
/// query selects of it may wait (see the module's documentation). To the schema it is `T`.
pub struct InTurn<T>(pub T);

/// What an object has at hand.
pub trait AtHand {
    /// Whether `field`, selected of `self`, resolves without waiting: read from the object
    /// itself, with whatever the query selects under it at hand too.
    fn at_hand(&self, field: &Field) -> bool;
}

/// How many selections of `set` may wait, by `at_hand`: a field that is not at hand, and
/// every fragment (what it selects is not looked into).
pub fn waiting(set: &SelectionSet, at_hand: impl Fn(&Field) -> bool) -> usize {
    set.items
        .iter()
        .filter(|selection| match &selection.node {
            Selection::Field(field) => !at_hand(&field.node),
            Selection::FragmentSpread(_) | Selection::InlineFragment(_) => true,
        })
        .count()
}

/// Whether every field `field` selects under it is at hand, by `at_hand` (a scalar selects
/// none).
pub fn all_at_hand(field: &Field, at_hand: impl Fn(&Field) -> bool) -> bool {
    waiting(&field.selection_set.node, at_hand) == 0
}

impl<T: ContainerType + AtHand> OutputType for InTurn<T> {
    fn type_name() -> Cow<'static, str> {
        T::type_name()
    }

    fn qualified_type_name() -> String {
        T::qualified_type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        T::create_type_info(registry)
    }

    fn introspection_type_name(&self) -> Cow<'static, str> {
        self.0.introspection_type_name()
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        _field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        // One field that waits loses nothing by being awaited alone: the others are ready.
        if waiting(&ctx.item.node, |field| self.0.at_hand(field)) <= 1 {
            match plain(&ctx.item.node) {
                // Boxed: the rows of a list are resolved side by side, each row's future held
                // in a vector that is moved as it is built; a row's fields awaited in place make
                // that future as large as its largest field's.
                Some(fields) => Ok(Box::pin(in_place(ctx, &self.0, fields)).await),
                None => resolve_container_serial(ctx, &self.0).await,
            }
        } else {
            resolve_container(ctx, &self.0).await
        }
    }
}

/// Selections longer than this go through async-graphql (the check for a key selected twice
/// compares each pair).
const PLAIN_FIELDS: usize = 32;

/// The fields of `set` when it selects plain fields only: no fragment, no directive (the
/// executor has already removed what `@skip` and `@include` leave out, but not the directives
/// themselves), no response key twice (async-graphql merges those), at most [`PLAIN_FIELDS`].
fn plain(set: &SelectionSet) -> Option<impl Iterator<Item = &Positioned<Field>> + Clone> {
    if set.items.len() > PLAIN_FIELDS {
        return None;
    }
    let fields = set.items.iter().map(|selection| match &selection.node {
        Selection::Field(field) if field.node.directives.is_empty() => Some(field),
        _ => None,
    });
    for (i, field) in fields.clone().enumerate() {
        let key = &field?.node.response_key().node;
        if fields
            .clone()
            .take(i)
            .flatten()
            .any(|earlier| earlier.node.response_key().node == *key)
        {
            return None;
        }
    }
    Some(fields.flatten())
}

/// Resolves `fields` of `root` one after the other, as async-graphql's serial resolution does
/// (`resolve_container_serial`): each value under its response key in selection order, a
/// field's error added to the response's errors and the field left out, `Null` for an object
/// with no field resolved.
async fn in_place<'a, T: ContainerType>(
    ctx: &ContextSelectionSet<'a>,
    root: &'a T,
    fields: impl Iterator<Item = &'a Positioned<Field>>,
) -> Value {
    let mut results: IndexMap<Name, Value> = IndexMap::with_capacity(ctx.item.node.items.len());
    for field in fields {
        let key = field.node.response_key().node.clone();
        if field.node.name.node == "__typename" {
            results.insert(
                key,
                Value::String(root.introspection_type_name().into_owned()),
            );
            continue;
        }
        match root.resolve_field(&ctx.with_field(field)).await {
            Ok(value) => {
                results.insert(key, value.unwrap_or_default());
            }
            Err(e) => ctx.add_error(e),
        }
    }
    if results.is_empty() {
        Value::Null
    } else {
        Value::Object(results)
    }
}
