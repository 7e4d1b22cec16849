//! async-graphql alone: the benchmark's page query against a schema of the same shape whose
//! resolvers hand out rows already in memory. No database, no loader, no token, none of
//! Tindak's resolvers: what it takes per request is what async-graphql itself costs to
//! validate the parsed query and resolve the page's 100 actions and 700 fields, the floor under Tindak's
//! execution of the same query (see [`super::inproc`]).

use std::sync::Arc;

use async_graphql::{
    EmptyMutation, EmptySubscription, Enum, ID, InputObject, Object, Schema, SimpleObject,
    parser::types::ExecutableDocument,
};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};

use super::run::{PAGE_QUERY, PAGE_SQL};

#[derive(SimpleObject)]
struct Ministry {
    name: String,
}

#[derive(SimpleObject)]
struct Meeting {
    title: String,
}

#[derive(SimpleObject, Clone)]
struct Action {
    id: ID,
    title: String,
    /// Written out once when the rows are read: the floor does no per-request formatting.
    due_on: String,
    lead_ministry: Arc<Ministry>,
    meeting: Arc<Meeting>,
}

#[derive(SimpleObject)]
struct ActionConnection {
    nodes: Vec<Action>,
}

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
enum ActionStatus {
    Open,
    InProgress,
    Done,
    Cancelled,
}

#[derive(InputObject)]
struct ActionFilter {
    status: Option<Vec<ActionStatus>>,
}

struct Query {
    rows: Vec<Action>,
}

#[Object]
impl Query {
    /// The page: the rows in memory, copied as a resolver that decoded them would own them.
    async fn actions(&self, first: i32, filter: Option<ActionFilter>) -> ActionConnection {
        let open = filter
            .and_then(|f| f.status)
            .is_none_or(|s| s.contains(&ActionStatus::Open));
        let first = usize::try_from(first).unwrap_or_default();
        ActionConnection {
            nodes: if open {
                self.rows.iter().take(first).cloned().collect()
            } else {
                vec![]
            },
        }
    }
}

/// The schema of the floor, over the page's own rows (read once from `db`).
pub struct Bare(Schema<Query, EmptyMutation, EmptySubscription>);

impl Bare {
    pub async fn load(db: &DatabaseConnection) -> anyhow::Result<Self> {
        let rows = db
            .query_all_raw(Statement::from_string(db.get_database_backend(), PAGE_SQL))
            .await?;
        let rows = rows
            .iter()
            .map(|row| {
                let id: uuid::Uuid = row.try_get("", "id")?;
                let due_on: chrono::NaiveDate = row.try_get("", "due_on")?;
                Ok(Action {
                    id: ID(id.to_string()),
                    title: row.try_get("", "title")?,
                    due_on: due_on.to_string(),
                    lead_ministry: Arc::new(Ministry {
                        name: row.try_get("", "name")?,
                    }),
                    meeting: Arc::new(Meeting {
                        title: row.try_get("", "meeting")?,
                    }),
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        anyhow::ensure!(!rows.is_empty(), "no OPEN action to build the page from");
        Ok(Self(
            Schema::build(Query { rows }, EmptyMutation, EmptySubscription).finish(),
        ))
    }

    /// Runs the page's query, parsed beforehand (as the timed rounds do).
    pub async fn execute(
        &self,
        doc: &ExecutableDocument,
    ) -> anyhow::Result<async_graphql::Response> {
        let mut request = async_graphql::Request::new(PAGE_QUERY);
        request.set_parsed_query(doc.clone());
        let response = self.0.execute(request).await;
        anyhow::ensure!(
            response.errors.is_empty(),
            "the floor's schema refused the page query: {:?}",
            response.errors
        );
        Ok(response)
    }

    /// Runs the page's query and counts the actions it returned (a check before the timed
    /// rounds).
    pub async fn count(&self, doc: &ExecutableDocument) -> anyhow::Result<usize> {
        let value = self.execute(doc).await?.data.into_json()?;
        Ok(value["actions"]["nodes"]
            .as_array()
            .map_or(0, std::vec::Vec::len))
    }
}
