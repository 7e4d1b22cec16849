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
