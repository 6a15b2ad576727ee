//! The survey calendar (TOML): each wave's fieldwork window. `prokus check`
//! measures completeness and timeliness against it; incubator reports list
//! the next windows as reporting dates.

use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
use serde::Deserialize;

use crate::MetricsError;

/// One wave's fieldwork window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    /// The wave (`baseline`, `monitoring_1`, …).
    pub wave: String,
    /// Only KPM of this cohort year; every cohort when `None`.
    pub cohort: Option<i32>,
    /// Only these arms (`prokus`, `comparison`); both when `None`.
    pub arms: Option<Vec<String>>,
    /// First fieldwork day.
    pub opens: NaiveDate,
    /// Last day a submission counts as on time (inclusive, local time).
    pub closes: NaiveDate,
}

impl Window {
    /// Whether a KPM of `arm` and `cohort` is surveyed in this window.
    pub fn covers(&self, arm: &str, cohort: Option<i32>) -> bool {
        let arm_ok = self
            .arms
            .as_ref()
            .is_none_or(|arms| arms.iter().any(|a| a == arm));
        let cohort_ok = self.cohort.is_none() || self.cohort == cohort;
        arm_ok && cohort_ok
    }
}

/// The programme's local time without a calendar loaded: WIB (UTC+7), the
/// ministry's, in Jakarta.
pub const DEFAULT_UTC_OFFSET_HOURS: i32 = 7;

/// The whole calendar.
#[derive(Debug, Clone)]
pub struct Schedule {
    /// Local time of the deadlines and of the answers' days, quarters and
    /// years, in hours east of UTC (7 for WIB).
    pub utc_offset_hours: i32,
    /// The windows, in file order.
    pub windows: Vec<Window>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSchedule {
    utc_offset_hours: i32,
    #[serde(default, rename = "window")]
    windows: Vec<RawWindow>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWindow {
    wave: String,
    #[serde(default)]
    cohort: Option<i32>,
    #[serde(default)]
    arms: Option<Vec<String>>,
    opens: toml::value::Datetime,
    closes: toml::value::Datetime,
}

fn date(wave: &str, field: &str, d: &toml::value::Datetime) -> Result<NaiveDate, MetricsError> {
    let bad = || {
        MetricsError::Schedule(format!(
            "wave `{wave}`: `{field} = {d}` is not a date; write it as 2021-03-08"
        ))
    };
    match (d.date, d.time) {
        (Some(day), None) => NaiveDate::from_ymd_opt(
            i32::from(day.year),
            u32::from(day.month),
            u32::from(day.day),
        )
        .ok_or_else(bad),
        _ => Err(bad()),
    }
}

impl Schedule {
    /// No calendar: no window, so neither timeliness nor non-response is
    /// judged. What a database without a schedule file is checked against.
    pub fn none() -> Self {
        Schedule {
            utc_offset_hours: DEFAULT_UTC_OFFSET_HOURS,
            windows: Vec::new(),
        }
    }

    /// Whether the calendar has no window (nothing is judged against it).
    pub fn is_empty(&self) -> bool {
        self.windows.is_empty()
    }

    /// Parses a schedule file.
    pub fn parse(text: &str) -> Result<Self, MetricsError> {
        let raw: RawSchedule =
            toml::from_str(text).map_err(|e| MetricsError::Schedule(e.to_string()))?;
        if !(-12..=14).contains(&raw.utc_offset_hours) {
            return Err(MetricsError::Schedule(format!(
                "utc_offset_hours = {} is not a time zone (WIB is 7, WITA 8, WIT 9)",
                raw.utc_offset_hours
            )));
        }
        let mut windows = Vec::with_capacity(raw.windows.len());
        for w in raw.windows {
            // A window of no wave the data can have, or of a cohort that is
            // no year, would judge no submission: every KPM would go
            // unjudged for it, and nothing would say why.
            if !crate::WAVES.contains(&w.wave.as_str()) {
                let meant =
                    prokus_ingest::settings::did_you_mean(&w.wave, crate::WAVES.iter().copied());
                return Err(MetricsError::Schedule(format!(
                    "wave `{}` is not a survey wave{meant}; the waves are: {}",
                    w.wave,
                    crate::WAVES.join(", ")
                )));
            }
            if let Some(cohort) = w.cohort
                && !(2000..=2100).contains(&cohort)
            {
                return Err(MetricsError::Schedule(format!(
                    "wave `{}`: cohort = {cohort} is not a year (the register's cohort_year, such as 2022)",
                    w.wave
                )));
            }
            let opens = date(&w.wave, "opens", &w.opens)?;
            let closes = date(&w.wave, "closes", &w.closes)?;
            if closes < opens {
                return Err(MetricsError::Schedule(format!(
                    "wave `{}`: closes ({closes}) before it opens ({opens})",
                    w.wave
                )));
            }
            if let Some(arms) = &w.arms
                && let Some(bad) = arms
                    .iter()
                    .find(|a| !matches!(a.as_str(), "prokus" | "comparison"))
            {
                return Err(MetricsError::Schedule(format!(
                    "wave `{}`: unknown arm `{bad}` (use prokus or comparison)",
                    w.wave
                )));
            }
            windows.push(Window {
                wave: w.wave,
                cohort: w.cohort,
                arms: w.arms,
                opens,
                closes,
            });
        }
        // A KPM's window is the first of its wave that covers it: a window
        // that an earlier one of its wave covers wholly is never used (a
        // cohort's own endline listed after the endline of every cohort).
        for (later, w) in windows.iter().enumerate() {
            let arms = |w: &Window| {
                ["prokus", "comparison"]
                    .map(|arm| w.arms.as_ref().is_none_or(|a| a.iter().any(|x| x == arm)))
            };
            let shadowed_by = windows[..later].iter().position(|e| {
                e.wave == w.wave
                    && (e.cohort.is_none() || e.cohort == w.cohort)
                    && arms(e).iter().zip(arms(w)).all(|(e, w)| *e || !w)
            });
            if let Some(earlier) = shadowed_by {
                return Err(MetricsError::Schedule(format!(
                    "wave `{}`: window number {} is never used: window number {}, listed before it, already covers its KPM (a KPM's window is the first of its wave that covers it); list the narrower window (a cohort's, an arm's) first",
                    w.wave,
                    later + 1,
                    earlier + 1
                )));
            }
        }
        Ok(Schedule {
            utc_offset_hours: raw.utc_offset_hours,
            windows,
        })
    }

    /// The window of `wave` for a KPM of `arm` and `cohort`, if the calendar has one.
    pub fn window(&self, wave: &str, arm: &str, cohort: Option<i32>) -> Option<&Window> {
        self.window_index(wave, arm, cohort)
            .map(|i| &self.windows[i])
    }

    /// Where [`Schedule::window`]'s window is in `windows`: the first of
    /// `wave` that covers `arm` and `cohort`.
    pub fn window_index(&self, wave: &str, arm: &str, cohort: Option<i32>) -> Option<usize> {
        self.windows
            .iter()
            .position(|w| w.wave == wave && w.covers(arm, cohort))
    }

    /// The local date of a UTC timestamp.
    pub fn local_date(&self, utc: NaiveDateTime) -> NaiveDate {
        (utc + TimeDelta::hours(i64::from(self.utc_offset_hours))).date()
    }

    /// Windows that close on or after `date`, earliest first: the next reporting dates.
    pub fn upcoming(&self, date: NaiveDate) -> Vec<&Window> {
        let mut next: Vec<&Window> = self.windows.iter().filter(|w| w.closes >= date).collect();
        next.sort_by_key(|w| (w.closes, w.opens));
        next
    }
}

/// The sample programme's 2021 calendar, for the tests of the checks.
#[cfg(test)]
pub(crate) fn sample() -> Schedule {
    Schedule::parse(include_str!("../../../sample-data/schedule.toml")).unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn sample_calendar_covers_the_sample_waves() {
        let s = sample();
        assert_eq!(s.utc_offset_hours, 7);
        let base = s.window("baseline", "comparison", Some(2021)).unwrap();
        assert_eq!((base.opens, base.closes), (d(2021, 3, 8), d(2021, 3, 20)));
        assert!(s.window("monitoring_1", "prokus", Some(2021)).is_some());
        assert!(
            s.window("monitoring_1", "comparison", Some(2021)).is_none(),
            "the comparison group is not surveyed at monitoring rounds"
        );
        let next: Vec<&str> = s
            .upcoming(d(2021, 7, 1))
            .iter()
            .map(|w| w.wave.as_str())
            .collect();
        assert_eq!(next, ["monitoring_3", "endline", "followup"]);
    }

    #[test]
    fn deadlines_are_local_days() {
        let s = sample();
        // 17:30 UTC on 20 March is 00:30 WIB on 21 March: a day late.
        let t = d(2021, 3, 20).and_hms_opt(17, 30, 0).unwrap();
        assert_eq!(s.local_date(t), d(2021, 3, 21));
        let t = d(2021, 3, 20).and_hms_opt(16, 59, 0).unwrap();
        assert_eq!(s.local_date(t), d(2021, 3, 20));
    }

    #[test]
    fn cohort_windows_apply_to_their_cohort_only() {
        let s = Schedule::parse(
            "utc_offset_hours = 8\n[[window]]\nwave = \"endline\"\ncohort = 2020\nopens = 2020-11-02\ncloses = 2020-11-14\n\
             [[window]]\nwave = \"endline\"\nopens = 2021-09-06\ncloses = 2021-09-18\n",
        )
        .unwrap();
        assert_eq!(
            s.window("endline", "prokus", Some(2020)).unwrap().closes,
            d(2020, 11, 14)
        );
        assert_eq!(
            s.window("endline", "prokus", Some(2021)).unwrap().closes,
            d(2021, 9, 18)
        );
    }

    #[test]
    fn bad_calendars_say_what_is_wrong() {
        let cases = [
            (
                "utc_offset_hours = 7\n[[window]]\nwave = \"baseline\"\nopens = 2021-03-20\ncloses = 2021-03-08\n",
                "closes (2021-03-08) before it opens",
            ),
            (
                "utc_offset_hours = 7\n[[window]]\nwave = \"baseline\"\nopens = \"8 Maret\"\ncloses = 2021-03-08\n",
                "opens",
            ),
            (
                "utc_offset_hours = 7\n[[window]]\nwave = \"baseline\"\narms = [\"kontrol\"]\nopens = 2021-03-08\ncloses = 2021-03-20\n",
                "unknown arm `kontrol`",
            ),
            ("utc_offset_hours = 70\n", "not a time zone"),
            (
                "utc_offset_hours = 7\n[[window]]\nwave = \"endlin\"\nopens = 2021-03-08\ncloses = 2021-03-20\n",
                "wave `endlin` is not a survey wave (did you mean `endline`?)",
            ),
            (
                "utc_offset_hours = 7\n[[window]]\nwave = \"survei_tengah\"\nopens = 2021-03-08\ncloses = 2021-03-20\n",
                "the waves are: baseline, monitoring_1",
            ),
            (
                "utc_offset_hours = 7\n[[window]]\nwave = \"endline\"\ncohort = 22\nopens = 2022-03-08\ncloses = 2022-03-20\n",
                "cohort = 22 is not a year",
            ),
            (
                "utc_offset_hours = 7\n\
                 [[window]]\nwave = \"endline\"\nopens = 2021-10-04\ncloses = 2021-10-16\n\
                 [[window]]\nwave = \"baseline\"\nopens = 2022-03-07\ncloses = 2022-03-19\n\
                 [[window]]\nwave = \"endline\"\ncohort = 2022\narms = [\"prokus\"]\nopens = 2022-10-03\ncloses = 2022-10-15\n",
                "window number 3 is never used: window number 1",
            ),
        ];
        for (text, expected) in cases {
            let err = Schedule::parse(text).unwrap_err().to_string();
            assert!(err.contains(expected), "{err}");
        }
    }
}
