//! GraphQL types and resolvers for ministries and liaisons.

use async_graphql::{Context, ID, Object, Result};
use entity::{liaison, ministry};

use super::{liaisons, service};
use crate::{
    actions::graphql::{Actions, list_actions},
    error::AppError,
    graphql::{
        db,
        enums::{Language, MinistryKind},
        input::{
            actions::{ActionFilter, ActionOrder},
            ministries::{
                AddLiaisonInput, CreateMinistryInput, MinistryFilter, MinistryRefInput,
                UpdateLiaisonInput, UpdateMinistryInput,
            },
        },
        loaders::{self, LiaisonsOf, MinistryKey},
        pagination::{Conn, Page, paginate},
        scalars::{DateTime, parse_id, to_id},
        who,
    },
};

/// A ministry, agency, task force, local government or one of their units (K/L).
pub struct Ministry(pub std::sync::Arc<ministry::Model>);

impl From<ministry::Model> for Ministry {
    fn from(m: ministry::Model) -> Self {
        Self(std::sync::Arc::new(m))
    }
}

/// A ministry, agency, task force, local government or one of their units (K/L).
#[Object]
impl Ministry {
    /// The ministry's ID.
    pub async fn id(&self) -> ID {
        to_id(self.0.id)
    }
    /// Short unique code, e.g. `KEMLU`.
    async fn code(&self) -> &str {
        &self.0.code
    }
    /// The full name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Common abbreviation, e.g. `Kemlu`.
    async fn short_name(&self) -> Option<&str> {
        self.0.short_name.as_deref()
    }
    /// What kind of body it is.
    async fn kind(&self) -> MinistryKind {
        self.0.kind.into()
    }
    /// The body this unit belongs to.
    async fn parent(&self, ctx: &Context<'_>) -> Result<Option<Ministry>> {
        Ok(match self.0.parent_id {
            Some(id) => loaders::one(ctx, MinistryKey(id)).await?.map(Ministry),
            None => None,
        })
    }
    /// Contacts who receive reminders; removed ones only when asked.
    async fn liaisons(
        &self,
        ctx: &Context<'_>,
        #[graphql(default)] include_inactive: bool,
    ) -> Result<Vec<Liaison>> {
        let all = loaders::list(ctx, LiaisonsOf(self.0.id)).await?;
        Ok(all
            .into_iter()
            .filter(|l| include_inactive || l.active)
            .map(Liaison)
            .collect())
    }
    /// Actions this ministry leads or supports.
    async fn actions(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<ActionFilter>,
        order_by: Option<ActionOrder>,
    ) -> Result<Actions> {
        let mut filter = filter.unwrap_or_default();
        filter.ministry = Some(MinistryRefInput::Id(to_id(self.0.id)));
        Box::pin(list_actions(ctx, first, after, Some(filter), order_by)).await
    }
    /// When it was registered.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }
    /// When it last changed.
    async fn updated_at(&self) -> DateTime {
        self.0.updated_at.into()
    }
}

/// A contact at a ministry who receives reminders. A contact, not an account.
pub struct Liaison(pub liaison::Model);

impl From<liaison::Model> for Liaison {
    fn from(m: liaison::Model) -> Self {
        Self(m)
    }
}

/// A contact at a ministry who receives reminders. A contact, not an account.
#[Object]
impl Liaison {
    /// The liaison's ID.
    pub async fn id(&self) -> ID {
        to_id(self.0.id)
    }
    /// The ministry the liaison speaks for.
    async fn ministry(&self, ctx: &Context<'_>) -> Result<Ministry> {
        let m = loaders::one(ctx, MinistryKey(self.0.ministry_id)).await?;
        Ok(Ministry(m.ok_or_else(|| AppError::not_found("ministry"))?))
    }
    /// The liaison's name (or office), as emails greet them.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Where reminders go.
    async fn email(&self) -> &str {
        &self.0.email
    }
    /// The liaison's position.
    async fn position(&self) -> Option<&str> {
        self.0.position.as_deref()
    }
    /// The language of this liaison's emails.
    async fn language(&self) -> Language {
        self.0.language.into()
    }
    /// Whether reminders are sent to this liaison.
    async fn receives_reminders(&self) -> bool {
        self.0.receives_reminders
    }
    /// False once removed: kept for history, sent nothing.
    async fn active(&self) -> bool {
        self.0.active
    }
}

#[derive(Default)]
pub struct MinistryQuery;

#[Object]
impl MinistryQuery {
    /// Ministries and agencies, by code.
    async fn ministries(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<MinistryFilter>,
    ) -> Result<Conn<Ministry>> {
        let page = Page::from_args(first, after.as_deref())?;
        let filter = filter.unwrap_or_default().into_domain()?;
        let select = service::list_query(db(ctx), filter).await?;
        Ok(paginate(db(ctx), select, page).await?)
    }

    /// One ministry by ID or by code; null when there is none.
    async fn ministry(
        &self,
        ctx: &Context<'_>,
        id: Option<ID>,
        code: Option<String>,
    ) -> Result<Option<Ministry>> {
        let found = match (id, code) {
            (Some(id), None) => service::find(db(ctx), parse_id(&id, "id")?).await?,
            (None, Some(code)) => service::find_by_code(db(ctx), &code).await?,
            _ => return Err(AppError::bad_input("id", "give either id or code").into()),
        };
        Ok(found.map(Ministry::from))
    }
}

#[derive(Default)]
pub struct MinistryMutation;

#[Object]
impl MinistryMutation {
    /// Registers a ministry, agency, task force or unit.
    async fn create_ministry(
        &self,
        ctx: &Context<'_>,
        input: CreateMinistryInput,
    ) -> Result<Ministry> {
        let m = service::create(db(ctx), who(ctx)?, input.into_domain()?).await?;
        Ok(Ministry::from(m))
    }

    /// Changes a ministry; fields left out stay as they are, null clears.
    async fn update_ministry(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateMinistryInput,
    ) -> Result<Ministry> {
        let id = parse_id(&id, "id")?;
        let m = service::update(db(ctx), who(ctx)?, id, input.into_domain()?).await?;
        Ok(Ministry::from(m))
    }

    /// Adds a liaison to a ministry.
    async fn add_liaison(&self, ctx: &Context<'_>, input: AddLiaisonInput) -> Result<Liaison> {
        let l = liaisons::add(db(ctx), who(ctx)?, input.into_domain()?).await?;
        Ok(Liaison(l))
    }

    /// Changes a liaison; fields left out stay as they are.
    async fn update_liaison(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateLiaisonInput,
    ) -> Result<Liaison> {
        let id = parse_id(&id, "id")?;
        let l = liaisons::update(db(ctx), who(ctx)?, id, input.into_domain()?).await?;
        Ok(Liaison(l))
    }

    /// Deactivates a liaison: no more reminders; the record stays for history.
    async fn remove_liaison(&self, ctx: &Context<'_>, id: ID) -> Result<Liaison> {
        let l = liaisons::remove(db(ctx), who(ctx)?, parse_id(&id, "id")?).await?;
        Ok(Liaison(l))
    }
}
