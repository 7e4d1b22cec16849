//! The Relay `Node` interface and `node(id)`.

use async_graphql::{Context, ID, Interface, Object, Result};

use super::{db, scalars::parse_id};
use crate::{
    actions::graphql::{Action, ActionUpdate},
    issues::graphql::Issue,
    meetings::graphql::Meeting,
    ministries::graphql::{Liaison, Ministry},
};

/// Anything that can be fetched again by its ID alone.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "The record's ID."))]
pub enum Node {
    Ministry(Ministry),
    Liaison(Liaison),
    Meeting(Meeting),
    Issue(Issue),
    Action(Action),
    ActionUpdate(ActionUpdate),
}

#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// Fetches any record by its ID; null when there is none.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Node>> {
        let id = parse_id(&id, "id")?;
        let db = db(ctx);
        if let Some(m) = crate::actions::service::find(db, id).await? {
            return Ok(Some(Node::Action(m.into())));
        }
        if let Some(m) = crate::meetings::service::find(db, id).await? {
            return Ok(Some(Node::Meeting(m.into())));
        }
        if let Some(m) = crate::issues::service::find(db, id).await? {
            return Ok(Some(Node::Issue(m.into())));
        }
        if let Some(m) = crate::ministries::service::find(db, id).await? {
            return Ok(Some(Node::Ministry(m.into())));
        }
        if let Some(m) = crate::ministries::liaisons::find(db, id).await? {
            return Ok(Some(Node::Liaison(m.into())));
        }
        if let Some(m) = crate::actions::timeline::find(db, id).await? {
            return Ok(Some(Node::ActionUpdate(m.into())));
        }
        Ok(None)
    }
}
