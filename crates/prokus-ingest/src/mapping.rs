//! Form mappings: which export column feeds which canonical field, and how its
//! values are coded.
//!
//! Exports name their columns after the survey form, so a partner with another
//! form writes a mapping (TOML), not code. The project's own ProKUS monitoring
//! form ships with its mapping ([`FormMapping::prokus`]).
//!
//! ```toml
//! [form]
//! id = "prokus_monitoring"
//!
//! [submission]
//! id_columns = ["_uuid", "meta/instanceID", "KEY"]
//! time_columns = ["_submission_time", "SubmissionDate"]
//!
//! [fields.kpm_id]
//! column = "identitas/kpm_id"
//! type = "id"
//! required = true
//!
//! [fields.wave]
//! column = "identitas/gelombang"
//! type = "choice"
//! required = true
//! choices = { awal = "baseline", akhir = "endline" }
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::IngestError;

/// The text of the mapping of the project's own monitoring form (`sample-data/`).
pub const PROKUS_MAPPING_TOML: &str =
    include_str!("../../../sample-data/prokus-monitoring.mapping.toml");

/// How the cells of a column are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    /// An identifier: trimmed, inner spaces removed.
    Id,
    /// Free text, trimmed.
    Text,
    /// A select_one answer mapped through `choices` to a canonical code.
    Choice,
    /// A select_multiple answer: space-separated choice names, kept as they are.
    Multi,
    /// Yes/no in any of the spellings of [`crate::values::parse_yes_no`].
    YesNo,
    /// Rupiah, Indonesian notation allowed (see [`crate::values::parse_money`]).
    Money,
    /// A whole number of 0 or more.
    Count,
    /// A whole number on a 1–5 agreement scale.
    Likert,
    /// A date or date-time.
    DateTime,
}

/// The Indonesian ordinals, first to sixth, as a round is named
/// (`Monitoring Kedua`: the second).
const ORDINALS: [&str; 6] = ["pertama", "kedua", "ketiga", "keempat", "kelima", "keenam"];

/// One canonical field's source.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldMapping {
    /// The export column (XML name with its group path, e.g. `usaha/omzet`).
    pub column: String,
    /// How to read the cells.
    #[serde(rename = "type")]
    pub field_type: FieldType,
    /// A row without this answer is rejected.
    #[serde(default)]
    pub required: bool,
    /// For `choice`: export value → canonical code.
    #[serde(default)]
    pub choices: BTreeMap<String, String>,
    /// The field is computed from the rows of this repeat group (Kobo's
    /// sheet name, ODK's table name); `column` is then a column of the
    /// repeat's table.
    #[serde(default)]
    pub repeat: Option<String>,
    /// How a repeat group's rows make the field's value.
    #[serde(default)]
    pub aggregate: Option<Aggregate>,
    /// For `aggregate = "count"`: count only the rows whose `column` is this.
    #[serde(default)]
    pub equals: Option<String>,
    /// For a `yes_no` field read from a select_multiple: yes when any of
    /// these choices is selected, no when others are (`any_of =
    /// ["whatsapp", "marketplace"]` makes `sells_online` from a question on
    /// sales channels).
    #[serde(default)]
    pub any_of: Vec<String>,
    /// For a `yes_no` field read from a select_one: yes when the answer is
    /// one of these choices, no when it is another (`yes = ["harian",
    /// "mingguan", "bulanan"]` makes `saves_monthly` from a frequency).
    #[serde(default)]
    pub yes: Vec<String>,
}

impl FieldMapping {
    /// The canonical code of a choice answer, by its name as written, in
    /// lower case, or else by its letters and digits alone (`Monitoring-1`,
    /// `monitoring1` and `MONITORING 1` are `monitoring_1`), when every
    /// choice so written has one code. An ordinal written the Indonesian
    /// way is its number (`Monitoring ke-2`, `monev ke 3`, `Monitoring
    /// Kedua`). A name with a note in brackets after it, as a form's label
    /// gives the English beside the Indonesian (`Survei Awal (Baseline)`,
    /// `Monitoring 1 (Mei 2022)`), is the choice of either part, when the
    /// other is the same choice or none.
    pub fn choice(&self, answer: &str) -> Option<&str> {
        self.choice_of_name(answer).or_else(|| {
            let (name, note) = crate::values::with_note(answer.trim())?;
            match (self.choice_of_name(name), self.choice_of_name(note)) {
                (Some(a), Some(b)) => (a == b).then_some(a),
                (one, other) => one.or(other),
            }
        })
    }

    /// [`FieldMapping::choice`] of a name alone, a note in brackets not
    /// read: for a sheet's name, where `Rekap (Baseline)` is a summary of
    /// the round, not its answers.
    pub fn choice_of_name(&self, answer: &str) -> Option<&str> {
        self.choice_as_written(answer).or_else(|| {
            let number = |w: &str| !w.is_empty() && w.chars().all(|c| c.is_ascii_digit());
            let words: Vec<&str> = answer.split_whitespace().collect();
            let mut plain = Vec::new();
            let mut changed = false;
            for (i, word) in words.iter().enumerate() {
                let lower = word.to_lowercase();
                if let Some(n) = lower.strip_prefix("ke-").filter(|n| number(n)) {
                    plain.push(n.to_string());
                    changed = true;
                } else if lower == "ke" && words.get(i + 1).is_some_and(|n| number(n)) {
                    changed = true;
                } else if let Some(n) = ORDINALS.iter().position(|o| *o == lower) {
                    plain.push((n + 1).to_string());
                    changed = true;
                } else {
                    plain.push(word.to_string());
                }
            }
            changed
                .then(|| plain.join(" "))
                .and_then(|plain| self.choice_as_written(&plain))
        })
    }

    /// [`FieldMapping::choice`] without reading an ordinal.
    fn choice_as_written(&self, answer: &str) -> Option<&str> {
        if let Some(code) = self
            .choices
            .get(answer)
            .or_else(|| self.choices.get(&answer.to_lowercase()))
        {
            return Some(code);
        }
        let bare = |text: &str| -> String {
            text.chars()
                .filter(|c| c.is_alphanumeric())
                .flat_map(char::to_lowercase)
                .collect()
        };
        let key = bare(answer);
        if key.is_empty() {
            return None;
        }
        let mut codes = self
            .choices
            .iter()
            .filter(|(name, _)| bare(name) == key)
            .map(|(_, code)| code.as_str());
        let first = codes.next()?;
        codes.all(|code| code == first).then_some(first)
    }

    /// Whether the column is a select_multiple (its own type, or a yes/no
    /// derived from one with `any_of`).
    pub fn reads_multiple(&self) -> bool {
        self.field_type == FieldType::Multi || !self.any_of.is_empty()
    }
}

/// How the rows of a repeat group make one value per submission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Aggregate {
    /// The number of rows (with `column` not empty, or equal to `equals`).
    Count,
    /// The sum of `column`'s numbers.
    Sum,
    /// The largest of `column`'s numbers.
    Max,
    /// Yes when `column` is yes in any row.
    Any,
}

/// Which columns identify a submission and its time.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubmissionColumns {
    /// Candidates for the submission id, the first present wins.
    pub id_columns: Vec<String>,
    /// Candidates for the submission time, the first present wins.
    pub time_columns: Vec<String>,
    /// Candidates for the server's review state, the first present wins; a
    /// submission whose reviewer rejected it is not loaded. By default ODK
    /// Central's `ReviewState` and Kobo's `_validation_status`.
    #[serde(default = "default_review_columns")]
    pub review_columns: Vec<String>,
    /// Candidates for when the interview was made, the first present wins:
    /// by default the XLSForm metadata `end` (the form finished on the
    /// device), then `start`. An answer's day, quarter and year are its
    /// interview's where the export has one that can be believed, so that
    /// an interview made offline on 28 September and sent on 3 October is
    /// in the third quarter; the submission time still says whether it was
    /// sent on time. `[]` dates every answer by its submission.
    #[serde(default = "default_interview_columns")]
    pub interview_columns: Vec<String>,
}

fn default_review_columns() -> Vec<String> {
    vec!["ReviewState".into(), "_validation_status".into()]
}

fn default_interview_columns() -> Vec<String> {
    vec!["end".into(), "start".into()]
}

/// Identification of the form a mapping is for.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormInfo {
    /// The XLSForm `form_id`.
    pub id: String,
    /// A title for messages.
    #[serde(default)]
    pub title: String,
}

/// A whole mapping file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormMapping {
    /// The form this mapping is for.
    pub form: FormInfo,
    /// Submission id and time columns.
    pub submission: SubmissionColumns,
    /// Canonical field name → its source.
    pub fields: BTreeMap<String, FieldMapping>,
}

/// The canonical response fields a mapping may feed, with the type each needs.
pub const CANONICAL_FIELDS: &[(&str, &[FieldType])] = &[
    ("kpm_id", &[FieldType::Id]),
    ("wave", &[FieldType::Choice]),
    ("business_operating", &[FieldType::YesNo]),
    ("business_revenue", &[FieldType::Money]),
    ("business_income", &[FieldType::Money]),
    ("household_income", &[FieldType::Money]),
    ("saves", &[FieldType::YesNo]),
    ("save_frequency", &[FieldType::Choice]),
    ("savings_amount", &[FieldType::Money]),
    ("keeps_books", &[FieldType::YesNo]),
    ("separates_money", &[FieldType::YesNo]),
    ("has_business_plan", &[FieldType::YesNo]),
    ("paid_workers", &[FieldType::Count]),
    ("family_workers", &[FieldType::Count]),
    ("has_nib", &[FieldType::YesNo]),
    ("got_credit", &[FieldType::YesNo]),
    ("credit_source", &[FieldType::Choice]),
    ("sells_online", &[FieldType::YesNo]),
    ("product_changes", &[FieldType::Multi]),
    ("mentoring_sessions", &[FieldType::Count]),
    ("tksk_visits", &[FieldType::Count]),
    ("attitude_1", &[FieldType::Likert]),
    ("attitude_2", &[FieldType::Likert]),
    ("attitude_3", &[FieldType::Likert]),
    ("attitude_4", &[FieldType::Likert]),
    ("attitude_5", &[FieldType::Likert]),
    // Hand-filled sheets say directly whether the household saves at least
    // monthly; survey forms ask `saves` and `save_frequency` instead.
    ("saves_monthly", &[FieldType::YesNo]),
];

/// The household fields a form's mapping may feed besides the answers: a
/// household first seen in a form is registered from them, as from the
/// register (whose columns they are named after); a household already
/// registered keeps its register data.
pub const HOUSEHOLD_FIELDS: &[(&str, &[FieldType])] = &[
    ("nik", &[FieldType::Id, FieldType::Text]),
    ("kpm_name", &[FieldType::Text]),
    ("gender", &[FieldType::Text, FieldType::Choice]),
    ("business_name", &[FieldType::Text]),
    ("arm", &[FieldType::Text, FieldType::Choice]),
    (
        "cohort_year",
        &[FieldType::Text, FieldType::Choice, FieldType::Count],
    ),
    (
        "incubator_id",
        &[FieldType::Id, FieldType::Text, FieldType::Choice],
    ),
    ("mentor", &[FieldType::Text, FieldType::Choice]),
    ("tksk", &[FieldType::Text, FieldType::Choice]),
    ("cluster", &[FieldType::Text, FieldType::Choice]),
    ("category", &[FieldType::Text, FieldType::Choice]),
    (
        "province_code",
        &[FieldType::Id, FieldType::Text, FieldType::Choice],
    ),
    (
        "regency_code",
        &[FieldType::Id, FieldType::Text, FieldType::Choice],
    ),
    (
        "district_code",
        &[FieldType::Id, FieldType::Text, FieldType::Choice],
    ),
];

/// The canonical codes of the `wave` field.
pub const WAVES: &[&str] = &[
    "baseline",
    "monitoring_1",
    "monitoring_2",
    "monitoring_3",
    "endline",
    "followup",
];

/// The mapping of the canonical template incubators fill by hand.
const TEMPLATE_MAPPING_TOML: &str = include_str!("../data/template.mapping.toml");

impl FormMapping {
    /// The mapping of the canonical template (see the README): columns named
    /// after the canonical fields, no submission id.
    pub fn template() -> Self {
        Self::parse(
            TEMPLATE_MAPPING_TOML,
            Path::new("<built-in template.mapping.toml>"),
        )
        .expect("the built-in template mapping is checked by tests")
    }

    /// The mapping of the ProKUS monitoring form shipped in `sample-data/`.
    pub fn prokus() -> Self {
        Self::parse(
            PROKUS_MAPPING_TOML,
            Path::new("<built-in prokus-monitoring.mapping.toml>"),
        )
        .expect("the built-in mapping is checked by tests")
    }

    /// Reads and checks a mapping file.
    pub fn from_file(path: &Path) -> Result<Self, IngestError> {
        let text = std::fs::read_to_string(path).map_err(|source| IngestError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&text, path)
    }

    /// Parses and checks mapping text; `path` names it in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Self, IngestError> {
        let bad = |message: String| IngestError::Mapping {
            path: path.to_path_buf(),
            message,
        };
        let mapping: FormMapping = toml::from_str(text).map_err(|e| bad(e.to_string()))?;
        for (name, field) in &mapping.fields {
            let Some((_, types)) = CANONICAL_FIELDS
                .iter()
                .chain(HOUSEHOLD_FIELDS)
                .find(|(n, _)| n == name)
            else {
                let known: Vec<&str> = CANONICAL_FIELDS
                    .iter()
                    .chain(HOUSEHOLD_FIELDS)
                    .map(|(n, _)| *n)
                    .collect();
                return Err(bad(format!(
                    "`{name}` is not a canonical field; known fields: {}",
                    known.join(", ")
                )));
            };
            if !types.contains(&field.field_type) {
                return Err(bad(format!(
                    "field `{name}` must have type {:?}, not {:?}",
                    types[0], field.field_type
                )));
            }
            match (&field.repeat, field.aggregate) {
                (Some(_), None) => {
                    return Err(bad(format!(
                        "field `{name}` comes from a repeat group but has no `aggregate` (count, sum, max or any)"
                    )));
                }
                (None, Some(_)) => {
                    return Err(bad(format!(
                        "field `{name}` has an `aggregate` but no `repeat` group"
                    )));
                }
                (Some(_), Some(a)) => {
                    let fits = match a {
                        Aggregate::Count => field.field_type == FieldType::Count,
                        Aggregate::Sum | Aggregate::Max => {
                            matches!(field.field_type, FieldType::Count | FieldType::Money)
                        }
                        Aggregate::Any => field.field_type == FieldType::YesNo,
                    };
                    if !fits {
                        return Err(bad(format!(
                            "field `{name}`: aggregate {a:?} cannot make a {:?}",
                            field.field_type
                        )));
                    }
                }
                (None, None) => {}
            }
            if HOUSEHOLD_FIELDS.iter().any(|(n, _)| n == name)
                && (field.repeat.is_some() || field.required)
            {
                return Err(bad(format!(
                    "household field `{name}` is read from the main table and cannot be `required` or from a repeat group"
                )));
            }
            if !field.any_of.is_empty() || !field.yes.is_empty() {
                if field.field_type != FieldType::YesNo {
                    return Err(bad(format!(
                        "field `{name}`: `any_of` and `yes` derive a yes/no answer; its type must be yes_no"
                    )));
                }
                if !field.any_of.is_empty() && !field.yes.is_empty() {
                    return Err(bad(format!(
                        "field `{name}`: give `any_of` (a select_multiple) or `yes` (a select_one), not both"
                    )));
                }
                if field.repeat.is_some() {
                    return Err(bad(format!(
                        "field `{name}`: `any_of` and `yes` read the main table, not a repeat group"
                    )));
                }
            }
            if field.field_type == FieldType::Choice && field.choices.is_empty() {
                return Err(bad(format!(
                    "field `{name}` is a choice but has no `choices` table"
                )));
            }
        }
        for required in ["kpm_id", "wave"] {
            match mapping.fields.get(required) {
                Some(f) if f.required => {}
                Some(_) => {
                    return Err(bad(format!(
                        "field `{required}` must be marked `required = true`"
                    )));
                }
                None => {
                    return Err(bad(format!(
                        "field `{required}` is not mapped; every mapping needs kpm_id and wave"
                    )));
                }
            }
        }
        if let Some(unknown) = mapping.fields["wave"]
            .choices
            .values()
            .find(|c| !WAVES.contains(&c.as_str()))
        {
            return Err(bad(format!(
                "wave choice maps to `{unknown}`, which is not one of {}",
                WAVES.join(", ")
            )));
        }
        Ok(mapping)
    }
}

/// How a header names a mapping's column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Naming {
    /// The same path, ODK's `-` group separator standing for `/`.
    Exact,
    /// The column's last path segment, as exports without the group
    /// hierarchy in the header give it.
    LastSegment,
    /// Another column.
    Other,
}

fn normalize_header(h: &str) -> String {
    h.trim().replace('-', "/").to_lowercase()
}

/// How `header` names `column` (both normalized).
fn naming(header: &str, column: &str) -> Naming {
    let last = column.rsplit('/').next().unwrap_or(column);
    if header == column {
        Naming::Exact
    } else if header == last || header.strip_suffix(last).is_some_and(|h| h.ends_with('/')) {
        Naming::LastSegment
    } else {
        Naming::Other
    }
}

/// The first of `candidates` (a mapping's submission columns, the first
/// present wins) found among `headers` ([`find_column`]): its index.
pub fn find_first_column(headers: &[String], candidates: &[String]) -> Option<usize> {
    candidates.iter().find_map(|c| find_column(headers, c))
}

/// Finds `column` among `headers`: exactly; with ODK's `-` group separator in
/// place of `/`; or, for exports without the group hierarchy in the header, by
/// its last path segment when that is unique. Returns the header index.
pub fn find_column(headers: &[String], column: &str) -> Option<usize> {
    let want = normalize_header(column);
    let namings: Vec<Naming> = headers
        .iter()
        .map(|h| naming(&normalize_header(h), &want))
        .collect();
    if let Some(i) = namings.iter().position(|n| *n == Naming::Exact) {
        return Some(i);
    }
    let mut hits = namings
        .iter()
        .enumerate()
        .filter(|(_, n)| **n == Naming::LastSegment);
    match (hits.next(), hits.next()) {
        (Some((i, _)), None) => Some(i),
        _ => None,
    }
}

/// The columns `column/choice` of a select_multiple exported one column per
/// choice (Kobo's default, next to the summary column), with their choices:
/// the header's last segment, named the way [`find_column`] names `column`.
pub fn find_choice_columns(headers: &[String], column: &str) -> Vec<(usize, String)> {
    let want = normalize_header(column);
    headers
        .iter()
        .enumerate()
        .filter_map(|(i, h)| {
            let (question, choice) = h.trim().rsplit_once(['/', '-'])?;
            let named = naming(&normalize_header(question), &want) != Naming::Other;
            (named && !choice.is_empty()).then(|| (i, choice.to_string()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_mapping_is_valid_and_complete() {
        let m = FormMapping::prokus();
        assert_eq!(m.form.id, "prokus_monitoring");
        for (name, _) in CANONICAL_FIELDS
            .iter()
            .filter(|(n, _)| *n != "saves_monthly")
        {
            assert!(m.fields.contains_key(*name), "the ProKUS form maps {name}");
        }
        assert_eq!(
            FormMapping::template().fields["wave"].choices["akhir"],
            "endline"
        );
    }

    /// How often a KPM saves and where its credit came from, as incubators'
    /// sheets write them: the template reads them into its codes.
    #[test]
    fn a_template_s_answers_are_read_as_sheets_write_them() {
        let template = FormMapping::template();
        let frequency = &template.fields["save_frequency"];
        for (answer, code) in [
            ("Setiap hari", "daily"),
            ("Seminggu sekali", "weekly"),
            ("2x seminggu", "weekly"),
            ("Tiap bulan", "monthly"),
            ("2 minggu sekali", "monthly"),
            ("Kadang-kadang", "rarely"),
            ("Tidak tentu", "rarely"),
        ] {
            assert_eq!(frequency.choice(answer), Some(code), "{answer}");
        }
        // Never saving is no frequency: the sheet says so with `saves`.
        assert_eq!(frequency.choice("Tidak pernah"), None);
        let source = &template.fields["credit_source"];
        for (answer, code) in [
            ("KUR BRI", "kur"),
            ("Kredit Usaha Rakyat", "kur"),
            ("Bank BRI", "bank_other"),
            ("BPR", "bank_other"),
            ("Koperasi Simpan Pinjam", "cooperative"),
            ("BMT", "cooperative"),
            ("PNM Mekaar", "pnm_mekaar"),
            ("Pinjol", "other"),
            ("Rentenir", "other"),
        ] {
            assert_eq!(source.choice(answer), Some(code), "{answer}");
        }
        // `Mandiri` alone may be the bank or money of one's own.
        assert_eq!(source.choice("Mandiri"), None);
    }

    #[test]
    fn a_choice_is_known_as_sheets_write_it() {
        let wave = &FormMapping::template().fields["wave"];
        for (answer, code) in [
            ("monitoring_1", "monitoring_1"),
            ("Monitoring 1", "monitoring_1"),
            ("Monitoring-1", "monitoring_1"),
            ("MONITORING1", "monitoring_1"),
            ("Monitoring II", "monitoring_2"),
            ("Monev 3", "monitoring_3"),
            ("Survei  Awal", "baseline"),
            ("Monitoring ke-2", "monitoring_2"),
            ("monev ke 3", "monitoring_3"),
            ("Monitoring Ke-1", "monitoring_1"),
            ("Monitoring Pertama", "monitoring_1"),
            ("Monev Kedua", "monitoring_2"),
            ("Pemantauan ketiga", "monitoring_3"),
            ("Survey Awal", "baseline"),
            ("Survei Awal (Baseline)", "baseline"),
            ("Survei Akhir (endline)", "endline"),
            ("Monitoring 1 (Mei 2022)", "monitoring_1"),
            ("Pendataan awal", "baseline"),
            ("Baseline Survey", "baseline"),
            ("Evaluasi Akhir", "endline"),
            ("Pre-test", "baseline"),
            ("Post Test", "endline"),
        ] {
            assert_eq!(wave.choice(answer), Some(code), "{answer}");
        }
        for answer in [
            "Monitoring",
            "Monitoring 4",
            "-",
            "1",
            "ke-2",
            "Monitoring ke-4",
            "Monitoring Keempat",
            "Survei Awal (Endline)",
            "Monitoring 1 (Monitoring 2)",
            "Tahap 1",
            "M1",
        ] {
            assert_eq!(wave.choice(answer), None, "{answer}");
        }
        // Two choices written alike with other codes: neither.
        let field = FieldMapping {
            choices: [("a-1", "x"), ("a_1", "y")]
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .into(),
            ..wave.clone()
        };
        assert_eq!(field.choice("A 1"), None);
    }

    #[test]
    fn bad_mappings_are_refused_with_the_reason() {
        let p = Path::new("m.toml");
        let head = "[form]\nid='x'\n[submission]\nid_columns=['_uuid']\ntime_columns=['_submission_time']\n";
        let err = FormMapping::parse(
            &format!("{head}[fields.kpm_id]\ncolumn='a'\ntype='id'\nrequired=true\n"),
            p,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("`wave` is not mapped"), "{err}");
        let err = FormMapping::parse(
            &format!("{head}[fields.omzet]\ncolumn='a'\ntype='money'\n"),
            p,
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("`omzet` is not a canonical field") && err.contains("m.toml"),
            "{err}"
        );
        let err = FormMapping::parse(
            &format!("{head}[fields.business_revenue]\ncolumn='a'\ntype='yes_no'\n"),
            p,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("must have type Money"), "{err}");
    }

    #[test]
    fn columns_are_found_with_or_without_group_paths() {
        let headers: Vec<String> = [
            "start",
            "identitas/kpm_id",
            "usaha-omzet",
            "omzet_lain",
            "_uuid",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(find_column(&headers, "identitas/kpm_id"), Some(1));
        assert_eq!(find_column(&headers, "usaha/omzet"), Some(2));
        assert_eq!(find_column(&headers, "kpm_id"), Some(1));
        assert_eq!(find_column(&headers, "lain/kpm_id"), Some(1));
        assert_eq!(find_column(&headers, "usaha/laba"), None);
    }
}
