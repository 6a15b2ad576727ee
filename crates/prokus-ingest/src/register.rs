//! The programme's lists as read from a file: the KPM register's and the
//! incubator list's columns, the [`ColumnIndex`] a list or sheet is read
//! by, and the checks of one register row (or of the household a sheet's
//! row registers, [`HouseholdPlan`]): its id, NIK, names, codes, regions
//! against the Kemendagri list and incubator against the incubators loaded.

use std::collections::HashMap;
use std::path::Path;

use duckdb::types::Value;

use crate::IngestError;
use crate::db::Database;
use crate::load::{Format, Problem, Reference, nik_problems, no_kpm_row, said_as_excel_errors};
use crate::mapping::{FieldMapping, FormMapping, find_column};
use crate::nik::check_nik;
use crate::values::{
    answer_cell, arm_words_reason, code_words, excel_error, excel_number_id, parse_arm,
    parse_category, parse_cluster, parse_count, parse_gender, parse_money, trim,
};
use crate::wilayah::Level;
use crate::xlsform::normalize_label;

/// The columns of the KPM register, in the order `prokus sample` writes them.
pub const REGISTER_COLUMNS: &[&str] = &[
    "kpm_id",
    "nik",
    "kpm_name",
    "gender",
    "business_name",
    "arm",
    "cohort_year",
    "incubator_id",
    "mentor",
    "tksk",
    "cluster",
    "category",
    "province_code",
    "regency_code",
    "district_code",
    "grant_amount",
    "grant_date",
    "consent_story",
];
/// The columns of the incubator list.
pub const INCUBATOR_COLUMNS: &[&str] = &["incubator_id", "name", "university", "province_code"];

/// Header positions of a fixed-column list.
#[derive(Clone)]
pub(crate) struct ColumnIndex {
    pub(crate) index: Vec<Option<usize>>,
    pub(crate) names: &'static [&'static str],
    /// Its cells may have been numbers that a spreadsheet wrote as text (a
    /// CSV saved from a sheet), so a code's dropped zero is restored in text
    /// too (see [`ColumnIndex::code`]).
    pub(crate) untyped: bool,
}

impl ColumnIndex {
    /// `names` in their own order: for cells already laid out that way.
    pub(crate) fn identity(names: &'static [&'static str]) -> Self {
        ColumnIndex {
            index: (0..names.len()).map(Some).collect(),
            names,
            untyped: false,
        }
    }

    pub(crate) fn new(
        file: &Path,
        format: Format,
        headers: &[String],
        names: &'static [&'static str],
        required: &[&str],
    ) -> Result<Self, IngestError> {
        let index: Vec<Option<usize>> = names
            .iter()
            .map(|n| {
                headers
                    .iter()
                    .position(|h| h.trim().eq_ignore_ascii_case(n))
            })
            .collect();
        for r in required {
            if index[names.iter().position(|n| n == r).unwrap_or(0)].is_none() {
                return Err(IngestError::MissingColumn {
                    path: file.to_path_buf(),
                    format: format.name().into(),
                    column: (*r).into(),
                    hint: format!("the columns are: {}", names.join(", ")),
                });
            }
        }
        Ok(ColumnIndex {
            index,
            names,
            untyped: false,
        })
    }

    pub(crate) fn get<'c>(&self, cells: &[&'c str], name: &str) -> &'c str {
        answer_cell(
            self.position(name)
                .and_then(|i| cells.get(i).copied())
                .unwrap_or(""),
        )
    }

    /// The cell position of column `name`, when the file has it.
    pub(crate) fn position(&self, name: &str) -> Option<usize> {
        self.names
            .iter()
            .position(|n| *n == name)
            .and_then(|i| self.index[i])
    }

    /// The same index, for cells that do not say whether they were numbers
    /// (a CSV's).
    pub(crate) fn untyped(self, untyped: bool) -> Self {
        ColumnIndex { untyped, ..self }
    }

    /// The region code in column `name` ([`ColumnIndex::get`]), with the
    /// zero a spreadsheet dropped: it keeps a regency's 32.10 typed in a
    /// number cell as the number 32.1, and a regency's code always has two
    /// decimals, so a number cell with one gets its zero back. So does such
    /// a code in a CSV: saved from that sheet, it holds the text `32.1`,
    /// which the incubator cannot mend in the spreadsheet, as it drops the
    /// zero again. A sheet's text cell `32.1` was typed so, and is refused
    /// with 32.10 among the nearest codes.
    pub(crate) fn code<'c>(
        &self,
        cells: &[&'c str],
        numeric: &[bool],
        name: &str,
    ) -> std::borrow::Cow<'c, str> {
        let text = self.get(cells, name);
        match text.split_once('.') {
            Some((province, regency))
                if (self.untyped || self.is_number(numeric, name))
                    && regency.len() == 1
                    && (1..=2).contains(&province.len())
                    && text.chars().all(|ch| ch.is_ascii_digit() || ch == '.') =>
            {
                format!("{text}0").into()
            }
            _ => text.into(),
        }
    }

    /// The columns the file has, by position and name.
    /// A problem for each of the row's cells in these columns that Excel
    /// damaged: one holding an Excel error value (`#N/A`), or a KPM id it
    /// saved in e-notation (`3.20101E+11`). [`said_as_excel_errors`] joins
    /// them to the row's other problems.
    pub(crate) fn excel_errors(&self, cells: &[&str]) -> Vec<Problem> {
        self.columns()
            .filter_map(|(i, name)| {
                let cell = trim(cells.get(i).copied().unwrap_or(""));
                let reason = excel_error(cell)
                    .or_else(|| (name == "kpm_id").then(|| excel_number_id(cell)).flatten())?;
                Some(Problem {
                    column: name.into(),
                    value: cell.into(),
                    reason,
                })
            })
            .collect()
    }

    pub(crate) fn columns(&self) -> impl Iterator<Item = (usize, &'static str)> + '_ {
        self.names
            .iter()
            .zip(&self.index)
            .filter_map(|(name, i)| i.map(|i| (i, *name)))
    }

    pub(crate) fn is_number(&self, numeric: &[bool], name: &str) -> bool {
        let pos = self
            .names
            .iter()
            .position(|n| *n == name)
            .and_then(|i| self.index[i]);
        pos.and_then(|i| numeric.get(i).copied()).unwrap_or(false)
    }
}

pub(crate) fn text(s: &str) -> Value {
    if s.is_empty() {
        Value::Null
    } else {
        Value::Text(s.to_string())
    }
}

/// A name as the register keeps it, each run of spaces (or tabs, or line
/// breaks) one space: `Ibu  Sri Wahyuni` typed with two spaces in one row
/// is the mentor of the rows that have one, not a group of her own, and is
/// written as the reports print it.
/// A name as the register keeps it: its words with one space between them.
/// A control character (an ESC or a bell pasted from a terminal or another
/// program) or a text direction control, which would turn the printed name
/// around it, is no part of a name and parts words as a space does.
fn name_text(s: &str) -> Value {
    let stray = |c: char| c.is_control() || prokus_files::is_bidi_control(c);
    let words = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.contains(stray) {
        text(&words(&s.replace(stray, " ")))
    } else {
        text(&words(s))
    }
}

pub(crate) fn check_register_row(
    db: &Reference,
    c: &ColumnIndex,
    row: u64,
    cells: &[&str],
    numeric: &[bool],
) -> Result<Vec<Value>, Vec<Problem>> {
    let kpm_id = c.get(cells, "kpm_id");
    if let Some(refused) = no_kpm_row(kpm_id, cells) {
        return Err(vec![refused]);
    }
    let excel_errors = c.excel_errors(cells);
    let mut problems = Vec::new();
    let mut problem = |column: &str, value: &str, reason: String| {
        problems.push(Problem {
            column: column.into(),
            value: value.into(),
            reason,
        })
    };
    let kpm_id: String = c.get(cells, "kpm_id").split_whitespace().collect();
    if kpm_id.is_empty() {
        problem("kpm_id", "", "the KPM id is empty".into());
    }
    let Some(key) = db.key else {
        return Err(vec![Problem {
            column: "nik".into(),
            value: String::new(),
            reason: "internal error: no NIK key for a file with NIKs".into(),
        }]);
    };
    let nik = check_nik(
        c.get(cells, "nik"),
        c.is_number(numeric, "nik"),
        key,
        db.wilayah,
    );
    let gender = match c.get(cells, "gender") {
        "" => None,
        text => parse_gender(text).or_else(|| {
            problem(
                "gender",
                &text.to_lowercase(),
                "gender must be P/Pr/perempuan/female or L/Lk/laki-laki/male".into(),
            );
            None
        }),
    };
    // An arm not understood refuses the row; the checks of the incubator
    // against the arm are then not made (they would judge a guess).
    let arm = match c.get(cells, "arm") {
        "" => Some("prokus"),
        text => parse_arm(text).or_else(|| {
            problem("arm", &text.to_lowercase(), arm_words_reason());
            None
        }),
    };
    let cohort = c.get(cells, "cohort_year");
    // `Angkatan 2022`, `Kohort 2022`: the year after the word a sheet puts
    // before it.
    let year = cohort
        .split_once(' ')
        .filter(|(word, _)| {
            matches!(
                word.to_lowercase().as_str(),
                "angkatan" | "kohort" | "cohort" | "tahun"
            )
        })
        .map_or(cohort, |(_, year)| year.trim());
    let cohort_year = match year {
        "" => None,
        s => match parse_count(s) {
            Ok(y) if (2019..=2040).contains(&y) => Some(y as i32),
            _ => {
                problem(
                    "cohort_year",
                    cohort,
                    "the cohort year must be a year such as 2021 (or Angkatan 2021)".into(),
                );
                None
            }
        },
    };
    let incubator = c.get(cells, "incubator_id");
    if arm == Some("prokus") && incubator.is_empty() {
        let reason = if c.position("arm").is_none() {
            // A list without an arm column takes each KPM for a ProKUS KPM.
            "a ProKUS KPM needs its incubator; the list has no `arm` column, so each KPM is taken \
             for a ProKUS KPM: for a comparison household, add a column `arm` holding pembanding"
        } else {
            "a ProKUS KPM needs its incubator (only the comparison group has none)"
        };
        problem("incubator_id", "", reason.into());
    }
    if arm == Some("comparison") && !incubator.is_empty() {
        problem(
            "incubator_id",
            incubator,
            "a comparison household has no incubator: leave incubator_id empty, or set arm to prokus".into(),
        );
    } else if !incubator.is_empty()
        && let Some(reason) = db.incubators.refusal(incubator)
    {
        problem("incubator_id", incubator, reason);
    }
    // parse_cluster reads the cell as code words; a refusal shows them.
    let cluster = match c.get(cells, "cluster") {
        text if text.trim().is_empty() => None,
        text => parse_cluster(text).or_else(|| {
            problem(
                "cluster",
                &code_words(text),
                "the cluster must be fesyen, agribisnis, ritel or kuliner".into(),
            );
            None
        }),
    };
    // parse_category reads the cell as code words; a refusal shows them.
    let category = match c.get(cells, "category") {
        text if text.trim().is_empty() => None,
        text => parse_category(text).or_else(|| {
            problem(
                "category",
                &code_words(text),
                "the category must be start_up, scale_up or inkubasi".into(),
            );
            None
        }),
    };
    let regions = resolve_regions(db, c, cells, numeric, &mut problems);
    let grant_text = c.get(cells, "grant_amount");
    let grant_amount = match grant_text {
        "" => None,
        s => parse_money(s)
            .and_then(|v| db.limits.money(v, s))
            .map_err(|r| {
                problems.push(Problem {
                    column: "grant_amount".into(),
                    value: s.into(),
                    reason: r,
                })
            })
            .ok(),
    };
    let date_text = c.get(cells, "grant_date");
    let grant_date = match date_text {
        "" => None,
        s => db
            .limits
            .date(s)
            .map_err(|r| {
                problems.push(Problem {
                    column: "grant_date".into(),
                    value: s.into(),
                    reason: r,
                })
            })
            .ok(),
    };
    // Whether the household agreed that its story be told (success
    // stories); anything but a clear yes is no.
    let consent_text = c.get(cells, "consent_story");
    let consent_story = match consent_text {
        "" => None,
        s => crate::values::parse_yes_no(s)
            .map_err(|r| {
                problems.push(Problem {
                    column: "consent_story".into(),
                    value: s.into(),
                    reason: r,
                })
            })
            .ok(),
    };
    for column in ["kpm_name", "business_name", "mentor", "tksk"] {
        problems.extend(long_name(column, c.get(cells, column)));
    }
    problems.extend(nik_problems(
        cells,
        c.columns().filter(|(_, name)| *name != "nik"),
    ));
    let problems = said_as_excel_errors(excel_errors, problems);
    if !problems.is_empty() {
        return Err(problems);
    }
    // An arm not understood is one of the problems returned above.
    let Some(arm) = arm else {
        return Err(problems);
    };
    let (province, regency, district) = regions.unwrap_or_default();
    Ok(vec![
        Value::BigInt(row as i64),
        Value::Text(kpm_id),
        nik.hash.map_or(Value::Null, Value::Text),
        nik.masked.map_or(Value::Null, Value::Text),
        Value::Text(nik.status.as_str().into()),
        name_text(c.get(cells, "kpm_name")),
        gender.map_or(Value::Null, |g| Value::Text(g.into())),
        name_text(c.get(cells, "business_name")),
        Value::Text(arm.into()),
        cohort_year.map_or(Value::Null, Value::Int),
        text(incubator),
        name_text(c.get(cells, "mentor")),
        name_text(c.get(cells, "tksk")),
        cluster.map_or(Value::Null, |v| Value::Text(v.into())),
        category.map_or(Value::Null, |v| Value::Text(v.into())),
        Value::Text(province),
        Value::Text(regency),
        district.map_or(Value::Null, Value::Text),
        grant_amount.map_or(Value::Null, Value::Double),
        grant_date.map_or(Value::Null, |d| {
            Value::Date32((d.date() - chrono::NaiveDate::default()).num_days() as i32)
        }),
        consent_story.map_or(Value::Null, Value::Boolean),
    ])
}

/// The most characters a name (of a KPM, business, incubator, university,
/// mentor or TKSK) may have. Real names are far shorter (the longest
/// Kemendagri regency name, "Kabupaten Kepulauan Siau Tagulandang Biaro",
/// has 42); a cell far longer holds something else (a pasted paragraph, a
/// whole column), which would be printed as a report's title or subtitle
/// and as a row of its tables.
pub const MAX_NAME: usize = 200;

/// The problem of a name longer than [`MAX_NAME`] characters, if it is.
pub(crate) fn long_name(column: &str, value: &str) -> Option<Problem> {
    let length = value.chars().count();
    (length > MAX_NAME).then(|| Problem {
        column: column.into(),
        value: value.into(),
        reason: format!(
            "the name is {length} characters long, more than the {MAX_NAME} a name may have: \
             the cell probably holds something else; correct it and load the file again"
        ),
    })
}

/// The problem of a region code or name the Kemendagri list does not have,
/// naming the nearest it does.
pub(crate) fn unknown_region(
    column: &str,
    value: &str,
    level: Level,
    unknown: crate::wilayah::UnknownRegion,
) -> Problem {
    let what = match level {
        Level::Province => "province",
        Level::Regency => "regency (kabupaten/kota)",
        Level::District => "district (kecamatan)",
    };
    let reason = if unknown.ambiguous.is_empty() {
        format!(
            "unknown {what} code or name; nearest: {}",
            unknown.nearest.join("; ")
        )
    } else {
        format!(
            "the name of more than one {what}: {}; write Kab. or Kota before the name, or the code",
            unknown.ambiguous.join(" and ")
        )
    };
    Problem {
        column: column.into(),
        value: value.into(),
        reason,
    }
}

/// Province, regency and district codes of a register row, checked against the
/// Kemendagri list and against each other.
fn resolve_regions(
    db: &Reference,
    c: &ColumnIndex,
    cells: &[&str],
    numeric: &[bool],
    problems: &mut Vec<Problem>,
) -> Option<(String, String, Option<String>)> {
    let w = db.wilayah;
    let regency_code = c.code(cells, numeric, "regency_code");
    let regency_text: &str = &regency_code;
    let regency = match w.resolve(Level::Regency, regency_text, None) {
        Ok(r) => r,
        Err(e) => {
            // The cell as the file holds it, not with a zero added.
            problems.push(unknown_region(
                "regency_code",
                c.get(cells, "regency_code"),
                Level::Regency,
                e,
            ));
            return None;
        }
    };
    let province_text = c.get(cells, "province_code");
    if !province_text.is_empty() {
        match w.resolve(Level::Province, province_text, None) {
            Ok(p) if p.code == regency.parent => {}
            Ok(p) => problems.push(Problem {
                column: "province_code".into(),
                value: province_text.into(),
                reason: format!(
                    "{} {} is not the province of regency {} {}",
                    p.code, p.name, regency.code, regency.name
                ),
            }),
            Err(e) => problems.push(unknown_region(
                "province_code",
                province_text,
                Level::Province,
                e,
            )),
        }
    }
    let district_text = c.get(cells, "district_code");
    let district = if district_text.is_empty() {
        None
    } else {
        match w.resolve(Level::District, district_text, Some(&regency.code)) {
            Ok(d) if d.parent == regency.code => Some(d.code.clone()),
            Ok(d) => {
                problems.push(Problem {
                    column: "district_code".into(),
                    value: district_text.into(),
                    reason: format!(
                        "kecamatan {} {} is not in regency {} {}",
                        d.code, d.name, regency.code, regency.name
                    ),
                });
                None
            }
            Err(e) => {
                problems.push(unknown_region(
                    "district_code",
                    district_text,
                    Level::District,
                    e,
                ));
                None
            }
        }
    };
    Some((regency.parent.clone(), regency.code.clone(), district))
}

/// `cells` with the incubator column `c` has, when it names one incubator
/// otherwise than by its id as listed, holding that id, and that column's
/// position; `None` when it holds an id, nothing, or no one incubator's
/// name.
pub(crate) fn with_incubator_id<'x>(
    reference: &'x Reference,
    c: &ColumnIndex,
    cells: &[&'x str],
) -> Option<(usize, Vec<&'x str>)> {
    let at = c.position("incubator_id")?;
    let cell = answer_cell(cells.get(at)?);
    if cell.is_empty() {
        return None;
    }
    let id = reference.incubators.id_for(cell)?;
    let mut renamed = cells.to_vec();
    renamed[at] = id;
    Some((at, renamed))
}

/// Whether `problems` already name an unlisted incubator.
pub(crate) fn unlisted_said(problems: &[Problem]) -> bool {
    problems
        .iter()
        .any(|p| p.reason.contains("is not in the incubator list"))
}

/// The register's columns in their own order: the index of cells already
/// laid out that way (a form's household values, a known KPM's row), made
/// once rather than per row.
pub(crate) fn register_order() -> &'static ColumnIndex {
    static ORDER: std::sync::OnceLock<ColumnIndex> = std::sync::OnceLock::new();
    ORDER.get_or_init(|| ColumnIndex::identity(REGISTER_COLUMNS))
}

/// The KPM in the register, with their incubators.
pub(crate) fn known_kpm(db: &Database) -> Result<HashMap<String, Registered>, IngestError> {
    Ok(db
        .conn
        .prepare("SELECT kpm_id, arm, incubator_id FROM kpm")?
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                Registered {
                    arm: r.get(1)?,
                    incubator: r.get(2)?,
                },
            ))
        })?
        .collect::<Result<_, _>>()?)
}

/// What a sheet's or form's row is checked against for a registered KPM.
pub(crate) struct Registered {
    pub(crate) arm: String,
    pub(crate) incubator: Option<String>,
}

/// A household field's column, how its values map, and its choice labels.
type HouseholdSource = (usize, FieldMapping, Option<HashMap<String, String>>);

/// Where a form's mapping finds the household fields (`HOUSEHOLD_FIELDS`),
/// in the register's column order.
pub(crate) struct HouseholdPlan {
    /// Per register column: the form's column, how its values map, and the
    /// choice labels when the export has labels.
    sources: Vec<Option<HouseholdSource>>,
}

impl HouseholdPlan {
    /// `None` when the mapping feeds no household field this file has.
    pub(crate) fn new(
        headers: &[String],
        mapping: &FormMapping,
        labels: Option<&[Option<HashMap<String, String>>]>,
    ) -> Option<Self> {
        let mut any = false;
        let sources = REGISTER_COLUMNS
            .iter()
            .map(|name| {
                let field = mapping.fields.get(*name)?;
                let index = find_column(headers, &field.column)?;
                any |= *name != "kpm_id";
                let labels = labels.and_then(|l| l.get(index)?.clone());
                Some((index, field.clone(), labels))
            })
            .collect();
        any.then_some(HouseholdPlan { sources })
    }

    /// The register's columns this form feeds.
    pub(crate) fn carried(&self) -> Vec<&'static str> {
        REGISTER_COLUMNS
            .iter()
            .zip(&self.sources)
            .filter(|(_, s)| s.is_some())
            .map(|(name, _)| *name)
            .collect()
    }

    /// The row's household values in the register's column order: choice
    /// labels read as their names, names mapped through `choices` (a choice
    /// not in them is kept as it is, for the checks to name).
    pub(crate) fn cells(&self, cells: &[&str]) -> Vec<String> {
        self.sources
            .iter()
            .map(|source| {
                let Some((index, field, labels)) = source else {
                    return String::new();
                };
                let raw = answer_cell(cells.get(*index).copied().unwrap_or(""));
                let name = labels
                    .as_ref()
                    .and_then(|l| l.get(&normalize_label(raw)))
                    .map_or(raw, String::as_str);
                field.choice(name).unwrap_or(name).to_string()
            })
            .collect()
    }

    /// Where the incubator is among the register's columns, when the form
    /// feeds it.
    pub(crate) fn incubator_at(&self) -> Option<usize> {
        let at = REGISTER_COLUMNS.iter().position(|n| *n == "incubator_id")?;
        self.sources[at].as_ref().map(|_| at)
    }

    /// The cell that feeds register column `at`, as the export holds it.
    pub(crate) fn cell<'c>(&self, cells: &[&'c str], at: usize) -> &'c str {
        self.sources[at].as_ref().map_or("", |(index, ..)| {
            answer_cell(cells.get(*index).copied().unwrap_or(""))
        })
    }

    /// `problem`, found under a register column, named by the form's column
    /// that feeds it: the user looks for the column of their export.
    pub(crate) fn in_form(&self, mut problem: Problem) -> Problem {
        let source = REGISTER_COLUMNS
            .iter()
            .zip(&self.sources)
            .find(|(name, _)| **name == problem.column);
        if let Some((_, Some((_, field, _)))) = source {
            problem.column = field.column.clone();
        }
        problem
    }

    /// The problem of a row whose incubator choice is not in the list.
    pub(crate) fn unknown_incubator(&self, cells: &[&str]) -> Problem {
        let position = REGISTER_COLUMNS
            .iter()
            .position(|n| *n == "incubator_id")
            .expect("a register column");
        let (index, field, labels) = self.sources[position]
            .as_ref()
            .expect("only asked when the form has the incubator");
        let raw = answer_cell(cells.get(*index).copied().unwrap_or(""));
        let named = labels.as_ref().and_then(|l| l.get(&normalize_label(raw)));
        let choice = match named {
            Some(name) => format!("choice `{name}` (label \"{raw}\")"),
            None => format!("choice `{raw}`"),
        };
        Problem {
            column: field.column.clone(),
            value: raw.to_string(),
            reason: format!(
                "the form's incubator {choice} is not in the incubator list: add the incubator to incubators.csv and ingest it, \
                 or map the choice to a listed incubator id in the mapping's `choices` of incubator_id; then ingest this file again"
            ),
        }
    }
}
