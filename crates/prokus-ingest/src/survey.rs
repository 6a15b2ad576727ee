//! Reading a survey export's rows (KoboToolbox, ODK Central, or a
//! hand-filled sheet read through a built-in mapping): where each canonical
//! field is found ([`SurveyPlan`]), and one row's cells checked and turned
//! into the values of a `stage_response` row, or the problems that refuse it.

use std::collections::HashMap;
use std::path::Path;

use chrono::NaiveDateTime;
use duckdb::types::{TimeUnit, Value};
use sha2::{Digest, Sha256};

use crate::IngestError;
use crate::load::{Format, Problem, nik_problems};
use crate::mapping::{
    CANONICAL_FIELDS, FieldMapping, FieldType, FormMapping, find_choice_columns, find_column,
    find_first_column,
};
use crate::values::{
    Limits, answer_cell, excel_error, excel_number_id, parse_count, parse_money, parse_yes_no,
    says_no_answer, trim,
};
use crate::xlsform::normalize_label;

/// Where each canonical field of a survey export is found.
pub(crate) struct SurveyPlan {
    /// `None` for hand-filled sheets: the id is then a hash of the row.
    pub(crate) id_column: Option<(usize, String)>,
    pub(crate) time_column: Option<(usize, String)>,
    /// ODK Central's `ReviewState` or Kobo's `_validation_status`.
    pub(crate) review_column: Option<(usize, String)>,
    /// When the interview was made (the form's `end` or `start`); `None`
    /// for hand-filled sheets, whose date is the interview's.
    pub(crate) interview_column: Option<(usize, String)>,
    /// The time of a row without one (hand-filled sheets: the ingest time).
    pub(crate) fallback_time: Option<NaiveDateTime>,
    pub(crate) fields: Vec<PlannedField>,
    /// Problems found in a submission's repeat rows, by its row number.
    pub(crate) repeat_problems: HashMap<u64, Vec<Problem>>,
    /// Bounds on values.
    pub(crate) limits: Limits,
    /// The id and text columns read, by position and header: where a NIK
    /// could be kept as written, so must not be.
    pub(crate) used: Vec<(usize, String)>,
    /// Answers that said the KPM did not know or would not say (`tidak
    /// tahu`, `N/A`), read as no answer (the checkers count them).
    pub(crate) no_answers: std::sync::atomic::AtomicU64,
    /// Rows whose interview time was given but not believed
    /// ([`interview_time`]), by why: dated by their submission.
    pub(crate) interviews_not_believed: std::sync::atomic::AtomicU64,
    /// See `interviews_not_believed`.
    pub(crate) interviews_without_offset: std::sync::atomic::AtomicU64,
}

/// Where one canonical field comes from in this file.
pub(crate) struct PlannedField {
    /// The column, when the file has it.
    pub(crate) index: Option<usize>,
    pub(crate) field: FieldMapping,
    /// Choice labels to names, when the export has labels.
    pub(crate) labels: Option<HashMap<String, String>>,
    /// A select_multiple's one-column-per-choice columns and their choices.
    pub(crate) split: Vec<(usize, String)>,
}

impl SurveyPlan {
    /// The header positions this plan reads: the id, time and review
    /// columns and every field's.
    pub(crate) fn read_columns(&self) -> impl Iterator<Item = usize> + '_ {
        [
            &self.id_column,
            &self.time_column,
            &self.review_column,
            &self.interview_column,
        ]
        .into_iter()
        .filter_map(|c| c.as_ref().map(|(i, _)| *i))
        .chain(
            self.fields
                .iter()
                .flat_map(|f| f.index.into_iter().chain(f.split.iter().map(|(i, _)| *i))),
        )
    }

    pub(crate) fn new(
        file: &Path,
        format: Format,
        headers: &[String],
        mapping: &FormMapping,
        labels: Option<&[Option<HashMap<String, String>>]>,
        limits: Limits,
    ) -> Result<Self, IngestError> {
        let missing = |column: &str, hint: String| IngestError::MissingColumn {
            path: file.to_path_buf(),
            format: format.name().to_string(),
            column: column.to_string(),
            hint,
        };
        let first_of = |candidates: &[String]| {
            find_first_column(headers, candidates).map(|i| (i, headers[i].clone()))
        };
        let sheet = mapping.submission.id_columns.is_empty();
        let id_column = first_of(&mapping.submission.id_columns);
        if id_column.is_none() && !sheet {
            return Err(missing(
                &mapping.submission.id_columns.join(" / "),
                "export the data again with the metadata columns included".into(),
            ));
        }
        let time_column = first_of(&mapping.submission.time_columns);
        let review_column = first_of(&mapping.submission.review_columns);
        let interview_column = if sheet {
            None
        } else {
            first_of(&mapping.submission.interview_columns)
        };
        if time_column.is_none() && !sheet {
            return Err(missing(
                &mapping.submission.time_columns.join(" / "),
                "export the data again with the submission time included".into(),
            ));
        }
        let mut fields = Vec::new();
        for (name, _) in CANONICAL_FIELDS {
            let Some(field) = mapping.fields.get(*name) else {
                fields.push(PlannedField {
                    index: None,
                    field: FieldMapping {
                        column: String::new(),
                        field_type: FieldType::Text,
                        required: false,
                        choices: Default::default(),
                        repeat: None,
                        aggregate: None,
                        equals: None,
                        any_of: Vec::new(),
                        yes: Vec::new(),
                    },
                    labels: None,
                    split: Vec::new(),
                });
                continue;
            };
            let index = find_column(headers, &field.column);
            let split = if field.reads_multiple() {
                find_choice_columns(headers, &field.column)
            } else {
                Vec::new()
            };
            if index.is_none() && field.required {
                // A form made for one round asks no round.
                let one_round = if *name == "wave" {
                    "; a form made for one round: give its round with `prokus ingest --wave ROUND`"
                } else {
                    ""
                };
                return Err(missing(
                    &field.column,
                    format!(
                        "this export lacks the `{name}` question of form `{}`; export it with XML names (or pass --form for another form){one_round}",
                        mapping.form.id
                    ),
                ));
            }
            fields.push(PlannedField {
                index,
                field: field.clone(),
                labels: index.and_then(|i| labels?.get(i)?.clone()),
                split,
            });
        }
        // Where a NIK could be kept as it is: the id and the text answers.
        // A typed answer (money, count, date, yes/no, choice) holding one
        // fails its own check (Rp 3.2 quadrillion is over the bound).
        let mut used: Vec<(usize, String)> = id_column.iter().cloned().collect();
        for f in &fields {
            if matches!(
                f.field.field_type,
                FieldType::Text | FieldType::Multi | FieldType::Id
            ) && let Some(i) = f.index
            {
                used.push((i, headers[i].clone()));
            }
        }
        used.sort();
        used.dedup();
        Ok(SurveyPlan {
            id_column,
            time_column,
            review_column,
            interview_column,
            fallback_time: None,
            fields,
            repeat_problems: HashMap::new(),
            limits,
            used,
            no_answers: std::sync::atomic::AtomicU64::new(0),
            interviews_not_believed: std::sync::atomic::AtomicU64::new(0),
            interviews_without_offset: std::sync::atomic::AtomicU64::new(0),
        })
    }

    /// The canonical fields this file carries a column for: the questions
    /// its form (or sheet) asks, which the checks may find unanswered.
    pub(crate) fn carried(&self) -> Vec<&'static str> {
        CANONICAL_FIELDS
            .iter()
            .zip(&self.fields)
            .filter(|(_, f)| f.index.is_some() || !f.split.is_empty())
            .map(|((name, _), _)| *name)
            .collect()
    }

    /// The stage row (`stage_response` column order) or the row's problems.
    /// Whether `cells` leave every answer empty: every field but those
    /// every row must have (the KPM and the round).
    pub(crate) fn answers_nothing(&self, cells: &[&str]) -> bool {
        let empty = |i: usize| answer_cell(cells.get(i).copied().unwrap_or("")).is_empty();
        self.fields
            .iter()
            .filter(|f| !f.field.required)
            .all(|f| f.index.is_none_or(empty) && f.split.iter().all(|(i, _)| empty(*i)))
    }

    pub(crate) fn check(&self, row: u64, cells: &[&str]) -> Result<Vec<Value>, Vec<Problem>> {
        let cell = |i: usize| answer_cell(cells.get(i).copied().unwrap_or(""));
        // Most exports have no repeat groups: no lookup for them.
        let mut problems: Vec<Problem> = if self.repeat_problems.is_empty() {
            Vec::new()
        } else {
            self.repeat_problems
                .get(&row)
                .map(|p| p.iter().map(Problem::clone).collect())
                .unwrap_or_default()
        };
        problems.extend(nik_problems(
            cells,
            self.used.iter().map(|(i, name)| (*i, name.as_str())),
        ));
        let id = match &self.id_column {
            Some((i, name)) => {
                let id = cell(*i).to_string();
                if id.is_empty() {
                    problems.push(Problem {
                        column: name.clone(),
                        value: String::new(),
                        reason: "the submission id is empty".into(),
                    });
                }
                id
            }
            // The same row sent again hashes to the same id: a duplicate.
            None => {
                // The bytes hashed are those of earlier versions (each cell
                // trimmed, then 0x1f), so a row loaded by one is a duplicate
                // for the next; hashed in one piece, which is cheaper than a
                // call per cell.
                sheet_id(&digest_of(|bytes| {
                    for c in cells {
                        bytes.extend_from_slice(trim(c).as_bytes());
                        bytes.push(0x1f);
                    }
                }))
            }
        };
        if let Some((i, name)) = &self.review_column {
            let review = cell(*i);
            if is_rejected_in_review(review) {
                problems.push(Problem {
                    column: name.clone(),
                    value: review.into(),
                    reason: "the submission was rejected by its reviewer on the server (ODK Central or KoboToolbox); correct it there and export again if it should count".into(),
                });
            }
        }
        let submitted = self.time_column.as_ref().map_or("", |(i, _)| cell(*i));
        let parsed = self.limits.date_zoned(submitted);
        // A hand-filled row without a date is dated when it is loaded, and
        // says so (`dated_at_load`).
        let mut dated_at_load = false;
        // A hand-filled sheet's date or time is the local one its writer
        // saw, unless it names its zone (`+07:00`, `Z`, `WIB`); an export's
        // submission time is the server's, in UTC.
        let mut local_clock = false;
        let time = match (parsed, self.fallback_time) {
            (Ok((t, zoned)), fallback) => {
                local_clock = fallback.is_some() && !zoned;
                Some(t)
            }
            // `tidak tahu` as the date is no date, as an empty cell.
            (Err(_), Some(t)) if submitted.is_empty() || says_no_answer(submitted) => {
                dated_at_load = true;
                Some(t)
            }
            (Err(reason), _) => {
                problems.push(Problem {
                    column: self
                        .time_column
                        .as_ref()
                        .map_or_else(String::new, |c| c.1.clone()),
                    value: submitted.into(),
                    reason: format!("submission time: {reason}"),
                });
                None
            }
        };
        let mut values = Vec::with_capacity(4 + self.fields.len());
        values.push(Value::BigInt(row as i64));
        values.push(Value::Text(id));
        values.push(time.map_or(Value::Null, timestamp));
        for planned in &self.fields {
            let field = &planned.field;
            let raw = planned.index.map(cell).unwrap_or("");
            let named = match planned.answer(raw, cell) {
                Ok(named) => named,
                Err((column, value, reason)) => {
                    problems.push(Problem {
                        column,
                        value,
                        reason,
                    });
                    values.push(Value::Null);
                    continue;
                }
            };
            let raw = named.as_deref().unwrap_or(raw);
            // `tidak tahu` is no answer, as an empty cell is; a row must
            // still say its KPM and round, and a mapping that maps such a
            // choice (`na = "no"`) is followed.
            if !field.required && says_no_answer(raw) && field.choice(raw).is_none() {
                self.no_answers
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                values.push(Value::Null);
                continue;
            }
            match convert(raw, field, &self.limits) {
                Ok(v) => values.push(v),
                Err(reason) => {
                    problems.push(Problem {
                        column: field.column.clone(),
                        value: raw.to_string(),
                        reason,
                    });
                    values.push(Value::Null);
                }
            }
        }
        values.push(Value::Boolean(dated_at_load));
        values.push(Value::Boolean(local_clock));
        let interviewed = match (&self.interview_column, time) {
            (Some((i, _)), Some(submitted)) => match interview_time(cell(*i), submitted) {
                Ok(t) => t,
                Err(why) => {
                    let count = match why {
                        Unbelieved::Clock => &self.interviews_not_believed,
                        Unbelieved::NoOffset => &self.interviews_without_offset,
                    };
                    count.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    None
                }
            },
            _ => None,
        };
        values.push(interviewed.map_or(Value::Null, timestamp));
        if problems.is_empty() {
            Ok(values)
        } else {
            Err(problems)
        }
    }
}

/// The longest an interview is believed to have waited on its device
/// before it was sent (an enumerator without a signal for weeks).
const MAX_OFFLINE_DAYS: i64 = 90;

/// Why an interview time that was given is not used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unbelieved {
    /// After its submission, or more than [`MAX_OFFLINE_DAYS`] before it:
    /// the device's clock was wrong.
    Clock,
    /// Not a time with the device's offset (an XLSX export with dates as
    /// numbers writes none).
    NoOffset,
}

/// When a Kobo/ODK interview was made, in UTC, from its form's `end` (or
/// `start`) as the export writes it (`None` when the cell is empty), when
/// it can be believed: a time that names its zone (the device's offset),
/// not after its submission (a device's clock ahead of the server's) and
/// at most [`MAX_OFFLINE_DAYS`] before it (a device's clock set to another
/// year). Otherwise why not, and the answer is dated by its submission, as
/// an export without the column is. An unbelievable time refuses nothing:
/// the answer stands.
pub(crate) fn interview_time(
    text: &str,
    submitted: NaiveDateTime,
) -> Result<Option<NaiveDateTime>, Unbelieved> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    // Kobo and ODK write RFC 3339 (`2021-09-28T15:00:00.000+07:00`): read
    // first, by chrono's own parser for it, for every row of an export;
    // any other shape by the sheets' parser.
    let t = match chrono::DateTime::parse_from_rfc3339(text) {
        Ok(t) => t.naive_utc(),
        Err(_) => match crate::values::parse_datetime_zoned(text) {
            Ok((t, true)) => t,
            _ => return Err(Unbelieved::NoOffset),
        },
    };
    if t <= submitted && submitted - t <= chrono::TimeDelta::days(MAX_OFFLINE_DAYS) {
        Ok(Some(t))
    } else {
        Err(Unbelieved::Clock)
    }
}

/// The SHA-256 of the bytes `fill` writes, into a buffer each thread keeps
/// (a sheet's every row is hashed, twice when it registers a household).
pub(crate) fn digest_of(fill: impl FnOnce(&mut Vec<u8>)) -> [u8; 32] {
    thread_local! {
        static BYTES: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    BYTES.with_borrow_mut(|bytes| {
        bytes.clear();
        fill(bytes);
        Sha256::digest(&bytes[..]).into()
    })
}

/// A hand-filled row's submission id: `sheet-` and the first 12 bytes of
/// its digest in lower-case hex, written into one string (`hex::encode` and
/// `format!` made two, a character at a time, for every row of a sheet).
pub(crate) fn sheet_id(digest: &[u8]) -> String {
    let mut hex = [0u8; 24];
    hex::encode_to_slice(&digest[..12], &mut hex).expect("12 bytes take 24 hex digits");
    let mut id = String::with_capacity(6 + hex.len());
    id.push_str("sheet-");
    id.push_str(std::str::from_utf8(&hex).expect("hex digits are ASCII"));
    id
}

/// ODK Central's `rejected` review state; Kobo's "not approved" validation
/// status, by uid (XML export) or label (label export).
fn is_rejected_in_review(state: &str) -> bool {
    matches!(
        state.to_lowercase().as_str(),
        "rejected" | "validation_status_not_approved" | "not approved"
    )
}

impl PlannedField {
    /// The answer in choice names when the export has labels or one column
    /// per choice (`None`: the cell is used as it is), or the problem.
    pub(crate) fn answer<'c>(
        &self,
        raw: &str,
        cell: impl Fn(usize) -> &'c str,
    ) -> Result<Option<String>, (String, String, String)> {
        if !self.split.is_empty() {
            let mut chosen = Vec::new();
            let mut answered = false;
            for (i, choice) in &self.split {
                let text = cell(*i);
                if text.is_empty() {
                    continue;
                }
                answered = true;
                match parse_yes_no(text) {
                    Ok(true) => chosen.push(choice.as_str()),
                    Ok(false) => {}
                    Err(reason) => {
                        return Err((
                            format!("{}/{choice}", self.field.column),
                            text.into(),
                            reason,
                        ));
                    }
                }
            }
            if answered {
                // A yes/no derived from the choices is "no" when none of
                // them is chosen: a blank, unlike an empty answer.
                if chosen.is_empty() && !self.field.any_of.is_empty() {
                    return Ok(Some(" ".into()));
                }
                return Ok(Some(chosen.join(" ")));
            }
        }
        let Some(labels) = &self.labels else {
            return Ok(None);
        };
        if raw.is_empty() {
            return Ok(None);
        }
        if let Some(name) = labels.get(&normalize_label(raw)) {
            return Ok(Some(name.clone()));
        }
        if self.field.reads_multiple() {
            // Kobo joins the labels of a select_multiple with spaces.
            if let Some(names) = split_joined_labels(raw, labels) {
                return Ok(Some(names.join(" ")));
            }
        }
        // Perhaps the choice's name after all; `convert` judges it.
        Ok(None)
    }
}

/// Splits `Kemasan baru Produk baru` into the choices whose labels, joined by
/// spaces, make it up (longest label first at each point).
fn split_joined_labels(raw: &str, labels: &HashMap<String, String>) -> Option<Vec<String>> {
    let words: Vec<String> = normalize_label(raw)
        .split(' ')
        .map(str::to_string)
        .collect();
    // No label is longer than the longest label: trying only that many
    // words at each point keeps a 5,000-word cell linear.
    let longest = labels.keys().map(|l| l.split(' ').count()).max()?;
    let mut names = Vec::new();
    let mut at = 0;
    while at < words.len() {
        let end = (at + 1..=words.len().min(at + longest))
            .rev()
            .find(|&end| labels.contains_key(&words[at..end].join(" ")))?;
        names.push(labels[&words[at..end].join(" ")].clone());
        at = end;
    }
    Some(names)
}

pub(crate) fn convert(raw: &str, field: &FieldMapping, limits: &Limits) -> Result<Value, String> {
    if raw.is_empty() {
        return if field.required {
            Err("a required answer is empty".into())
        } else {
            Ok(Value::Null)
        };
    }
    if let Some(reason) = excel_error(raw) {
        return Err(reason);
    }
    Ok(match field.field_type {
        FieldType::Id => {
            if let Some(reason) = excel_number_id(raw) {
                return Err(reason);
            }
            Value::Text(raw.split_whitespace().collect())
        }
        FieldType::Text | FieldType::Multi => Value::Text(raw.to_string()),
        FieldType::Choice => {
            let code = field.choice(raw).ok_or_else(|| {
                // The codes, short enough to be read whole (the wave has
                // two dozen names for its six), and one of the other names.
                let mut codes: Vec<&str> = field.choices.values().map(String::as_str).collect();
                codes.sort_unstable();
                codes.dedup();
                let other = field
                    .choices
                    .keys()
                    .find(|name| !codes.contains(&name.as_str()))
                    .map(|name| format!(", or another name of one, as `{name}`"))
                    .unwrap_or_default();
                format!(
                    "`{raw}` is not one of the choices: {}{other}",
                    codes.join(", ")
                )
            })?;
            Value::Text(code.to_string())
        }
        // Derived from a select_multiple's or a select_one's choice names.
        FieldType::YesNo if !field.any_of.is_empty() => Value::Boolean(
            raw.split_whitespace()
                .any(|c| field.any_of.iter().any(|a| a.eq_ignore_ascii_case(c))),
        ),
        FieldType::YesNo if !field.yes.is_empty() => {
            Value::Boolean(field.yes.iter().any(|a| a.eq_ignore_ascii_case(raw.trim())))
        }
        FieldType::YesNo => Value::Boolean(parse_yes_no(raw)?),
        FieldType::Money => Value::Double(limits.money(parse_money(raw)?, raw)?),
        FieldType::Count => Value::Int(
            i32::try_from(limits.count(parse_count(raw)?, raw)?)
                .map_err(|_| format!("`{raw}` is too large"))?,
        ),
        FieldType::Likert => {
            let v = parse_count(raw)?;
            if !(1..=5).contains(&v) {
                return Err(format!("`{raw}` is not on the 1–5 scale"));
            }
            Value::Int(v as i32)
        }
        FieldType::DateTime => timestamp(limits.date(raw)?),
    })
}

pub(crate) fn timestamp(t: NaiveDateTime) -> Value {
    Value::Timestamp(TimeUnit::Microsecond, t.and_utc().timestamp_micros())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sheet_rows_id_is_its_digest_in_hex_as_written_before() {
        // The id of a row loaded by an earlier version must come out the
        // same, or the row sent again would not be known as a duplicate.
        let digest = Sha256::digest(b"KPM22-000001\x1fbaseline\x1f2022-03-18\x1f");
        assert_eq!(
            sheet_id(&digest),
            format!("sheet-{}", hex::encode(&digest[..12]))
        );
        assert_eq!(sheet_id(&[0x0f; 32]), "sheet-0f0f0f0f0f0f0f0f0f0f0f0f");
    }

    /// An interview's time is believed when it names its offset and falls
    /// between 90 days before its submission and the submission.
    #[test]
    fn an_interview_time_is_believed_only_when_it_can_be() {
        let submitted =
            NaiveDateTime::parse_from_str("2021-10-03 02:00:00", "%Y-%m-%d %H:%M:%S").unwrap();
        let at = |text: &str| interview_time(text, submitted).map(|t| t.map(|t| t.to_string()));
        let clock: Result<Option<&str>, _> = Err(Unbelieved::Clock);
        let no_offset: Result<Option<&str>, _> = Err(Unbelieved::NoOffset);
        let cases = [
            // Kobo's offset, ODK's `Z`: kept, in UTC.
            (
                "2021-09-28T15:00:00.000+07:00",
                Ok(Some("2021-09-28 08:00:00")),
            ),
            (
                "2021-09-28T15:00:00.000+08:00",
                Ok(Some("2021-09-28 07:00:00")),
            ),
            ("2021-10-03T01:59:00.000Z", Ok(Some("2021-10-03 01:59:00"))),
            // An offset without its colon: not RFC 3339, read all the same.
            (
                "2021-09-28T15:00:00.000+0700",
                Ok(Some("2021-09-28 08:00:00")),
            ),
            (
                " 2021-10-03T09:00:00.000+07:00 ",
                Ok(Some("2021-10-03 02:00:00")),
            ),
            // 90 days before the submission, and a minute more.
            (
                "2021-07-05T09:00:00.000+07:00",
                Ok(Some("2021-07-05 02:00:00")),
            ),
            ("2021-07-05T08:59:00.000+07:00", clock),
            // After the submission: the device's clock was ahead.
            ("2021-10-03T09:01:00.000+07:00", clock),
            // No offset (Kobo's xlsx with dates as numbers), none, nonsense.
            ("2021-09-28 15:00:00", no_offset),
            ("", Ok(None)),
            ("kemarin", no_offset),
            ("2019-01-01T10:00:00.000+07:00", clock),
        ];
        for (text, expected) in cases {
            assert_eq!(at(text), expected.map(|t| t.map(String::from)), "{text:?}");
        }
    }
}
