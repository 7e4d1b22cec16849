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

use std::borrow::Cow;

use async_graphql::{
    ContainerType, ContextSelectionSet, OutputType, Positioned, ServerResult, Value,
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
            resolve_container_serial(ctx, &self.0).await
        } else {
            resolve_container(ctx, &self.0).await
        }
    }
}
