//! Loading one file: detect its format, check every row, stage the good rows,
//! reject the bad ones with their reason, merge — all in one transaction.

use std::path::Path;

use chrono::Utc;
use duckdb::types::Value;
use duckdb::{Appender, Connection, params};

use crate::IngestError;
use crate::aliases;
use crate::db::Database;
use crate::feedback::{FEEDBACK_COLUMNS, check_feedback_row};
use crate::incubators::IncubatorNames;
use crate::mapping::{
    Aggregate, CANONICAL_FIELDS, FieldType, FormMapping, find_column, find_first_column,
};
use crate::nik::NikKey;
use crate::privacy::{contains_nik, safe_text};
use crate::register::{
    ColumnIndex, HouseholdPlan, INCUBATOR_COLUMNS, REGISTER_COLUMNS, Registered,
    check_register_row, known_kpm, long_name, register_order, text, unknown_region, unlisted_said,
    with_incubator_id,
};
use crate::source::{Container, Table, sheet_is_group};
use crate::stage::{StageBatch, StageSchema};
use crate::survey::{SurveyPlan, Unbelieved, convert, digest_of, interview_time};
use crate::values::{Limits, answer_cell, parse_count, parse_money, parse_yes_no, trim};
use crate::wilayah::Level;
use crate::xlsform::{LabelHeaders, XlsForm};
use prokus_files::check_id;
use std::collections::{HashMap, HashSet};

pub(crate) const STAGE_SQL: &str = include_str!("../../../queries/ingest/stage.sql");
const MERGE_RESPONSE_SQL: &str = include_str!("../../../queries/ingest/merge_response.sql");
const MERGE_REGISTER_SQL: &str = include_str!("../../../queries/ingest/merge_register.sql");
const MERGE_FEEDBACK_SQL: &str = include_str!("../../../queries/ingest/merge_feedback.sql");
const REGISTER_SPELLING_SQL: &str = include_str!("../../../queries/ingest/register_spelling.sql");
const MERGE_TEMPLATE_SQL: &str = include_str!("../../../queries/ingest/merge_template.sql");
const KPM_SPELLING_SQL: &str = include_str!("../../../queries/ingest/kpm_spelling.sql");
const HOUSEHOLD_DIFFERENCES_SQL: &str =
    include_str!("../../../queries/ingest/household_differences.sql");

/// What a file is, detected from its header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A KoboToolbox CSV export (`_uuid`, `_submission_time`, `/` groups).
    KoboCsv,
    /// A KoboToolbox XLSX export (main sheet first).
    KoboXlsx,
    /// An ODK Central `submissions.csv` (`SubmissionDate`, `KEY`, `-` groups).
    OdkCsv,
    /// An ODK Central `.csv.zip`: the form's table and its repeat tables.
    OdkZip,
    /// The KPM register: one row per beneficiary household.
    Register,
    /// The list of business incubators.
    Incubators,
    /// The canonical template incubators fill by hand (CSV or XLSX).
    Template,
    /// The written feedback sheet of an incubator or a social office
    /// ([`crate::feedback`]).
    Feedback,
}

impl Format {
    /// The short name used in summaries and `ingest_batch.format`.
    pub fn name(self) -> &'static str {
        match self {
            Format::KoboCsv => "kobo-csv",
            Format::KoboXlsx => "kobo-xlsx",
            Format::OdkCsv => "odk-csv",
            Format::OdkZip => "odk-zip",
            Format::Register => "kpm-register",
            Format::Incubators => "incubators",
            Format::Template => "template",
            Format::Feedback => "feedback",
        }
    }

    /// Every format, for `--format`.
    pub const ALL: [Format; 8] = [
        Format::KoboCsv,
        Format::KoboXlsx,
        Format::OdkCsv,
        Format::OdkZip,
        Format::Register,
        Format::Incubators,
        Format::Template,
        Format::Feedback,
    ];

    /// The format of a [`Format::name`].
    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.name() == name)
    }

    /// Lists go before the survey rows and the feedback that refer to them.
    pub fn load_order(self) -> u8 {
        match self {
            Format::Incubators => 0,
            Format::Register => 1,
            Format::Feedback => 3,
            _ => 2,
        }
    }

    fn detect(headers: &[String], container: Container) -> Option<Format> {
        // Before the survey exports: a Kobo or ODK export of the feedback
        // form has their columns too.
        if crate::feedback::is_feedback(headers) {
            return Some(Format::Feedback);
        }
        if let Some(export) = Format::form_export(headers, container) {
            return Some(export);
        }
        // The hand-filled lists, by their canonical or Indonesian names.
        let household = |name: &str| aliases::has_column(headers, name, aliases::LIST_ALIASES);
        if household("kpm_id") && household("wave") {
            return Some(Format::Template);
        }
        // A list of KPM with their regency and no round: the register. An
        // incubator's own list of its KPM often has no arm column, all of
        // them being ProKUS KPM: its incubator column says so, when no
        // answer column makes it a monitoring sheet without its round.
        if household("kpm_id")
            && household("regency_code")
            && !household("wave")
            && (household("arm") || (household("incubator_id") && !has_answers(headers)))
        {
            return Some(Format::Register);
        }
        let incubator = |name: &str| aliases::has_column(headers, name, aliases::INCUBATOR_ALIASES);
        if incubator("incubator_id") && incubator("name") && !household("kpm_id") {
            return Some(Format::Incubators);
        }
        None
    }

    /// What to do with a file whose `headers` are no format's: when they
    /// have part of a hand-filled list's columns, the columns it lacks, by
    /// their canonical and Indonesian names.
    fn nearest(headers: &[String]) -> String {
        // The list `prokus rejects` writes, sent back as if it were data.
        if headers.len() == crate::REJECT_COLUMNS.len()
            && headers
                .iter()
                .zip(crate::REJECT_COLUMNS)
                .all(|(h, c)| h.trim().eq_ignore_ascii_case(c))
        {
            return "this is a list of rows not loaded, as `prokus rejects` writes it: correct those rows \
                    in the file it names (or ask its sender to), then load that file again"
                .into();
        }
        let household = |name: &str| aliases::has_column(headers, name, aliases::LIST_ALIASES);
        let lacks = |names: &[(&str, &str)], present: &dyn Fn(&str) -> bool| -> String {
            names
                .iter()
                .filter(|(name, _)| !present(name))
                .map(|(name, alias)| format!("`{name}` (or `{alias}`)"))
                .collect::<Vec<_>>()
                .join(" and ")
        };
        if household("kpm_id") {
            let mut register = lacks(&[("regency_code", "kode_kab_kota")], &household);
            if !household("arm") && !household("incubator_id") {
                let arm = "`arm` (or `kelompok_studi`), or for ProKUS KPM alone their \
                           incubator (`incubator_id` or `inkubator`)";
                register = if register.is_empty() {
                    arm.to_string()
                } else {
                    format!("{arm} and {register}")
                };
            }
            // A file with all a register needs is not one for its answers.
            let register = if register.is_empty() {
                String::new()
            } else {
                format!("; a KPM register also needs {register}")
            };
            // `kelompok` often names a business group: not read as the arm.
            let group = if headers
                .iter()
                .any(|h| aliases::canonical(h, &[("kelompok", "arm")]).is_some())
            {
                "; a column headed `kelompok` is not read as the study arm, since it often names a \
                 business group: head it `arm` or `kelompok_studi` if it holds prokus or pembanding"
            } else {
                ""
            };
            return format!(
                "the file has a KPM id column: a monitoring sheet (the template) also needs `wave` \
                 (or `putaran`), or, in a workbook, each round in a sheet named after it \
                 (`Baseline`, `Monitoring 1`, `Endline`), or, for a file of one round, \
                 `prokus ingest --wave ROUND`{register}{group}"
            );
        }
        let incubator = |name: &str| aliases::has_column(headers, name, aliases::INCUBATOR_ALIASES);
        if incubator("incubator_id") && !incubator("name") {
            return "the file has an incubator id column: an incubator list also needs `name` \
                    (or `nama_inkubator`)"
                .into();
        }
        // A list of households as an office keeps it: by NIK and name,
        // without the programme's id.
        let of_households = household("nik")
            || (household("kpm_name")
                && ["regency_code", "incubator_id", "gender"]
                    .iter()
                    .any(|c| household(c)));
        if of_households {
            return "the file lists households (a NIK or name column) but has no KPM id column: \
                    a KPM register or monitoring sheet needs `kpm_id` (or `id_kpm`), the \
                    programme's id of each KPM, as the ministry's register gives it (a NIK is \
                    not one: it is never stored in full)"
                .into();
        }
        "check that this is a survey export of the ProKUS form (or pass --form MAPPING for another form), \
         kpm_register.csv, incubators.csv or a feedback sheet (period, kind, text and who writes)"
            .into()
    }

    /// The export format of `headers` when they are a KoboToolbox or ODK
    /// Central export's, by their metadata columns.
    pub(crate) fn form_export(headers: &[String], container: Container) -> Option<Format> {
        if crate::source::kobo_export(headers) {
            return Some(if container == Container::Xlsx {
                Format::KoboXlsx
            } else {
                Format::KoboCsv
            });
        }
        if crate::source::odk_export(headers) {
            return Some(if container == Container::CsvZip {
                Format::OdkZip
            } else {
                Format::OdkCsv
            });
        }
        None
    }

    /// The Indonesian column names this format reads as its own, if any.
    fn aliases(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Format::Template | Format::Register => aliases::LIST_ALIASES,
            Format::Incubators => aliases::INCUBATOR_ALIASES,
            _ => &[],
        }
    }
}

/// The table of `file`, which [`crate::source::scan`] gave `scanned`: a
/// UTF-8 CSV read as it is parsed, anything else (a workbook, a `.csv.zip`,
/// Windows-1252 text) read whole. Its header is the first row a format is
/// known by, looked for below a title (and, in a workbook, behind other
/// sheets).
fn open_table(
    file: &Path,
    scanned: &crate::source::Scanned,
    options: &IngestOptions,
) -> Result<(Container, Table), IngestError> {
    // A round given for the files without one (`--wave`): a header that
    // lacks only the round is a monitoring sheet's too, given it later
    // ([`give_round`]).
    let wave_given = options.wave.is_some();
    let (container, mut table) = if scanned.streamed() {
        (Container::Csv, Table::open_csv(file)?)
    } else {
        let bytes = std::fs::read(file).map_err(|source| IngestError::Io {
            path: file.to_path_buf(),
            source,
        })?;
        let container = Container::sniff(&bytes);
        let kind = |headers: &[String]| Format::detect(headers, container).map(Format::name);
        // The template's rounds, as a row's `wave` cell names them.
        let waves = FormMapping::template();
        let round =
            |name: &str| sheet_round(name, |n| waves.fields["wave"].choice_of_name(n).is_some());
        let finding = crate::source::Finding {
            kind_of: &kind,
            round_of: &round,
            sheet: options.sheet.as_deref(),
            round_given: wave_given,
        };
        let table = Table::read_finding(file, bytes, container, &finding)?;
        (container, table)
    };
    if container == Container::Csv {
        table.find_csv_header(&|headers| {
            Format::detect(headers, container).is_some()
                || (wave_given && lacks_only_round(headers, container))
        });
    }
    Ok((container, table))
}

/// Gives every row of `table` the round `wave` (canonical), when it has no
/// round column: a survey export (the mapping's round column, holding the
/// form's answer for that round), or a monitoring sheet but for its round
/// (`wave`). `Some(true)` when it did, `Some(false)` for a table with a
/// round column of its own, `None` for a list or a feedback sheet (to which
/// a round column would give another format).
fn give_round(
    table: &mut Table,
    wave: &str,
    mapping: &FormMapping,
    container: Container,
) -> Option<bool> {
    let headers = &table.headers;
    let form_round = mapping.fields.get("wave");
    let has_round = aliases::has_column(headers, "wave", aliases::LIST_ALIASES)
        || form_round.is_some_and(|f| find_column(headers, &f.column).is_some());
    if has_round {
        return Some(false);
    }
    if Format::form_export(headers, container).is_some() {
        let field = form_round?;
        // The form's own answer for the round, where its mapping names one.
        let answer = field
            .choices
            .iter()
            .find(|(_, code)| code.as_str() == wave)
            .map_or(wave, |(answer, _)| answer.as_str())
            .to_string();
        table.add_column(field.column.clone(), HashMap::new(), answer);
        return Some(true);
    }
    if lacks_only_round(headers, container) {
        table.add_column("wave".into(), HashMap::new(), wave.to_string());
        return Some(true);
    }
    None
}

/// Whether `headers` have a column of a monitoring sheet's answers (the
/// canonical fields but the KPM and the round), by its canonical or
/// Indonesian name.
fn has_answers(headers: &[String]) -> bool {
    headers.iter().any(|h| {
        let name = aliases::canonical(h, aliases::LIST_ALIASES).unwrap_or(h.trim());
        CANONICAL_FIELDS
            .iter()
            .any(|(f, _)| !matches!(*f, "kpm_id" | "wave") && f.eq_ignore_ascii_case(name))
    })
}

/// Whether `headers` head no format, and would head a monitoring sheet
/// with a `wave` column added.
fn lacks_only_round(headers: &[String], container: Container) -> bool {
    let mut with_round = headers.to_vec();
    with_round.push("wave".into());
    Format::detect(headers, container).is_none()
        && Format::detect(&with_round, container) == Some(Format::Template)
}

/// The round a sheet's name says, as a `wave` cell would hold it, by
/// `is_round`: the name itself, or the name without what a sheet's maker
/// adds to it, a bracket at its end and a year (`Baseline 2022`,
/// `Monitoring 1 (Juni)`, `Monev II - 2022`).
fn sheet_round(name: &str, is_round: impl Fn(&str) -> bool) -> Option<String> {
    let mut rest = name.trim();
    loop {
        if !rest.is_empty() && is_round(rest) {
            return Some(rest.to_string());
        }
        let cut = rest
            .strip_suffix(')')
            .and_then(|inner| inner.rfind('(').map(|open| &rest[..open]))
            .or_else(|| {
                let (before, last) = rest.rsplit_once([' ', '-', '_'])?;
                let year = last.len() == 4
                    && last.starts_with("20")
                    && last.chars().all(|c| c.is_ascii_digit());
                year.then_some(before)
            })?;
        let trimmed = cut.trim_end_matches([' ', '-', '_']);
        if trimmed.len() == rest.len() {
            return None;
        }
        rest = trimmed;
    }
}

/// The first columns of a header no format knows, for its error. A file
/// without a header row has data here: masked and clipped.
fn first_headers(headers: &[String]) -> String {
    safe_text(
        &headers
            .iter()
            .take(6)
            .cloned()
            .collect::<Vec<_>>()
            .join(", "),
    )
}

/// Refuses what is not a file of data on disk: a folder, or a device or a
/// pipe (`/dev/zero`, a FIFO), whose reading would never end.
fn regular_file(file: &Path) -> Result<(), IngestError> {
    let meta = std::fs::metadata(file).map_err(|source| IngestError::Io {
        path: file.to_path_buf(),
        source,
    })?;
    if meta.is_file() {
        return Ok(());
    }
    Err(IngestError::Unreadable {
        path: file.to_path_buf(),
        reason: if meta.is_dir() {
            "this is a folder, not a file".into()
        } else {
            "this is not a regular file (a device or a pipe), whose reading may never end".into()
        },
        hint: "give the exported or filled-in files themselves, or to `prokus ingest` the folder \
               they are in"
            .into(),
    })
}

/// The order in which a file should be loaded (see [`Format::load_order`]),
/// read from its header alone; workbooks and unreadable files sort last.
pub fn sniff_load_order(path: &Path) -> u8 {
    use std::io::Read;
    // Opening a pipe would wait for a writer (the load refuses it).
    if !path.is_file() {
        return 2;
    }
    let mut head = vec![0u8; 64 * 1024];
    let Ok(n) = std::fs::File::open(path).and_then(|mut f| f.read(&mut head)) else {
        return 2;
    };
    head.truncate(n);
    if Container::sniff(&head) != Container::Csv {
        return 2;
    }
    let text = crate::source::decode(&head);
    match Table::read(path, text.as_bytes(), Container::Csv) {
        Ok(mut t) => {
            // Below a title too, as the load finds it.
            t.find_csv_header(&|headers| Format::detect(headers, Container::Csv).is_some());
            Format::detect(&t.headers, Container::Csv).map_or(2, Format::load_order)
        }
        Err(_) => 2,
    }
}

/// What happened to one file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BatchSummary {
    /// The file as given.
    pub file: String,
    /// The detected format's name.
    pub format: String,
    /// Data rows read (header and blank rows not counted).
    pub rows_read: u64,
    /// Rows now in the canonical tables.
    pub rows_loaded: u64,
    /// Rows rejected for invalid content (see `ingest_reject`).
    pub rows_rejected: u64,
    /// Rows that were already loaded (same submission id) or repeated in the file.
    pub rows_duplicate: u64,
    /// The batch that holds the file; for a file seen before, the earlier batch.
    pub batch_id: i64,
    /// True when this exact file (same SHA-256) was loaded before: nothing added.
    pub already_loaded: bool,
    /// Rows of repeat groups whose submission is not in the file (recorded in
    /// `ingest_reject` as `orphan`, not counted in the rows above).
    pub orphan_repeat_rows: u64,
    /// Rows loaded from a hand-filled sheet without a date of their own
    /// (no `submitted_at` column, or an empty cell): dated when loaded
    /// (`response.dated_at_load`), so in their round but in no quarter.
    pub rows_dated_at_load: u64,
    /// A KPM register's KPM, as it now holds them from this list, that have
    /// no NIK: the list has no `nik` column for new KPM, or empty cells.
    /// `prokus check` lists each (0 for other formats).
    pub kpm_without_nik: u64,
    /// Whether a KPM register had a `nik` column (true for other formats).
    pub nik_column: bool,
    /// The incubators (as the file names them) that rejected rows because
    /// they are not in the incubator list, at most ten.
    pub unlisted_incubators: Vec<String>,
    /// A register or incubator list that updated KPM or incubators already
    /// held: the columns it does not have, whose values were kept (empty
    /// otherwise).
    pub kept_columns: Vec<String>,
    /// A hand-filled sheet's or list's columns that are none of its format's
    /// and were not read (a misspelt or extra column), as headed, with any
    /// NIK in them masked. Exports of a form are not listed: their
    /// metadata and notes are columns no mapping reads.
    pub unread_columns: Vec<String>,
    /// A hand-filled sheet's or list's columns not read because another
    /// column gives the same field (`Omset` beside `Omzet`, or a header
    /// twice): each as headed with its letter (`` `Omset` (column J) ``),
    /// the field, and the column read for it.
    pub named_twice: Vec<(String, String, String)>,
    /// A workbook's columns read whose cells hold formulas with values that
    /// may not be their results: the file asks to be calculated again when
    /// it is opened, as programs that write formulas without calculating
    /// them do (XlsxWriter saves 0 for each). Each as headed with its letter
    /// (`` `income` (column C) ``) and how many such cells it has. The
    /// values were loaded as the file saved them.
    pub formulas_to_recalculate: Vec<(String, u64)>,
    /// A round was given for files without a round column
    /// ([`IngestOptions::wave`]), and this file has its own: its rows keep
    /// theirs.
    pub own_wave: bool,
    /// The incubators the rows named by their name or university rather
    /// than their id, read as the id the incubator list gives that name:
    /// each as the first such row wrote it, the id, and how many rows.
    pub incubators_by_name: Vec<(String, String, u64)>,
    /// Answers in the file's rows that said the KPM did not know or would
    /// not say, or that were not filled in (`tidak tahu`, `N/A`, `?`), read
    /// as no answer.
    pub answers_not_given: u64,
    /// A Kobo/ODK export's rows whose interview time (the form's `end`)
    /// was not believed: after the submission or more than 90 days before
    /// it. Dated by their submission; many say a device's clock is wrong.
    pub interview_times_not_believed: u64,
    /// A Kobo/ODK export's rows whose interview time names no offset (an
    /// XLSX export with dates as numbers) or is no time: dated by their
    /// submission.
    pub interview_times_without_offset: u64,
}

/// A problem with one cell, becoming one `ingest_reject` row.
#[derive(Clone)]
pub(crate) struct Problem {
    pub(crate) column: String,
    pub(crate) value: String,
    pub(crate) reason: String,
}

/// Where rejected rows are written.
struct Rows<'a> {
    batch_id: i64,
    rejects: Appender<'a>,
}

impl Rows<'_> {
    fn reject(&mut self, row: u64, problems: Vec<Problem>) -> Result<(), IngestError> {
        for p in problems {
            self.rejects.append_row(params![
                self.batch_id,
                row as i64,
                safe_text(&p.column),
                safe_text(&p.value),
                "invalid",
                safe_text(&p.reason)
            ])?;
        }
        Ok(())
    }
}

/// Rows checked per chunk handed from the checking thread to the writing one.
const CHUNK_ROWS: usize = 2048;

/// Rows as read, on their way to a checker: their cells side by side in one
/// string, so that a chunk costs a few allocations rather than a few per row
/// (each freed on the checker's thread).
#[derive(Default)]
struct RawChunk {
    /// Every row's cells, one after another.
    text: String,
    /// Where each cell ends in `text`, row after row.
    ends: Vec<usize>,
    /// Which cells were numbers in a sheet, for the rows that have any.
    numeric: Vec<bool>,
    rows: Vec<RawRow>,
}

/// One row of a [`RawChunk`].
struct RawRow {
    row: u64,
    /// Where its first cell starts in `text`.
    start: usize,
    /// Its cells' ends, in `ends`.
    cells: std::ops::Range<usize>,
    /// Its cells' number flags in `numeric`; empty when none was a number.
    numeric: std::ops::Range<usize>,
}

impl RawChunk {
    /// An empty chunk with room for about as much as `like` held.
    fn sized_like(like: &RawChunk) -> Self {
        RawChunk {
            text: String::with_capacity(like.text.len()),
            ends: Vec::with_capacity(like.ends.len()),
            numeric: Vec::new(),
            rows: Vec::with_capacity(CHUNK_ROWS),
        }
    }

    fn push(&mut self, row: u64, record: &csv::StringRecord, numeric: &[bool]) {
        let start = self.text.len();
        self.text.push_str(record.as_slice());
        let first = self.ends.len();
        // A record keeps its cells in one string: each cell ends where the
        // next begins.
        let mut end = start;
        for cell in record.iter() {
            end += cell.len();
            self.ends.push(end);
        }
        let flags = self.numeric.len();
        // Only sheets have number cells: most rows keep none.
        if numeric.contains(&true) {
            self.numeric.extend_from_slice(numeric);
        }
        self.rows.push(RawRow {
            row,
            start,
            cells: first..self.ends.len(),
            numeric: flags..self.numeric.len(),
        });
    }

    /// Row `raw`'s cells, into `cells`.
    fn cells<'a>(&'a self, raw: &RawRow, cells: &mut Vec<&'a str>) {
        cells.clear();
        let mut start = raw.start;
        for &end in &self.ends[raw.cells.clone()] {
            cells.push(&self.text[start..end]);
            start = end;
        }
    }
}

/// One chunk of checked rows.
struct Chunk {
    /// Rows read in this chunk.
    read: u64,
    stage: StageBatch,
    /// New KPM a template introduces.
    kpm: Option<StageBatch>,
    rejects: Vec<(u64, Vec<Problem>)>,
}

impl Chunk {
    fn new(stage: &StageSchema, kpm: Option<&StageSchema>) -> Self {
        Chunk {
            read: 0,
            stage: StageBatch::new(stage),
            kpm: kpm.map(StageBatch::new),
            rejects: Vec::new(),
        }
    }
}

/// Told the rows read so far while a file loads (every few thousand rows),
/// for a progress display; the ingest itself prints nothing.
#[derive(Clone)]
pub struct RowProgress(pub std::sync::Arc<dyn Fn(u64) + Send + Sync>);

impl std::fmt::Debug for RowProgress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RowProgress")
    }
}

/// How files are read beyond what their header says.
#[derive(Debug, Clone, Default)]
pub struct IngestOptions {
    /// Read every file as this format instead of detecting it.
    pub format: Option<Format>,
    /// The survey's XLSForm, to read exports with label headers. Without it,
    /// the built-in ProKUS form is used when the mapping is for that form.
    pub xlsform: Option<XlsForm>,
    /// Bounds on money, counts and dates; values beyond them are rejected.
    pub limits: Limits,
    /// Told the rows read as the file loads.
    pub progress: Option<RowProgress>,
    /// The file's scan, made ahead of its turn by [`prescan`] (while the
    /// file before it loaded); used only for the very path it was made of.
    pub scanned: Option<Prescanned>,
    /// Let a KPM register move KPM it already holds to another incubator or
    /// to the other arm of the study. Without it such rows are refused: most
    /// often two incubators number their KPM alike (1, 2, 3 …), and the
    /// second list would take the first one's households.
    pub move_kpm: bool,
    /// The one sheet of a workbook to load, of those an
    /// [`IngestError::Sheets`] named: loaded as a file of its own, named
    /// `file.xlsx [sheet]`, each of its rows of the round the sheet's name
    /// says when it has no `wave` column.
    pub sheet: Option<String>,
    /// The CSV files prokus itself writes, each what it is (`indicators`)
    /// and its header: a file whose header begins with one of them is
    /// passed over as no data ([`IngestError::OwnOutput`]). A workbook prokus
    /// wrote is known by its document property ([`crate::outputs`]).
    pub outputs: Vec<(String, Vec<String>)>,
    /// The round (a canonical wave: `endline`) of every row of the files
    /// that have no round column: a survey form made for one round, a
    /// sheet saved per round. A file with its own round column keeps it
    /// ([`BatchSummary::own_wave`]), as does a sheet named after a round;
    /// lists and feedback sheets have none. A header that lacks only the
    /// round is looked for below a title, as any header is.
    pub wave: Option<String>,
}

/// A data file's one pass for its hash and encoding, started ahead of its
/// load on a thread of its own ([`prescan`]); the load takes it over, done
/// or still running.
#[derive(Debug, Clone)]
pub struct Prescanned {
    path: std::path::PathBuf,
    running: std::sync::Arc<Running>,
}

/// A scan running on a thread of its own ([`crate::source::scan`]).
#[derive(Debug)]
struct Running {
    /// The scan's result, set when it ends.
    result: std::sync::OnceLock<std::io::Result<crate::source::Scanned>>,
    /// The thread, joined by the first to wait for the result.
    thread: std::sync::Mutex<Option<std::thread::JoinHandle<()>>>,
    /// The file's stamp before the scan started: a file that is not so
    /// when its load starts, or when the scan ends, changed meanwhile.
    before: Option<crate::source::Stamp>,
}

impl Running {
    /// Starts the scan of `file`.
    fn start(file: &Path) -> std::sync::Arc<Running> {
        let running = std::sync::Arc::new(Running {
            result: std::sync::OnceLock::new(),
            thread: std::sync::Mutex::new(None),
            before: crate::source::Stamp::now(file),
        });
        let (path, told) = (file.to_path_buf(), std::sync::Arc::clone(&running));
        let thread = std::thread::spawn(move || {
            let _ = told.result.set(crate::source::scan(&path, SCAN_BUFFER));
        });
        *running.thread.lock().unwrap_or_else(|e| e.into_inner()) = Some(thread);
        running
    }

    /// The scan's facts, waiting for it to end; a file that changed since
    /// the scan started has no stamp.
    fn wait(&self) -> std::io::Result<crate::source::Scanned> {
        let thread = self.thread.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(thread) = thread {
            let _ = thread.join();
        }
        match self.result.get() {
            Some(Ok(scanned)) => {
                let mut scanned = scanned.clone();
                if scanned.stamp != self.before {
                    scanned.stamp = None;
                }
                Ok(scanned)
            }
            Some(Err(e)) => Err(std::io::Error::new(e.kind(), e.to_string())),
            None => Err(std::io::Error::other("the file's scan stopped")),
        }
    }
}

/// The bytes read at a time by a file's scan.
pub(crate) const SCAN_BUFFER: usize = 1 << 20;

/// Starts the scan of `file` ahead of its load, for
/// [`IngestOptions::scanned`], and returns at once: the caller can load one
/// file while this reads the next. `None` for a settings file, or a file
/// that is not a regular one, which its own load then refuses saying why.
pub fn prescan(file: &Path) -> Option<Prescanned> {
    // A pipe or a device is never read: its reading may never end.
    if is_settings_file(file) || regular_file(file).is_err() {
        return None;
    }
    Some(Prescanned {
        path: file.to_path_buf(),
        running: Running::start(file),
    })
}

/// Whether `file` is a programme setting (a TOML file: targets, the survey
/// calendar, the checks' bounds, a form mapping), which is not loaded as data.
pub fn is_settings_file(file: &Path) -> bool {
    file.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("toml"))
}

pub(crate) fn ingest_file(
    db: &mut Database,
    file: &Path,
    mapping: &FormMapping,
    options: &IngestOptions,
) -> Result<BatchSummary, IngestError> {
    if is_settings_file(file) {
        return Err(IngestError::NotData {
            path: file.to_path_buf(),
            what: "this is a settings file (a form mapping or targets)".into(),
            hint: "give a mapping with `prokus ingest --form FILE`, targets with `prokus indicators --targets FILE`".into(),
        });
    }
    regular_file(file)?;
    // One sheet of a workbook: known as loaded before by the workbook's
    // hash and the sheet's name, the workbook's scan done first (as any
    // archive's is).
    if let Some(sheet) = &options.sheet {
        let mut scanned =
            crate::source::scan(file, SCAN_BUFFER).map_err(|source| IngestError::Io {
                path: file.to_path_buf(),
                source,
            })?;
        scanned.sha256 = sheet_hash(&scanned.sha256, sheet);
        return ingest_scanned(db, file, mapping, options, &mut Scan::done(scanned))
            .map(Loaded::summary)
            .map_err(|e| e.in_sheet(sheet));
    }
    // A scan started ahead is taken over while the file is as it was then,
    // done or still running. Otherwise the file is scanned beside its
    // load. Either way the load reads the file as UTF-8 until the scan is
    // done; it is made again from the scan's facts when the scan finds
    // other text, and dropped when it finds a file loaded before.
    let ahead = options.scanned.as_ref().filter(|ahead| {
        ahead.path == file
            && ahead.running.before.is_some()
            && ahead.running.before == crate::source::Stamp::now(file)
    });
    let mut beside = Scan::beside(db, file, ahead.map(|a| std::sync::Arc::clone(&a.running)))?;
    let outcome = ingest_scanned(db, file, mapping, options, &mut beside);
    match outcome {
        Ok(Loaded::Batch(summary)) => return Ok(*summary),
        Ok(Loaded::Redo) => {}
        // The load read the file as UTF-8 text, or was stopped because
        // the file is known: its error stands only for a file it read
        // as it is.
        Err(error) if beside.running.is_none() => return Err(error),
        Err(error) => {
            let scanned = beside.finish(file)?;
            if let Some(summary) =
                earlier_batch(&db.conn, &scanned.sha256, &crate::privacy::shown_path(file))?
            {
                return Ok(summary);
            }
            if scanned.streamed() {
                return Err(error);
            }
        }
    }
    let mut scan = Scan::done(beside.finish(file)?);
    ingest_scanned(db, file, mapping, options, &mut scan).map(Loaded::summary)
}

/// The batch's name of `file`, or of one `sheet` of it: as the database,
/// the screen and the rejects name it (no NIK, no control character).
fn shown_file(file: &Path, sheet: Option<&str>) -> String {
    let shown = crate::privacy::shown_path(file);
    match sheet {
        Some(sheet) => format!("{shown} [{}]", crate::privacy::safe_text(sheet)),
        None => shown,
    }
}

/// The hash a sheet of a workbook is known by, loaded on its own: its
/// name's bytes hashed after the workbook's hash (hex).
pub(crate) fn sheet_hash(workbook: &str, sheet: &str) -> String {
    use sha2::Digest;
    let mut hash = sha2::Sha256::new();
    hash.update(workbook.as_bytes());
    hash.update([0x1f]);
    hash.update(sheet.as_bytes());
    hex::encode(hash.finalize())
}

/// What one load of a file gave.
enum Loaded {
    /// Its batch, or the batch that loaded the same file before (boxed:
    /// the other variant is empty).
    Batch(Box<BatchSummary>),
    /// Nothing: the scan beside the load found the file not to be UTF-8
    /// text (or to be an archive), which the load read as such; it is
    /// loaded again from the scan's facts.
    Redo,
}

impl Loaded {
    /// The batch of a load that knew the file's scan from the start, which
    /// is never made again.
    fn summary(self) -> BatchSummary {
        match self {
            Loaded::Batch(summary) => *summary,
            Loaded::Redo => unreachable!("a load made from a finished scan is not made again"),
        }
    }
}

/// A file's scan ([`crate::source::scan`]): finished before its load, or
/// running beside it on another thread.
struct Scan {
    /// The finished scan's facts.
    done: Option<crate::source::Scanned>,
    /// The scan running beside the load.
    running: Option<std::sync::Arc<Running>>,
    /// The hashes of the files loaded before, against which the running
    /// scan's is held as soon as it is done.
    known: std::collections::HashSet<String>,
}

impl Scan {
    fn done(scanned: crate::source::Scanned) -> Scan {
        Scan {
            done: Some(scanned),
            running: None,
            known: Default::default(),
        }
    }

    /// The scan of `file` beside its load: `ahead`, started before, or one
    /// started now. It is waited for first when the file is an archive
    /// (read whole, after its scan) or a path loaded before (most often the
    /// same file given again, which its scan alone finds known).
    fn beside(
        db: &Database,
        file: &Path,
        ahead: Option<std::sync::Arc<Running>>,
    ) -> Result<Scan, IngestError> {
        let io = |source| IngestError::Io {
            path: file.to_path_buf(),
            source,
        };
        let zip = crate::source::starts_as_zip(file).map_err(io)?;
        let again: bool = db.conn.query_row(
            "SELECT count(*) > 0 FROM ingest_batch WHERE file = $1",
            params![crate::privacy::shown_path(file)],
            |r| r.get(0),
        )?;
        let finished = ahead.as_ref().is_some_and(|a| a.result.get().is_some());
        if again || finished || zip {
            let scanned = match ahead {
                Some(ahead) => ahead.wait(),
                None => crate::source::scan(file, SCAN_BUFFER),
            };
            return Ok(Scan::done(scanned.map_err(io)?));
        }
        // The hashes of the files loaded before: one row per batch.
        let known = db
            .conn
            .prepare("SELECT sha256 FROM ingest_batch")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(Scan {
            done: None,
            running: Some(ahead.unwrap_or_else(|| Running::start(file))),
            known,
        })
    }

    /// The scan's facts: what the load may assume before the scan is done
    /// (a UTF-8 CSV file, read as it is parsed).
    fn assumed(&self) -> crate::source::Scanned {
        self.done.clone().unwrap_or(crate::source::Scanned {
            sha256: String::new(),
            utf8: true,
            zip: false,
            stamp: None,
        })
    }

    /// Whether the load should stop, its work wasted: the running scan is
    /// done and found the file loaded before, or not UTF-8 text (or could
    /// not read it).
    fn stopped(&self) -> bool {
        let Some(running) = &self.running else {
            return false;
        };
        match running.result.get() {
            Some(Ok(s)) => !s.streamed() || self.known.contains(&s.sha256),
            Some(Err(_)) => true,
            None => false,
        }
    }

    /// The scan's facts, waiting for a running scan to end. A file that
    /// changed since the scan started has no stamp.
    fn finish(&mut self, file: &Path) -> Result<crate::source::Scanned, IngestError> {
        if let Some(running) = self.running.take() {
            let scanned = running.wait().map_err(|source| IngestError::Io {
                path: file.to_path_buf(),
                source,
            })?;
            self.done = Some(scanned);
        }
        Ok(self.done.clone().expect("a scan is either done or running"))
    }
}

/// What the rows of one file are staged by: its plan, its table, its
/// header as the file wrote it, and the reference its rows are checked
/// against.
#[derive(Clone, Copy)]
struct Staging<'a> {
    plan: &'a Plan,
    table: &'a Table,
    headed: &'a [String],
    reference: &'a Reference<'a>,
}

impl Staging<'_> {
    /// Checks each row of `rows` into `chunk`: staged, or refused with
    /// its problems. `no_numbers` is a checker's list of "no cell is a
    /// number", for the rows of a file that does not say.
    fn check_chunk(
        &self,
        rows: &RawChunk,
        mut chunk: Chunk,
        no_numbers: &mut Vec<bool>,
    ) -> Result<Chunk, IngestError> {
        // One list of cells for the chunk's rows.
        let mut cells: Vec<&str> = Vec::new();
        for raw in &rows.rows {
            rows.cells(raw, &mut cells);
            let numeric = if raw.numeric.is_empty() {
                no_numbers.resize(cells.len(), false);
                &no_numbers[..cells.len()]
            } else {
                &rows.numeric[raw.numeric.clone()]
            };
            chunk.read += 1;
            if self.is_header(&cells) {
                chunk.rejects.push((
                    raw.row,
                    vec![Problem {
                        column: self.table.headers[0].clone(),
                        value: cells[0].to_string(),
                        reason: "the header again, as a row (two files joined one after the \
                                 other?): nothing of it is loaded"
                            .into(),
                    }],
                ));
                continue;
            }
            match self.plan.check(self.reference, raw.row, &cells, numeric) {
                Ok((values, kpm)) => {
                    chunk.stage.push(&values)?;
                    if let (Some(kpm), Some(batch)) = (kpm, chunk.kpm.as_mut()) {
                        batch.push(&kpm)?;
                    }
                }
                Err(problems) => chunk.rejects.push((raw.row, problems)),
            }
        }
        Ok(chunk)
    }

    /// Whether `cells` are the file's header met again among its rows: two
    /// files joined one after the other, each with its header.
    fn is_header(&self, cells: &[&str]) -> bool {
        cells.len() == self.headed.len()
            && cells
                .iter()
                .zip(self.headed)
                .all(|(c, h)| c.trim().eq_ignore_ascii_case(h.trim()))
            && self.headed.iter().any(|h| !h.trim().is_empty())
    }
}

/// Reads, checks and stages every row of `staging`'s table on `conn`
/// (in the load's transaction): the good rows into the staging table of its
/// plan (and a template's new households into `stage_kpm`), the others into
/// `ingest_reject` with their problems, as batch `batch_id`. Returns how
/// many rows were read. `stop` ends it early (the scan beside the load
/// found the file not to be the text it was read as).
fn stage_rows(
    conn: &Connection,
    staging: Staging<'_>,
    stop: &Scan,
    options: &IngestOptions,
    batch_id: i64,
) -> Result<u64, IngestError> {
    let started = std::time::Instant::now();
    let Staging { plan, table, .. } = staging;
    let stage_table = match plan {
        Plan::Survey(_) | Plan::Template(..) => "stage_response",
        Plan::Register(_) => "stage_kpm",
        Plan::Incubators(_) => "stage_incubator",
        Plan::Feedback(_) => "stage_feedback",
    };
    let stage_schema = StageSchema::of(conn, stage_table)?;
    let kpm_schema = match plan {
        Plan::Template(..) => Some(StageSchema::of(conn, "stage_kpm")?),
        _ => None,
    };
    let mut stage = conn.appender_to_catalog_and_db(stage_table, "temp", "main")?;
    let mut kpm_stage = match plan {
        Plan::Template(..) => Some(conn.appender_to_catalog_and_db("stage_kpm", "temp", "main")?),
        _ => None,
    };
    let mut rows = Rows {
        batch_id,
        rejects: conn.appender("ingest_reject")?,
    };
    let mut read = 0u64;
    // Register rows a template staged (for the log: the repeats it spared).
    let mut register_rows = 0u64;
    // Wall time the appending thread spent handing chunks to DuckDB, for
    // the log (on a busy machine it includes waiting for a core).
    let mut append_time = std::time::Duration::ZERO;
    // Three stages: one thread reads the file's rows into chunks, as
    // many threads as there are cores check the chunks (the most work:
    // parsing, the NIK scan, regions, the sheet id's hash), and this
    // one appends the checked chunks to DuckDB in the file's order.
    std::thread::scope(|scope| -> Result<(), IngestError> {
        let checkers = std::thread::available_parallelism().map_or(2, |n| n.get().min(8));
        let (raw_sender, raw_receiver) =
            std::sync::mpsc::sync_channel::<(usize, RawChunk)>(checkers * 2);
        let raw_receiver = std::sync::Arc::new(std::sync::Mutex::new(raw_receiver));
        let (sender, receiver) =
            std::sync::mpsc::sync_channel::<(usize, Result<Chunk, IngestError>)>(checkers * 2);
        let (stage_schema, kpm_schema) = (&stage_schema, &kpm_schema);
        let reader = scope.spawn(move || -> Result<(), IngestError> {
            let mut rows = RawChunk::default();
            let mut seq = 0;
            table.for_each_record(|row, record, numeric| {
                rows.push(row, record, numeric);
                if rows.rows.len() == CHUNK_ROWS {
                    if stop.stopped() {
                        return Err(IngestError::Stopped);
                    }
                    let next = RawChunk::sized_like(&rows);
                    let full = std::mem::replace(&mut rows, next);
                    raw_sender
                        .send((seq, full))
                        .map_err(|_| IngestError::Stopped)?;
                    seq += 1;
                }
                Ok(())
            })?;
            // A checker only hangs up after an error of the appender's.
            let _ = raw_sender.send((seq, rows));
            Ok(())
        });
        let checking: Vec<_> = (0..checkers)
            .map(|_| {
                let sender = sender.clone();
                let raw_receiver = std::sync::Arc::clone(&raw_receiver);
                scope.spawn(move || -> Result<(), IngestError> {
                    let mut no_numbers: Vec<bool> = Vec::new();
                    loop {
                        let next = match raw_receiver.lock() {
                            Ok(receiver) => receiver.recv(),
                            Err(_) => return Err(IngestError::Stopped),
                        };
                        // The reader is done (or stopped, with its error).
                        let Ok((seq, rows)) = next else {
                            return Ok(());
                        };
                        let checked = staging.check_chunk(
                            &rows,
                            Chunk::new(stage_schema, kpm_schema.as_ref()),
                            &mut no_numbers,
                        );
                        // A chunk that failed goes to the appender in its
                        // place, which then stops everything at once
                        // instead of waiting for it behind later chunks.
                        let failed = checked.is_err();
                        sender
                            .send((seq, checked))
                            .map_err(|_| IngestError::Stopped)?;
                        if failed {
                            return Ok(());
                        }
                    }
                })
            })
            .collect();
        // The checkers hold the only receivers and senders left: when
        // they stop, the reader and the appender do too.
        drop((raw_receiver, sender));
        let appended = (|| -> Result<(), IngestError> {
            // Dropped when this returns, also early: the other threads
            // then stop instead of waiting to hand over their chunks.
            let receiver = receiver;
            // Chunks checked ahead of their turn wait here.
            let mut waiting = std::collections::BTreeMap::new();
            let mut next = 0;
            for (seq, chunk) in receiver.iter() {
                waiting.insert(seq, chunk);
                while let Some(checked) = waiting.remove(&next) {
                    let mut chunk = checked?;
                    let at = std::time::Instant::now();
                    next += 1;
                    read += chunk.read;
                    if let Some(RowProgress(tell)) = &options.progress {
                        tell(read);
                    }
                    if chunk.stage.len() > 0 {
                        stage.append_record_batch(chunk.stage.take()?)?;
                    }
                    if let (Some(batch), Some(app)) = (chunk.kpm.as_mut(), kpm_stage.as_mut())
                        && batch.len() > 0
                    {
                        register_rows += batch.len() as u64;
                        app.append_record_batch(batch.take()?)?;
                    }
                    for (row, problems) in chunk.rejects {
                        rows.reject(row, problems)?;
                    }
                    append_time += at.elapsed();
                }
            }
            Ok(())
        })();
        let joined = |h: std::thread::ScopedJoinHandle<'_, Result<(), IngestError>>| {
            h.join().unwrap_or(Err(IngestError::Stopped))
        };
        let read_rows = joined(reader);
        let checked = checking.into_iter().map(joined).collect::<Vec<_>>();
        // An error of the appender (or of a chunk it was handed) comes
        // first: it made the others stop; then the reader's (a
        // malformed file), then a checker's (a panic).
        appended.and(read_rows).and(checked.into_iter().collect())
    })?;
    stage.flush()?;
    if let Some(app) = kpm_stage.as_mut() {
        app.flush()?;
    }
    rows.rejects.flush()?;
    tracing::debug!(
        rows = read,
        register_rows,
        append_ms = append_time.as_millis() as u64,
        ms = started.elapsed().as_millis() as u64,
        "staged"
    );
    Ok(read)
}

/// A merge statement: the file it is in, its name, its SQL.
type Statement = (&'static str, &'static str, &'static str);

/// The statements that merge what `plan` staged, in their order: the
/// refusals, then the writes, then the checks made after them.
fn merge_statements(plan: &Plan) -> Vec<Statement> {
    // Each statement with its file, for the logs.
    let of = |file: &'static str, text: &'static str| {
        statements(text)
            .into_iter()
            .map(move |(name, sql)| (file, name, sql))
            .collect::<Vec<_>>()
    };
    let spelling = || {
        of(
            "queries/ingest/register_spelling.sql",
            REGISTER_SPELLING_SQL,
        )
    };
    // A list that adds KPM refuses new ids written otherwise after its own
    // refusals, before its first statement that writes.
    let adding = |list: Vec<Statement>| {
        let at = list
            .iter()
            .position(|(_, name, _)| !name.starts_with("reject_"))
            .unwrap_or(list.len());
        let mut list = list;
        list.splice(
            at..at,
            of("queries/ingest/kpm_spelling.sql", KPM_SPELLING_SQL),
        );
        list
    };
    match plan {
        Plan::Survey(_) => [
            of("queries/ingest/merge_response.sql", MERGE_RESPONSE_SQL),
            spelling(),
        ]
        .concat(),
        Plan::Template(..) => [
            adding(of("queries/ingest/merge_template.sql", MERGE_TEMPLATE_SQL)),
            of("queries/ingest/merge_response.sql", MERGE_RESPONSE_SQL),
            spelling(),
            of(
                "queries/ingest/household_differences.sql",
                HOUSEHOLD_DIFFERENCES_SQL,
            ),
        ]
        .concat(),
        Plan::Feedback(_) => [
            of("queries/ingest/merge_feedback.sql", MERGE_FEEDBACK_SQL),
            spelling(),
        ]
        .concat(),
        Plan::Register(_) => adding(of("queries/ingest/merge_register.sql", MERGE_REGISTER_SQL)),
        _ => of("queries/ingest/merge_register.sql", MERGE_REGISTER_SQL),
    }
}

/// Loads `file` with its `scan`, finished or running beside the load.
fn ingest_scanned(
    db: &mut Database,
    file: &Path,
    mapping: &FormMapping,
    options: &IngestOptions,
    scan: &mut Scan,
) -> Result<Loaded, IngestError> {
    // A file named after a household keeps no NIK in the database or
    // on the screen.
    let display = shown_file(file, options.sheet.as_deref());
    // A scan already done knows a file loaded before, before anything of it
    // is parsed; a running one is held against the files loaded before once
    // it is done (`Scan::stopped`, `Scan::finish`).
    if let Some(scanned) = &scan.done
        && let Some(summary) = earlier_batch(&db.conn, &scanned.sha256, &display)?
    {
        return Ok(Loaded::Batch(Box::new(summary)));
    }
    let assumed = scan.assumed();
    let (container, mut table) = open_table(file, &assumed, options)?;
    if let Some(what) = crate::outputs::output_headed(&table.headers, &options.outputs) {
        return Err(IngestError::OwnOutput {
            path: file.to_path_buf(),
            what: format!("a table ({what})"),
        });
    }
    let own_wave = match &options.wave {
        Some(wave) => give_round(&mut table, wave, mapping, container) == Some(false),
        None => false,
    };
    if is_xlsform(&table.headers) {
        return Err(IngestError::NotData {
            path: file.to_path_buf(),
            what: "this is an XLSForm (the survey's questionnaire)".into(),
            hint: "given with the exports, it is used to read exports whose headers are labels; \
                   a form other than ProKUS's also needs a mapping (--form)"
                .into(),
        });
    }
    let detected = options
        .format
        .or_else(|| Format::detect(&table.headers, container));
    let format = detected.ok_or_else(|| IngestError::UnknownFormat {
        path: file.to_path_buf(),
        header: first_headers(&table.headers),
        hint: Format::nearest(&table.headers),
    })?;
    // A list with Indonesian column names reads as one with the canonical;
    // its unread columns are named as the file heads them.
    let headed = table.headers.clone();
    aliases::rename(&mut table.headers, format.aliases());
    // An amount headed as thousands of rupiah, or a year's, is refused
    // whole: loaded, each would be wrong, and the file sent again corrected
    // would then be a duplicate.
    if let Some((column, reason)) = headed
        .iter()
        .zip(&table.headers)
        .find_map(|(h, c)| aliases::note_problem(h, c, format.aliases()).map(|r| (h, r)))
    {
        return Err(IngestError::ColumnNote {
            path: file.to_path_buf(),
            column: crate::privacy::safe_text(
                &column.split_whitespace().collect::<Vec<_>>().join(" "),
            ),
            reason,
            hint: "give the column's amounts in rupiah of one month (thousands times 1.000, \
                   a year's amount divided by 12) and head it so, as `Omzet (Rp/bulan)`; then \
                   load the file again"
                .into(),
        });
    }
    // The incubator list: its ids, which a row's incubator must be one of,
    // and its names, which a sheet may name an incubator by.
    let incubators = match format {
        Format::Incubators => IncubatorNames::default(),
        _ => IncubatorNames::of(&db.conn)?,
    };
    let plan = match format {
        Format::KoboCsv | Format::KoboXlsx | Format::OdkCsv | Format::OdkZip => {
            let labels = label_headers(&mut table.headers, mapping, options);
            let (mapping, repeat_problems) = aggregate_repeats(file, format, &mut table, mapping)?;
            let mut plan = SurveyPlan::new(
                file,
                format,
                &table.headers,
                &mapping,
                labels.as_deref(),
                options.limits,
            )?;
            plan.repeat_problems = repeat_problems;
            match HouseholdPlan::new(&table.headers, &mapping, labels.as_deref()) {
                // A form that asks who the household is registers the new ones.
                Some(household) => Plan::Template(
                    plan,
                    register_order().clone(),
                    known_kpm(db)?,
                    Household::Form(household, incubators.ids().clone()),
                ),
                None => Plan::Survey(plan),
            }
        }
        Format::Register => Plan::Register(
            ColumnIndex::new(
                file,
                format,
                &table.headers,
                REGISTER_COLUMNS,
                &["kpm_id", "regency_code"],
            )?
            .untyped(!table.typed()),
        ),
        Format::Incubators => Plan::Incubators(ColumnIndex::new(
            file,
            format,
            &table.headers,
            INCUBATOR_COLUMNS,
            &["incubator_id", "name"],
        )?),
        Format::Feedback => {
            // Indonesian column names read as the canonical ones.
            let headers: Vec<String> = table
                .headers
                .iter()
                .map(|h| crate::feedback::canonical_header(h))
                .collect();
            Plan::Feedback(
                ColumnIndex::new(
                    file,
                    format,
                    &headers,
                    FEEDBACK_COLUMNS,
                    &["period", "kind", "text"],
                )?
                .untyped(!table.typed()),
            )
        }
        Format::Template => {
            let mut survey = SurveyPlan::new(
                file,
                format,
                &table.headers,
                &FormMapping::template(),
                None,
                options.limits,
            )?;
            survey.fallback_time = Some(Utc::now().naive_utc());
            let kpm = ColumnIndex::new(file, format, &table.headers, REGISTER_COLUMNS, &[])?
                .untyped(!table.typed());
            let sheet = Household::Sheet(StagedKpm::new(incubators.ids().clone()));
            Plan::Template(survey, kpm, known_kpm(db)?, sheet)
        }
    };

    // Only the files with NIKs need the key (made on first use).
    let key = match plan {
        Plan::Register(_) | Plan::Template(..) => Some(db.nik_key()?.clone()),
        _ => None,
    };
    let started = Utc::now().naive_utc();
    let with_context = |source: duckdb::Error| IngestError::Database {
        context: format!(" while loading {display}"),
        source,
    };
    db.conn.execute_batch(STAGE_SQL).map_err(with_context)?;
    let tx = db.conn.unchecked_transaction().map_err(with_context)?;
    let batch_id: i64 = tx.query_row(
        "SELECT coalesce(max(batch_id), 0) + 1 FROM ingest_batch",
        [],
        |r| r.get(0),
    )?;
    let reference = Reference {
        wilayah: &db.wilayah,
        key: key.as_ref(),
        limits: &options.limits,
        incubators: &incubators,
    };
    let staging = Staging {
        plan: &plan,
        table: &table,
        headed: &headed,
        reference: &reference,
    };
    let read = stage_rows(&tx, staging, scan, options, batch_id)?;
    // The load read the file as UTF-8 text: wasted if it is not, or if the
    // same file was loaded before (the transaction is then rolled back).
    let scanned = scan.finish(file)?;
    if scanned.streamed() != assumed.streamed() {
        return Ok(Loaded::Redo);
    }
    let sha256 = scanned.sha256.clone();
    if let Some(summary) = earlier_batch(&tx, &sha256, &display)? {
        return Ok(Loaded::Batch(Box::new(summary)));
    }
    if !options.limits.month_first {
        month_first_dates(&tx, batch_id, file)?;
    }
    // Which questions the file asks: the checks judge a missing answer only
    // where it was asked. Recorded before the merge, which reads it: a
    // register's update keeps the columns the file does not have.
    let survey = match &plan {
        Plan::Survey(survey) | Plan::Template(survey, ..) => survey.carried(),
        _ => Vec::new(),
    };
    // The register's columns a register, template or form carries (a
    // household it registers without a NIK column has no NIK to check), or
    // an incubator list's.
    let register: Vec<&str> = match &plan {
        Plan::Register(columns)
        | Plan::Incubators(columns)
        | Plan::Template(_, columns, _, Household::Sheet(_)) => {
            columns.columns().map(|(_, n)| n).collect()
        }
        Plan::Template(_, _, _, Household::Form(household, _)) => household.carried(),
        _ => Vec::new(),
    };
    if !matches!(plan, Plan::Feedback(_)) {
        let mut carried = tx.appender("batch_field")?;
        for field in survey.iter().chain(&register) {
            carried.append_row(params![batch_id, field])?;
        }
        carried.flush()?;
    }
    let merge = merge_statements(&plan);
    let mut loaded = 0u64;
    // The KPM or incubators the list names that were already held.
    // Asked before the merge writes, which makes every one held, and after
    // its refusals: whether the list names any already held (its rows
    // refused aside).
    let mut held = match plan {
        Plan::Register(_) => Some(
            "SELECT count(*) > 0 FROM stage_kpm s SEMI JOIN kpm USING (kpm_id)
             WHERE NOT EXISTS (SELECT 1 FROM ingest_reject j WHERE j.batch_id = $1 AND j.source_row = s.source_row)",
        ),
        Plan::Incubators(_) => Some(
            "SELECT count(*) > 0 FROM stage_incubator s SEMI JOIN incubator USING (incubator_id)
             WHERE NOT EXISTS (SELECT 1 FROM ingest_reject j WHERE j.batch_id = $1 AND j.source_row = s.source_row)",
        ),
        _ => None,
    };
    let mut updates = false;
    for (file, name, sql) in merge {
        if plan.applies(name, options.move_kpm) {
            // The first statement that writes: the refusals are all made.
            if let Some(sql) = held
                && !name.starts_with("reject_")
            {
                updates = tx.query_row(sql, params![batch_id], |r| r.get::<_, bool>(0))?;
                held = None;
            }
            let at = std::time::Instant::now();
            let n = tx.execute(sql, params![batch_id]).map_err(with_context)?;
            let ms = at.elapsed().as_millis() as u64;
            tracing::debug!(sql = file, statement = name, rows = n, ms, "merge");
            // The rows a file adds or replaces (a register's KPM are
            // updated, then the new ones inserted).
            if ["insert_", "upsert_", "update_"]
                .iter()
                .any(|verb| name.starts_with(verb))
            {
                loaded += n as u64;
            }
        }
    }
    // Repeat rows whose submission is not in the main table: recorded, with
    // their own sheet's row number, after the merge so they block no row.
    let mut orphans = 0u64;
    let mut insert_orphan =
        tx.prepare("INSERT INTO ingest_reject VALUES ($1, $2, $3, $4, 'orphan', $5)")?;
    for repeat in &table.repeats {
        for r in repeat.rows.iter().filter(|r| r.parent_row.is_none()) {
            orphans += 1;
            insert_orphan.execute(
                params![
                    batch_id,
                    r.row as i64,
                    safe_text(&format!("{}/{}", repeat.name, repeat.parent_column)),
                    safe_text(&r.parent_ref),
                    safe_text(&format!(
                        "row {} of repeat group `{}` belongs to a submission ({} = {}) that is not in the main table; it was not loaded",
                        r.row, repeat.name, repeat.parent_column, r.parent_ref
                    ))
                ],
            )?;
        }
    }
    let (rejected, duplicate): (i64, i64) = tx.query_row(
        // A row is counted once: as invalid if any of its problems is, else
        // as a duplicate (orphan repeat rows are not rows of the main table).
        "SELECT count(*) FILTER (WHERE invalid), count(*) FILTER (WHERE NOT invalid)
         FROM (SELECT source_row, bool_or(kind = 'invalid') AS invalid
               FROM ingest_reject WHERE batch_id = $1 AND kind IN ('invalid', 'duplicate')
               GROUP BY source_row)",
        params![batch_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    if loaded + rejected as u64 + duplicate as u64 != read {
        // Never commit a batch that does not account for every row.
        return Err(IngestError::Unreadable {
            path: file.to_path_buf(),
            reason: format!(
                "accounting mismatch: {read} rows read, {loaded} loaded, {rejected} rejected, {duplicate} duplicate"
            ),
            hint: "this is a bug in prokus; please report it with the file".into(),
        });
    }
    // The rows were read after the scan that hashed the file: if it changed
    // since (or during the scan), that hash is not of the bytes they came
    // from, and the file is refused whole (the transaction rolled back).
    if scanned.stamp.is_none() || scanned.stamp != crate::source::Stamp::now(file) {
        return Err(IngestError::Unreadable {
            path: file.to_path_buf(),
            reason: "the file changed while it was being loaded".into(),
            hint: "wait until whatever writes it (a download, a copy, a sync) is done, then load it again"
                .into(),
        });
    }
    tx.execute(
        "INSERT INTO ingest_batch VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        params![
            batch_id,
            display,
            sha256,
            format.name(),
            read as i64,
            loaded as i64,
            rejected,
            duplicate,
            started,
            Utc::now().naive_utc()
        ],
    )?;
    let shown: &str = &display;
    tracing::info!(
        file = shown,
        format = format.name(),
        read,
        loaded,
        rejected,
        duplicate,
        ms = (Utc::now().naive_utc() - started).num_milliseconds(),
        "file loaded"
    );
    let rows_dated_at_load: i64 = match plan {
        Plan::Template(..) => tx.query_row(
            "SELECT count(*) FROM response WHERE batch_id = $1 AND dated_at_load",
            params![batch_id],
            |r| r.get(0),
        )?,
        _ => 0,
    };
    // The register is where NIKs come from: a list that leaves KPM without
    // one is said at once, not first in `prokus check`.
    let kpm_without_nik: i64 = match plan {
        Plan::Register(_) => tx.query_row(
            "SELECT count(*) FROM kpm WHERE batch_id = $1 AND nik_status = 'missing'",
            params![batch_id],
            |r| r.get(0),
        )?,
        _ => 0,
    };
    let nik_column = !matches!(plan, Plan::Register(_)) || register.contains(&"nik");
    let unlisted_incubators = tx
        .prepare(
            "SELECT DISTINCT value FROM ingest_reject
             WHERE batch_id = $1 AND reason LIKE '%not in the incubator list%'
             ORDER BY value LIMIT 10",
        )?
        .query_map(params![batch_id], |r| r.get(0))?
        .collect::<Result<Vec<String>, _>>()?;
    // The columns a register's or incubator list's update kept (see
    // merge_register.sql): those it has no column for, but a KPM's
    // province, which follows its regency, which every register list has.
    let kept_columns = match &plan {
        Plan::Register(columns) | Plan::Incubators(columns) if updates => columns
            .names
            .iter()
            .filter(|name| !register.contains(*name))
            .filter(|name| !(matches!(plan, Plan::Register(_)) && **name == "province_code"))
            .map(|name| (*name).to_string())
            .collect(),
        _ => Vec::new(),
    };
    // A header as the file heads it, on one line (a header broken over
    // lines in its cell), any NIK in it masked.
    let as_headed = |i: usize| {
        let header = headed.get(i).unwrap_or(&table.headers[i]);
        crate::privacy::safe_text(&header.split_whitespace().collect::<Vec<_>>().join(" "))
    };
    let mut named_twice = Vec::new();
    let read_columns = plan.read_columns(&table.headers);
    let formulas_to_recalculate = table
        .formulas_to_recalculate()
        .filter(|(i, _)| read_columns.as_ref().is_none_or(|read| read.contains(i)))
        .map(|(i, n)| {
            (
                format!("`{}` (column {})", as_headed(i), column_letters(i)),
                n,
            )
        })
        .collect();
    let unread_columns = read_columns
        .map(|read| {
            let mut unread = Vec::new();
            for (i, header) in table.headers.iter().enumerate() {
                if read.contains(&i) || header.trim().is_empty() || aliases::is_row_number(header) {
                    continue;
                }
                // Another name of a column read from another header (`Omset`
                // beside `Omzet`), or the same name twice: not misspelt.
                let name = headed
                    .get(i)
                    .and_then(|h| aliases::canonical(h, format.aliases()))
                    .unwrap_or(header.trim());
                let twin = (0..table.headers.len()).find(|j| {
                    read.contains(j) && table.headers[*j].trim().eq_ignore_ascii_case(name)
                });
                // Named with its place: the two may be headed alike.
                let placed =
                    |i: usize| format!("`{}` (column {})", as_headed(i), column_letters(i));
                match twin {
                    // A Google Form's time of sending beside the date it
                    // asks: the date is meant.
                    Some(_) if aliases::is_sending_time(header) => {}
                    Some(j) => named_twice.push((placed(i), name.to_string(), placed(j))),
                    None => unread.push(as_headed(i)),
                }
            }
            unread
        })
        .unwrap_or_default();
    tx.commit().map_err(with_context)?;
    Ok(Loaded::Batch(Box::new(BatchSummary {
        file: display,
        format: format.name().to_string(),
        rows_read: read,
        rows_loaded: loaded,
        rows_rejected: rejected as u64,
        rows_duplicate: duplicate as u64,
        batch_id,
        already_loaded: false,
        orphan_repeat_rows: orphans,
        rows_dated_at_load: rows_dated_at_load as u64,
        kpm_without_nik: kpm_without_nik as u64,
        nik_column,
        unlisted_incubators,
        kept_columns,
        unread_columns,
        named_twice,
        formulas_to_recalculate,
        own_wave,
        incubators_by_name: incubators.used(),
        answers_not_given: match &plan {
            Plan::Survey(p) | Plan::Template(p, ..) => {
                p.no_answers.load(std::sync::atomic::Ordering::Relaxed)
            }
            _ => 0,
        },
        interview_times_not_believed: match &plan {
            Plan::Survey(p) | Plan::Template(p, ..) => p
                .interviews_not_believed
                .load(std::sync::atomic::Ordering::Relaxed),
            _ => 0,
        },
        interview_times_without_offset: match &plan {
            Plan::Survey(p) | Plan::Template(p, ..) => p
                .interviews_without_offset
                .load(std::sync::atomic::Ordering::Relaxed),
            _ => 0,
        },
    })))
}

/// What a mapping finds in one export, field by field: the dry run of
/// `prokus mapping check`. Nothing is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappingCheck {
    /// The export.
    pub file: String,
    /// Its detected format.
    pub format: String,
    /// Data rows read.
    pub rows: u64,
    /// One line per canonical field the mapping names.
    pub fields: Vec<FieldCheck>,
}

/// One mapped field in one export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldCheck {
    /// The canonical field.
    pub field: String,
    /// The mapping's column.
    pub column: String,
    /// Whether the export has it (or its one-column-per-choice columns).
    pub found: bool,
    /// Cells read into a value.
    pub parsed: u64,
    /// Empty cells.
    pub empty: u64,
    /// Cells that do not read.
    pub failed: u64,
    /// Up to three failures of different values: the value (masked,
    /// clipped) and why.
    pub samples: Vec<(String, String)>,
    /// Why no cells are counted for this line, when none are: a household
    /// field, whose values are checked when the household is registered
    /// (regions against the Kemendagri list, the incubator against the
    /// list), or the submission's id or time, found or not.
    pub uncounted: Option<&'static str>,
    /// Whether its failures load all the same, so are said but are no
    /// error of the mapping: the interview's time, whose rows a time not
    /// believed dates by their submission.
    pub advisory: bool,
}

/// Reads `file` through `mapping` as `prokus ingest` would, without a
/// database: per field, the column found and how many cells read, are empty
/// or fail, with sample failures. Household fields are counted as read.
pub fn check_mapping(
    file: &Path,
    mapping: &FormMapping,
    options: &IngestOptions,
) -> Result<MappingCheck, IngestError> {
    regular_file(file)?;
    let scanned = crate::source::scan(file, SCAN_BUFFER).map_err(|source| IngestError::Io {
        path: file.to_path_buf(),
        source,
    })?;
    let (container, mut table) = open_table(file, &scanned, options)?;
    let format = options
        .format
        .or_else(|| Format::detect(&table.headers, container))
        .filter(|f| {
            matches!(
                f,
                Format::KoboCsv | Format::KoboXlsx | Format::OdkCsv | Format::OdkZip
            )
        })
        .ok_or_else(|| IngestError::UnknownFormat {
            path: file.to_path_buf(),
            header: first_headers(&table.headers),
            hint: "`prokus mapping check` reads KoboToolbox or ODK exports of the mapping's form"
                .into(),
        })?;
    let labels = label_headers(&mut table.headers, mapping, options);
    let (mut expanded, _) = aggregate_repeats(file, format, &mut table, mapping)?;
    // A dry run reports every field, found or not: nothing is required here,
    // and the submission's id and time are reported as lines of their own.
    for f in expanded.fields.values_mut() {
        f.required = false;
    }
    // The id and the time every row needs, found or not; the interview's
    // times, counted below, whose failures load all the same (advisory).
    let every_row = Some("metadata: every row needs it");
    let [id_line, time_line, mut interview] = [
        (
            "(submission id)",
            &expanded.submission.id_columns,
            every_row,
        ),
        (
            "(submission time)",
            &expanded.submission.time_columns,
            every_row,
        ),
        (
            "(interview time)",
            &expanded.submission.interview_columns,
            None,
        ),
    ]
    .map(|(what, candidates, uncounted)| FieldCheck {
        field: what.to_string(),
        column: candidates.join(" / "),
        found: find_first_column(&table.headers, candidates).is_some(),
        parsed: 0,
        empty: 0,
        failed: 0,
        samples: Vec::new(),
        uncounted,
        advisory: uncounted.is_none(),
    });
    // The interview's times are counted as `ingest` would use them: read
    // against each row's submission time.
    let times = find_first_column(&table.headers, &expanded.submission.time_columns).zip(
        find_first_column(&table.headers, &expanded.submission.interview_columns),
    );
    expanded.submission.id_columns.clear();
    expanded.submission.time_columns.clear();
    let plan = SurveyPlan::new(
        file,
        format,
        &table.headers,
        &expanded,
        labels.as_deref(),
        options.limits,
    )?;
    let mut fields: Vec<(usize, FieldCheck)> = CANONICAL_FIELDS
        .iter()
        .enumerate()
        .filter_map(|(i, (name, _))| {
            let f = mapping.fields.get(*name)?;
            let planned = &plan.fields[i];
            Some((
                i,
                FieldCheck {
                    field: name.to_string(),
                    column: f.column.clone(),
                    found: planned.index.is_some() || !planned.split.is_empty(),
                    parsed: 0,
                    empty: 0,
                    failed: 0,
                    samples: Vec::new(),
                    uncounted: None,
                    advisory: false,
                },
            ))
        })
        .collect();
    let mut rows = 0u64;
    table.for_each_row(|_, cells, _| {
        rows += 1;
        let cell = |i: usize| answer_cell(cells.get(i).copied().unwrap_or(""));
        if let Some((sent, made)) = times
            && let Ok((submitted, _)) = plan.limits.date_zoned(cell(sent))
        {
            match interview_time(cell(made), submitted) {
                Ok(Some(_)) => interview.parsed += 1,
                Ok(None) => interview.empty += 1,
                Err(why) => {
                    interview.failed += 1;
                    let value = safe_text(cell(made));
                    let reason = match why {
                        Unbelieved::Clock => {
                            "after the submission or more than 90 days before it (the device's \
                             clock?): the answer is dated by its submission"
                        }
                        Unbelieved::NoOffset => {
                            "no device's offset (an XLSX export with dates as numbers?): the \
                             answer is dated by its submission"
                        }
                    };
                    if interview.samples.len() < 3
                        && !interview.samples.iter().any(|(v, _)| *v == value)
                    {
                        interview.samples.push((value, reason.to_string()));
                    }
                }
            }
        }
        for (i, check) in fields.iter_mut() {
            let planned = &plan.fields[*i];
            if !check.found {
                continue;
            }
            let raw = planned.index.map(cell).unwrap_or("");
            let outcome = planned
                .answer(raw, cell)
                .map_err(|(_, v, r)| (v, r))
                .and_then(|named| {
                    let raw = named.as_deref().unwrap_or(raw);
                    if raw.is_empty() {
                        return Ok(None);
                    }
                    convert(raw, &planned.field, &plan.limits)
                        .map(Some)
                        .map_err(|reason| (raw.to_string(), reason))
                });
            match outcome {
                Ok(Some(_)) => check.parsed += 1,
                Ok(None) => check.empty += 1,
                Err((value, reason)) => {
                    check.failed += 1;
                    let value = safe_text(&value);
                    if check.samples.len() < 3 && !check.samples.iter().any(|(v, _)| *v == value) {
                        check.samples.push((value, safe_text(&reason)));
                    }
                }
            }
        }
        Ok(())
    })?;
    // The interview's time is optional: a line only when the export has it.
    let mut fields: Vec<FieldCheck> = [id_line, time_line]
        .into_iter()
        .chain(interview.found.then_some(interview))
        .chain(fields.into_iter().map(|(_, f)| f))
        .collect();
    // The household fields, found or not (their values are checked at loading).
    for (name, _) in crate::mapping::HOUSEHOLD_FIELDS {
        if let Some(f) = mapping.fields.get(*name) {
            fields.push(FieldCheck {
                field: name.to_string(),
                column: f.column.clone(),
                found: find_column(&table.headers, &f.column).is_some(),
                parsed: 0,
                empty: 0,
                failed: 0,
                samples: Vec::new(),
                uncounted: Some("household field: checked when a household is registered"),
                advisory: false,
            });
        }
    }
    Ok(MappingCheck {
        file: crate::privacy::shown_path(file),
        format: format.name().to_string(),
        rows,
        fields,
    })
}

/// Computes the fields a mapping takes from repeat groups, as added columns
/// of `table`; returns the mapping that reads them, and the problems of
/// submissions whose repeat rows hold bad values.
fn aggregate_repeats(
    file: &Path,
    format: Format,
    table: &mut Table,
    mapping: &FormMapping,
) -> Result<(FormMapping, HashMap<u64, Vec<Problem>>), IngestError> {
    let mut mapping = mapping.clone();
    let mut problems: HashMap<u64, Vec<Problem>> = HashMap::new();
    for (name, field) in mapping.fields.iter_mut() {
        let (Some(repeat_name), Some(aggregate)) = (field.repeat.clone(), field.aggregate) else {
            continue;
        };
        let repeat = table
            .repeats
            .iter()
            .find(|r| sheet_is_group(&r.name, &repeat_name));
        let virtual_name = format!("repeat:{repeat_name}:{name}");
        let Some(repeat) = repeat else {
            if field.required {
                return Err(IngestError::MissingColumn {
                    path: file.to_path_buf(),
                    format: format.name().into(),
                    column: format!("repeat group `{repeat_name}`"),
                    hint: "export with the repeat groups: Kobo's XLSX (one sheet per repeat) or ODK Central's .csv.zip".into(),
                });
            }
            field.column = virtual_name;
            field.repeat = None;
            field.aggregate = None;
            continue;
        };
        let column = find_column(&repeat.headers, &field.column);
        if column.is_none() && (aggregate != Aggregate::Count || field.equals.is_some()) {
            return Err(IngestError::MissingColumn {
                path: file.to_path_buf(),
                format: format.name().into(),
                column: format!("{} (repeat group `{repeat_name}`)", field.column),
                hint: format!(
                    "the repeat group's columns are: {}",
                    safe_text(&repeat.headers.join(", "))
                ),
            });
        }
        let mut totals: HashMap<u64, f64> = HashMap::new();
        for r in &repeat.rows {
            let Some(parent) = r.parent_row else { continue };
            let text = column.and_then(|i| r.cells.get(i)).map_or("", |c| c.trim());
            let value: Result<f64, String> = match aggregate {
                Aggregate::Count => Ok(match (&field.equals, column) {
                    (Some(want), _) => f64::from(u8::from(text == want)),
                    (None, Some(_)) => f64::from(u8::from(!text.is_empty())),
                    (None, None) => 1.0,
                }),
                _ if text.is_empty() => continue,
                Aggregate::Any => parse_yes_no(text).map(|b| f64::from(u8::from(b))),
                Aggregate::Sum | Aggregate::Max => match field.field_type {
                    FieldType::Money => parse_money(text),
                    _ => parse_count(text).map(|v| v as f64),
                },
            };
            match value {
                Ok(v) => {
                    let total = totals.entry(parent).or_insert(match aggregate {
                        Aggregate::Max => f64::MIN,
                        _ => 0.0,
                    });
                    *total = match aggregate {
                        Aggregate::Max | Aggregate::Any => total.max(v),
                        _ => *total + v,
                    };
                }
                Err(reason) => problems.entry(parent).or_default().push(Problem {
                    column: field.column.clone(),
                    value: text.into(),
                    reason: format!("row {} of repeat group `{}`: {reason}", r.row, repeat.name),
                }),
            }
        }
        let cells = totals
            .into_iter()
            .map(|(row, v)| (row, format!("{v}")))
            .collect();
        // A submission without rows in the group: none counted, nothing summed.
        let default = match aggregate {
            Aggregate::Count | Aggregate::Sum | Aggregate::Any => "0",
            Aggregate::Max => "",
        };
        table.add_column(virtual_name.clone(), cells, default.into());
        field.column = virtual_name;
        field.repeat = None;
        field.aggregate = None;
    }
    Ok((mapping, problems))
}

/// Choice labels to choice names, per column (see [`LabelHeaders::values`]).
type ValueLabels = Vec<Option<HashMap<String, String>>>;

/// When an export's headers are the form's labels rather than its XML names,
/// renames them to the XML names and returns each column's choice labels.
fn label_headers(
    headers: &mut [String],
    mapping: &FormMapping,
    options: &IngestOptions,
) -> Option<ValueLabels> {
    let form = match &options.xlsform {
        Some(form) => form,
        None if mapping.form.id == XlsForm::prokus().form_id => XlsForm::prokus(),
        None => return None,
    };
    let kpm_column = &mapping.fields.get("kpm_id")?.column;
    if find_column(headers, kpm_column).is_some() {
        return None;
    }
    let found: LabelHeaders = form.translate_headers(headers)?;
    for (header, path) in headers.iter_mut().zip(&found.paths) {
        if let Some(path) = path {
            *header = path.clone();
        }
    }
    Some(found.values)
}

/// An XLSForm's survey sheet starts with `type`, `name` and a label column.
fn is_xlsform(headers: &[String]) -> bool {
    let has = |name: &str| headers.iter().any(|h| h.eq_ignore_ascii_case(name));
    has("type")
        && has("name")
        && headers
            .iter()
            .any(|h| h.to_lowercase().starts_with("label"))
}

fn earlier_batch(
    conn: &Connection,
    sha256: &str,
    display: &str,
) -> Result<Option<BatchSummary>, IngestError> {
    let mut stmt =
        conn.prepare("SELECT batch_id, format, rows_read FROM ingest_batch WHERE sha256 = $1")?;
    let mut rows = stmt.query(params![sha256])?;
    let Some(row) = rows.next()? else {
        return Ok(None);
    };
    let rows_read: i64 = row.get(2)?;
    Ok(Some(BatchSummary {
        file: display.to_string(),
        format: row.get(1)?,
        rows_read: rows_read as u64,
        rows_loaded: 0,
        rows_rejected: 0,
        rows_duplicate: rows_read as u64,
        batch_id: row.get(0)?,
        already_loaded: true,
        orphan_repeat_rows: 0,
        rows_dated_at_load: 0,
        kpm_without_nik: 0,
        nik_column: true,
        unlisted_incubators: Vec::new(),
        kept_columns: Vec::new(),
        unread_columns: Vec::new(),
        named_twice: Vec::new(),
        formulas_to_recalculate: Vec::new(),
        own_wave: false,
        incubators_by_name: Vec::new(),
        answers_not_given: 0,
        interview_times_not_believed: 0,
        interview_times_without_offset: 0,
    }))
}

/// Splits a queries/ file into its `-- name:` statements.
fn statements(text: &str) -> Vec<(&str, &str)> {
    text.split("-- name: ")
        .skip(1)
        .filter_map(|chunk| {
            let (name, sql) = chunk.split_once('\n')?;
            Some((name.trim(), sql.trim().trim_end_matches(';')))
        })
        .collect()
}

/// What row checks read besides the row: the region list, the NIK key (for
/// the files that have NIKs) and the bounds on values.
pub(crate) struct Reference<'a> {
    pub(crate) wilayah: &'a crate::wilayah::Wilayah,
    pub(crate) key: Option<&'a NikKey>,
    pub(crate) limits: &'a Limits,
    /// The incubator list, to read an incubator's name as its id.
    pub(crate) incubators: &'a IncubatorNames,
}

/// The problems of cells that hold a NIK-shaped number where no NIK belongs,
/// or a byte that was not text (U+FFFD from a stray byte in a UTF-8 file)
/// (`columns`: the columns the engine keeps, but the NIK's own).
pub(crate) fn nik_problems<'a>(
    cells: &[&str],
    columns: impl Iterator<Item = (usize, &'a str)>,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    for (i, name) in columns {
        let Some(cell) = cells.get(i) else { continue };
        // A NIK needs 9 characters at least (`3.21706E+15`); U+FFFD is not
        // ASCII: most cells are told apart without a look at their bytes.
        let reason = if cell.len() >= 9 && contains_nik(cell) {
            "this looks like a NIK (16 digits); a NIK belongs only in the register's `nik` column. \
             Check that the columns are not shifted and that the right value was typed"
        } else if !cell.is_ascii() && cell.contains('\u{fffd}') {
            "this cell holds a byte that is not UTF-8 text (shown as \u{fffd}), typed or pasted from another program; \
             retype the cell and save the file as UTF-8 CSV"
        } else {
            continue;
        };
        problems.push(Problem {
            column: name.to_string(),
            value: cell.to_string(),
            reason: reason.into(),
        });
    }
    problems
}

impl Plan {
    /// The stage row (and, for a template, the new KPM's register row), or
    /// the row's problems.
    fn check(
        &self,
        reference: &Reference,
        row: u64,
        cells: &[&str],
        numeric: &[bool],
    ) -> Result<(StageRow, Option<StageRow>), Vec<Problem>> {
        // An incubator named by its name is read as its id (a form's
        // incubator, a choice its mapping maps first, in its own branch
        // of `check_cells`).
        if let Some(c) = self.incubator_columns()
            && let Some((at, renamed)) = with_incubator_id(reference, c, cells)
        {
            // A problem with the id is shown with the cell as written.
            let written = answer_cell(cells[at]);
            return self
                .check_cells(reference, row, &renamed, numeric)
                .map_err(|mut problems| {
                    for p in &mut problems {
                        if p.column == "incubator_id" && p.value == renamed[at] {
                            p.value = written.to_string();
                        }
                    }
                    problems
                });
        }
        self.check_cells(reference, row, cells, numeric)
    }

    /// [`Plan::check`], with any incubator named as its id.
    fn check_cells(
        &self,
        reference: &Reference,
        row: u64,
        cells: &[&str],
        numeric: &[bool],
    ) -> Result<(StageRow, Option<StageRow>), Vec<Problem>> {
        match self {
            Plan::Survey(p) => p.check(row, cells).map(|v| (v, None)),
            Plan::Register(c) => {
                check_register_row(reference, c, row, cells, numeric).map(|v| (v, None))
            }
            Plan::Incubators(c) => check_incubator_row(reference, c, row, cells).map(|v| (v, None)),
            Plan::Feedback(c) => {
                check_feedback_row(reference, c, row, cells, numeric).map(|v| (v, None))
            }
            Plan::Template(p, c, known, Household::Sheet(staged)) => {
                check_template_row(reference, p, c, known, (row, cells, numeric), Some(staged))
            }
            Plan::Template(p, c, known, Household::Form(household, incubators)) => {
                let mut values = household.cells(cells);
                // A choice the mapping does not map to an id, whose label
                // (an export with labels) is an incubator's name in the
                // list: that incubator.
                if let Some(at) = household.incubator_at()
                    && !values[at].is_empty()
                    && !incubators.contains(&values[at])
                    && let Some(id) = reference
                        .incubators
                        .id_for(&values[at])
                        .or_else(|| reference.incubators.id_for(household.cell(cells, at)))
                {
                    values[at] = id.to_string();
                }
                let mapped: Vec<&str> = values.iter().map(String::as_str).collect();
                let numeric = vec![false; mapped.len()];
                let incubator = c.get(&mapped, "incubator_id");
                let kpm_id = c.get(&mapped, "kpm_id");
                // A household the register does not know, of an incubator
                // not in the list: refused naming the form's choice.
                let unlisted = (!incubator.is_empty()
                    && !incubators.contains(incubator)
                    && !known.contains_key(kpm_id))
                .then(|| household.unknown_incubator(cells));
                let checked =
                    check_template_row(reference, p, c, known, (row, &mapped, &numeric), None);
                // The answers are read from the form's own cells.
                let response = p.check(row, cells);
                match (checked, response, unlisted) {
                    (Ok((_, kpm)), Ok(response), None) => Ok((response, kpm)),
                    (checked, response, unlisted) => {
                        let mut problems: Vec<Problem> = unlisted.into_iter().collect();
                        problems.extend(response.err().unwrap_or_default());
                        // The register's checks of the household fields
                        // (an unlisted incubator is said above, once).
                        if let Err(register) = checked {
                            let said = unlisted_said(&problems);
                            problems.extend(
                                register
                                    .into_iter()
                                    .filter(|p| !(said && p.column == "incubator_id"))
                                    .map(|p| household.in_form(p)),
                            );
                        }
                        Err(problems)
                    }
                }
            }
        }
    }
}

enum Plan {
    Survey(SurveyPlan),
    Register(ColumnIndex),
    Incubators(ColumnIndex),
    Feedback(ColumnIndex),
    /// The template's (or a form's) responses, its register columns, the
    /// KPM already known with their incubators, and where the household
    /// fields come from.
    Template(
        SurveyPlan,
        ColumnIndex,
        HashMap<String, Registered>,
        Household,
    ),
}

impl Plan {
    /// Whether merge statement `name` ([`merge_statements`]) is run for
    /// this plan: a register's are those of the KPM (its refusal of KPM
    /// moved to another incubator unless `move_kpm`) and the refusal of an
    /// unknown incubator, an incubator list's those of the incubators.
    fn applies(&self, name: &str, move_kpm: bool) -> bool {
        match self {
            Plan::Survey(_) | Plan::Template(..) | Plan::Feedback(_) => true,
            Plan::Register(_) if name == "reject_moved_kpm" => !move_kpm,
            Plan::Register(_) => name.contains("kpm") || name == "reject_unknown_incubator",
            Plan::Incubators(_) => name.contains("incubator") && !name.contains("unknown"),
        }
    }

    /// The columns of a hand-filled sheet or list that may name an
    /// incubator.
    fn incubator_columns(&self) -> Option<&ColumnIndex> {
        match self {
            Plan::Register(c)
            | Plan::Feedback(c)
            | Plan::Template(_, c, _, Household::Sheet(_)) => Some(c),
            _ => None,
        }
    }

    /// The header positions a hand-filled sheet's or list's plan reads;
    /// `None` for an export of a form, the feedback form's included, whose
    /// metadata columns (`_uuid`, `SubmissionDate` …) are not meant to be
    /// read (see [`BatchSummary::unread_columns`]).
    fn read_columns(&self, headers: &[String]) -> Option<HashSet<usize>> {
        match self {
            // A form's export of the feedback sheet has its metadata columns.
            Plan::Feedback(columns) if Format::form_export(headers, Container::Csv).is_none() => {
                Some(columns.columns().map(|(i, _)| i).collect())
            }
            Plan::Template(survey, columns, _, Household::Sheet(_)) => Some(
                survey
                    .read_columns()
                    .chain(columns.columns().map(|(i, _)| i))
                    .collect(),
            ),
            Plan::Register(columns) | Plan::Incubators(columns) => {
                Some(columns.columns().map(|(i, _)| i).collect())
            }
            _ => None,
        }
    }
}

/// Where a template's or form's household fields come from.
enum Household {
    /// A hand-filled sheet's own register columns; the new KPM whose
    /// register row a checked row already staged.
    Sheet(StagedKpm),
    /// A form whose mapping feeds household fields: where they are, and the
    /// incubators listed.
    Form(HouseholdPlan, HashSet<String>),
}

/// The new KPM of a sheet whose register row is staged, each with the first
/// row that staged it and a digest of that row's household cells.
///
/// A sheet repeats a new household's cells on each of its rows (five waves,
/// five rows), and `add_new_kpm` keeps only the first row that loads. A later
/// row whose household cells are those of an earlier, wholly valid row of
/// the same KPM would be checked to the same result and then dropped, so it
/// stages none. A row checked before an earlier one (the chunks are checked
/// on several threads) still stages its own, which is only work (`-vv` logs
/// how many register rows a sheet staged).
struct StagedKpm {
    /// The incubators listed: a row of an unlisted incubator is refused in
    /// SQL for its own staged row (`reject_unknown_incubator_of_new_kpm`),
    /// so each such row stages one.
    incubators: HashSet<String>,
    /// By KPM id, in shards that the checkers lock apart: every row of every
    /// checker looks its KPM up, and a map is locked while it grows.
    first: Vec<std::sync::Mutex<FirstRows>>,
}

/// Each KPM's first staged row and the digest of its household cells.
type FirstRows = HashMap<String, (u64, [u8; 32])>;

impl StagedKpm {
    /// Shards of `first`.
    const SHARDS: usize = 16;

    fn new(incubators: HashSet<String>) -> Self {
        StagedKpm {
            incubators,
            first: (0..Self::SHARDS)
                .map(|_| std::sync::Mutex::new(HashMap::new()))
                .collect(),
        }
    }

    /// The shard of `kpm_id`'s entry, locked.
    fn shard(&self, kpm_id: &str) -> std::sync::MutexGuard<'_, FirstRows> {
        let at = kpm_id.bytes().fold(0usize, |a, b| {
            a.wrapping_mul(31).wrapping_add(usize::from(b))
        });
        let shard = &self.first[at % Self::SHARDS];
        shard.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The digest of a row's household cells (with whether each was a
    /// number in a workbook, which the checks read too): no cell, NIK
    /// included, is kept as written.
    fn digest(columns: &ColumnIndex, cells: &[&str], numeric: &[bool]) -> [u8; 32] {
        digest_of(|bytes| {
            // By position: `get` by name would search the names for each.
            for i in columns.index.iter().flatten() {
                let cell = trim(cells.get(*i).copied().unwrap_or(""));
                bytes.extend_from_slice(cell.as_bytes());
                bytes.extend_from_slice(&[0x1f, u8::from(numeric.get(*i) == Some(&true))]);
            }
        })
    }

    /// Whether an earlier staged row of `kpm_id` had these household cells.
    fn covers(&self, kpm_id: &str, row: u64, digest: &[u8; 32]) -> bool {
        self.shard(kpm_id)
            .get(kpm_id)
            .is_some_and(|(at, seen)| *at < row && seen == digest)
    }

    /// Records a wholly valid row that staged `kpm_id`'s register row, unless
    /// an earlier one did; a row of an unlisted incubator is not recorded.
    fn record(&self, kpm_id: &str, incubator: &str, row: u64, digest: [u8; 32]) {
        if !incubator.is_empty() && !self.incubators.contains(incubator) {
            return;
        }
        let mut first = self.shard(kpm_id);
        match first.get_mut(kpm_id) {
            Some(entry) if entry.0 < row => {}
            Some(entry) => *entry = (row, digest),
            None => {
                first.insert(kpm_id.to_string(), (row, digest));
            }
        }
    }
}

/// The values of one staged row, in the stage table's column order.
type StageRow = Vec<Value>;

/// The words a hand-made sheet's last rows start with in place of a KPM id:
/// a total, a sum or an average of the rows above.
const TOTALS_WORDS: &[&str] = &[
    "total",
    "jumlah",
    "jumlah total",
    "grand total",
    "sub total",
    "subtotal",
    "rata-rata",
    "rata rata",
    "rerata",
    "sum",
    "average",
];

/// A column's letters as a spreadsheet heads it: 0 is `A`, 26 `AA`.
fn column_letters(mut index: usize) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(b'A' + (index % 26) as u8);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

/// Refuses a file whose dates are written month first (`3/25/2022`, as
/// Excel writes them to CSV with an English (US) setting): rows refused for
/// a date that reads only so, and no date loaded that reads only day first
/// (a day past 12). Its other dates, read day first, would be wrong
/// without a word (`3/10/2022` as 3 October).
fn month_first_dates(
    tx: &duckdb::Transaction<'_>,
    batch_id: i64,
    file: &Path,
) -> Result<(), IngestError> {
    let first: Option<(i64, String, String)> = tx
        .query_row(
            "SELECT source_row, column_name, value FROM ingest_reject
             WHERE batch_id = $1 AND contains(reason, $2)
             ORDER BY source_row LIMIT 1",
            params![batch_id, crate::values::MONTH_FIRST],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .map(Some)
        .or_else(|e| match e {
            duckdb::Error::QueryReturnedNoRows => Ok(None),
            e => Err(e),
        })?;
    let Some((row, column, value)) = first else {
        return Ok(());
    };
    let day_first: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM stage_response WHERE day(submitted_at) > 12 AND NOT dated_at_load)
             OR EXISTS (SELECT 1 FROM stage_kpm WHERE day(grant_date) > 12)",
        [],
        |r| r.get(0),
    )?;
    if day_first {
        return Ok(());
    }
    Err(IngestError::ColumnNote {
        path: file.to_path_buf(),
        column,
        reason: format!(
            "its dates are written month first (row {row}: `{value}`), as Excel writes them with an \
             English (US) setting; read day first, as Indonesia writes them, its other dates would be \
             wrong (3/10/2022 as 3 October)"
        ),
        hint: "load it with `prokus ingest --month-first`, or write its dates as 2022-03-25".into(),
    })
}

/// A row's problems, those of a cell holding an Excel error
/// ([`ColumnIndex::excel_errors`]) said once, as that: not also as a value
/// its column cannot read.
pub(crate) fn said_as_excel_errors(
    mut excel_errors: Vec<Problem>,
    problems: Vec<Problem>,
) -> Vec<Problem> {
    if excel_errors.is_empty() {
        return problems;
    }
    let others = problems
        .into_iter()
        .filter(|p| !excel_errors.iter().any(|e| e.column == p.column))
        .collect::<Vec<_>>();
    excel_errors.extend(others);
    excel_errors
}

/// A row whose KPM id cell is a totals word (`TOTAL`, `Jumlah`,
/// `Rata-rata`): refused as what it is, not as a KPM row with its answers
/// missing or wrong.
fn totals_row(kpm_id: &str) -> Option<Problem> {
    let id = kpm_id.trim().trim_end_matches(':');
    // Most ids start with a letter and a digit soon after: one look.
    if !id
        .starts_with(|c: char| matches!(c.to_ascii_lowercase(), 't' | 'j' | 'g' | 's' | 'r' | 'a'))
        || !TOTALS_WORDS.iter().any(|w| id.eq_ignore_ascii_case(w))
    {
        return None;
    }
    Some(Problem {
        column: "kpm_id".into(),
        value: id.into(),
        reason: "a row of totals or averages, not a KPM's: nothing of it is loaded \
                 (it can stay in the sheet)"
            .into(),
    })
}

/// A row that is no KPM's, under or among a sheet's or register's rows: a
/// row of totals ([`totals_row`]) or a note ([`note_row`]), refused as what
/// it is.
pub(crate) fn no_kpm_row(kpm_id: &str, cells: &[&str]) -> Option<Problem> {
    totals_row(kpm_id).or_else(|| note_row(kpm_id, cells))
}

/// A row of one cell of text, with no KPM id or with the text in the id's
/// cell (`Keterangan: diisi oleh pendamping`, `Catatan: S1 pindah usaha`):
/// a note written below or among the rows, refused as what it is, where
/// each empty required cell was named. A lone id (`S1`) is a KPM's row that
/// answers nothing, refused as such by the checks; a lone number is no note.
fn note_row(kpm_id: &str, cells: &[&str]) -> Option<Problem> {
    let mut filled = cells.iter().map(|c| c.trim()).filter(|c| !c.is_empty());
    let (Some(text), None) = (filled.next(), filled.next()) else {
        return None;
    };
    let lone_id = !kpm_id.trim().is_empty() && !text.contains(char::is_whitespace);
    if lone_id || !text.contains(char::is_alphabetic) {
        return None;
    }
    Some(Problem {
        column: "kpm_id".into(),
        value: text.into(),
        reason: "a line of text alone, not a KPM's row (a note?): nothing of it is loaded \
                 (it can stay in the sheet)"
            .into(),
    })
}

/// A template row: its response, and the KPM to add when the KPM is new and
/// the row carries its region. A known KPM keeps its register data.
fn check_template_row(
    db: &Reference,
    survey: &SurveyPlan,
    columns: &ColumnIndex,
    known: &HashMap<String, Registered>,
    (row, cells, numeric): (u64, &[&str], &[bool]),
    sheet: Option<&StagedKpm>,
) -> Result<(StageRow, Option<StageRow>), Vec<Problem>> {
    let own_incubator_only = sheet.is_some();
    let kpm_id = columns.get(cells, "kpm_id");
    if own_incubator_only && let Some(refused) = no_kpm_row(kpm_id, cells) {
        return Err(vec![refused]);
    }
    let mut response = if own_incubator_only {
        survey.check(row, cells).and_then(|values| {
            // A row that answers nothing (a template sent back unfilled)
            // would count as the KPM's answer to the round, over one it
            // gave before.
            if survey.answers_nothing(cells) {
                Err(vec![Problem {
                    column: "wave".into(),
                    value: String::new(),
                    reason: "the row answers no question of the round: fill in its answers, \
                             or leave the row out"
                        .into(),
                }])
            } else {
                Ok(values)
            }
        })
    } else {
        // A form's answers are checked by the caller on the form's cells.
        Ok(Vec::new())
    };
    // An id typed with spaces inside is read without them; most have none.
    let kpm_id = match columns.get(cells, "kpm_id") {
        id if id.contains(char::is_whitespace) => {
            std::borrow::Cow::Owned(id.split_whitespace().collect::<String>())
        }
        id => std::borrow::Cow::Borrowed(id),
    };
    let has_region = !columns.get(cells, "regency_code").is_empty()
        || !columns.get(cells, "province_code").is_empty();
    // An incubator's sheet answers for its own KPM only: a row naming
    // another incubator than the register's is refused, not merged.
    let incubator = columns.get(cells, "incubator_id");
    if let Some(Registered {
        incubator: Some(registered),
        ..
    }) = known.get(kpm_id.as_ref())
        && own_incubator_only
        && !incubator.is_empty()
        && incubator != registered
    {
        let problem = Problem {
            column: "incubator_id".into(),
            value: incubator.into(),
            // Most often two incubators that number their KPM alike; else
            // a KPM that moved, which the register must say first.
            reason: format!(
                "KPM {kpm_id} belongs to incubator {registered} in the register, not {incubator}. \
                 Numbered by each incubator? Give ids of their own ({incubator}-{kpm_id}). \
                 Moved? Load a register of it with --move-kpm"
            ),
        };
        response = match response {
            Ok(_) => Err(vec![problem]),
            Err(mut problems) => {
                problems.push(problem);
                Err(problems)
            }
        };
    }
    let kpm = if !has_region {
        Ok(None)
    } else if let Some(registered) = known.get(kpm_id.as_ref()) {
        // A registered KPM keeps its register data; what the row says of it
        // is staged only to be compared (household_differences.sql), with
        // the register's arm and incubator where the row leaves them out,
        // and a problem in it does not refuse the answers.
        let values: Vec<String> = REGISTER_COLUMNS
            .iter()
            .map(|name| match (*name, columns.get(cells, name)) {
                ("arm", "") => registered.arm.clone(),
                ("incubator_id", "") => registered.incubator.clone().unwrap_or_default(),
                (_, given) => given.to_string(),
            })
            .collect();
        let given: Vec<&str> = values.iter().map(String::as_str).collect();
        let numbers: Vec<bool> = REGISTER_COLUMNS
            .iter()
            .map(|name| columns.is_number(numeric, name))
            .collect();
        Ok(check_register_row(db, register_order(), row, &given, &numbers).ok())
    } else if let Some(staged) = sheet
        && response.is_ok()
    {
        // Only a row whose answers load can register its KPM, or repeat the
        // row that did: the digest is taken for those alone.
        let digest = StagedKpm::digest(columns, cells, numeric);
        if staged.covers(&kpm_id, row, &digest) {
            Ok(None)
        } else {
            let checked = check_register_row(db, columns, row, cells, numeric);
            if checked.is_ok() {
                staged.record(&kpm_id, incubator, row, digest);
            }
            checked.map(Some)
        }
    } else {
        check_register_row(db, columns, row, cells, numeric).map(Some)
    };
    match (response, kpm) {
        (Ok(response), Ok(kpm)) => Ok((response, kpm)),
        (Err(mut a), Err(b)) => {
            a.extend(b.into_iter().filter(|p| p.column != "kpm_id"));
            Err(a)
        }
        (Err(p), _) | (_, Err(p)) => Err(p),
    }
}

fn check_incubator_row(
    db: &Reference,
    c: &ColumnIndex,
    row: u64,
    cells: &[&str],
) -> Result<Vec<Value>, Vec<Problem>> {
    // `#N/A` or a formula as the name would be printed on the incubator's
    // reports, as a register's KPM name would.
    let excel_errors = c.excel_errors(cells);
    let mut problems = Vec::new();
    let id: String = c.get(cells, "incubator_id").split_whitespace().collect();
    if id.is_empty() {
        problems.push(Problem {
            column: "incubator_id".into(),
            value: String::new(),
            reason: "the incubator id is empty".into(),
        });
    } else if let Err(reason) = check_id(&id) {
        problems.push(Problem {
            column: "incubator_id".into(),
            value: id.clone(),
            reason,
        });
    }
    problems.extend(nik_problems(cells, c.columns()));
    let name = c.get(cells, "name");
    if name.is_empty() {
        problems.push(Problem {
            column: "name".into(),
            value: String::new(),
            reason: "the incubator name is empty".into(),
        });
    }
    for column in ["name", "university"] {
        problems.extend(long_name(column, c.get(cells, column)));
    }
    let province_text = c.get(cells, "province_code");
    let province = if province_text.is_empty() {
        None
    } else {
        match db.wilayah.resolve(Level::Province, province_text, None) {
            Ok(p) => Some(p.code.clone()),
            Err(e) => {
                problems.push(unknown_region(
                    "province_code",
                    province_text,
                    Level::Province,
                    e,
                ));
                None
            }
        }
    };
    let problems = said_as_excel_errors(excel_errors, problems);
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(vec![
        Value::BigInt(row as i64),
        Value::Text(id),
        Value::Text(name.into()),
        text(c.get(cells, "university")),
        province.map_or(Value::Null, Value::Text),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};
    use std::io::Write;

    const INCUBATORS: &str = "incubator_id,name,university,province_code\nINK-32-01,Oorange Unpad,Universitas Padjadjaran,32\n";
    const REGISTER: &str = "kpm_id,nik,kpm_name,gender,business_name,arm,cohort_year,incubator_id,mentor,tksk,cluster,category,province_code,regency_code,district_code,grant_amount,grant_date\n\
        K1,3217055208850012,Siti Aminah,P,Keripik Bu Siti,prokus,2021,INK-32-01,,,kuliner,start_up,32,32.17,321705,Rp 3.500.000,2021-04-12\n\
        K2,,Sri Rahayu,P,\"Toko [Berkah] #1\",prokus,2021,INK-32-01,,,Ritel,Scale Up,,KAB. BANDUNG BARAT,,3500000,12/04/2021\n\
        K3,,Ani,P,Warung,comparison,2021,,,,kuliner,start_up,32,Bandung Baratt,,,\n\
        K4,3.21705E+15,Dewi,P,Batik,prokus,2021,INK-99-99,,,fesyen,inkubasi,32,3217,,,\n";

    fn file(dir: &tempfile::TempDir, name: &str, text: &str) -> std::path::PathBuf {
        let path = dir.path().join(name);
        std::fs::File::create(&path)
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
        path
    }

    #[test]
    fn a_real_export_reads_the_same_streamed_or_whole_and_is_checked_row_by_row() {
        let path = Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../sample-data/prokus_monitoring_2021-06-30.csv"
        ));
        let scanned = crate::source::scan(path, 1 << 16).unwrap();
        assert!(scanned.streamed());
        let whole = crate::source::Scanned {
            utf8: false,
            ..scanned.clone()
        };
        let options = IngestOptions::default();
        let (c1, streamed) = open_table(path, &scanned, &options).unwrap();
        let (c2, read) = open_table(path, &whole, &options).unwrap();
        assert!(c1 == Container::Csv && c2 == Container::Csv);
        assert_eq!(streamed.headers, read.headers);
        let rows = |t: &Table| {
            let mut out = Vec::new();
            t.for_each_row(|row, cells, _| {
                out.push((row, cells.join("\u{1f}")));
                Ok(())
            })
            .unwrap();
            out
        };
        let (a, b) = (rows(&streamed), rows(&read));
        assert_eq!(a.len(), 2514);
        assert!(a == b, "the two reads differ");
        let check = check_mapping(path, &FormMapping::prokus(), &IngestOptions::default()).unwrap();
        assert_eq!(check.rows, 2514);
        let counted: Vec<_> = check
            .fields
            .iter()
            .filter(|f| f.found && f.parsed + f.empty + f.failed > 0)
            .collect();
        assert!(counted.len() > 10, "{:?}", check.fields);
        for f in counted {
            assert_eq!(f.parsed + f.empty + f.failed, 2514, "{f:?}");
        }
    }

    /// A dry run counts the interview times as `ingest` uses them, and
    /// says why one is not: its failures are advisory (the rows load,
    /// dated by their submission), so they fail no mapping.
    #[test]
    fn a_mapping_check_counts_the_interview_times_it_would_not_believe() {
        let dir = tempfile::tempdir().unwrap();
        let export = file(
            &dir,
            "prokus_monitoring_2021-03-23.csv",
            "\"start\";\"end\";\"identitas/kpm_id\";\"identitas/putaran\";\"_uuid\";\
             \"_submission_time\"\n\
             \"\";\"2021-03-19T10:30:00.000+07:00\";\"K1\";\"baseline\";\"u1\";\"2021-03-23T02:00:00\"\n\
             \"\";\"2021-03-24T10:30:00.000+07:00\";\"K2\";\"baseline\";\"u2\";\"2021-03-23T02:00:00\"\n\
             \"\";\"2021-03-19 10:30:00\";\"K3\";\"baseline\";\"u3\";\"2021-03-23T02:00:00\"\n\
             \"\";\"\";\"K4\";\"baseline\";\"u4\";\"2021-03-23T02:00:00\"\n",
        );
        let check =
            check_mapping(&export, &FormMapping::prokus(), &IngestOptions::default()).unwrap();
        let line = check
            .fields
            .iter()
            .find(|f| f.field == "(interview time)")
            .unwrap();
        assert_eq!(
            (line.parsed, line.empty, line.failed, line.advisory),
            (1, 1, 2, true),
            "{line:?}"
        );
        assert!(line.samples[0].1.contains("device's clock"), "{line:?}");
        assert!(line.samples[1].1.contains("offset"), "{line:?}");
        // Every other line is as before: no failure of its own.
        assert!(
            check.fields.iter().all(|f| f.advisory || f.failed == 0),
            "{:?}",
            check.fields
        );
    }

    fn count(db: &Database, sql: &str) -> i64 {
        db.conn.query_row(sql, [], |r| r.get(0)).unwrap()
    }

    /// A database holding the incubator list `incubators`, the folder its
    /// files are written to, and the ProKUS mapping.
    fn listed(incubators: &str) -> (tempfile::TempDir, Database, FormMapping) {
        let dir = tempfile::tempdir().unwrap();
        let mut db = Database::in_memory().unwrap();
        let m = FormMapping::prokus();
        db.ingest(&file(&dir, "incubators.csv", incubators), &m)
            .unwrap();
        (dir, db, m)
    }

    /// The rows of `sql`, each a pair of its two columns.
    fn pairs<A: duckdb::types::FromSql, B: duckdb::types::FromSql>(
        db: &Database,
        sql: &str,
    ) -> Vec<(A, B)> {
        db.conn
            .prepare(sql)
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    /// The reason of the reject of file row `row` (one reject only).
    fn reject_reason(db: &Database, row: i64) -> String {
        db.conn
            .query_row(
                "SELECT reason FROM ingest_reject WHERE source_row = $1",
                [row],
                |r| r.get(0),
            )
            .unwrap()
    }

    fn loaded_program() -> (tempfile::TempDir, Database, Vec<BatchSummary>) {
        let dir = tempfile::tempdir().unwrap();
        let mut db = Database::in_memory().unwrap();
        let m = FormMapping::prokus();
        let mut out = vec![
            db.ingest(&file(&dir, "incubators.csv", INCUBATORS), &m)
                .unwrap(),
            db.ingest(&file(&dir, "kpm_register.csv", REGISTER), &m)
                .unwrap(),
        ];
        let survey = kobo_with_ids();
        out.push(db.ingest(&file(&dir, "kobo.csv", &survey), &m).unwrap());
        (dir, db, out)
    }

    fn kobo_with_ids() -> String {
        let rows: [[&str; 7]; 7] = [
            [
                "K1",
                "baseline",
                "ya",
                "1500000",
                "ya",
                "u1",
                "2021-03-10T02:00:00",
            ],
            [
                "K2",
                "baseline",
                "ya",
                "Rp 1.200.000",
                "tidak",
                "u2",
                "2021-03-11T02:00:00",
            ],
            [
                "K1",
                "baseline",
                "ya",
                "1500000",
                "ya",
                "u1",
                "2021-03-10T02:00:00",
            ],
            [
                "",
                "baseline",
                "ya",
                "900000",
                "ya",
                "u3",
                "2021-03-11T03:00:00",
            ],
            [
                "K9",
                "baseline",
                "ya",
                "900000",
                "ya",
                "u4",
                "2021-03-11T04:00:00",
            ],
            [
                "K2",
                "baseline",
                "ya",
                "1,3 jt",
                "tidak",
                "u5",
                "2021-03-12T02:00:00",
            ],
            [
                "K1",
                "endline",
                "ya",
                "2000000",
                "ya",
                "u6",
                "2021-09-12T02:00:00",
            ],
        ];
        let mut text = String::from(
            "\"start\";\"identitas/kpm_id\";\"identitas/putaran\";\"usaha/masih_berjalan\";\"usaha/laba_bersih\";\"keuangan/menabung\";\"_uuid\";\"_submission_time\";\"_index\"\r\n",
        );
        for (i, r) in rows.iter().enumerate() {
            let cells: Vec<String> = ["2021-03-10T08:00:00.000+07:00"]
                .iter()
                .chain(r.iter())
                .map(|c| format!("\"{c}\""))
                .collect();
            text.push_str(&format!("{};\"{}\"\r\n", cells.join(";"), i + 1));
        }
        text
    }

    /// An incubator's own sheet may record the mentoring sessions and TKSK
    /// visits of each round, as the monitoring form does.
    #[test]
    fn a_hand_filled_sheet_records_mentoring_and_tksk_visits() {
        let (dir, mut db, m) = with_incubators();
        let register = "kpm_id,arm,incubator_id,province_code,regency_code\n\
                        M1,prokus,INK-32-01,32,32.17\n";
        db.ingest(&file(&dir, "kpm_register.csv", register), &m)
            .unwrap();
        let sheet = "kpm_id,wave,mentoring_sessions,tksk_visits\n\
                     M1,monitoring 1,3,1\n";
        let s = db.ingest(&file(&dir, "sheet.csv", sheet), &m).unwrap();
        assert_eq!((s.format.as_str(), s.rows_loaded), ("template", 1), "{s:?}");
        let (sessions, visits): (i64, i64) = db
            .conn
            .query_row(
                "SELECT mentoring_sessions, tksk_visits FROM response WHERE kpm_id = 'M1'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!((sessions, visits), (3, 1));
    }

    /// A register may say whether each household agreed that its story be
    /// told; a value that is neither yes nor no rejects the row, naming it.
    #[test]
    fn consent_to_a_story_is_read_from_the_register() {
        let (dir, mut db, m) = with_incubators();
        let register = "kpm_id,arm,incubator_id,province_code,regency_code,consent_story\n\
                        C1,prokus,INK-32-01,32,32.17,ya\n\
                        C2,prokus,INK-32-01,32,32.17,\n\
                        C3,prokus,INK-32-01,32,32.17,mungkin\n\
                        C4,prokus,INK-32-01,32,32.17,Tidak\n";
        let s = db
            .ingest(&file(&dir, "kpm_register.csv", register), &m)
            .unwrap();
        assert_eq!((s.rows_loaded, s.rows_rejected), (3, 1), "{s:?}");
        let consent: Vec<(String, Option<bool>)> =
            pairs(&db, "SELECT kpm_id, consent_story FROM kpm ORDER BY kpm_id");
        assert_eq!(
            consent,
            [
                ("C1".to_string(), Some(true)),
                ("C2".to_string(), None),
                ("C4".to_string(), Some(false))
            ]
        );
        let (column, value): (String, String) = db
            .conn
            .query_row(
                "SELECT column_name, value FROM ingest_reject WHERE source_row = 4",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(
            (column.as_str(), value.as_str()),
            ("consent_story", "mungkin")
        );
        // A hand-filled sheet that registers its new households keeps their
        // consent too.
        let sheet = "kpm_id,wave,submitted_at,arm,incubator_id,province_code,regency_code,business_income,consent_story\n\
                     T1,baseline,2021-03-15,prokus,INK-32-01,32,32.17,900000,ya\n\
                     T2,baseline,2021-03-15,prokus,INK-32-01,32,32.17,900000,tidak\n";
        let t = db.ingest(&file(&dir, "sheet.csv", sheet), &m).unwrap();
        assert_eq!((t.format.as_str(), t.rows_loaded), ("template", 2), "{t:?}");
        let consent: Vec<Option<bool>> = db
            .conn
            .prepare("SELECT consent_story FROM kpm WHERE kpm_id LIKE 'T%' ORDER BY kpm_id")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(consent, [Some(true), Some(false)]);
    }

    /// Control characters and text direction controls in a register's
    /// names (pasted from a terminal or another program) part words as
    /// spaces: the register keeps the names a reader sees.
    #[test]
    fn names_lose_their_control_characters() {
        let (dir, mut db, m) = with_incubators();
        let register = "kpm_id,arm,incubator_id,regency_code,kpm_name,business_name,mentor\n\
                        C1,prokus,INK-32-01,32.17,Siti\u{1b}[31m  Aminah\u{7},Warung\u{202E}Bu Siti,Pak\u{85}Budi\n";
        let s = db
            .ingest(&file(&dir, "kpm_register.csv", register), &m)
            .unwrap();
        assert_eq!(s.rows_loaded, 1, "{s:?}");
        let names: (String, String, String) = db
            .conn
            .query_row("SELECT kpm_name, business_name, mentor FROM kpm", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .unwrap();
        assert_eq!(
            names,
            (
                "Siti [31m Aminah".into(),
                "Warung Bu Siti".into(),
                "Pak Budi".into()
            )
        );
    }

    #[test]
    fn register_rows_are_checked_and_rejected_with_reasons() {
        let (_dir, db, s) = loaded_program();
        assert_eq!((s[0].rows_read, s[0].rows_loaded), (1, 1));
        let reg = &s[1];
        assert_eq!(
            (
                reg.format.as_str(),
                reg.rows_read,
                reg.rows_loaded,
                reg.rows_rejected
            ),
            ("kpm-register", 4, 2, 2)
        );
        // K2: region by name, province derived, variant spellings normalised.
        let (province, regency, cluster, category): (String, String, String, String) = db
            .conn
            .query_row("SELECT province_code, regency_code, cluster, category FROM kpm WHERE kpm_id = 'K2'", [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap();
        assert_eq!(
            (
                province.as_str(),
                regency.as_str(),
                cluster.as_str(),
                category.as_str()
            ),
            ("32", "32.17", "ritel", "scale_up")
        );
        let reason: String = db
            .conn
            .query_row(
                "SELECT reason FROM ingest_reject WHERE value = 'Bandung Baratt'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(
            reason.contains("nearest: 32.17 Kabupaten Bandung Barat"),
            "{reason}"
        );
        // K4: unknown incubator; its Excel-damaged NIK never reaches the reject table whole.
        let reason: String = db
            .conn
            .query_row(
                "SELECT reason FROM ingest_reject WHERE value = 'INK-99-99'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(reason.contains("not in the incubator list"), "{reason}");
        assert_eq!(
            count(
                &db,
                "SELECT count(*) FROM ingest_reject WHERE value LIKE '%3217055208850012%'"
            ),
            0
        );
        let masked: String = db
            .conn
            .query_row("SELECT nik_masked FROM kpm WHERE kpm_id = 'K1'", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(masked, "3217********0012");
        assert_eq!(
            count(&db, "SELECT count(*) FROM kpm WHERE nik_hash LIKE '3217%'"),
            0
        );
    }

    #[test]
    fn a_reissued_register_replaces_the_kpm_it_lists_and_adds_the_new() {
        let (dir, mut db, _) = loaded_program();
        let m = FormMapping::prokus();
        // K1 moved district, changed cluster and has a mentor now; K5 is
        // new; K2 is not listed again and keeps its row; K6 is listed twice.
        let reissued = "kpm_id,nik,kpm_name,gender,business_name,arm,cohort_year,incubator_id,mentor,tksk,cluster,category,province_code,regency_code,district_code,grant_amount,grant_date\n\
            K1,3217055208850012,Siti Aminah,P,Keripik Bu Siti,prokus,2021,INK-32-01,Bu Rina,,fesyen,start_up,32,32.17,321706,3500000,2021-04-12\n\
            K5,,Lina,P,Jahit,prokus,2021,INK-32-01,,,fesyen,start_up,32,32.17,,3500000,2021-04-12\n\
            K6,,Yati,P,Sayur,comparison,2021,,,,agribisnis,start_up,32,32.17,,,\n\
            K6,,Yati,P,Sayur,comparison,2021,,,,agribisnis,start_up,32,32.17,,,\n";
        let before = count(&db, "SELECT count(*) FROM kpm");
        let batch = db
            .ingest(&file(&dir, "kpm_register_2.csv", reissued), &m)
            .unwrap();
        assert_eq!(
            (
                batch.rows_read,
                batch.rows_loaded,
                batch.rows_rejected,
                batch.rows_duplicate
            ),
            (4, 3, 0, 1)
        );
        assert_eq!(count(&db, "SELECT count(*) FROM kpm"), before + 2);
        assert_eq!(
            count(&db, "SELECT count(*) - count(DISTINCT kpm_id) FROM kpm"),
            0
        );
        let (district, cluster, mentor, masked): (String, String, String, String) = db
            .conn
            .query_row(
                "SELECT district_code, cluster, mentor, nik_masked FROM kpm WHERE kpm_id = 'K1'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .unwrap();
        assert_eq!(
            (
                district.as_str(),
                cluster.as_str(),
                mentor.as_str(),
                masked.as_str()
            ),
            ("32.17.06", "fesyen", "Bu Rina", "3217********0012")
        );
        // The KPM this list names carry its batch; K2 keeps the first list's.
        let batch_of = |kpm: &str| -> i64 {
            db.conn
                .query_row("SELECT batch_id FROM kpm WHERE kpm_id = ?", [kpm], |r| {
                    r.get(0)
                })
                .unwrap()
        };
        for kpm in ["K1", "K5", "K6"] {
            assert_eq!(batch_of(kpm), batch.batch_id, "{kpm}");
        }
        assert!(batch_of("K2") < batch.batch_id);
    }

    #[test]
    fn a_list_with_fewer_columns_keeps_what_the_register_holds_in_the_others() {
        let (dir, mut db, _) = loaded_program();
        let m = FormMapping::prokus();
        let held = |db: &Database, kpm: &str| -> Vec<Option<String>> {
            db.conn
                .query_row(
                    "SELECT nik_masked, kpm_name, business_name, mentor, cluster, \
                            district_code, grant_amount::VARCHAR, grant_date::VARCHAR \
                     FROM kpm WHERE kpm_id = ?",
                    [kpm],
                    |r| (0..8).map(|i| r.get(i)).collect(),
                )
                .unwrap()
        };
        let k1 = held(&db, "K1");
        assert_eq!(k1[0].as_deref(), Some("3217********0012"));
        // New mentors, and K1's cluster emptied: the list has no NIK, name,
        // business, district or grant columns.
        let mentors = "kpm_id,arm,incubator_id,regency_code,mentor,cluster\n\
            K1,prokus,INK-32-01,32.17,Bu Rina,\n\
            K2,prokus,INK-32-01,32.17,Pak Dedi,ritel\n";
        let batch = db.ingest(&file(&dir, "mentors.csv", mentors), &m).unwrap();
        assert_eq!((batch.rows_loaded, batch.rows_rejected), (2, 0));
        assert_eq!(
            batch.kept_columns,
            [
                "nik",
                "kpm_name",
                "gender",
                "business_name",
                "cohort_year",
                "tksk",
                "category",
                "district_code",
                "grant_amount",
                "grant_date",
                "consent_story"
            ]
        );
        let now = held(&db, "K1");
        let mut expected = k1.clone();
        // The mentor set, the cluster emptied (an empty cell of a column the
        // list has replaces); the rest as it was.
        expected[3] = Some("Bu Rina".into());
        expected[4] = None;
        assert_eq!(now, expected);
        assert_eq!(held(&db, "K2")[3].as_deref(), Some("Pak Dedi"));
        // A kecamatan goes with its regency: K1's would not be in the
        // regency it moved to.
        let moved = "kpm_id,arm,incubator_id,regency_code\nK1,prokus,INK-32-01,32.04\n";
        db.ingest(&file(&dir, "moved.csv", moved), &m).unwrap();
        let k1: (String, Option<String>, Option<String>) = db
            .conn
            .query_row(
                "SELECT regency_code, district_code, mentor FROM kpm WHERE kpm_id = 'K1'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert_eq!(k1, ("32.04".into(), None, Some("Bu Rina".into())));
        // The register still has K1's NIK to check: no "missing" finding.
        assert_eq!(
            count(
                &db,
                "SELECT count(*) FROM kpm WHERE kpm_id = 'K1' AND nik_status = 'valid'"
            ),
            1
        );
    }

    #[test]
    fn columns_not_read_are_named_and_columns_not_given_are_kept() {
        let (dir, mut db, _) = loaded_program();
        let m = FormMapping::prokus();
        // Every canonical answer a sheet may carry is read; a misspelt
        // column and one of its own are named, a NIK in a header masked.
        let sheet = "kpm_id,wave,saves,save_frequency,separates_money,product_changes,\
                     attitude_1,attitude_2,attitude_3,attitude_4,attitude_5,\
                     bussiness_income,catatan,3217055208850012\n\
                     K1,baseline,ya,mingguan,ya,kemasan merek,4,5,3,4,4,1500000,baik,x\n";
        let s = db.ingest(&file(&dir, "sheet.csv", sheet), &m).unwrap();
        assert_eq!((s.format.as_str(), s.rows_loaded), ("template", 1), "{s:?}");
        assert_eq!(
            s.unread_columns,
            ["bussiness_income", "catatan", "3217********0012"]
        );
        let read: (bool, String, bool, String, i32) = db
            .conn
            .query_row(
                "SELECT saves, save_frequency, separates_money, product_changes, attitude_2 \
                 FROM response WHERE kpm_id = 'K1' AND batch_id = ?",
                [s.batch_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .unwrap();
        assert_eq!(
            read,
            (true, "weekly".into(), true, "kemasan merek".into(), 5)
        );
        // A list, likewise; an export of a form is not judged so.
        let list =
            "kpm_id,arm,incubator_id,regency_code,mentr\nK1,prokus,INK-32-01,32.17,Bu Rina\n";
        let s = db.ingest(&file(&dir, "mentors.csv", list), &m).unwrap();
        assert_eq!(s.unread_columns, ["mentr"]);
        assert!(s.kept_columns.iter().any(|c| c == "mentor"));
        // An incubator listed again without its university keeps it.
        let university = |db: &Database| -> Option<String> {
            db.conn
                .query_row(
                    "SELECT university FROM incubator WHERE incubator_id = 'INK-32-01'",
                    [],
                    |r| r.get(0),
                )
                .unwrap()
        };
        assert_eq!(university(&db).as_deref(), Some("Universitas Padjadjaran"));
        let renamed = "incubator_id,name\nINK-32-01,Oorange Universitas Padjadjaran\n";
        let s = db.ingest(&file(&dir, "renamed.csv", renamed), &m).unwrap();
        assert_eq!(s.kept_columns, ["university", "province_code"]);
        assert_eq!(university(&db).as_deref(), Some("Universitas Padjadjaran"));
    }

    #[test]
    fn survey_rows_each_end_in_one_place() {
        let (_dir, db, s) = loaded_program();
        let survey = &s[2];
        assert_eq!(survey.format, "kobo-csv");
        // 7 rows: 4 loaded (u1, u2, u5, u6), u1 again a duplicate, empty id and unknown KPM rejected.
        assert_eq!(
            (
                survey.rows_read,
                survey.rows_loaded,
                survey.rows_rejected,
                survey.rows_duplicate
            ),
            (7, 4, 2, 1)
        );
        assert_eq!(count(&db, "SELECT count(*) FROM response"), 4);
        let income: f64 = db
            .conn
            .query_row(
                "SELECT business_income FROM response WHERE submission_id = 'u2'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(income, 1_200_000.0);
        // u5 is a later submission for K2 at baseline: it wins, u2 is kept as superseded.
        let current: String = db
            .conn
            .query_row(
                "SELECT submission_id FROM response_current WHERE kpm_id = 'K2'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(current, "u5");
        assert_eq!(count(&db, "SELECT count(*) FROM response_superseded"), 1);
        let reasons: Vec<(i64, String)> = pairs(
            &db,
            "SELECT source_row, reason FROM ingest_reject WHERE batch_id = 3 ORDER BY source_row",
        );
        assert_eq!(reasons.len(), 3);
        assert_eq!(reasons[0].0, 4);
        assert!(
            reasons[0].1.contains("same submission is at row 2"),
            "{reasons:?}"
        );
        assert!(reasons[1].1.contains("required answer is empty"));
        assert!(reasons[2].1.contains("not in the KPM register"));
    }

    #[test]
    fn a_scan_made_ahead_is_used_for_its_own_file_only() {
        let (dir, mut db, s) = loaded_program();
        let kobo = dir.path().join("kobo.csv");
        let scanned = |path: &Path| IngestOptions {
            scanned: prescan(path),
            ..Default::default()
        };
        // A file loaded before is known by the hash scanned ahead.
        let again = db
            .ingest_with(&kobo, &FormMapping::prokus(), &scanned(&kobo))
            .unwrap();
        assert!(again.already_loaded);
        assert_eq!(again.batch_id, s[2].batch_id);
        // Another file given that scan hashes itself: it is not taken for
        // the file loaded before, and its rows are read.
        let copy = file(&dir, "kobo-copy.csv", &format!("{}\r\n", kobo_with_ids()));
        let overlap = db
            .ingest_with(&copy, &FormMapping::prokus(), &scanned(&kobo))
            .unwrap();
        assert!(!overlap.already_loaded);
        assert_eq!((overlap.rows_read, overlap.rows_duplicate), (7, 5));
        // Nothing is read ahead of a settings file, a folder or a file
        // that is not there.
        let settings = file(&dir, "targets.toml", "");
        assert!(prescan(&settings).is_none());
        assert!(prescan(dir.path()).is_none());
        assert!(prescan(&dir.path().join("missing.csv")).is_none());
    }

    #[test]
    fn a_file_that_changes_after_its_scan_is_scanned_again_or_refused() {
        let (dir, mut db, _) = loaded_program();
        let survey = kobo_with_ids();
        // Scanned ahead, then rewritten before its turn (another export
        // saved over it): it is scanned again, and the hash stored with
        // its rows is that of the bytes they were read from.
        let path = file(&dir, "later.csv", &survey);
        let ahead = IngestOptions {
            scanned: prescan(&path),
            ..Default::default()
        };
        // Longer by a byte: a file's time may not move within a few
        // milliseconds (the kernel's coarse clock), its size does.
        let grown = survey.replacen("u6", "u66", 1);
        std::fs::write(&path, &grown).unwrap();
        let loaded = db
            .ingest_with(&path, &FormMapping::prokus(), &ahead)
            .unwrap();
        assert!(!loaded.already_loaded, "taken for the file it was before");
        let sql = "SELECT sha256 FROM ingest_batch WHERE batch_id = ?";
        let stored: String = db
            .conn
            .query_row(sql, [loaded.batch_id], |r| r.get(0))
            .unwrap();
        let now = crate::source::scan(&path, 1 << 16).unwrap().sha256;
        assert_eq!(stored, now);
        // Written to while it loads (here, when its rows have been read):
        // refused whole, nothing of it stored.
        let moving = file(&dir, "moving.csv", &survey.replacen("u6", "u8", 1));
        let stored = |db: &Database| {
            ["ingest_batch", "response", "ingest_reject"]
                .map(|table| count(db, &format!("SELECT count(*) FROM {table}")))
        };
        let before = stored(&db);
        let target = moving.clone();
        let writes = IngestOptions {
            progress: Some(RowProgress(std::sync::Arc::new(move |_| {
                let mut f = std::fs::OpenOptions::new()
                    .append(true)
                    .open(&target)
                    .unwrap();
                f.write_all(b"\r\n").unwrap();
            }))),
            ..Default::default()
        };
        let err = db
            .ingest_with(&moving, &FormMapping::prokus(), &writes)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("moving.csv") && err.contains("changed while it was being loaded"),
            "{err}"
        );
        assert_eq!(stored(&db), before);
    }

    #[test]
    fn a_file_found_not_utf8_beside_its_load_is_loaded_again_decoded() {
        let dir = tempfile::tempdir().unwrap();
        let mut db = Database::in_memory().unwrap();
        // Many chunks of UTF-8 rows, then a Windows-1252 "é" near the end:
        // the load beside the scan reads the first chunks as UTF-8 before
        // either of them finds the byte.
        let mut bytes = b"incubator_id,name\n".to_vec();
        for i in 0..CHUNK_ROWS * 3 {
            bytes.extend_from_slice(format!("INK{i:05},Inkubator {i}\n").as_bytes());
        }
        bytes.extend_from_slice(b"INKCAFE,Inkubator Caf\xe9\n");
        let path = dir.path().join("incubators-1252.csv");
        std::fs::write(&path, &bytes).unwrap();
        let loaded = db.ingest(&path, &FormMapping::prokus()).unwrap();
        assert_eq!(
            (loaded.rows_read, loaded.rows_loaded, loaded.batch_id),
            (CHUNK_ROWS as u64 * 3 + 1, CHUNK_ROWS as u64 * 3 + 1, 1)
        );
        let name: String = db
            .conn
            .query_row(
                "SELECT name FROM incubator WHERE incubator_id = 'INKCAFE'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(name, "Inkubator Café");
        // One batch, with the hash of the file's bytes.
        assert_eq!(
            count(&db, "SELECT count(*) FROM incubator"),
            CHUNK_ROWS as i64 * 3 + 1
        );
        let stored: Vec<String> = db
            .conn
            .prepare("SELECT sha256 FROM ingest_batch")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(stored, [hex::encode(Sha256::digest(&bytes))]);
        // Loaded again: known, whether the load beside the scan was
        // stopped or ran to its end.
        let again = db.ingest(&path, &FormMapping::prokus()).unwrap();
        assert!(again.already_loaded);
        assert_eq!(count(&db, "SELECT count(*) FROM ingest_batch"), 1);
    }

    #[test]
    fn a_scan_started_ahead_is_taken_over_running_or_done() {
        let dir = tempfile::tempdir().unwrap();
        let mut db = Database::in_memory().unwrap();
        let sheet = |name: &str, rows: usize, last: &[u8]| {
            let mut bytes = b"incubator_id,name\n".to_vec();
            for i in 0..rows {
                bytes.extend_from_slice(format!("{name}{i:06},Inkubator {i}\n").as_bytes());
            }
            bytes.extend_from_slice(last);
            let path = dir.path().join(format!("{name}.csv"));
            std::fs::write(&path, &bytes).unwrap();
            (path, hex::encode(Sha256::digest(&bytes)))
        };
        let stored = |db: &Database, batch: i64| -> String {
            db.conn
                .query_row(
                    "SELECT sha256 FROM ingest_batch WHERE batch_id = ?",
                    [batch],
                    |r| r.get(0),
                )
                .unwrap()
        };
        // Taken over still running (held until the load has appended its
        // first chunk): a UTF-8 file, then one that is not (read as UTF-8,
        // then again decoded).
        let held = |path: &Path| {
            let (release, wait) = std::sync::mpsc::channel::<()>();
            let running = std::sync::Arc::new(Running {
                result: std::sync::OnceLock::new(),
                thread: std::sync::Mutex::new(None),
                before: crate::source::Stamp::now(path),
            });
            let (file, told) = (path.to_path_buf(), std::sync::Arc::clone(&running));
            *running.thread.lock().unwrap() = Some(std::thread::spawn(move || {
                // Released by the load's first chunk, or after a while if
                // the load never gets that far (it then fails).
                let _ = wait.recv_timeout(std::time::Duration::from_secs(5));
                let _ = told.result.set(crate::source::scan(&file, SCAN_BUFFER));
            }));
            let release = std::sync::Mutex::new(release);
            IngestOptions {
                scanned: Some(Prescanned {
                    path: path.to_path_buf(),
                    running,
                }),
                progress: Some(RowProgress(std::sync::Arc::new(move |_| {
                    let _ = release.lock().unwrap().send(());
                }))),
                ..Default::default()
            }
        };
        let (utf8, utf8_hash) = sheet("A", CHUNK_ROWS * 20, b"");
        let (cp1252, cp1252_hash) = sheet("B", CHUNK_ROWS * 20, b"BCAFE,Caf\xe9\n");
        for (path, hash, rows) in [
            (&utf8, &utf8_hash, CHUNK_ROWS * 20),
            (&cp1252, &cp1252_hash, CHUNK_ROWS * 20 + 1),
        ] {
            let ahead = held(path);
            let loaded = db
                .ingest_with(path, &FormMapping::prokus(), &ahead)
                .unwrap();
            assert_eq!(loaded.rows_loaded, rows as u64);
            assert_eq!(&stored(&db, loaded.batch_id), hash);
        }
        let name: String = db
            .conn
            .query_row(
                "SELECT name FROM incubator WHERE incubator_id = 'BCAFE'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(name, "Café");
        // Taken over done: a copy of a file loaded before is known by it.
        let copy = dir.path().join("A-copy.csv");
        std::fs::copy(&utf8, &copy).unwrap();
        let ahead = IngestOptions {
            scanned: prescan(&copy),
            ..Default::default()
        };
        let running = &ahead.scanned.as_ref().unwrap().running;
        running.wait().unwrap();
        assert!(running.result.get().is_some());
        let again = db
            .ingest_with(&copy, &FormMapping::prokus(), &ahead)
            .unwrap();
        assert!(again.already_loaded);
        assert_eq!(count(&db, "SELECT count(*) FROM ingest_batch"), 2);
    }

    #[test]
    fn a_big_file_loaded_twice_is_known_and_adds_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut db = Database::in_memory().unwrap();
        let mut text = String::from("incubator_id,name\n");
        for i in 0..CHUNK_ROWS * 20 {
            text.push_str(&format!("INK{i:06},Inkubator {i}\n"));
        }
        let path = file(&dir, "incubators.csv", &text);
        let first = db.ingest(&path, &FormMapping::prokus()).unwrap();
        assert_eq!(first.rows_loaded, CHUNK_ROWS as u64 * 20);
        // Given again under its own path it is scanned first; a copy under
        // another name is scanned beside its load, which stops.
        let copy = file(&dir, "incubators-copy.csv", &text);
        for path in [&path, &copy] {
            let again = db.ingest(path, &FormMapping::prokus()).unwrap();
            assert!(again.already_loaded);
            assert_eq!(
                (again.batch_id, again.rows_loaded, again.rows_duplicate),
                (first.batch_id, 0, CHUNK_ROWS as u64 * 20)
            );
        }
        assert_eq!(count(&db, "SELECT count(*) FROM ingest_batch"), 1);
        assert_eq!(count(&db, "SELECT count(*) FROM ingest_reject"), 0);
        assert_eq!(
            count(&db, "SELECT count(*) FROM incubator"),
            CHUNK_ROWS as i64 * 20
        );
    }

    #[test]
    fn the_same_file_twice_adds_nothing() {
        let (dir, mut db, s) = loaded_program();
        let again = db
            .ingest(&dir.path().join("kobo.csv"), &FormMapping::prokus())
            .unwrap();
        assert!(again.already_loaded);
        assert_eq!(
            (again.rows_loaded, again.rows_duplicate, again.batch_id),
            (0, 7, s[2].batch_id)
        );
        assert_eq!(count(&db, "SELECT count(*) FROM ingest_batch"), 3);
        // The same rows in another file (an overlapping export) are duplicates.
        let copy = file(&dir, "kobo-copy.csv", &format!("{}\r\n", kobo_with_ids()));
        let overlap = db.ingest(&copy, &FormMapping::prokus()).unwrap();
        assert_eq!(
            (
                overlap.rows_loaded,
                overlap.rows_duplicate,
                overlap.rows_rejected
            ),
            (0, 5, 2)
        );
        assert_eq!(count(&db, "SELECT count(*) FROM response"), 4);
    }

    #[test]
    fn odk_central_exports_of_the_form_load_through_the_same_mapping() {
        let (dir, mut db, _) = loaded_program();
        // ODK Central: commas, `-` between groups, SubmissionDate first, KEY last.
        let odk = "SubmissionDate,identitas-kpm_id,identitas-putaran,usaha-masih_berjalan,usaha-laba_bersih,keuangan-menabung,meta-instanceID,KEY,ReviewState\n\
                   2021-09-13T01:02:03.000Z,K2,endline,ya,\"1.900.000\",ya,uuid:o1,uuid:o1,approved\n\
                   2021-09-14T01:02:03.000Z,K1,endline,tidak,,tidak,uuid:o2,uuid:o2,\n\
                   2021-09-15T01:02:03.000Z,K1,endline,ya,5000000,ya,uuid:o3,uuid:o3,rejected\n";
        let s = db
            .ingest(&file(&dir, "submissions.csv", odk), &FormMapping::prokus())
            .unwrap();
        assert_eq!(
            (s.format.as_str(), s.rows_loaded, s.rows_rejected),
            ("odk-csv", 2, 1),
            "the submission its reviewer rejected is not loaded"
        );
        let column: String = db
            .conn
            .query_row(
                "SELECT column_name FROM ingest_reject WHERE batch_id = $1",
                [s.batch_id],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(column, "ReviewState");
        let (income, operating): (f64, bool) = db
            .conn
            .query_row("SELECT business_income, business_operating FROM response WHERE submission_id = 'uuid:o1'", [], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap();
        assert_eq!((income, operating), (1_900_000.0, true));
        // K1 now has two endline submissions (u6 from Kobo, o2 from ODK): the later one is current.
        let current: String = db.conn.query_row("SELECT submission_id FROM response_current WHERE kpm_id = 'K1' AND wave = 'endline'", [], |r| r.get(0)).unwrap();
        assert_eq!(current, "uuid:o2");
    }

    const TEMPLATE: &str = "kpm_id,wave,submitted_at,kpm_name,nik,business_name,arm,incubator_id,province_code,regency_code,district_code,cluster,gender,business_income,saves_monthly,keeps_books,paid_workers\n\
        K5,baseline,2021-03-15,Rina,,Kue Rina,prokus,INK-32-01,32,3217,,kuliner,P,Rp 900.000,tidak,0,0\n\
        K5,akhir,15/09/2021,Rina,,Kue Rina,prokus,INK-32-01,32,3217,,kuliner,P,\"1,2 jt\",ya,1,1\n\
        K1,endline,,Someone Else,,Renamed,prokus,INK-32-01,33,3374,,ritel,L,2100000,ya,1,2\n\
        K8,endline,,,,,,,,,,,,1000000,ya,1,0\n\
        K5,akhir,15/09/2021,Rina,,Kue Rina,prokus,INK-32-01,32,3217,,kuliner,P,\"1,2 jt\",ya,1,1\n\
        K6,baseline,,Ani,,Warung Ani,prokus,INK-77-77,32,3217,,ritel,P,500000,ya,0,0\n";

    /// A file of many chunks, checked on several threads: every row ends
    /// where its own content says, under its own row number, and a row
    /// sent again many chunks later is the duplicate, not the first.
    #[test]
    fn rows_checked_on_several_threads_keep_their_row_numbers_and_order() {
        let (dir, mut db, _) = loaded_program();
        let rows = 4 * CHUNK_ROWS + 300;
        let mut text = String::from(
            "kpm_id,wave,submitted_at,kpm_name,arm,incubator_id,province_code,regency_code,business_income\n",
        );
        let line = |i: usize| {
            // Rows 3,001 and 7,001 (file lines 3,002 and 7,002) are not money.
            let income = if i == 3001 || i == 7001 {
                format!("banyak {i}")
            } else {
                format!("{}", 1_000 + i)
            };
            format!("N{i},baseline,2021-03-15,Nama {i},prokus,INK-32-01,32,3217,{income}\n")
        };
        for i in 1..=rows {
            // The last row repeats row 100, cell for cell.
            text.push_str(&line(if i == rows { 100 } else { i }));
        }
        let s = db
            .ingest(&file(&dir, "many.csv", &text), &FormMapping::prokus())
            .unwrap();
        assert_eq!(
            (
                s.rows_read,
                s.rows_loaded,
                s.rows_rejected,
                s.rows_duplicate
            ),
            (rows as u64, rows as u64 - 3, 2, 1)
        );
        let rejected: Vec<(i64, String, String)> = db
            .conn
            .prepare("SELECT source_row, kind, value FROM ingest_reject WHERE batch_id = $1 ORDER BY source_row")
            .unwrap()
            .query_map([s.batch_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let kinds: Vec<(i64, &str)> = rejected.iter().map(|(r, k, _)| (*r, k.as_str())).collect();
        assert_eq!(
            kinds,
            [
                (3002, "invalid"),
                (7002, "invalid"),
                (rows as i64 + 1, "duplicate")
            ]
        );
        assert_eq!(
            (rejected[0].2.as_str(), rejected[1].2.as_str()),
            ("banyak 3001", "banyak 7001")
        );
        // The duplicate names the row it repeats (file row 101: KPM N100).
        let reason: String = db
            .conn
            .query_row(
                "SELECT reason FROM ingest_reject WHERE batch_id = $1 AND kind = 'duplicate'",
                [s.batch_id],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(
            reason,
            "duplicate submission: the same submission is at row 101 of this file"
        );
        // Each loaded answer is its own row's: row r holds KPM N(r-1).
        let mismatched = count(
            &db,
            &format!(
                "SELECT count(*) FROM response WHERE batch_id = {} AND kpm_id <> 'N' || (source_row - 1)",
                s.batch_id
            ),
        );
        assert_eq!(mismatched, 0);
        let income: f64 = db
            .conn
            .query_row(
                "SELECT business_income FROM response WHERE kpm_id = 'N8000'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(income, 9_000.0);
    }

    /// A sheet sorted by wave, so that a new household's rows fall in
    /// different chunks (checked on several threads): each KPM is registered
    /// from its first row that loads, and a later row with other household
    /// cells is checked on its own, never passed as a repeat of the first.
    #[test]
    fn a_new_kpm_is_registered_from_its_first_row_that_loads_in_any_order() {
        let (dir, mut db, _) = loaded_program();
        let header = TEMPLATE.lines().next().unwrap();
        let households = CHUNK_ROWS + 100;
        let mut sheet = format!("{header}\n");
        for wave in ["baseline", "endline"] {
            for k in 0..households {
                // N0's and N3's baseline answers are not money: those rows
                // are refused, and N0 and N3 are registered from their
                // endline (N0's says cluster ritel, N3's is its baseline's).
                let income = if (k == 0 || k == 3) && wave == "baseline" {
                    "banyak"
                } else {
                    "900000"
                };
                let cluster = match (k, wave) {
                    (0, "endline") | (2, "endline") => "ritel",
                    // N1's endline names a cluster that does not exist.
                    (1, "endline") => "bengkel",
                    _ => "kuliner",
                };
                sheet.push_str(&format!(
                    "N{k},{wave},2021-03-15,Nama {k},,Usaha {k},prokus,INK-32-01,32,3217,,{cluster},P,{income},ya,1,0\n"
                ));
            }
        }
        // A new household of an incubator not in the list, at two waves:
        // both rows are refused for it.
        for wave in ["baseline", "endline"] {
            sheet.push_str(&format!(
                "X1,{wave},2021-03-15,Nama X,,Usaha X,prokus,INK-77-77,32,3217,,kuliner,P,900000,ya,1,0\n"
            ));
        }
        // One whose first row names that incubator and its second a listed
        // one: registered from the second.
        for (wave, incubator) in [("baseline", "INK-77-77"), ("endline", "INK-32-01")] {
            sheet.push_str(&format!(
                "X2,{wave},2021-03-15,Nama Y,,Usaha Y,prokus,{incubator},32,3217,,kuliner,P,900000,ya,1,0\n"
            ));
        }
        let s = db
            .ingest(&file(&dir, "by-wave.csv", &sheet), &FormMapping::prokus())
            .unwrap();
        let rows = 2 * households as u64;
        assert_eq!(
            (
                s.rows_read,
                s.rows_loaded,
                s.rows_rejected,
                s.rows_duplicate
            ),
            (rows + 4, rows - 2, 6, 0),
            "{s:?}"
        );
        let rejected: Vec<(i64, String)> = db
            .conn
            .prepare("SELECT source_row, column_name FROM ingest_reject WHERE batch_id = $1 ORDER BY source_row")
            .unwrap()
            .query_map([s.batch_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let n1_endline = households as i64 + 3;
        assert_eq!(
            rejected,
            [
                (2, "business_income".into()),
                (5, "business_income".into()),
                (n1_endline, "cluster".into()),
                (rows as i64 + 2, "incubator_id".into()),
                (rows as i64 + 3, "incubator_id".into()),
                (rows as i64 + 4, "incubator_id".into())
            ]
        );
        let clusters: Vec<(String, String)> = pairs(
            &db,
            "SELECT kpm_id, cluster FROM kpm WHERE kpm_id IN ('N0', 'N1', 'N2', 'N3') ORDER BY kpm_id",
        );
        let expected = [
            ("N0", "ritel"),
            ("N1", "kuliner"),
            ("N2", "kuliner"),
            ("N3", "kuliner"),
        ];
        assert_eq!(
            clusters,
            expected.map(|(k, c)| (k.to_string(), c.to_string()))
        );
        assert_eq!(
            count(&db, "SELECT count(*) FROM kpm WHERE kpm_id LIKE 'N%'"),
            households as i64
        );
        assert_eq!(
            count(
                &db,
                "SELECT count(*) FROM kpm WHERE kpm_id = 'X2' AND incubator_id = 'INK-32-01'"
            ),
            1
        );
    }

    /// An incubator's list of its KPM, as it keeps it: no arm column (all
    /// are ProKUS KPM), its name in `Inkubator`, Indonesian headers. It is
    /// a register; a row without an incubator is refused. A sheet of
    /// answers without a round is no register, and is told to name its
    /// round.
    #[test]
    fn an_incubators_kpm_list_without_an_arm_is_a_register() {
        let list = "incubator_id,name\nINK-33-03,Inkubator Bisnis UNS\n";
        let (dir, mut db, m) = listed(list);
        let register = "No,ID KPM,Nama KPM,Kabupaten/Kota,Inkubator,Tahun Angkatan,Nama TKSK,Besaran Bantuan,Tanggal Pencairan\n\
            1,R1,Sri,Kota Surakarta,Inkubator Bisnis UNS,2022,TKSK Ani,Rp 3.500.000,15/04/2022\n\
            2,R2,Ani,Kota Surakarta,,2022,TKSK Ani,Rp 3.500.000,15/04/2022\n";
        let s = db
            .ingest(&file(&dir, "daftar-kpm.csv", register), &m)
            .unwrap();
        assert_eq!(
            (s.format.as_str(), s.rows_loaded, s.rows_rejected),
            ("kpm-register", 1, 1),
            "{s:?}"
        );
        assert!(s.unread_columns.is_empty(), "{s:?}");
        let row: (String, String, i32, String, f64, String) = db
            .conn
            .query_row(
                "SELECT arm, incubator_id, cohort_year, tksk, grant_amount, CAST(grant_date AS VARCHAR) FROM kpm WHERE kpm_id = 'R1'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
            )
            .unwrap();
        assert_eq!(
            row,
            (
                "prokus".into(),
                "INK-33-03".into(),
                2022,
                "TKSK Ani".into(),
                3_500_000.0,
                "2022-04-15".into()
            )
        );
        let reason = reject_reason(&db, 3);
        assert!(reason.contains("the list has no `arm` column"), "{reason}");
        let answers = "ID KPM,Kabupaten/Kota,Inkubator,Omzet\nR1,Kota Surakarta,INK-33-03,900000\n";
        let e = db
            .ingest(&file(&dir, "omzet.csv", answers), &m)
            .unwrap_err();
        let IngestError::UnknownFormat { hint, .. } = e else {
            panic!("{e}")
        };
        assert!(hint.ends_with("`prokus ingest --wave ROUND`"), "{hint}");
    }

    /// A list of households as an office keeps it, by NIK and name without
    /// the programme's KPM id, is refused saying what id it needs (and that
    /// a NIK is not one); its gender headed `L/P` is read as the gender.
    #[test]
    fn a_list_of_households_without_their_kpm_id_is_told_what_id_it_needs() {
        let (dir, mut db, m) = listed(INCUBATORS);
        let list = "No,Nama Lengkap,NIK,L/P,Kabupaten/Kota,Inkubator\n\
                    1,Siti,3273014509850001,P,Kota Bandung,INK-32-01\n";
        let e = db.ingest(&file(&dir, "list.csv", list), &m).unwrap_err();
        let IngestError::UnknownFormat { hint, .. } = e else {
            panic!("{e}")
        };
        assert!(hint.contains("but has no KPM id column"), "{hint}");
        assert!(!hint.contains("3273014509850001"), "{hint}");
        // With the id, the same list is a register, its `L/P` the gender.
        let list = list.replace("No,", "ID KPM,").replace("\n1,", "\nK1,");
        let s = db.ingest(&file(&dir, "list.csv", &list), &m).unwrap();
        assert_eq!(s.rows_loaded, 1, "{s:?}");
        let gender: String = db
            .conn
            .query_row("SELECT gender FROM kpm", [], |r| r.get(0))
            .unwrap();
        assert_eq!(gender, "female");
    }

    /// A sheet's `tidak tahu` or `N/A` is no answer, and the row's other
    /// answers load; an amount about so much is that amount; a range is
    /// refused as one.
    #[test]
    fn dont_know_is_no_answer_and_about_an_amount_is_the_amount() {
        let (dir, mut db, m) = listed(INCUBATORS);
        let sheet = "kpm_id,wave,submitted_at,arm,incubator_id,regency_code,business_revenue,business_income,keeps_books,paid_workers\n\
            N1,baseline,2022-03-01,prokus,INK-32-01,32.17,tidak tahu,± 2 juta,N/A,± 2 orang\n\
            N2,baseline,2022-03-01,prokus,INK-32-01,32.17,2-3 juta,900000,ya,1\n\
            N3,tidak tahu,2022-03-01,prokus,INK-32-01,32.17,900000,900000,ya,1\n\
            N4,baseline,tidak tahu,prokus,INK-32-01,32.17,900000,900000,ya,1\n";
        let s = db.ingest(&file(&dir, "sheet.csv", sheet), &m).unwrap();
        assert_eq!((s.rows_loaded, s.rows_rejected), (2, 2), "{s:?}");
        // N4's date: none, as an empty cell (dated when loaded).
        assert_eq!(s.rows_dated_at_load, 1, "{s:?}");
        // `tidak tahu` and `N/A` in N1; `tidak tahu` as N3's round is no
        // answer's: the round is required.
        assert_eq!(s.answers_not_given, 2, "{s:?}");
        let (revenue, income, books, workers): (Option<f64>, Option<f64>, Option<bool>, Option<i32>) = db
            .conn
            .query_row(
                "SELECT business_revenue, business_income, keeps_books, paid_workers FROM response WHERE kpm_id = 'N1'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .unwrap();
        assert_eq!(
            (revenue, income, books, workers),
            (None, Some(2_000_000.0), None, Some(2))
        );
        let reason = reject_reason(&db, 3);
        assert!(reason.contains("`2-3 juta` is a range"), "{reason}");
    }

    /// A KPM twice in one register: the first row loads; a later row that
    /// differs names the columns it differs in (the NIK by name only),
    /// one that does not is a plain repeat.
    #[test]
    fn a_kpm_twice_in_a_register_names_what_its_rows_differ_in() {
        let (dir, mut db, m) = listed(INCUBATORS);
        let register = "kpm_id,nik,arm,incubator_id,regency_code,kpm_name\n\
            D1,3217055208850012,prokus,INK-32-01,32.17,Siti\n\
            D1,3217055208850012,prokus,INK-32-01,32.17,Siti Aminah\n\
            D2,,prokus,INK-32-01,32.17,Sri\n\
            D2,,prokus,INK-32-01,32.17,Sri\n\
            D3,3217055208850020,prokus,INK-32-01,32.04,Ani\n\
            D3,3217055208850038,prokus,INK-32-01,32.17,Ani\n";
        let s = db
            .ingest(&file(&dir, "register.csv", register), &m)
            .unwrap();
        assert_eq!((s.rows_loaded, s.rows_duplicate), (3, 3), "{s:?}");
        let reasons: Vec<(i64, String)> = pairs(
            &db,
            "SELECT source_row, reason FROM ingest_reject ORDER BY source_row",
        );
        assert_eq!(
            reasons,
            [
                (
                    3,
                    "the same KPM id is at row 2 of this file, with other values in kpm_name; \
                     row 2 was loaded: if this row is the right one, delete that row (or correct it) \
                     and load the list again"
                        .to_string()
                ),
                (5, "the same KPM id is at row 4 of this file".to_string()),
                (
                    7,
                    "the same KPM id is at row 6 of this file, with other values in nik, regency_code; \
                     row 6 was loaded: if this row is the right one, delete that row (or correct it) \
                     and load the list again"
                        .to_string()
                ),
            ]
        );
        assert_eq!(
            count(
                &db,
                "SELECT count(*) FROM kpm WHERE kpm_id = 'D1' AND kpm_name = 'Siti'"
            ),
            1
        );
    }

    /// An incubator's own sheet names it as `Inkubator Bisnis Unpad`, not
    /// INK-32-01: read as the id the list gives that name or university;
    /// a university of two incubators, or a name of none, is refused with
    /// the cell as written.
    #[test]
    fn an_incubator_named_by_its_name_or_university_is_read_as_its_id() {
        let list = "incubator_id,name,university,province_code\n\
            INK-32-01,Inkubator Bisnis Unpad,Universitas Padjadjaran,32\n\
            INK-33-03,Inkubator Bisnis UNS,Universitas Sebelas Maret,33\n\
            INK-33-04,Solo Technopark,Universitas Sebelas Maret,33\n";
        let (dir, mut db, m) = listed(list);
        let sheet = "ID KPM,Putaran,Tanggal,Nama KPM,Inkubator,Kode Kab/Kota,Omzet\n\
            N1,baseline,2022-03-01,Rina,Inkubator Bisnis Unpad,32.17,900000\n\
            N2,baseline,2022-03-01,Sari,inkubator  bisnis unpad,32.17,900000\n\
            N3,baseline,2022-03-01,Wati,Universitas Padjadjaran,32.17,900000\n\
            N4,baseline,2022-03-01,Ani,Inkubator UNS,33.72,900000\n\
            N5,baseline,2022-03-01,Dewi,Universitas Sebelas Maret,33.72,900000\n\
            N6,baseline,2022-03-01,Tuti,Inkubator Bisnis Unnes,33.74,900000\n\
            N7,baseline,2022-03-01,Yuli,INK-33-03,33.72,900000\n";
        let s = db.ingest(&file(&dir, "sheet.csv", sheet), &m).unwrap();
        assert_eq!((s.rows_loaded, s.rows_rejected), (5, 2), "{s:?}");
        assert_eq!(
            s.incubators_by_name,
            [
                (
                    "Inkubator Bisnis Unpad".to_string(),
                    "INK-32-01".to_string(),
                    2
                ),
                ("Inkubator UNS".to_string(), "INK-33-03".to_string(), 1),
                (
                    "Universitas Padjadjaran".to_string(),
                    "INK-32-01".to_string(),
                    1
                ),
            ]
        );
        let registered: Vec<(String, String)> =
            pairs(&db, "SELECT kpm_id, incubator_id FROM kpm ORDER BY kpm_id");
        let expected = [
            ("N1", "INK-32-01"),
            ("N2", "INK-32-01"),
            ("N3", "INK-32-01"),
            ("N4", "INK-33-03"),
            ("N7", "INK-33-03"),
        ];
        assert_eq!(
            registered,
            expected.map(|(k, i)| (k.to_string(), i.to_string()))
        );
        let rejects: Vec<(i64, String, String)> = db
            .conn
            .prepare(
                "SELECT source_row, value, reason FROM ingest_reject
                 WHERE column_name = 'incubator_id' ORDER BY source_row",
            )
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(rejects.len(), 2, "{rejects:?}");
        assert_eq!(rejects[0].0, 6);
        assert_eq!(rejects[0].1, "Universitas Sebelas Maret");
        assert!(
            rejects[0].2.contains("(INK-33-03, INK-33-04)"),
            "{}",
            rejects[0].2
        );
        assert_eq!(rejects[1].0, 7);
        assert_eq!(rejects[1].1, "Inkubator Bisnis Unnes");
        assert!(
            rejects[1].2.contains("nor the name or university"),
            "{}",
            rejects[1].2
        );
        // A register names them so too.
        let register = "kpm_id,arm,Nama Inkubator,regency_code\nR1,prokus,Solo Technopark,33.72\n";
        let r = db
            .ingest(&file(&dir, "register.csv", register), &m)
            .unwrap();
        assert_eq!(r.rows_loaded, 1, "{r:?}");
        assert_eq!(
            count(
                &db,
                "SELECT count(*) FROM kpm WHERE kpm_id = 'R1' AND incubator_id = 'INK-33-04'"
            ),
            1
        );
    }

    #[test]
    fn every_row_adds_up_for_unlisted_incubators_empty_and_header_only_files() {
        let (dir, mut db, _) = loaded_program();
        let m = FormMapping::prokus();
        // An incubator not yet in the list sends its sheet, one row twice:
        // every row is a reject with its reason, the repeat counted once.
        let header = TEMPLATE.lines().next().unwrap();
        let mut sheet = format!("{header}\n");
        for k in 0..9 {
            sheet.push_str(&format!(
                "N{k},baseline,2021-03-15,Nama {k},,Usaha {k},prokus,INK-35-09,35,3578,,kuliner,P,900000,ya,1,0\n"
            ));
        }
        sheet.push_str("N3,baseline,2021-03-15,Nama 3,,Usaha 3,prokus,INK-35-09,35,3578,,kuliner,P,900000,ya,1,0\n");
        let s = db.ingest(&file(&dir, "unlisted.csv", &sheet), &m).unwrap();
        assert_eq!(
            (
                s.rows_read,
                s.rows_loaded,
                s.rows_rejected + s.rows_duplicate
            ),
            (10, 0, 10),
            "{s:?}"
        );
        assert_eq!(s.unlisted_incubators, ["INK-35-09"]);
        assert_eq!(
            count(
                &db,
                &format!(
                    "SELECT count(DISTINCT source_row) FROM ingest_reject WHERE batch_id = {} \
                     AND reason LIKE '%incubator list%'",
                    s.batch_id
                )
            ),
            10 - s.rows_duplicate as i64
        );
        // The same sheet again once the incubator is listed: all but the repeat load.
        db.ingest(
            &file(
                &dir,
                "inc2.csv",
                &format!("{INCUBATORS}INK-35-09,Inkubator Baru,Univ,35\n"),
            ),
            &m,
        )
        .unwrap();
        let again = db
            .ingest(&file(&dir, "unlisted-again.csv", &format!("{sheet}\n")), &m)
            .unwrap();
        assert_eq!(
            (
                again.rows_read,
                again.rows_loaded,
                again.rows_rejected,
                again.rows_duplicate
            ),
            (10, 9, 0, 1),
            "{again:?}"
        );
        // A header-only file loads nothing and rejects nothing; an empty one is refused by name.
        let h = db
            .ingest(&file(&dir, "header-only.csv", &format!("{header}\n")), &m)
            .unwrap();
        assert_eq!((h.rows_read, h.rows_loaded, h.rows_rejected), (0, 0, 0));
        let err = db
            .ingest(&file(&dir, "empty.csv", ""), &m)
            .unwrap_err()
            .to_string();
        assert!(err.contains("empty.csv") && err.contains("empty"), "{err}");
    }

    #[test]
    fn hand_filled_templates_add_responses_and_new_kpm() {
        let (dir, mut db, _) = loaded_program();
        let s = db
            .ingest(
                &file(&dir, "template.csv", TEMPLATE),
                &FormMapping::prokus(),
            )
            .unwrap();
        assert_eq!(s.format, "template");
        // K5 twice (new KPM, baseline and endline) and K1 load; K8 is unknown without a
        // region, K6's incubator does not exist, and one K5 row is sent twice.
        assert_eq!(
            (
                s.rows_read,
                s.rows_loaded,
                s.rows_rejected,
                s.rows_duplicate
            ),
            (6, 3, 2, 1)
        );
        let (regency, cluster, batch): (String, String, i64) = db
            .conn
            .query_row(
                "SELECT regency_code, cluster, batch_id FROM kpm WHERE kpm_id = 'K5'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert_eq!(
            (regency.as_str(), cluster.as_str(), batch),
            ("32.17", "kuliner", s.batch_id)
        );
        // A registered KPM keeps its register data.
        let name: String = db
            .conn
            .query_row("SELECT kpm_name FROM kpm WHERE kpm_id = 'K1'", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(name, "Siti Aminah");
        assert_eq!(
            count(&db, "SELECT count(*) FROM kpm WHERE kpm_id IN ('K6', 'K8')"),
            0
        );
        let (wave, income, saves): (String, f64, bool) = db
            .conn
            .query_row("SELECT wave, business_income, saves_monthly FROM response_current WHERE kpm_id = 'K5' AND wave = 'endline'", [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap();
        assert_eq!(
            (wave.as_str(), income, saves),
            ("endline", 1_200_000.0, true)
        );
        // K1's endline came from Kobo (u6) and now from the sheet, ingested later: the sheet's is current.
        let current: String = db.conn.query_row("SELECT submission_id FROM response_current WHERE kpm_id = 'K1' AND wave = 'endline'", [], |r| r.get(0)).unwrap();
        assert!(current.starts_with("sheet-"), "{current}");
        // The same sheet as an XLSX workbook, with numbers in number cells: every row is a duplicate now.
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (r, line) in TEMPLATE.lines().enumerate() {
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(false)
                .from_reader(line.as_bytes());
            for (c, cell) in reader.records().next().unwrap().unwrap().iter().enumerate() {
                match cell.parse::<f64>() {
                    Ok(v) if r > 0 && c >= 14 => {
                        sheet.write_number(r as u32, c as u16, v).map(|_| ())
                    }
                    _ => sheet.write_string(r as u32, c as u16, cell).map(|_| ()),
                }
                .unwrap();
            }
        }
        let path = dir.path().join("template.xlsx");
        book.save(&path).unwrap();
        let x = db.ingest(&path, &FormMapping::prokus()).unwrap();
        assert_eq!(
            (x.format.as_str(), x.rows_read, x.rows_loaded),
            ("template", 6, 0)
        );
        assert_eq!(
            x.rows_duplicate, 4,
            "K5 twice, K5's repeat and K1 were loaded before: {x:?}"
        );
        // `kpm_id` is not a primary key: the merge alone keeps it unique,
        // here with K5 named by two sheets.
        assert_eq!(
            count(&db, "SELECT count(*) - count(DISTINCT kpm_id) FROM kpm"),
            0
        );
    }

    /// A summary's format and row counts: read, loaded, refused.
    /// Writes `cells` as text into row `row` (0-based) of `sheet`, from its
    /// first column.
    fn write_texts(sheet: &mut rust_xlsxwriter::Worksheet, row: u32, cells: &[&str]) {
        for (c, text) in cells.iter().enumerate() {
            sheet.write_string(row, c as u16, *text).unwrap();
        }
    }

    fn counts(s: &BatchSummary) -> (&str, u64, u64, u64) {
        (
            s.format.as_str(),
            s.rows_read,
            s.rows_loaded,
            s.rows_rejected,
        )
    }

    /// The rows of batch `batch` refused, by their row in the file.
    fn refused_rows(db: &Database, batch: i64) -> Vec<i64> {
        db.column(
            "SELECT DISTINCT source_row FROM ingest_reject WHERE batch_id = ? ORDER BY 1",
            [batch],
        )
    }

    #[test]
    fn a_workbook_as_an_incubator_fills_it_is_found_behind_its_notes() {
        let (dir, mut db, _) = loaded_program();
        // An instructions sheet first; the data sheet with a title and a
        // blank row above its header; 32.10 typed in a number cell, which
        // the spreadsheet keeps as 32.1.
        let mut book = rust_xlsxwriter::Workbook::new();
        book.add_worksheet()
            .set_name("Petunjuk")
            .unwrap()
            .write_string(0, 0, "Isi sheet Data: satu baris per KPM per putaran.")
            .unwrap();
        let data = book.add_worksheet().set_name("Data").unwrap();
        data.write_string(0, 0, "Formulir Monitoring ProKUS 2022")
            .unwrap();
        let header = [
            "kpm_id",
            "wave",
            "arm",
            "incubator_id",
            "regency_code",
            "business_income",
        ];
        write_texts(data, 2, &header);
        for (r, (kpm, regency)) in [("KX1", 32.1), ("KX2", 32.17)].into_iter().enumerate() {
            let r = 3 + r as u32;
            write_texts(data, r, &[kpm, "baseline", "prokus", "INK-32-01"]);
            data.write_number(r, 4, regency).unwrap();
            data.write_number(r, 5, 1_500_000.0).unwrap();
        }
        data.write_string(5, 0, "KX3").unwrap();
        data.write_string(5, 1, "baseline").unwrap();
        data.write_string(5, 4, "Kota Antah").unwrap();
        let path = dir.path().join("monitoring.xlsx");
        book.save(&path).unwrap();
        let s = db.ingest(&path, &FormMapping::prokus()).unwrap();
        assert_eq!(counts(&s), ("template", 3, 2, 1), "{s:?}");
        let regency: String = db
            .conn
            .query_row(
                "SELECT regency_code FROM kpm WHERE kpm_id = 'KX1'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(regency, "32.10");
        // A refused row is named by its row on the sheet, as the
        // spreadsheet shows it.
        assert_eq!(refused_rows(&db, s.batch_id), [6]);
    }

    /// A register's arms as sheets write them: the words of evaluations
    /// (`treatment`, `control group`), Bahasa Indonesia (`Penerima`,
    /// `Kelompok Pembanding`) and the codes. An arm not understood refuses
    /// its row for that reason alone, naming the words that are: before,
    /// `treatment` was refused and read as ProKUS, so a second reason said
    /// a ProKUS KPM needs its incubator.
    #[test]
    fn a_register_reads_its_arms_as_people_write_them() {
        let (dir, mut db, m) = with_incubators();
        let register = "kpm_id,arm,incubator_id,regency_code\n\
                        A1,treatment,INK-32-01,32.17\n\
                        A2,control,,32.17\n\
                        A3,Kelompok Pembanding,,32.17\n\
                        A4,Penerima,INK-32-01,32.17\n\
                        A5,Control group,,32.17\n\
                        A6,kelompok A,,32.17\n";
        let s = db.ingest(&file(&dir, "kpm.csv", register), &m).unwrap();
        assert_eq!(counts(&s), ("kpm-register", 6, 5, 1), "{s:?}");
        let arms: Vec<String> =
            db.column("SELECT kpm_id || ' ' || arm FROM kpm ORDER BY kpm_id", []);
        assert_eq!(
            arms,
            [
                "A1 prokus",
                "A2 comparison",
                "A3 comparison",
                "A4 prokus",
                "A5 comparison"
            ]
        );
        let reasons: Vec<String> = db.column(
            "SELECT source_row || ' ' || column_name || ': ' || reason FROM ingest_reject",
            [],
        );
        assert_eq!(
            reasons,
            [
                "7 arm: the arm must be `prokus` (or penerima, treatment, intervensi, peserta, perlakuan) \
              or `comparison` (or pembanding, kontrol, control)"
            ]
        );
    }

    /// A register's regencies named as people name them: a city without
    /// `Kota` loads as the kota; a name a kabupaten and a kota share is
    /// refused naming both, where it was taken for the kabupaten.
    #[test]
    fn a_regency_named_without_kabupaten_or_kota_is_read_or_refused_as_it_may_be() {
        let (dir, mut db, m) = with_incubators();
        let register = "kpm_id,arm,incubator_id,regency_code\n\
                        B1,comparison,,Surabaya\n\
                        B2,comparison,,Bogor\n\
                        B3,comparison,,Kota Bogor\n";
        let s = db.ingest(&file(&dir, "kpm.csv", register), &m).unwrap();
        assert_eq!(counts(&s), ("kpm-register", 3, 2, 1), "{s:?}");
        let regencies: Vec<String> = db.column(
            "SELECT kpm_id || ' ' || regency_code FROM kpm ORDER BY kpm_id",
            [],
        );
        assert_eq!(regencies, ["B1 35.78", "B3 32.71"]);
        let reasons: Vec<String> = db.column("SELECT reason FROM ingest_reject", []);
        assert_eq!(
            reasons,
            [
                "the name of more than one regency (kabupaten/kota): 32.01 Kabupaten Bogor and \
              32.71 Kota Bogor; write Kab. or Kota before the name, or the code"
            ]
        );
    }

    /// Incubator lists headed as the ministry's staff head them, in English
    /// or in Bahasa Indonesia: before, each was refused as no format's.
    #[test]
    fn incubator_lists_headed_otherwise_load() {
        for (name, list) in [
            (
                "english.csv",
                "incubator_id,incubator_name,university,province\nINK-32-01,Inkubator Satu,Unpad,32\n",
            ),
            (
                "bahasa.csv",
                "Kode Inkubator,Nama,Asal Perguruan Tinggi,Prov\nINK-32-01,Inkubator Satu,Unpad,Jawa Barat\n",
            ),
        ] {
            let dir = tempfile::tempdir().unwrap();
            let mut db = Database::in_memory().unwrap();
            let s = db
                .ingest(&file(&dir, name, list), &FormMapping::prokus())
                .unwrap();
            assert_eq!(counts(&s), ("incubators", 1, 1, 0), "{name}: {s:?}");
            let held: String = db
                .conn
                .query_row(
                    "SELECT incubator_id || ' ' || name || ' ' || university || ' ' || province_code FROM incubator",
                    [],
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!(held, "INK-32-01 Inkubator Satu Unpad 32", "{name}");
        }
        // A form's export that asks an incubator and a name (`id_inkubator`,
        // `nama`) is read as an export, before the lists: its submissions
        // never rename the incubators.
        let export = ["_uuid", "_submission_time", "id_inkubator", "nama"].map(String::from);
        assert_eq!(
            Format::detect(&export, Container::Csv),
            Some(Format::KoboCsv)
        );
        assert_eq!(
            Format::detect(&export[2..], Container::Csv),
            Some(Format::Incubators)
        );
    }

    #[test]
    fn lists_with_indonesian_column_names_load_as_the_canonical_ones() {
        let dir = tempfile::tempdir().unwrap();
        let mut db = Database::in_memory().unwrap();
        let m = FormMapping::prokus();
        let incubators = "ID Inkubator,Nama Inkubator,Universitas,Provinsi\n\
                          INK-32-01,Oorange Unpad,Universitas Padjadjaran,32\n";
        let register = "id_kpm,nama,kelompok_studi,id_inkubator,kode_kab/kota,kecamatan,angkatan,Tanggal\n\
                        K1,Siti Aminah,prokus,INK-32-01,32.17,321705,Angkatan 2022,01/02/2022\n\
                        K2,Ani,pembanding,,32.17,,2021,01/02/2022\n";
        // A column the template has by both names keeps its canonical one:
        // `Omset` is left unread.
        let sheet = "No.;ID KPM;Putaran;Tanggal;Omzet;Pendapatan Usaha;Menabung;Frekuensi Menabung;Pembukuan;Omset\n\
                     1;K1;awal;18/03/2022;Rp 2.000.000;750000;ya;bulanan;tidak;1\n\
                     2;K1;akhir;20 Sep 2022;Rp 3.000.000;1250000;ya;mingguan;ya;1\n";
        let s = db
            .ingest(&file(&dir, "inkubator.csv", incubators), &m)
            .unwrap();
        assert_eq!(counts(&s), ("incubators", 1, 1, 0), "{s:?}");
        let s = db
            .ingest(&file(&dir, "daftar_kpm.csv", register), &m)
            .unwrap();
        assert_eq!(counts(&s), ("kpm-register", 2, 2, 0), "{s:?}");
        // Without a NIK column, said at once.
        assert_eq!((s.kpm_without_nik, s.nik_column), (2, false), "{s:?}");
        // The interview's date has no place in a register: named as headed.
        assert_eq!(s.unread_columns, ["Tanggal"], "{s:?}");
        let s = db.ingest(&file(&dir, "monitoring.csv", sheet), &m).unwrap();
        assert_eq!(counts(&s), ("template", 2, 2, 0), "{s:?}");
        // Named as another name of a column read, not as misspelt.
        assert!(s.unread_columns.is_empty(), "{s:?}");
        assert_eq!(
            s.named_twice,
            [(
                "`Omset` (column J)".to_string(),
                "business_revenue".to_string(),
                "`Omzet` (column E)".to_string()
            )]
        );
        let held: (String, String, String, String, String) = db
            .conn
            .query_row(
                "SELECT k.kpm_name || ' ' || k.cohort_year, k.arm, k.district_code,
                        i.university, i.province_code
                 FROM kpm k, incubator i WHERE k.kpm_id = 'K1'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .unwrap();
        assert_eq!(
            held,
            (
                "Siti Aminah 2022".into(),
                "prokus".into(),
                "32.17.05".into(),
                "Universitas Padjadjaran".into(),
                "32".into()
            )
        );
        let answers: Vec<String> = db
            .conn
            .prepare(
                "SELECT concat_ws(' ', wave, submitted_at::DATE, business_revenue::BIGINT,
                                  business_income::BIGINT, save_frequency, keeps_books)
                 FROM response ORDER BY wave DESC",
            )
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(
            answers,
            [
                "endline 2022-09-20 3000000 1250000 weekly true",
                "baseline 2022-03-18 2000000 750000 monthly false"
            ]
        );
    }

    /// Rows of totals, and notes written below or among the rows, are
    /// refused as what they are, where each empty required cell was named
    /// (a note's text nowhere). A lone KPM id is a row that answers nothing.
    #[test]
    fn a_row_of_totals_or_a_note_is_refused_as_one() {
        let (dir, mut db, _) = loaded_program();
        let m = FormMapping::prokus();
        let reasons = |db: &Database, batch: i64| -> Vec<(i64, String, String)> {
            db.conn
                .prepare(
                    "SELECT source_row, value, reason FROM ingest_reject WHERE batch_id = ?
                     ORDER BY 1",
                )
                .unwrap()
                .query_map([batch], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap()
        };
        let sheet = "kpm_id,wave,business_income\n\
                     K1,monitoring_1,900000\n\
                     TOTAL,,900000\n\
                     Rata-rata:,,900000\n\
                     Catatan: K1 pindah usaha,,\n\
                     ,,lihat lampiran\n\
                     K1,,\n";
        let s = db.ingest(&file(&dir, "sheet.csv", sheet), &m).unwrap();
        assert_eq!(counts(&s), ("template", 6, 1, 5), "{s:?}");
        let refused = reasons(&db, s.batch_id);
        assert_eq!(
            refused[..4]
                .iter()
                .map(|r| (r.0, r.1.as_str()))
                .collect::<Vec<_>>(),
            [
                (3, "TOTAL"),
                (4, "Rata-rata"),
                (5, "Catatan: K1 pindah usaha"),
                (6, "lihat lampiran")
            ]
        );
        assert!(
            refused[..2]
                .iter()
                .all(|r| r.2.contains("totals or averages")),
            "{refused:?}"
        );
        assert!(
            refused[2..4]
                .iter()
                .all(|r| r.2.starts_with("a line of text alone")),
            "{refused:?}"
        );
        assert!(
            refused[4..]
                .iter()
                .all(|r| r.0 == 7 && !r.2.contains("text alone")),
            "{refused:?}"
        );
        let register = "kpm_id,arm,incubator_id,regency_code\n\
                        K9,prokus,INK-32-01,32.17\n\
                        JUMLAH,,,\n\
                        ,Keterangan: data Januari,,\n";
        let s = db
            .ingest(&file(&dir, "register.csv", register), &m)
            .unwrap();
        assert_eq!(counts(&s), ("kpm-register", 3, 1, 2), "{s:?}");
        let refused = reasons(&db, s.batch_id);
        assert_eq!(refused[0].1, "JUMLAH");
        assert_eq!(refused[1].1, "Keterangan: data Januari");
        assert_eq!(refused.len(), 2, "one reason each: {refused:?}");
    }

    #[test]
    fn a_header_met_again_among_the_rows_is_refused_as_one() {
        let (dir, mut db, _) = loaded_program();
        let m = FormMapping::prokus();
        // Two sheets joined, each with its header; and a Kobo export.
        let sheet = "ID KPM;Putaran;Omzet\n\
                     K1;monitoring 1;900000\n\
                     ID KPM;Putaran;Omzet\n\
                     K1;monitoring 2;950000\n";
        let s = db.ingest(&file(&dir, "joined.csv", sheet), &m).unwrap();
        assert_eq!(counts(&s), ("template", 3, 2, 1), "{s:?}");
        let (column, value, reason): (String, String, String) = db
            .conn
            .query_row(
                "SELECT column_name, value, reason FROM ingest_reject WHERE batch_id = ?",
                [s.batch_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert_eq!((column.as_str(), value.as_str()), ("kpm_id", "ID KPM"));
        assert!(reason.starts_with("the header again"), "{reason}");
        let survey = kobo_with_ids();
        let header = survey.lines().next().unwrap();
        let joined = format!("{survey}{header}\n");
        let s = db
            .ingest(&file(&dir, "kobo-joined.csv", &joined), &m)
            .unwrap();
        let again: Vec<i64> = db.column(
            "SELECT source_row FROM ingest_reject
             WHERE batch_id = ? AND starts_with(reason, 'the header again')",
            [s.batch_id],
        );
        // After the header and the rows, the header again.
        assert_eq!(again, [s.rows_read as i64 + 1], "{s:?}");
    }

    /// Two incubators that number their KPM alike: the second list would
    /// move the first one's households to itself. Its rows are refused,
    /// saying what to do; a KPM that did move is moved when the load is
    /// told so (`move_kpm`).
    #[test]
    fn a_register_moves_no_kpm_to_another_incubator_or_arm_unless_told() {
        let dir = tempfile::tempdir().unwrap();
        let mut db = Database::in_memory().unwrap();
        let m = FormMapping::prokus();
        let incubators =
            "incubator_id,name,province_code\nINK-32-01,Unpad,32\nINK-33-01,Polines,33\n";
        db.ingest(&file(&dir, "incubators.csv", incubators), &m)
            .unwrap();
        let list = |incubator: &str, regency: &str, arm: &str| {
            let mut text = String::from("kpm_id,arm,incubator_id,regency_code\n");
            for k in 1..=3 {
                text.push_str(&format!("{k},{arm},{incubator},{regency}\n"));
            }
            text
        };
        let first = list("INK-32-01", "32.17", "prokus");
        db.ingest(&file(&dir, "unpad.csv", &first), &m).unwrap();
        let held = |db: &Database| -> Vec<String> {
            db.column(
                "SELECT concat_ws(' ', kpm_id, arm, incubator_id, regency_code) FROM kpm ORDER BY kpm_id",
                [],
            )
        };
        let before = held(&db);
        let second = list("INK-33-01", "33.22", "prokus");
        let s = db.ingest(&file(&dir, "polines.csv", &second), &m).unwrap();
        assert_eq!(counts(&s), ("kpm-register", 3, 0, 3), "{s:?}");
        assert_eq!(held(&db), before, "nothing of the first list moved");
        let reasons: Vec<String> = db.column(
            "SELECT reason FROM ingest_reject WHERE batch_id = ? ORDER BY source_row",
            [s.batch_id],
        );
        assert!(
            reasons[0].starts_with("already registered with incubator INK-32-01")
                && reasons[0].contains("moves it to INK-33-01")
                && reasons[0].contains("(INK-33-01-1)")
                && reasons[0].contains("--move-kpm"),
            "{reasons:?}"
        );
        // A comparison list with the same ids would move them to the other arm.
        let comparison = list("", "32.04", "comparison");
        let s = db
            .ingest(&file(&dir, "comparison.csv", &comparison), &m)
            .unwrap();
        assert_eq!(counts(&s), ("kpm-register", 3, 0, 3), "{s:?}");
        let reason: Vec<String> = db.column(
            "SELECT reason FROM ingest_reject WHERE batch_id = ? ORDER BY source_row",
            [s.batch_id],
        );
        assert!(reason[0].contains("in the prokus arm"), "{reason:?}");
        assert_eq!(held(&db), before);
        // A list all of whose rows were refused wrote over nothing: it can
        // be withdrawn, and loaded again.
        let w = db.withdraw(s.batch_id).unwrap();
        assert_eq!((w.format.as_str(), w.refused), ("kpm-register", 3), "{w:?}");
        let again = db
            .ingest(&file(&dir, "comparison.csv", &comparison), &m)
            .unwrap();
        assert!(!again.already_loaded, "{again:?}");
        // KPM 1 did move: told so, the load moves it, and it alone.
        let moved = "kpm_id,arm,incubator_id,regency_code\n1,prokus,INK-33-01,33.22\n";
        let options = IngestOptions {
            move_kpm: true,
            ..Default::default()
        };
        let s = db
            .ingest_with(&file(&dir, "moved.csv", moved), &m, &options)
            .unwrap();
        assert_eq!(counts(&s), ("kpm-register", 1, 1, 0), "{s:?}");
        assert_eq!(
            held(&db),
            [
                "1 prokus INK-33-01 33.22",
                "2 prokus INK-32-01 32.17",
                "3 prokus INK-32-01 32.17"
            ]
        );
    }

    /// A folder for a test's files, and a database that holds
    /// [`INCUBATORS`], with the ProKUS form's mapping.
    fn with_incubators() -> (tempfile::TempDir, Database, FormMapping) {
        let (dir, db, m) = listed(INCUBATORS);
        (dir, db, m)
    }

    /// `sheet` loaded after a register of `register` (its KPM rows, with
    /// INK-32-01 in 32.17): its counts, its rows' reasons and the KPM held.
    fn sheet_after_register(
        register: &[&str],
        sheet: &str,
    ) -> (BatchSummary, Vec<String>, Vec<String>) {
        let (dir, mut db, m) = with_incubators();
        let mut list = String::from("kpm_id,arm,incubator_id,regency_code\n");
        for id in register {
            list.push_str(&format!("{id},prokus,INK-32-01,32.17\n"));
        }
        db.ingest(&file(&dir, "kpm_register.csv", &list), &m)
            .unwrap();
        let s = db.ingest(&file(&dir, "sheet.csv", sheet), &m).unwrap();
        let reasons = db.column(
            "SELECT reason FROM ingest_reject WHERE batch_id = ? ORDER BY source_row",
            [s.batch_id],
        );
        let kpm = db.column("SELECT kpm_id FROM kpm ORDER BY kpm_id", []);
        (s, reasons, kpm)
    }

    /// A Google Form's responses, exported as a sheet: each column headed
    /// by its question, the time of sending first. They load as the
    /// template: the questions read as the names they ask for, the time of
    /// sending as the date (local, as the form's sheet writes it) where the
    /// form asks none, and left unread without a word where it asks one.
    #[test]
    fn a_google_form_s_responses_load_as_a_sheet() {
        let sheet = "Cap waktu,Alamat email,ID KPM,Putaran Monitoring,Omzet per bulan,\
                     Apakah KPM menabung?,Apakah KPM mencatat pembukuan?\n\
                     03/10/2022 9:15:22,mentor@contoh.id,KPM22-001,Monitoring 1,\"1.500.000\",Ya,Tidak\n\
                     04/10/2022 14:02:51,mentor@contoh.id,KPM22-002,Monitoring 1,2000000,Tidak,Ya\n";
        let (s, reasons, _) = sheet_after_register(&["KPM22-001", "KPM22-002"], sheet);
        assert_eq!(counts(&s), ("template", 2, 2, 0), "{s:?} {reasons:?}");
        assert_eq!(s.unread_columns, ["Alamat email"], "{s:?}");
        let (dir, mut db, m) = with_incubators();
        db.ingest(
            &file(
                &dir,
                "kpm_register.csv",
                "kpm_id,arm,incubator_id,regency_code\nKPM22-001,prokus,INK-32-01,32.17\n\
                 KPM22-002,prokus,INK-32-01,32.17\n",
            ),
            &m,
        )
        .unwrap();
        db.ingest(&file(&dir, "form.csv", sheet), &m).unwrap();
        let rows: Vec<String> = db.column(
            "SELECT concat_ws(' ', kpm_id, wave, submitted_at, local_clock, business_revenue,
                              saves, keeps_books)
             FROM response ORDER BY kpm_id",
            [],
        );
        assert_eq!(
            rows,
            [
                "KPM22-001 monitoring_1 2022-10-03 09:15:22 true 1500000.0 true false",
                "KPM22-002 monitoring_1 2022-10-04 14:02:51 true 2000000.0 false true",
            ]
        );
        // With the date the form asks, its time of sending is not named.
        let asked = "Timestamp,ID KPM,Putaran Monitoring,Tanggal Kunjungan,Omzet per bulan\n\
                     03/10/2022 9:15:22,KPM22-001,Monitoring 1,28/09/2022,1000000\n";
        let (s, reasons, _) = sheet_after_register(&["KPM22-001"], asked);
        assert_eq!(counts(&s), ("template", 1, 1, 0), "{s:?} {reasons:?}");
        assert!(
            s.unread_columns.is_empty() && s.named_twice.is_empty(),
            "{s:?}"
        );
    }

    /// A sheet that writes a registered KPM's id in other capitals: the
    /// row with a region would have added the household a second time, the
    /// row without one was refused as unknown. Both are refused naming the
    /// register's id.
    #[test]
    fn a_kpm_id_in_other_capitals_names_the_registers_and_adds_no_household() {
        let sheet = "ID KPM;Putaran;Tanggal;Omzet (Rp);Kode Kab/Kota;incubator_id;arm\n\
                     kpm22-001;awal;10/03/2022;1000000;32.17;INK-32-01;prokus\n\
                     Kpm22-002;awal;10/03/2022;1000000;;;\n\
                     KPM22-001;akhir;10/09/2022;1000000;;;\n";
        let (s, reasons, kpm) = sheet_after_register(&["KPM22-001", "KPM22-002"], sheet);
        assert_eq!(counts(&s), ("template", 3, 1, 2), "{s:?}");
        assert_eq!(kpm, ["KPM22-001", "KPM22-002"], "no household added twice");
        assert!(
            reasons[0].starts_with("the register has this KPM as KPM22-001:"),
            "{reasons:?}"
        );
        assert!(reasons[1].contains("which has KPM22-002"), "{reasons:?}");
    }

    /// New KPM ids that differ only in capitals, in one file or against
    /// the register: a register or a template would have added each
    /// spelling as a household of its own. The first spelling is kept.
    #[test]
    fn one_new_kpm_written_in_two_capitalisations_is_one_household() {
        let (dir, mut db, m) = with_incubators();
        let first = "kpm_id,arm,incubator_id,regency_code\nKPM-A1,prokus,INK-32-01,32.17\n";
        db.ingest(&file(&dir, "first.csv", first), &m).unwrap();
        let second = "kpm_id,arm,incubator_id,regency_code\n\
                      kpm-a1,prokus,INK-32-01,32.17\nkpm-a3,prokus,INK-32-01,32.17\n\
                      KPM-A3,prokus,INK-32-01,32.17\n";
        let s = db.ingest(&file(&dir, "second.csv", second), &m).unwrap();
        assert_eq!(counts(&s), ("kpm-register", 3, 1, 2), "{s:?}");
        let reasons = |db: &Database, batch: i64| -> Vec<String> {
            db.column(
                "SELECT source_row || ' ' || reason FROM ingest_reject WHERE batch_id = ? ORDER BY source_row",
                [batch],
            )
        };
        let register = reasons(&db, s.batch_id);
        assert!(
            register[0].starts_with("2 the register has this KPM as KPM-A1:"),
            "{register:?}"
        );
        assert!(
            register[1].starts_with("4 row 3 of this file writes this KPM as kpm-a3:"),
            "{register:?}"
        );
        let sheet = "ID KPM;Putaran;Tanggal;Omzet (Rp);Kode Kab/Kota;incubator_id;arm\n\
                     kpm-b1;awal;10/03/2022;1000000;32.17;INK-32-01;prokus\n\
                     KPM-B1;monitoring_1;10/06/2022;1200000;32.17;INK-32-01;prokus\n\
                     kpm-b1;akhir;10/09/2022;1300000;32.17;INK-32-01;prokus\n";
        let t = db.ingest(&file(&dir, "sheet.csv", sheet), &m).unwrap();
        assert_eq!(counts(&t), ("template", 3, 2, 1), "{t:?}");
        let sheet_reasons = reasons(&db, t.batch_id);
        assert!(
            sheet_reasons[0].starts_with("3 row 2 of this file writes this KPM as kpm-b1:"),
            "{sheet_reasons:?}"
        );
        let kpm: Vec<String> = db.column("SELECT kpm_id FROM kpm ORDER BY kpm_id", []);
        assert_eq!(kpm, ["KPM-A1", "kpm-a3", "kpm-b1"]);
    }

    /// Ids Excel saved as numbers (`3.20101E+11`): two households' rows
    /// would have become one KPM, added to the register. Refused in a sheet
    /// and in a register, and the KPM written in full loads.
    #[test]
    fn a_kpm_id_excel_cut_to_e_notation_is_refused_in_sheets_and_registers() {
        let (dir, mut db, m) = with_incubators();
        let sheet = "kpm_id,wave,submitted_at,arm,incubator_id,province_code,regency_code,business_income\n\
                     3.20101E+11,baseline,2022-03-10,prokus,INK-32-01,32,32.17,1000000\n\
                     3.20101E+11,baseline,2022-03-11,prokus,INK-32-01,32,32.17,1200000\n\
                     320101234567,baseline,2022-03-10,prokus,INK-32-01,32,32.17,1300000\n";
        let s = db.ingest(&file(&dir, "sheet.csv", sheet), &m).unwrap();
        assert_eq!(counts(&s), ("template", 3, 1, 2), "{s:?}");
        let register = "kpm_id,arm,incubator_id,regency_code\n1.23457E+11,prokus,INK-32-01,32.17\n";
        let r = db
            .ingest(&file(&dir, "register.csv", register), &m)
            .unwrap();
        assert_eq!(counts(&r), ("kpm-register", 1, 0, 1), "{r:?}");
        let reasons: Vec<String> = db.column(
            "SELECT value || ' ' || reason FROM ingest_reject ORDER BY batch_id, source_row",
            [],
        );
        assert_eq!(reasons.len(), 3, "{reasons:?}");
        for reason in &reasons {
            assert!(
                reason.contains("E+11 Excel saved this id as a number")
                    && reason.contains("format the column as Text"),
                "{reasons:?}"
            );
        }
        let kpm: Vec<String> = db.column("SELECT kpm_id FROM kpm", []);
        assert_eq!(kpm, ["320101234567"]);
    }

    /// `-` for "none" in a sheet's cell: read as no answer, so the row's
    /// other answers load, where each such row was refused whole. A
    /// register's `-` mentor is no mentor, not one named `-`.
    #[test]
    fn a_dash_in_a_cell_is_no_answer_and_the_row_loads() {
        let (dir, mut db, m) = with_incubators();
        let sheet = "kpm_id,wave,arm,incubator_id,province_code,regency_code,business_income,paid_workers,saves,credit_source,attitude_1\n\
                     D1,baseline,prokus,INK-32-01,32,32.17,-,2,ya,kur,3\n\
                     D2,baseline,prokus,INK-32-01,32,32.17,1000000,--,ya,kur,3\n\
                     D3,baseline,prokus,INK-32-01,32,32.17,1000000,2,\u{2013},kur,3\n\
                     D4,baseline,prokus,INK-32-01,32,32.17,1000000,2,ya, \u{2014} ,3\n\
                     D5,baseline,prokus,INK-32-01,32,32.17,1000000,-2,ya,kur,-\n\
                     D6,-,prokus,INK-32-01,32,32.17,1000000,2,ya,kur,3\n\
                     D7,baseline,prokus,INK-32-01,32,32.17,-,-,-,-,-\n";
        let s = db.ingest(&file(&dir, "sheet.csv", sheet), &m).unwrap();
        assert_eq!(counts(&s), ("template", 7, 4, 3), "{s:?}");
        let reasons: Vec<String> = db.column(
            "SELECT source_row || ' ' || column_name || ' ' || reason FROM ingest_reject ORDER BY source_row",
            [],
        );
        // A negative count is no dash; a round is required; a row of
        // dashes answers nothing.
        assert!(reasons[0].starts_with("6 paid_workers"), "{reasons:?}");
        assert!(
            reasons[1].starts_with("7 wave a required answer is empty"),
            "{reasons:?}"
        );
        assert!(reasons[2].contains("answers no question"), "{reasons:?}");
        let answers: Vec<String> = db.column(
            "SELECT kpm_id || ' ' || coalesce(business_income::VARCHAR, '?') || ' ' || coalesce(paid_workers::VARCHAR, '?')
                 || ' ' || coalesce(saves::VARCHAR, '?') || ' ' || coalesce(credit_source, '?')
             FROM response ORDER BY kpm_id",
            [],
        );
        assert_eq!(
            answers,
            [
                "D1 ? 2 true kur",
                "D2 1000000.0 ? true kur",
                "D3 1000000.0 2 ? kur",
                "D4 1000000.0 2 true ?"
            ]
        );
        let register = "kpm_id,arm,incubator_id,regency_code,gender,mentor,grant_amount\n\
                        R1,prokus,INK-32-01,32.17,-,-,-\n";
        let r = db
            .ingest(&file(&dir, "register.csv", register), &m)
            .unwrap();
        assert_eq!(counts(&r), ("kpm-register", 1, 1, 0), "{r:?}");
        let kpm: Vec<String> = db.column(
            "SELECT coalesce(gender, '?') || coalesce(mentor, '?') || coalesce(grant_amount::VARCHAR, '?') FROM kpm WHERE kpm_id = 'R1'",
            [],
        );
        assert_eq!(kpm, ["???"]);
    }

    /// Excel's error values (`#N/A` from a failed lookup of a KPM's name):
    /// refused as what they are, in an answer, a register column and a
    /// feedback sheet, where `#N/A` was stored as a KPM's name.
    #[test]
    fn a_cell_holding_an_excel_error_is_refused_as_one() {
        assert_eq!(
            crate::source::cell_text(&calamine::Data::Error(calamine::CellErrorType::NA)).0,
            "#N/A"
        );
        let (dir, mut db, m) = with_incubators();
        let sheet = "kpm_id,wave,arm,incubator_id,regency_code,kpm_name,business_income,saves\n\
                     E1,baseline,prokus,INK-32-01,32.17,#N/A,1000000,ya\n\
                     E2,baseline,prokus,INK-32-01,32.17,Ani,#VALUE!,ya\n\
                     E3,baseline,prokus,INK-32-01,32.17,Budi,1000000, #ref! \n\
                     E4,baseline,prokus,INK-32-01,32.17,#1 Tani,1000000,ya\n";
        let s = db.ingest(&file(&dir, "sheet.csv", sheet), &m).unwrap();
        assert_eq!(counts(&s), ("template", 4, 1, 3), "{s:?}");
        // Said once: not also as an amount the grant's column cannot read.
        let register = "kpm_id,arm,incubator_id,regency_code,kpm_name,grant_amount\n\
                        R1,prokus,INK-32-01,32.17,#N/A,1000000\n\
                        R2,prokus,INK-32-01,32.17,Sri,#VALUE!\n";
        let r = db
            .ingest(&file(&dir, "register.csv", register), &m)
            .unwrap();
        assert_eq!(counts(&r), ("kpm-register", 2, 0, 2), "{r:?}");
        let reasons: Vec<String> = db.column(
            "SELECT column_name || ' ' || reason FROM ingest_reject ORDER BY batch_id, source_row",
            [],
        );
        assert_eq!(reasons.len(), 5, "{reasons:?}");
        for (reason, start) in reasons.iter().zip([
            "kpm_name `#N/A`",
            "business_income `#VALUE!`",
            "saves `#ref!`",
            "kpm_name `#N/A`",
            "grant_amount `#VALUE!`",
        ]) {
            assert!(
                reason.starts_with(start) && reason.contains("is an Excel error"),
                "{reasons:?}"
            );
        }
        let names: Vec<String> = db.column("SELECT kpm_name FROM kpm", []);
        assert_eq!(names, ["#1 Tani"]);
        // An incubator list's, whose names head the incubators' reports.
        let list = "incubator_id,name,university,province_code\n\
                    INK-99-01,#N/A,Universitas Satu,32\n\
                    INK-99-02,=VLOOKUP(A3;Daftar!A:B;2;0),Universitas Dua,32\n\
                    INK-99-03,Inkubator Tiga,Universitas Tiga,32\n";
        let l = db.ingest(&file(&dir, "incubators2.csv", list), &m).unwrap();
        assert_eq!(counts(&l), ("incubators", 3, 1, 2), "{l:?}");
        let names: Vec<String> = db.column(
            "SELECT name FROM incubator WHERE incubator_id LIKE 'INK-99%'",
            [],
        );
        assert_eq!(names, ["Inkubator Tiga"]);
    }

    /// A cell holding a formula instead of its value (a workbook written by
    /// a program that does not calculate, read as its formula; or a CSV so
    /// written): its row is refused saying so, where it loaded with the
    /// answer missing. A `=` that starts no formula is text.
    #[test]
    fn a_formula_without_its_value_refuses_its_row() {
        let (dir, mut db, m) = with_incubators();
        let sheet = "kpm_id,wave,arm,incubator_id,regency_code,kpm_name,business_income\n\
                     F1,baseline,prokus,INK-32-01,32.17,Ani,=M2*0.4\n\
                     F2,baseline,prokus,INK-32-01,32.17,\"=HYPERLINK(\"\"http://x\"\",\"\"Sri\"\")\",1000000\n\
                     F3,baseline,prokus,INK-32-01,32.17,== Budi ==,1000000\n\
                     F4,baseline,prokus,INK-32-01,32.17,Tini,1000000\n";
        let s = db.ingest(&file(&dir, "sheet.csv", sheet), &m).unwrap();
        assert_eq!(counts(&s), ("template", 4, 2, 2), "{s:?}");
        let reasons: Vec<String> = db.column(
            "SELECT column_name || ' ' || value || ': ' || reason FROM ingest_reject ORDER BY source_row",
            [],
        );
        assert_eq!(reasons.len(), 2, "{reasons:?}");
        for (reason, start) in reasons.iter().zip([
            "business_income =M2*0.4: a formula, and the file holds no value",
            "kpm_name =HYPERLINK(\"http://x\",\"Sri\"): a formula",
        ]) {
            // Whole: a reason longer than a stored text is cut.
            assert!(
                reason.starts_with(start) && reason.ends_with("load it again"),
                "{reasons:?}"
            );
        }
        let names: Vec<String> = db.column("SELECT kpm_name FROM kpm ORDER BY kpm_id", []);
        assert_eq!(names, ["== Budi ==", "Tini"]);
    }

    /// A template workbook that asks to be calculated again when it is
    /// opened, as XlsxWriter writes one (every formula's value saved as 0):
    /// its rows load with the values saved, and the summary names the
    /// columns read whose cells hold formulas, for the note that says to
    /// recalculate; a column not read is not named.
    #[test]
    fn formulas_of_a_workbook_that_asks_to_be_recalculated_are_named() {
        let (dir, mut db, m) = with_incubators();
        let mut book = rust_xlsxwriter::Workbook::new();
        let data = book.add_worksheet();
        let header = [
            "kpm_id",
            "wave",
            "arm",
            "incubator_id",
            "regency_code",
            "business_revenue",
            "business_income",
            "catatan",
        ];
        write_texts(data, 0, &header);
        for r in 1..=2u32 {
            let kpm = format!("R{r}");
            write_texts(data, r, &[&kpm, "baseline", "prokus", "INK-32-01", "32.17"]);
            data.write_number(r, 5, 2_000_000.0).unwrap();
            let income = format!("=F{}*0.4", r + 1);
            data.write_formula(r, 6, income.as_str()).unwrap();
            data.write_formula(r, 7, "=\"cek\"").unwrap();
        }
        let path = dir.path().join("xlsxwriter.xlsx");
        book.save(&path).unwrap();
        let s = db.ingest(&path, &m).unwrap();
        assert_eq!(counts(&s), ("template", 2, 2, 0), "{s:?}");
        assert_eq!(
            s.formulas_to_recalculate,
            [("`business_income` (column G)".to_string(), 2)],
            "{s:?}"
        );
        assert_eq!(s.unread_columns, ["catatan"], "{s:?}");
        let income: Vec<f64> = db.column("SELECT business_income FROM response", []);
        assert_eq!(income, [0.0, 0.0], "the values saved, as the note says");
    }

    /// Numeric ids as programs rewrite them: `1` for the register's `001`
    /// (Excel keeps a number), `12.0` for `12` (pandas writes an integer
    /// column with gaps so). A row with a region would have added the
    /// household a second time; one without was refused as unknown. Both
    /// are refused naming the register's id.
    #[test]
    fn a_numeric_kpm_id_without_its_zeros_or_with_a_decimal_names_the_registers() {
        let sheet = "kpm_id,wave,arm,incubator_id,regency_code,business_income\n\
                     1,baseline,prokus,INK-32-01,32.17,1000000\n\
                     12.0,baseline,,,,1000000\n\
                     12,endline,,,,1200000\n\
                     120,baseline,prokus,INK-32-01,32.17,1000000\n";
        let (s, reasons, kpm) = sheet_after_register(&["001", "12"], sheet);
        assert_eq!(counts(&s), ("template", 4, 2, 2), "{s:?}");
        assert!(
            reasons[0].starts_with("the register has this KPM as 001:"),
            "{reasons:?}"
        );
        assert!(reasons[1].contains("which has 12:"), "{reasons:?}");
        assert_eq!(kpm, ["001", "12", "120"]);
    }

    /// A sheet saved as CSV by Excel with an English (US) setting writes
    /// its dates month first. Read day first, `3/10/2022` loaded as 3
    /// October and `3/25/2022` was refused: the file is refused whole,
    /// naming a row, and loads with `month_first`. A file with a date that
    /// reads only day first keeps its order, refusing the other rows.
    #[test]
    fn a_file_of_month_first_dates_is_refused_whole_and_loads_when_told() {
        let (dir, mut db, m) = with_incubators();
        let us = "kpm_id,wave,submitted_at,arm,incubator_id,regency_code,business_income\n\
                  U1,baseline,3/10/2022,prokus,INK-32-01,32.17,1000000\n\
                  U2,baseline,3/25/2022,prokus,INK-32-01,32.17,1000000\n\
                  U3,baseline,4/2/2022 14:05,prokus,INK-32-01,32.17,1000000\n";
        let path = file(&dir, "us.csv", us);
        match db.ingest(&path, &m) {
            Err(IngestError::ColumnNote {
                column,
                reason,
                hint,
                ..
            }) => {
                assert_eq!(column, "submitted_at");
                assert!(reason.contains("row 3: `3/25/2022`"), "{reason}");
                assert!(hint.contains("--month-first"), "{hint}");
            }
            other => panic!("{other:?}"),
        }
        let dates = |db: &Database| -> Vec<String> {
            db.column(
                "SELECT kpm_id || ' ' || strftime(submitted_at, '%Y-%m-%d %H:%M') FROM response ORDER BY kpm_id",
                [],
            )
        };
        assert!(dates(&db).is_empty(), "nothing of the file is written");
        let options = IngestOptions {
            limits: Limits {
                month_first: true,
                ..Default::default()
            },
            ..Default::default()
        };
        let s = db.ingest_with(&path, &m, &options).unwrap();
        assert_eq!(counts(&s), ("template", 3, 3, 0), "{s:?}");
        assert_eq!(
            dates(&db),
            [
                "U1 2022-03-10 00:00",
                "U2 2022-03-25 00:00",
                "U3 2022-04-02 14:05"
            ]
        );
        let mixed = "kpm_id,wave,submitted_at,arm,incubator_id,regency_code,business_income\n\
                     V1,baseline,25/03/2022,prokus,INK-32-01,32.17,1000000\n\
                     V2,baseline,3/25/2022,prokus,INK-32-01,32.17,1000000\n";
        let s = db.ingest(&file(&dir, "mixed.csv", mixed), &m).unwrap();
        assert_eq!(counts(&s), ("template", 2, 1, 1), "{s:?}");
        let reason: Vec<String> = db.column(
            "SELECT reason FROM ingest_reject WHERE batch_id = ?",
            [s.batch_id],
        );
        assert!(reason[0].contains("reads only month first"), "{reason:?}");
    }

    /// The same header twice: the second is named by its letter, as a
    /// column the first gives, not as a misspelt one.
    #[test]
    fn a_header_twice_is_named_by_its_letter() {
        let (dir, mut db, _) = loaded_program();
        let m = FormMapping::prokus();
        let twice =
            "kpm_id,wave,business_income,business_income\nK1,monitoring_1,1000000,2000000\n";
        let t = db.ingest(&file(&dir, "twice.csv", twice), &m).unwrap();
        assert!(t.unread_columns.is_empty(), "{t:?}");
        assert_eq!(
            t.named_twice,
            [(
                "`business_income` (column D)".to_string(),
                "business_income".to_string(),
                "`business_income` (column C)".to_string()
            )]
        );
        // Headed in the file's own capitals, the field is named as the
        // format names it.
        let capitals = "kpm_id,wave,Business_Income,BUSINESS_INCOME\nK1,endline,1000000,2000000\n";
        let c = db
            .ingest(&file(&dir, "capitals.csv", capitals), &m)
            .unwrap();
        assert_eq!(c.named_twice[0].1, "business_income", "{c:?}");
        assert_eq!(column_letters(27), "AB");
        assert_eq!(column_letters(701), "ZZ");
        assert_eq!(column_letters(702), "AAA");
    }

    #[test]
    fn a_register_says_how_many_of_its_kpm_have_no_nik() {
        let (_dir, _db, out) = loaded_program();
        let register = &out[1];
        // K2's NIK cell is empty; K3 and K4 are refused (an unknown regency,
        // an unknown incubator); K1's NIK is given.
        assert_eq!(counts(register), ("kpm-register", 4, 2, 2), "{register:?}");
        assert_eq!((register.kpm_without_nik, register.nik_column), (1, true));
        // Other formats have none to say.
        assert_eq!((out[2].kpm_without_nik, out[2].nik_column), (0, true));
    }

    #[test]
    fn a_header_with_its_unit_loads_and_one_of_thousands_or_a_year_is_refused_whole() {
        let (dir, mut db, _) = loaded_program();
        let m = FormMapping::prokus();
        let count = |db: &Database, table: &str| -> i64 {
            db.conn
                .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
                .unwrap()
        };
        let responses = |db: &Database| (count(db, "response"), count(db, "ingest_batch"));
        let before = responses(&db);
        // As an office's sheet heads them: units, a month, a line break.
        let sheet = "ID KPM (wajib);Putaran;Tanggal (dd/mm/yyyy);Omzet per bulan (Rp);\
                     \"Pendapatan Usaha\n(Rp/bulan)\";Pekerja Dibayar (orang)\n\
                     K1;monitoring 1;18/06/2021;Rp 2.500.000;900.000;2\n";
        let s = db.ingest(&file(&dir, "units.csv", sheet), &m).unwrap();
        assert_eq!(counts(&s), ("template", 1, 1, 0), "{s:?}");
        assert!(s.unread_columns.is_empty(), "{s:?}");
        let held: String = db
            .conn
            .query_row(
                "SELECT concat_ws(' ', business_revenue::BIGINT, business_income::BIGINT, paid_workers)
                 FROM response WHERE batch_id = ?",
                [s.batch_id],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(held, "2500000 900000 2");
        // Thousands of rupiah, or a year's: every amount would be wrong.
        for (name, header) in [
            ("ribu.csv", "Omzet (ribu Rp)"),
            ("tahun.csv", "Pendapatan usaha per tahun"),
        ] {
            let sheet =
                format!("ID KPM;Putaran;Tanggal;{header}\nK1;monitoring 2;18/09/2021;2500\n");
            let e = db.ingest(&file(&dir, name, &sheet), &m).unwrap_err();
            let IngestError::ColumnNote { column, .. } = &e else {
                panic!("{name}: {e}");
            };
            assert_eq!(column, header);
            let message = e.to_string();
            assert!(
                message.contains(name) && message.contains("hint:"),
                "{message}"
            );
        }
        // One answer and one file more; nothing of the refused files, which
        // load once corrected.
        assert_eq!(responses(&db), (before.0 + 1, before.1 + 1));
    }

    #[test]
    fn a_refused_csv_row_is_named_by_its_spreadsheet_row_past_blank_lines() {
        let (dir, mut db, _) = loaded_program();
        // Blank lines and a row of empty cells (a spreadsheet's leftovers)
        // between the rows, and a business name over two lines.
        let sheet = "kpm_id,wave,arm,incubator_id,regency_code,business_name,business_income\n\
                     KB1,baseline,prokus,INK-32-01,32.17,Warung,900000\n\
                     \n\
                     \n\
                     ,,,,,,\n\
                     KB2,baseline,prokus,INK-32-01,Kota Antah,Warung,900000\n\
                     KB3,baseline,prokus,INK-32-01,32.17,\"Toko\nSembako\",900000\n\
                     KB4,baseline,prokus,INK-32-01,Kota Antah,Warung,900000\n";
        let s = db
            .ingest(
                &file(&dir, "blank-lines.csv", sheet),
                &FormMapping::prokus(),
            )
            .unwrap();
        assert_eq!(counts(&s), ("template", 4, 2, 2), "{s:?}");
        // KB4 on line 9, row 8 in a spreadsheet, which shows KB3 as one row.
        assert_eq!(refused_rows(&db, s.batch_id), [6, 8]);
    }

    #[test]
    fn the_template_workbook_loads_and_an_unfilled_row_answers_nothing() {
        use crate::template_sheet::{TemplateKpm, template_workbook};
        let (dir, mut db, _) = loaded_program();
        let kpm = TemplateKpm {
            kpm_id: "K1".into(),
            kpm_name: "=Siti".into(),
            business_name: "Keripik Bu Siti".into(),
            incubator_id: "INK-32-01".into(),
            regency_code: "32.10".into(),
        };
        let path = dir.path().join("template-INK-32-01.xlsx");
        std::fs::write(
            &path,
            template_workbook(&[kpm], Some("monitoring_2")).unwrap(),
        )
        .unwrap();
        // The sheet as the spreadsheet shows it: the template's names, the
        // KPM's identity as text (its code with its zero), the round filled
        // in, and the instructions after it.
        let mut book: calamine::Xlsx<_> = calamine::open_workbook(&path).unwrap();
        use calamine::Reader as _;
        assert_eq!(book.sheet_names(), ["Data", "Petunjuk"]);
        let data = book.worksheet_range("Data").unwrap();
        let row = |r: usize| -> Vec<String> {
            data.rows()
                .nth(r)
                .unwrap()
                .iter()
                .take(7)
                .map(|c| c.to_string())
                .collect()
        };
        assert_eq!(
            row(0),
            [
                "kpm_id",
                "wave",
                "submitted_at",
                "kpm_name",
                "business_name",
                "incubator_id",
                "regency_code"
            ]
        );
        // The round as its drop-down names it.
        assert_eq!(row(1)[..2], ["K1", "Monitoring 2"]);
        assert_eq!(row(1)[6], "32.10");
        // A name that begins with `=` is text in the sheet, never a formula.
        assert_eq!(row(1)[3], "=Siti");
        let formulas = book.worksheet_formula("Data").unwrap();
        assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()));
        // Sent back as it was made, its row answers nothing: refused, so
        // that no empty answer stands for the KPM's round.
        let s = db.ingest(&path, &FormMapping::prokus()).unwrap();
        assert_eq!(counts(&s), ("template", 1, 0, 1), "{s:?}");
        let reason: String = db
            .conn
            .query_row(
                "SELECT reason FROM ingest_reject WHERE batch_id = ?",
                [s.batch_id],
                |r| r.get(0),
            )
            .unwrap();
        assert!(reason.contains("answers no question"), "{reason}");
    }

    #[test]
    fn a_sheet_saved_as_csv_keeps_the_regency_zero_the_spreadsheet_dropped() {
        let (dir, mut db, _) = loaded_program();
        let m = FormMapping::prokus();
        // 32.10 typed in a number cell and saved as CSV reads `32.1`; `32.9`
        // has no regency 32.90 to be.
        let sheet = "kpm_id,wave,arm,incubator_id,regency_code,business_income\n\
                     KS1,baseline,prokus,INK-32-01,32.1,1500000\n\
                     KS2,baseline,prokus,INK-32-01,32.9,1500000\n";
        let s = db.ingest(&file(&dir, "saved.csv", sheet), &m).unwrap();
        assert_eq!(counts(&s), ("template", 2, 1, 1), "{s:?}");
        let regency: String = db
            .conn
            .query_row(
                "SELECT regency_code FROM kpm WHERE kpm_id = 'KS1'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(regency, "32.10");
        // The refusal names the cell as the file holds it.
        let refused: (String, String) = db
            .conn
            .query_row(
                "SELECT column_name, value FROM ingest_reject WHERE batch_id = ?",
                [s.batch_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(refused, ("regency_code".into(), "32.9".into()));
        // In a sheet, a text cell says it was typed as text: `32.1` there is
        // no dropped zero, and is refused.
        let mut book = rust_xlsxwriter::Workbook::new();
        let data = book.add_worksheet();
        let header = ["kpm_id", "wave", "arm", "incubator_id", "regency_code"];
        let row = ["KS3", "baseline", "prokus", "INK-32-01", "32.1"];
        write_texts(data, 0, &header);
        write_texts(data, 1, &row);
        let path = dir.path().join("typed.xlsx");
        book.save(&path).unwrap();
        let s = db.ingest(&path, &m).unwrap();
        assert_eq!(counts(&s), ("template", 1, 0, 1), "{s:?}");
    }

    /// A sheet whose header is written over two rows (a group's name over
    /// its columns' names), saved as CSV, below a title: read as one header,
    /// its rows numbered by their lines. Before, the lower names were a row
    /// refused for its empty id, and the group's answers were not read.
    #[test]
    fn a_header_written_over_two_rows_in_a_csv_reads_as_one() {
        let (dir, mut db, m) = with_incubators();
        let sheet = "Formulir Monitoring 2022,,,,,,\n\
                     kpm_id,wave,arm,incubator_id,regency_code,Pendapatan (Rp/bulan),\n\
                     ,,,,,business_revenue,business_income\n\
                     T1,baseline,prokus,INK-32-01,32.17,2000000,800000\n\
                     T2,baseline,prokus,INK-32-01,Kota Antah,2000000,800000\n";
        let s = db.ingest(&file(&dir, "two.csv", sheet), &m).unwrap();
        assert_eq!(counts(&s), ("template", 2, 1, 1), "{s:?}");
        assert_eq!(refused_rows(&db, s.batch_id), [5]);
        let income: Vec<f64> = db.column(
            "SELECT business_revenue + business_income FROM response",
            [],
        );
        assert_eq!(income, [2_800_000.0]);
        // A first data row under a one-row header stays a row.
        let one = "kpm_id,wave,arm,incubator_id,regency_code,business_income\n\
                   T3,baseline,prokus,INK-32-01,32.17,900000\n";
        let s = db.ingest(&file(&dir, "one.csv", one), &m).unwrap();
        assert_eq!(counts(&s), ("template", 1, 1, 0), "{s:?}");
    }

    #[test]
    fn a_sheet_saved_as_csv_with_a_title_above_its_header_loads() {
        let (dir, mut db, _) = loaded_program();
        let m = FormMapping::prokus();
        // A title, its empty cells and a blank line above a header of `;`.
        let sheet = "Formulir Monitoring ProKUS 2022;;;;\n\n\
                     kpm_id;wave;arm;incubator_id;regency_code;business_income\n\
                     KC1;baseline;prokus;INK-32-01;32.17;1500000\n\
                     KC2;baseline;prokus;INK-32-01;Kota Antah;1500000\n";
        let list = "Daftar KPM\nkpm_id,arm,incubator_id,regency_code,mentor\nKC9,prokus,INK-32-01,32.17,Bu Ani\n";
        let (sheet, list) = (file(&dir, "title.csv", sheet), file(&dir, "list.csv", list));
        // The list goes first, as a register without a title would.
        assert!(sniff_load_order(&list) < sniff_load_order(&sheet));
        let s = db.ingest(&sheet, &m).unwrap();
        assert_eq!(counts(&s), ("template", 2, 1, 1), "{s:?}");
        // The refused row is named by its line: title 1, blank 2, header 3.
        assert_eq!(refused_rows(&db, s.batch_id), [5]);
        let s = db.ingest(&list, &m).unwrap();
        assert_eq!((s.format.as_str(), s.rows_loaded), ("kpm-register", 1));
        // A file with no known header in its first lines is refused as
        // before, naming its first line.
        let err = db
            .ingest(&file(&dir, "x.csv", "just,a,title\nand,no,header\n"), &m)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("unknown format") && err.contains("just, a, title"),
            "{err}"
        );
    }

    /// A file that holds no table prokus reads (a workbook saved as .xls or
    /// .ods, a PDF report or a photo sent in place of the data, a damaged
    /// .xlsx) is refused saying what it is and what to do, and nothing is
    /// written.
    #[test]
    fn files_of_other_kinds_are_named_for_what_they_are() {
        let dir = tempfile::tempdir().unwrap();
        let mut db = Database::in_memory().unwrap();
        let m = FormMapping::prokus();
        let ods = {
            let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
            let stored = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Stored);
            zip.start_file("mimetype", stored).unwrap();
            zip.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
                .unwrap();
            zip.start_file("content.xml", stored).unwrap();
            zip.write_all(b"<office:document-content/>").unwrap();
            zip.finish().unwrap().into_inner()
        };
        let mut xls = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
        xls.resize(4096, 0);
        // A workbook encrypted with a password: an OLE file whose
        // directory names the stream `EncryptedPackage` (in UTF-16).
        let mut locked = xls.clone();
        locked.extend("EncryptedPackage".encode_utf16().flat_map(u16::to_le_bytes));
        locked.resize(8192, 0);
        let cases: [(&str, Vec<u8>, &str, &str); 7] = [
            (
                "monitoring.xls",
                xls,
                "an Excel 97-2003 workbook (.xls)",
                "save it as an Excel Workbook (.xlsx)",
            ),
            (
                "rahasia.xlsx",
                locked,
                "a workbook protected with a password",
                "take the password off",
            ),
            (
                "monitoring.ods",
                ods,
                "an OpenDocument spreadsheet (.ods)",
                "save it as an Excel Workbook (.xlsx)",
            ),
            (
                "laporan.csv",
                b"%PDF-1.7\n%\xe2\xe3\n1 0 obj".to_vec(),
                "a PDF document",
                "load the data it was made from",
            ),
            (
                "foto.xlsx",
                b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec(),
                "an image",
                "load the data itself",
            ),
            (
                "foto2.csv",
                b"\xff\xd8\xff\xe0\0\x10JFIF".to_vec(),
                "an image",
                "load the data itself",
            ),
            (
                "rusak.xlsx",
                b"PK\x03\x04garbage".to_vec(),
                "not a readable ZIP file",
                "the workbook is damaged",
            ),
        ];
        for (name, bytes, what, hint) in cases {
            let path = dir.path().join(name);
            std::fs::write(&path, bytes).unwrap();
            let err = db.ingest(&path, &m).unwrap_err().to_string();
            assert!(
                err.contains(name) && err.contains(what) && err.contains(hint),
                "{name}: {err}"
            );
        }
        let batches: i64 = db
            .conn
            .query_row("SELECT count(*) FROM ingest_batch", [], |r| r.get(0))
            .unwrap();
        assert_eq!(batches, 0);
    }

    /// A list that has part of a format's columns is told which it lacks,
    /// by their canonical and Indonesian names: a register whose arm is
    /// headed `kelompok` (not read so), an incubator list without names.
    #[test]
    fn a_list_short_of_its_formats_columns_is_told_which_it_lacks() {
        let dir = tempfile::tempdir().unwrap();
        let mut db = Database::in_memory().unwrap();
        let m = FormMapping::prokus();
        let mut refused = |name: &str, text: &str| {
            db.ingest(&file(&dir, name, text), &m)
                .unwrap_err()
                .to_string()
        };
        let err = refused(
            "daftar.csv",
            "id_kpm;nama;kelompok;Kode Kab/Kota\nK1;Siti;prokus;32.17\n",
        );
        assert!(
            err.contains("unknown format")
                && err.contains("also needs `wave` (or `putaran`)")
                && err.contains("a KPM register also needs `arm` (or `kelompok_studi`), or for ProKUS KPM alone their incubator (`incubator_id` or `inkubator`);")
                && !err.contains("`regency_code` (or")
                && err.contains("a column headed `kelompok` is not read as the study arm"),
            "{err}"
        );
        let err = refused("kpm.csv", "kpm_id,nama\nK1,Siti\n");
        assert!(
            err.contains("a KPM register also needs `arm` (or `kelompok_studi`), or for ProKUS KPM alone their incubator (`incubator_id` or `inkubator`) and `regency_code` (or `kode_kab_kota`)")
                && !err.contains("kelompok`"),
            "{err}"
        );
        let err = refused(
            "inkubator.csv",
            "ID Inkubator,Universitas\nINK-32-01,Unpad\n",
        );
        assert!(
            err.contains("an incubator list also needs `name` (or `nama_inkubator`)"),
            "{err}"
        );
        // The rejects list, sent back in place of the corrected file.
        let err = refused(
            "rejects.csv",
            "file,row,column,value,kind,reason\nsheet.csv,3,wave,x,invalid,unknown\n",
        );
        assert!(
            err.contains("a list of rows not loaded, as `prokus rejects` writes it"),
            "{err}"
        );
    }

    #[test]
    fn bad_files_stop_with_a_clear_message_and_write_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut db = Database::in_memory().unwrap();
        let m = FormMapping::prokus();
        let err = db
            .ingest(&file(&dir, "x.csv", "a;b\n1;2\n"), &m)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("x.csv") && err.contains("unknown format") && err.contains("hint"),
            "{err}"
        );
        let no_wave = "\"identitas/kpm_id\";\"_uuid\";\"_submission_time\"\r\n\"K1\";\"u1\";\"2021-03-10T02:00:00\"\r\n";
        let err = db
            .ingest(&file(&dir, "k.csv", no_wave), &m)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("k.csv") && err.contains("missing required column `identitas/putaran`"),
            "{err}"
        );
        let err = db
            .ingest(&dir.path().join("absent.csv"), &m)
            .unwrap_err()
            .to_string();
        assert!(err.contains("absent.csv"), "{err}");
        let form = file(
            &dir,
            "form.csv",
            "type,name,label::Indonesian (id)\ntext,kpm_id,ID KPM\n",
        );
        assert!(matches!(
            db.ingest(&form, &m),
            Err(IngestError::NotData { .. })
        ));
        let toml = file(&dir, "targets.toml", "band = 0.1\n");
        assert!(matches!(
            db.ingest(&toml, &m),
            Err(IngestError::NotData { .. })
        ));
        assert_eq!(count(&db, "SELECT count(*) FROM ingest_batch"), 0);
        assert_eq!(count(&db, "SELECT count(*) FROM ingest_reject"), 0);
    }

    /// A database with the incubator and the register only.
    fn registered() -> (tempfile::TempDir, Database) {
        let (dir, mut db, m) = with_incubators();
        db.ingest(&file(&dir, "kpm_register.csv", REGISTER), &m)
            .unwrap();
        (dir, db)
    }

    /// The ProKUS mapping with three fields taken from repeat groups: sessions
    /// counted, paid workers counted by status, deposits (a repeat nested in
    /// `pekerja`) summed.
    fn repeat_mapping() -> FormMapping {
        let mut m = FormMapping::prokus();
        let text = r#"
            [form]
            id = "x"
            [submission]
            id_columns = ["_uuid"]
            time_columns = ["_submission_time"]
            [fields.kpm_id]
            column = "k"
            type = "id"
            required = true
            [fields.wave]
            column = "w"
            type = "choice"
            required = true
            choices = { endline = "endline" }
            [fields.mentoring_sessions]
            repeat = "sesi_pendampingan"
            column = "sesi_pendampingan/topik"
            type = "count"
            aggregate = "count"
            [fields.paid_workers]
            repeat = "pekerja"
            column = "pekerja/status"
            type = "count"
            aggregate = "count"
            equals = "dibayar"
            [fields.savings_amount]
            repeat = "setoran"
            column = "setoran/jumlah"
            type = "money"
            aggregate = "sum"
        "#;
        let extra = FormMapping::parse(text, Path::new("repeat.toml")).unwrap();
        for name in ["mentoring_sessions", "paid_workers", "savings_amount"] {
            m.fields.insert(name.into(), extra.fields[name].clone());
        }
        m
    }

    /// KPM id, mentoring sessions, paid workers, savings amount.
    type RepeatValues = (String, Option<i32>, Option<i32>, Option<f64>);

    fn repeat_values(db: &Database) -> Vec<RepeatValues> {
        let mut stmt = db
            .conn
            .prepare("SELECT kpm_id, mentoring_sessions, paid_workers, savings_amount FROM response ORDER BY kpm_id")
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    fn orphan_rows(db: &Database) -> Vec<(i64, String, String)> {
        let mut stmt = db
            .conn
            .prepare(
                "SELECT source_row, column_name, reason FROM ingest_reject WHERE kind = 'orphan'",
            )
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    /// A sheet's name says its round as its maker writes it: the round's
    /// name, with a year or a bracket after it; nothing else.
    #[test]
    fn a_sheets_name_says_its_round_past_a_year_or_a_bracket() {
        let waves = FormMapping::template();
        let round =
            |name: &str| sheet_round(name, |n| waves.fields["wave"].choice_of_name(n).is_some());
        for (name, read) in [
            ("Baseline", "Baseline"),
            ("Baseline 2022", "Baseline"),
            ("Monitoring 1 (Juni)", "Monitoring 1"),
            ("Monitoring 1 (Juni 2022)", "Monitoring 1"),
            ("Monev II - 2022", "Monev II"),
            ("Survei Awal_2023", "Survei Awal"),
            (" Endline ", "Endline"),
        ] {
            let got = round(name);
            assert_eq!(got.as_deref(), Some(read), "{name}");
            assert!(waves.fields["wave"].choice(read).is_some(), "{read}");
        }
        for name in [
            "Sheet1",
            "2022",
            "Data 2022",
            "Rekap (Baseline)",
            "Baseline 1999x",
            "(2022)",
        ] {
            assert_eq!(round(name), None, "{name}");
        }
    }

    /// A round given for the files that have no round column
    /// (`--wave`): a form made for one round (no round question), a sheet
    /// saved per round. A file with its own keeps it and says so; a list
    /// stays a list.
    #[test]
    fn a_round_given_is_the_round_of_files_without_one() {
        let (dir, mut db) = registered();
        let m = FormMapping::prokus();
        let options = IngestOptions {
            wave: Some("endline".into()),
            ..Default::default()
        };
        // The form's export: its round column added with the form's answer.
        let form = "\"identitas/kpm_id\";\"_uuid\";\"_submission_time\";\"usaha/omzet\"\r\n\
                    \"K1\";\"u1\";\"2022-03-10T02:00:00\";\"900000\"\r\n";
        let s = db
            .ingest_with(&file(&dir, "form.csv", form), &m, &options)
            .unwrap();
        assert_eq!(
            (s.format.as_str(), s.rows_loaded, s.own_wave),
            ("kobo-csv", 1, false)
        );
        // A sheet without `wave`.
        let sheet = "ID KPM,Tanggal,Omzet\nK2,2022-03-10,800000\n";
        let s = db
            .ingest_with(&file(&dir, "akhir.csv", sheet), &m, &options)
            .unwrap();
        assert_eq!((s.format.as_str(), s.rows_loaded), ("template", 1));
        // A sheet with its own.
        let own = "kpm_id,wave,business_revenue\nK1,baseline,500000\n";
        let s = db
            .ingest_with(&file(&dir, "own.csv", own), &m, &options)
            .unwrap();
        assert!(s.own_wave);
        let waves: Vec<String> = db
            .conn
            .prepare("SELECT kpm_id || ' ' || wave FROM response ORDER BY ALL")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(waves, ["K1 baseline", "K1 endline", "K2 endline"]);
        // Below a title, in a CSV file and in a workbook's sheet.
        let titled = "LAPORAN MONITORING AKHIR\n\nID KPM,Tanggal,Omzet\nK1,2022-03-11,700000\n";
        let s = db
            .ingest_with(&file(&dir, "judul.csv", titled), &m, &options)
            .unwrap();
        assert_eq!((s.format.as_str(), s.rows_loaded), ("template", 1));
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (r, row) in [
            ["LAPORAN", "", ""],
            ["ID KPM", "Tanggal", "Omzet"],
            ["K2", "2022-03-11", "600000"],
        ]
        .iter()
        .enumerate()
        {
            for (c, text) in row.iter().enumerate() {
                sheet.write_string(r as u32, c as u16, *text).unwrap();
            }
        }
        let path = dir.path().join("judul.xlsx");
        book.save(&path).unwrap();
        let s = db.ingest_with(&path, &m, &options).unwrap();
        assert_eq!((s.format.as_str(), s.rows_loaded), ("template", 1));
        // A register given a round would read as a monitoring sheet.
        let register = "kpm_id,arm,incubator_id,regency_code\nK9,prokus,INK-32-01,32.17\n";
        let s = db
            .ingest_with(&file(&dir, "more.csv", register), &m, &options)
            .unwrap();
        assert_eq!((s.format.as_str(), s.own_wave), ("kpm-register", false));
        // Without the round: the export's error says how to give it.
        let err = db
            .ingest(&file(&dir, "form2.csv", &form.replace("u1", "u2")), &m)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("give its round with `prokus ingest --wave ROUND`"),
            "{err}"
        );
    }

    /// A sheet sent again with a value corrected and its interview dates
    /// as they were: the corrected answer counts, whichever order the two
    /// rows' ids (hashes of their cells) happen to take.
    #[test]
    fn a_sheet_sent_again_corrected_with_the_same_dates_counts_the_correction() {
        let (dir, mut db) = registered();
        let m = FormMapping::prokus();
        let head = "kpm_id,wave,submitted_at,business_income\n";
        for (name, k1, k2) in [
            ("first.csv", "1000000", "2000000"),
            ("corrected.csv", "1100000", "2200000"),
        ] {
            let sheet = format!("{head}K1,baseline,2021-03-15,{k1}\nK2,baseline,2021-03-15,{k2}\n");
            db.ingest(&file(&dir, name, &sheet), &m).unwrap();
        }
        let current: Vec<f64> = db
            .conn
            .prepare("SELECT business_income FROM response_current ORDER BY kpm_id")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(current, [1_100_000.0, 2_200_000.0]);
    }

    /// A workbook kept as incubators keep it, a round per sheet named after
    /// the round and no `wave` column: each sheet loads as a file of its
    /// own (`file.xlsx [sheet]`), its rows of that round, its rejects
    /// named by the sheet and its row; loaded again, each is known.
    #[test]
    fn a_round_per_sheet_loads_each_sheet_as_its_round() {
        let (dir, mut db) = registered();
        let mut book = rust_xlsxwriter::Workbook::new();
        let header = ["No", "ID KPM", "Tanggal", "Omzet"];
        // A sheet's name, the title above its header, its rows.
        type Sheet<'a> = (&'a str, Option<&'a str>, Vec<[&'a str; 4]>);
        let sheets: [Sheet; 3] = [
            ("Petunjuk", Some("Isi satu lembar per putaran"), vec![]),
            (
                "Survei Awal",
                None,
                vec![
                    header,
                    ["1", "K1", "15/03/2021", "1000000"],
                    ["2", "K2", "15/03/2021", "abc"],
                ],
            ),
            (
                "Monitoring 1",
                Some("Data Monitoring Triwulan II"),
                vec![header, ["1", "K1", "15/06/2021", "1500000"]],
            ),
        ];
        for (name, title, rows) in &sheets {
            let sheet = book.add_worksheet().set_name(*name).unwrap();
            let top = u32::from(title.is_some());
            if let Some(title) = title {
                sheet.write_string(0, 0, *title).unwrap();
            }
            for (r, row) in rows.iter().enumerate() {
                for (c, text) in row.iter().enumerate() {
                    sheet.write_string(top + r as u32, c as u16, *text).unwrap();
                }
            }
        }
        let path = dir.path().join("monitoring.xlsx");
        book.save(&path).unwrap();
        let m = FormMapping::prokus();
        let Err(IngestError::Sheets { sheets, .. }) = db.ingest(&path, &m) else {
            panic!("a round per sheet loaded as one sheet");
        };
        assert_eq!(sheets, ["Survei Awal", "Monitoring 1"]);
        let load = |db: &mut Database, sheet: &str| {
            let options = IngestOptions {
                sheet: Some(sheet.to_string()),
                ..Default::default()
            };
            db.ingest_with(&path, &m, &options).unwrap()
        };
        let first: Vec<BatchSummary> = sheets.iter().map(|s| load(&mut db, s)).collect();
        let counts: Vec<(&str, u64, u64)> = first
            .iter()
            .map(|b| {
                (
                    b.file.rsplit('/').next().unwrap(),
                    b.rows_loaded,
                    b.rows_rejected,
                )
            })
            .collect();
        assert_eq!(
            counts,
            [
                ("monitoring.xlsx [Survei Awal]", 1, 1),
                ("monitoring.xlsx [Monitoring 1]", 1, 0)
            ]
        );
        let answers: Vec<String> = db
            .conn
            .prepare("SELECT kpm_id || ' ' || wave || ' ' || business_revenue::BIGINT FROM response ORDER BY wave")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(answers, ["K1 baseline 1000000", "K1 monitoring_1 1500000"]);
        let (file, row, column): (String, i64, String) = db
            .conn
            .query_row(
                "SELECT b.file, r.source_row, r.column_name FROM ingest_reject r JOIN ingest_batch b USING (batch_id)
                 WHERE b.format = 'template'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert!(file.ends_with("monitoring.xlsx [Survei Awal]"), "{file}");
        assert_eq!((row, column.as_str()), (3, "business_revenue"));
        for sheet in &sheets {
            assert!(load(&mut db, sheet).already_loaded, "{sheet}");
        }
        assert_eq!(count(&db, "SELECT count(*) FROM response"), 2);
        // The workbook given to `withdraw` names its sheets' batches.
        let err = db.batch_of(path.to_str().unwrap()).unwrap_err().to_string();
        let batches = format!(
            "as batches {} (`Survei Awal`), {} (`Monitoring 1`)",
            first[0].batch_id, first[1].batch_id
        );
        assert!(err.contains(&batches), "{err}");
    }

    #[test]
    fn kobo_xlsx_repeat_sheets_join_on_parent_index_even_when_nested() {
        let (dir, mut db) = registered();
        let mut book = rust_xlsxwriter::Workbook::new();
        type Sheet<'a> = (&'a str, &'a [&'a str], Vec<Vec<&'a str>>);
        let sheets: [Sheet; 4] = [
            (
                "Monitoring ProKUS",
                &[
                    "identitas/kpm_id",
                    "identitas/putaran",
                    "_uuid",
                    "_submission_time",
                    "_index",
                ],
                vec![
                    vec!["K1", "endline", "u1", "2021-09-10T08:00:00", "#1"],
                    vec!["K2", "endline", "u2", "2021-09-11T08:00:00", "#2"],
                ],
            ),
            (
                "sesi_pendampingan",
                &[
                    "sesi_pendampingan/topik",
                    "_index",
                    "_parent_table_name",
                    "_parent_index",
                ],
                vec![
                    vec!["pembukuan", "#1", "Monitoring ProKUS", "#1"],
                    vec!["pemasaran", "#2", "Monitoring ProKUS", "#1"],
                    vec!["kemasan", "#3", "Monitoring ProKUS", "#1"],
                    vec!["NIB", "#4", "Monitoring ProKUS", "#2"],
                    vec!["lost", "#5", "Monitoring ProKUS", "#9"],
                ],
            ),
            (
                "pekerja",
                &[
                    "pekerja/status",
                    "_index",
                    "_parent_table_name",
                    "_parent_index",
                ],
                vec![
                    vec!["dibayar", "#1", "Monitoring ProKUS", "#1"],
                    vec!["keluarga", "#2", "Monitoring ProKUS", "#1"],
                    vec!["dibayar", "#3", "Monitoring ProKUS", "#1"],
                    vec!["keluarga", "#4", "Monitoring ProKUS", "#2"],
                ],
            ),
            (
                "setoran",
                &[
                    "setoran/jumlah",
                    "_index",
                    "_parent_table_name",
                    "_parent_index",
                ],
                vec![
                    vec!["Rp 100.000", "#1", "pekerja", "#1"],
                    vec!["50000", "#2", "pekerja", "#4"],
                    vec!["banyak", "#3", "pekerja", "#4"],
                ],
            ),
        ];
        for (name, headers, rows) in &sheets {
            let ws = book.add_worksheet().set_name(*name).unwrap();
            for (c, h) in headers.iter().enumerate() {
                ws.write_string(0, c as u16, *h).unwrap();
            }
            for (r, row) in rows.iter().enumerate() {
                for (c, v) in row.iter().enumerate() {
                    // Indexes as numbers, as Kobo writes them.
                    match v.strip_prefix('#') {
                        Some(n) => {
                            ws.write_number(r as u32 + 1, c as u16, n.parse::<f64>().unwrap())
                        }
                        None => ws.write_string(r as u32 + 1, c as u16, *v),
                    }
                    .unwrap();
                }
            }
        }
        let path = dir.path().join("kobo_repeats.xlsx");
        book.save(&path).unwrap();
        let s = db.ingest(&path, &repeat_mapping()).unwrap();
        assert_eq!(
            (
                s.format.as_str(),
                s.rows_read,
                s.rows_loaded,
                s.rows_rejected,
                s.orphan_repeat_rows
            ),
            ("kobo-xlsx", 2, 1, 1, 1)
        );
        assert_eq!(
            repeat_values(&db),
            [("K1".to_string(), Some(3), Some(2), Some(100_000.0))]
        );
        let (row, column, reason): (i64, String, String) = db
            .conn
            .query_row("SELECT source_row, column_name, reason FROM ingest_reject WHERE kind = 'invalid' AND batch_id = $1", [s.batch_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap();
        assert_eq!((row, column.as_str()), (3, "setoran/jumlah"));
        assert!(
            reason.contains("row 4 of repeat group `setoran`"),
            "{reason}"
        );
        let orphans = orphan_rows(&db);
        assert_eq!(orphans.len(), 1);
        assert_eq!(
            (orphans[0].0, orphans[0].1.as_str()),
            (6, "sesi_pendampingan/_parent_index")
        );
    }

    #[test]
    fn odk_central_csv_zip_repeats_join_on_parent_key() {
        use std::io::Write as _;
        let (dir, mut db) = registered();
        let path = dir.path().join("prokus_monitoring.csv.zip");
        let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
        let files = [
            (
                "prokus_monitoring.csv",
                "SubmissionDate,identitas-kpm_id,identitas-putaran,meta-instanceID,KEY,ReviewState\n\
                 2021-09-13T01:02:03.000Z,K1,endline,uuid:a,uuid:a,\n\
                 2021-09-14T01:02:03.000Z,K2,endline,uuid:b,uuid:b,approved\n",
            ),
            (
                "prokus_monitoring-sesi_pendampingan.csv",
                "topik,PARENT_KEY,KEY\npembukuan,uuid:a,uuid:a/sesi_pendampingan[1]\n\
                 pemasaran,uuid:a,uuid:a/sesi_pendampingan[2]\nNIB,uuid:b,uuid:b/sesi_pendampingan[1]\n\
                 lost,uuid:zzz,uuid:zzz/sesi_pendampingan[1]\n",
            ),
            (
                "prokus_monitoring-pekerja.csv",
                "status,PARENT_KEY,KEY\ndibayar,uuid:a,uuid:a/pekerja[1]\n\
                 dibayar,uuid:b,uuid:b/pekerja[1]\ndibayar,uuid:b,uuid:b/pekerja[2]\n",
            ),
            (
                "prokus_monitoring-setoran.csv",
                "jumlah,PARENT_KEY,KEY\n75000,uuid:b/pekerja[1],uuid:b/pekerja[1]/setoran[1]\n",
            ),
        ];
        for (name, text) in files {
            zip.start_file(name, zip::write::SimpleFileOptions::default())
                .unwrap();
            zip.write_all(text.as_bytes()).unwrap();
        }
        zip.finish().unwrap();
        let s = db.ingest(&path, &repeat_mapping()).unwrap();
        assert_eq!(
            (
                s.format.as_str(),
                s.rows_read,
                s.rows_loaded,
                s.orphan_repeat_rows
            ),
            ("odk-zip", 2, 2, 1)
        );
        assert_eq!(
            repeat_values(&db),
            [
                ("K1".to_string(), Some(2), Some(1), Some(0.0)),
                ("K2".to_string(), Some(1), Some(2), Some(75_000.0))
            ]
        );
        assert_eq!(orphan_rows(&db)[0].1, "sesi_pendampingan/PARENT_KEY");
        // A repeat field the file cannot give, when required, stops the file.
        let mut m = repeat_mapping();
        m.fields.get_mut("paid_workers").unwrap().required = true;
        m.fields.get_mut("paid_workers").unwrap().repeat = Some("karyawan".into());
        let csv = file(
            &dir,
            "plain.csv",
            "_uuid,_submission_time,identitas/kpm_id,identitas/putaran\nz1,2021-09-10,K1,endline\n",
        );
        let err = db.ingest(&csv, &m).unwrap_err().to_string();
        assert!(
            err.contains("plain.csv") && err.contains("repeat group `karyawan`"),
            "{err}"
        );
    }
}
