//! The report as one unit: who may read it, its filters resolved, its figures assembled.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use entity::{meeting, ministry};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::{
    Counts, MinistryLine, Report, ReportFilter, Scope, TrendPoint,
    query::{self, Group},
    state::{self, Moment},
};
use crate::{
    actor::Who,
    auth::policy::{Operation, authorize},
    error::{AppError, AppResult},
    ministries::service::resolve,
};

/// The most weeks a trend reaches back.
pub const MAX_WEEKS: i32 = 104;

/// What the filter's fields are called where the client gave them (in errors).
pub struct FieldNames {
    pub ministries: &'static str,
    pub convened_by: &'static str,
    pub to: &'static str,
}

/// The names of `ReportFilter`'s fields, under `filter`.
pub const FILTER_FIELDS: FieldNames = FieldNames {
    ministries: "filter.ministries",
    convened_by: "filter.convenedBy",
    to: "filter.to",
};

/// Checks that `who` may read reports and resolves `filter` into the rows it names, limited
/// to the actor's ministry for a liaison. `operation` names the request in a refusal.
pub async fn scope<C: ConnectionTrait>(
    db: &C,
    who: &Who,
    filter: ReportFilter,
    operation: &str,
    names: &FieldNames,
) -> AppResult<Scope> {
    authorize(db, who, Operation::ReadReports, operation).await?;
    if let (Some(from), Some(to)) = (filter.from, filter.to)
        && from > to
    {
        return Err(AppError::bad_input(names.to, "to must not be before from"));
    }
    let mut ministries = Vec::with_capacity(filter.ministries.len());
    for (i, r) in filter.ministries.iter().enumerate() {
        ministries.push(
            resolve(db, r, &format!("{}[{i}]", names.ministries))
                .await?
                .id,
        );
    }
    let convened_by = match &filter.convened_by {
        Some(r) => Some(resolve(db, r, names.convened_by).await?.id),
        None => None,
    };
    let category_key = filter
        .category
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(|c| entity::search::fold([Some(c)]));
    let only_ministry = (who.role() == entity::enums::Role::Liaison)
        .then(|| who.ministry_id().unwrap_or(Uuid::nil()));
    Ok(Scope {
        ministries,
        convened_by,
        meeting_ids: filter.meeting_ids,
        from: filter.from,
        to: filter.to,
        category_key,
        priority: filter.priority,
        only_ministry,
    })
}

/// The report on `as_of` for `scope`: totals, ministries (most overdue as lead first),
/// meetings (newest first) and categories.
pub async fn report<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    tz: Tz,
    as_of: NaiveDate,
    now: DateTime<Utc>,
) -> AppResult<Report> {
    let at = Moment::new(tz, as_of, now);
    let (groups, quiet) = tokio::try_join!(
        query::counts(db, scope, tz, at),
        query::overdue_by_lead(db, scope, tz, at)
    )?;
    let mut totals = Counts::default();
    let mut leads = HashMap::new();
    let mut supports = HashMap::new();
    let mut meetings = HashMap::new();
    let mut categories = BTreeMap::new();
    for (group, (counts, label)) in groups {
        match group {
            Group::Total => totals = counts,
            Group::Lead(id) => {
                leads.insert(id, counts);
            }
            Group::Support(id) => {
                supports.insert(id, counts);
            }
            Group::Meeting(id) => {
                meetings.insert(id, counts);
            }
            Group::Category(key) => {
                // Named categories in order of their folded name, uncategorised last.
                categories.insert((key.is_none(), key), (label, counts));
            }
        }
    }
    let ids: Vec<Uuid> = leads.keys().chain(supports.keys()).copied().collect();
    let names = ministry::Entity::find()
        .filter(ministry::Column::Id.is_in(ids))
        .all(db)
        .await?;
    let mut quiet = quiet;
    let mut ministries: Vec<MinistryLine> = names
        .into_iter()
        .map(|m| {
            let q = quiet.remove(&m.id);
            let silent_days = q.as_ref().map(|q| {
                let since = q.last_entry.unwrap_or(q.first_meeting);
                (as_of - state::date_in(tz, since)).num_days().max(0)
            });
            MinistryLine {
                as_lead: leads.get(&m.id).copied().unwrap_or_default(),
                as_support: supports.get(&m.id).copied().unwrap_or_default(),
                oldest_overdue: q.map(|q| q.oldest),
                silent_days,
                ministry: m,
            }
        })
        .collect();
    ministries.sort_by(|a, b| {
        b.as_lead
            .overdue
            .cmp(&a.as_lead.overdue)
            .then_with(|| a.ministry.name.cmp(&b.ministry.name))
            .then_with(|| a.ministry.id.cmp(&b.ministry.id))
    });
    let meeting_ids: Vec<Uuid> = meetings.keys().copied().collect();
    let mut by_meeting: Vec<(meeting::Model, Counts)> = meeting::Entity::find()
        .filter(meeting::Column::Id.is_in(meeting_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|m| {
            let counts = meetings.get(&m.id).copied().unwrap_or_default();
            (m, counts)
        })
        .collect();
    by_meeting.sort_by(|a, b| b.0.starts_at.cmp(&a.0.starts_at).then(a.0.id.cmp(&b.0.id)));
    Ok(Report {
        as_of,
        totals,
        ministries,
        meetings: by_meeting,
        categories: categories.into_values().collect(),
    })
}

/// The trend: `weeks` points a week apart, the last on `as_of`, oldest first.
pub async fn trend<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    tz: Tz,
    as_of: NaiveDate,
    weeks: i32,
    now: DateTime<Utc>,
) -> AppResult<Vec<TrendPoint>> {
    if !(1..=MAX_WEEKS).contains(&weeks) {
        return Err(AppError::bad_input(
            "weeks",
            format!("weeks must be between 1 and {MAX_WEEKS}"),
        ));
    }
    let days: Vec<Moment> = (0..weeks)
        .rev()
        .filter_map(|k| as_of.checked_sub_days(chrono::Days::new(7 * k as u64)))
        .map(|day| Moment::new(tz, day, now))
        .collect();
    query::trend(db, scope, tz, &days).await
}

/// `reportLink`: a signed link to `target` that works without a token for `days` days, or
/// until its issuer is deactivated. ADMIN, SECRETARIAT and LEADERSHIP; audited.
pub async fn sign_link(
    db: &sea_orm::DatabaseConnection,
    who: &Who,
    signer: &super::links::ReportSigner,
    public_url: &str,
    target: &str,
    days: i32,
) -> AppResult<String> {
    authorize(db, who, Operation::SignReportLink, "reportLink").await?;
    let Some(user) = who.user_model() else {
        return Err(AppError::Forbidden(
            "a report link is signed by a user".into(),
        ));
    };
    let now = crate::db::now();
    let link = signer.link(public_url, target, user.id, days, now)?;
    let expires = now + chrono::Duration::days(i64::from(days));
    let entry = crate::audit::service::Entry::ran(
        "reportLink",
        &serde_json::json!({ "path": target, "expiresAt": expires }),
    );
    crate::audit::service::record(db, who, entry).await?;
    Ok(link)
}
