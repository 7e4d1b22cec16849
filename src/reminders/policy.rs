//! When reminders are due: a pure function of the due date and the day.

use chrono::NaiveDate;
use entity::enums::ReminderKind;

use crate::config::RemindSettings;

/// The reminder policy, in calendar days.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Days before the due date, largest first.
    before_days: Vec<u32>,
    overdue_every_days: u32,
    escalate_after_days: u32,
}

impl Policy {
    pub fn new(before_days: &[u32], overdue_every_days: u32, escalate_after_days: u32) -> Self {
        let mut before: Vec<u32> = before_days.iter().copied().filter(|d| *d > 0).collect();
        before.sort_unstable_by(|a, b| b.cmp(a));
        before.dedup();
        Self {
            before_days: before,
            overdue_every_days,
            escalate_after_days,
        }
    }

    pub fn from_settings(s: &RemindSettings) -> Self {
        Self::new(
            &s.remind_before_days,
            s.remind_overdue_every_days,
            s.escalate_after_days,
        )
    }

    /// How far ahead of its due date an action can first be reminded of.
    pub fn horizon_days(&self) -> u32 {
        self.before_days.first().copied().unwrap_or(0)
    }

    /// The reminders an open action due on `due` calls for on `day`, as (kind, offset from
    /// the due date). Each is the latest occurrence that has come: a worker that was down on
    /// the day sends it late rather than never, and the same occurrence is never planned twice.
    pub fn due(&self, due: NaiveDate, day: NaiveDate) -> Vec<(ReminderKind, i32)> {
        let days_left = (due - day).num_days();
        let mut out = Vec::new();
        if days_left > 0 {
            if let Some(n) = self
                .before_days
                .iter()
                .rev()
                .find(|n| i64::from(**n) >= days_left)
            {
                out.push((ReminderKind::BeforeDue, -(*n as i32)));
            }
            return out;
        }
        let over = -days_left;
        let every = i64::from(self.overdue_every_days);
        if every > 0 && over >= every {
            out.push((ReminderKind::Overdue, (over / every * every) as i32));
        } else {
            out.push((ReminderKind::DueToday, 0));
        }
        let escalate = i64::from(self.escalate_after_days);
        if escalate > 0 && over >= escalate {
            out.push((ReminderKind::Escalation, escalate as i32));
        }
        out
    }

    /// The first day after `day` on which [`Policy::due`] for an action due on `due` calls for
    /// something else (a new occurrence), or [`entity::reminder_day::PLAN_NEVER`] when nothing
    /// changes any more. Planning looks at the action again on that day, and not before.
    pub fn next_change(&self, due: NaiveDate, day: NaiveDate) -> NaiveDate {
        let offset = |days: i64| due.checked_add_signed(chrono::Duration::days(days));
        let over = (day - due).num_days();
        let mut candidates: Vec<Option<NaiveDate>> = self
            .before_days
            .iter()
            .map(|n| offset(-i64::from(*n)))
            .collect();
        candidates.push(Some(due));
        let every = i64::from(self.overdue_every_days);
        if every > 0 {
            let next = if over < 0 {
                every
            } else {
                (over / every + 1) * every
            };
            candidates.push(offset(next));
        }
        let escalate = i64::from(self.escalate_after_days);
        if escalate > 0 {
            candidates.push(offset(escalate));
        }
        candidates
            .into_iter()
            .flatten()
            .filter(|d| *d > day)
            .min()
            .map_or(entity::reminder_day::PLAN_NEVER, |d| {
                d.min(entity::reminder_day::PLAN_NEVER)
            })
    }

    /// What the days of [`Policy::next_change`] depend on, to notice a change of settings.
    pub fn fingerprint(&self, escalation_emails: &[String]) -> String {
        let mut emails: Vec<String> = escalation_emails
            .iter()
            .map(|e| e.trim().to_lowercase())
            .filter(|e| !e.is_empty())
            .collect();
        emails.sort();
        emails.dedup();
        format!(
            "before={:?};every={};escalate={};emails={}",
            self.before_days,
            self.overdue_every_days,
            self.escalate_after_days,
            emails.join(",")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ReminderKind::*;

    fn day(d: i64) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 13).expect("date") + chrono::Duration::days(d)
    }

    #[test]
    fn each_rule_at_its_boundary_days() {
        let p = Policy::new(&[7, 1], 7, 14);
        let due = day(0);
        let cases: [(i64, &[(ReminderKind, i32)]); 14] = [
            (-30, &[]),
            (-8, &[]),
            (-7, &[(BeforeDue, -7)]),
            (-2, &[(BeforeDue, -7)]),
            (-1, &[(BeforeDue, -1)]),
            (0, &[(DueToday, 0)]),
            (1, &[(DueToday, 0)]),
            (6, &[(DueToday, 0)]),
            (7, &[(Overdue, 7)]),
            (13, &[(Overdue, 7)]),
            (14, &[(Overdue, 14), (Escalation, 14)]),
            (20, &[(Overdue, 14), (Escalation, 14)]),
            (21, &[(Overdue, 21), (Escalation, 14)]),
            (100, &[(Overdue, 98), (Escalation, 14)]),
        ];
        for (offset, expected) in cases {
            assert_eq!(
                p.due(due, day(offset)),
                expected,
                "day {offset} from the due date"
            );
        }
    }

    /// Against the definition, day by day: nothing changes before the day given, and
    /// something changes on it.
    #[test]
    fn the_next_change_is_the_first_day_the_reminders_differ() {
        let never = entity::reminder_day::PLAN_NEVER;
        for policy in [
            Policy::new(&[7, 1], 7, 14),
            Policy::new(&[3], 0, 0),
            Policy::new(&[], 5, 0),
            Policy::new(&[30, 14, 2], 1, 3),
            Policy::new(&[1], 10, 25),
        ] {
            let due = day(0);
            for from in -40..60 {
                let today = day(from);
                let now = policy.due(due, today);
                let next = policy.next_change(due, today);
                let first = (1..400)
                    .map(|d| day(from + d))
                    .find(|d| policy.due(due, *d) != now)
                    .unwrap_or(never);
                assert_eq!(next, first, "{policy:?} on day {from}");
            }
        }
        assert_eq!(
            Policy::new(&[7], 7, 14).next_change(NaiveDate::MAX, day(0)),
            never,
            "a far due date is never out of range"
        );
    }

    #[test]
    fn settings_are_sorted_and_can_switch_rules_off() {
        let p = Policy::new(&[1, 3, 3, 0], 0, 0);
        assert_eq!(p.horizon_days(), 3);
        assert_eq!(p.due(day(0), day(-3)), [(BeforeDue, -3)]);
        assert_eq!(
            p.due(day(0), day(30)),
            [(DueToday, 0)],
            "no overdue repeats, no escalation"
        );
    }
}
