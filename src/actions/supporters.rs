//! The supporting ministries of an action.

use entity::action_supporter;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use crate::{
    error::{AppError, AppResult},
    ministries::service::{MinistryRef, resolve},
};

/// Resolves supporting ministries: no duplicates, and the lead is not also a supporter.
pub async fn supporters<C: ConnectionTrait>(
    db: &C,
    lead: Uuid,
    refs: &[MinistryRef],
    path: &str,
) -> AppResult<Vec<Uuid>> {
    let mut ids = Vec::with_capacity(refs.len());
    for (i, r) in refs.iter().enumerate() {
        let field = format!("{path}.supportingMinistries[{i}]");
        let m = resolve(db, r, &field).await?;
        if m.id == lead {
            return Err(AppError::bad_input(
                field,
                format!("{} leads this action and cannot also support it", m.code),
            ));
        }
        if !ids.contains(&m.id) {
            ids.push(m.id);
        }
    }
    Ok(ids)
}

pub async fn replace_supporters<C: ConnectionTrait>(
    db: &C,
    action_id: Uuid,
    ministries: &[Uuid],
) -> AppResult<()> {
    action_supporter::Entity::delete_many()
        .filter(action_supporter::Column::ActionId.eq(action_id))
        .exec(db)
        .await?;
    if ministries.is_empty() {
        return Ok(());
    }
    let rows = ministries
        .iter()
        .enumerate()
        .map(|(i, m)| action_supporter::ActiveModel {
            action_id: Set(action_id),
            ministry_id: Set(*m),
            position: Set(i as i32),
        });
    action_supporter::Entity::insert_many(rows).exec(db).await?;
    Ok(())
}
