//! Meeting continuity: issues carried across meetings, matters arising, minutes, the weekly
//! leadership digest and calendar feeds.

mod arising;
mod calendar;
mod carried;
mod leadership;
mod minutes;
