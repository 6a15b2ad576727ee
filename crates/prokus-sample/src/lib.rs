//! A synthetic ProKUS program written as the files the M&E team really receives.
//!
//! [`write_sample`] draws a program from a [`SampleConfig`] (size and seed) and
//! writes, into one folder: the monitoring form as an XLSForm, its mapping, the
//! incubator list, the KPM register, and the survey data as two KoboToolbox
//! exports — a `;`-separated CSV downloaded mid-programme (baseline to the
//! second monitoring round) and a cumulative XLSX downloaded after the endline,
//! which overlaps the first as real Kobo exports do. About 2% of the records are
//! messy the way field data is (duplicate submissions, `Rp 1.500.000`-style
//! numbers, unknown region codes, empty required answers, Excel-damaged NIKs).
//!
//! The same seed writes the same bytes; the writer streams, so a million
//! submissions need little memory.

pub mod feedback;
pub mod form;
pub mod program;

use std::collections::HashMap;
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use chrono::NaiveDateTime;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use program::{Answers, CATEGORIES, CLUSTERS, Household, WAVES};

/// What to draw.
#[derive(Debug, Clone)]
pub struct SampleConfig {
    /// Number of households (ProKUS and comparison together).
    pub households: usize,
    /// Seed of the random draws.
    pub seed: u64,
    /// Share of households in the comparison group.
    pub comparison_share: f64,
    /// Scale of the messy records (1.0 = about 2% of records).
    pub messiness: f64,
    /// Spread the KPM over every regency of the country (with synthetic
    /// incubators where the 27 have none), as a national scale-up would:
    /// for benchmarks of the report batch.
    pub nationwide: bool,
}

impl Default for SampleConfig {
    fn default() -> Self {
        SampleConfig {
            households: 1000,
            seed: 2021,
            comparison_share: 0.2,
            messiness: 1.0,
            nationwide: false,
        }
    }
}

/// What was written.
#[derive(Debug, Clone, Default)]
pub struct SampleSummary {
    /// Files written, in the order to ingest them.
    pub files: Vec<PathBuf>,
    /// Households in the register.
    pub households: usize,
    /// Survey submissions written (duplicates included).
    pub submissions: usize,
    /// Records made messy on purpose.
    pub messy_records: usize,
}

/// Why a sample could not be written.
#[derive(Debug, thiserror::Error)]
pub enum SampleError {
    /// Writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Writing a CSV failed.
    #[error("{path}: {source}")]
    Csv {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: csv::Error,
    },
    /// Writing a workbook failed.
    #[error("{path}: {source}")]
    Xlsx {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: rust_xlsxwriter::XlsxError,
    },
}

/// The sample programme's targets: its 2021 cohort's.
pub const TARGETS_TOML: &str = include_str!("../../../sample-data/targets.toml");
/// The sample programme's survey calendar, whose windows the generated
/// submissions fall in.
pub const SCHEDULE_TOML: &str = include_str!("../../../sample-data/schedule.toml");

/// The first export is downloaded on this day (end of Triwulan II 2021).
const FIRST_EXPORT: &str = "2021-06-30";
/// The cumulative export, after the endline.
const SECOND_EXPORT: &str = "2021-10-15";
/// Above this many submissions the cumulative export is written as CSV: a
/// workbook of a million rows is at Excel's limit and slow to open.
const XLSX_MAX_ROWS: usize = 100_000;

/// Draws the program and writes its files into `out`.
pub fn write_sample(config: &SampleConfig, out: &Path) -> Result<SampleSummary, SampleError> {
    std::fs::create_dir_all(out).map_err(|source| SampleError::Io {
        path: out.to_path_buf(),
        source,
    })?;
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    let mut summary = SampleSummary {
        households: config.households,
        ..Default::default()
    };
    let wilayah = prokus_ingest::wilayah::Wilayah::embedded();
    let mut districts: HashMap<String, Vec<String>> = HashMap::new();
    for d in wilayah.all(prokus_ingest::wilayah::Level::District) {
        districts
            .entry(d.parent.clone())
            .or_default()
            .push(d.code.clone());
    }

    let path = out.join("prokus-monitoring-form.xlsx");
    let bytes = form::xlsform_bytes().map_err(|source| SampleError::Xlsx {
        path: path.clone(),
        source,
    })?;
    write_bytes(&path, &bytes)?;
    let path = out.join("prokus-monitoring.mapping.toml");
    write_bytes(
        &path,
        prokus_ingest::mapping::PROKUS_MAPPING_TOML.as_bytes(),
    )?;

    let mut incubators = program::incubators(&mut rng);
    if config.nationwide {
        incubators = program::nationwide(incubators, &wilayah, &mut rng);
    }
    let path = out.join("incubators.csv");
    let mut w = csv_writer(&path, b',', false)?;
    let csv_err = |source| SampleError::Csv {
        path: out.join("incubators.csv"),
        source,
    };
    w.write_record(prokus_ingest::INCUBATOR_COLUMNS)
        .map_err(csv_err)?;
    for inc in &incubators {
        w.write_record([
            inc.id.as_str(),
            inc.name.as_str(),
            inc.university.as_str(),
            inc.province.as_str(),
        ])
        .map_err(csv_err)?;
    }
    w.flush().map_err(|source| SampleError::Io {
        path: path.clone(),
        source,
    })?;
    summary.files.push(path);

    let households: Vec<Household> = (1..=config.households)
        .map(|i| {
            program::household(
                &mut rng,
                i,
                &incubators,
                &districts,
                config.comparison_share,
            )
        })
        .collect();
    let path = out.join("kpm_register.csv");
    summary.messy_records += write_register(&path, &households, &incubators, config, &mut rng)?;
    summary.files.push(path);

    let (files, submissions, messy) =
        write_exports(out, &households, &incubators, config, &mut rng)?;
    summary.files.extend(files);
    summary.submissions = submissions;
    summary.messy_records += messy;
    // What the incubators and some social offices wrote for the quarters,
    // from a stream of its own: every other file stays as the seed wrote it.
    let path = out.join("feedback.csv");
    feedback::write_feedback(&path, &households, &incubators, config.seed)?;
    summary.files.push(path);
    let path = out.join("prokus-feedback-form.xlsx");
    let bytes = feedback::xlsform_bytes().map_err(|source| SampleError::Xlsx {
        path: path.clone(),
        source,
    })?;
    write_bytes(&path, &bytes)?;
    // The sample programme's own settings, loaded with its data like any
    // programme's (`prokus ingest targets.toml schedule.toml`).
    for (name, text) in [
        ("targets.toml", TARGETS_TOML),
        ("schedule.toml", SCHEDULE_TOML),
    ] {
        let path = out.join(name);
        write_bytes(&path, text.as_bytes())?;
        summary.files.push(path);
    }
    Ok(summary)
}

fn write_bytes(path: &Path, bytes: &[u8]) -> Result<(), SampleError> {
    std::fs::write(path, bytes).map_err(|source| SampleError::Io {
        path: path.to_path_buf(),
        source,
    })
}

pub(crate) fn csv_writer(
    path: &Path,
    delimiter: u8,
    kobo: bool,
) -> Result<csv::Writer<BufWriter<File>>, SampleError> {
    let file = File::create(path).map_err(|source| SampleError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut builder = csv::WriterBuilder::new();
    builder.delimiter(delimiter);
    if kobo {
        builder
            .quote_style(csv::QuoteStyle::Always)
            .terminator(csv::Terminator::CRLF);
    }
    Ok(builder.from_writer(BufWriter::with_capacity(1 << 20, file)))
}

fn write_register(
    path: &Path,
    households: &[Household],
    incubators: &[program::Incubator],
    config: &SampleConfig,
    rng: &mut ChaCha8Rng,
) -> Result<usize, SampleError> {
    let mut w = csv_writer(path, b',', false)?;
    let err = |source| SampleError::Csv {
        path: path.to_path_buf(),
        source,
    };
    w.write_record(prokus_ingest::REGISTER_COLUMNS)
        .map_err(err)?;
    let mut messy = 0;
    for h in households {
        let prokus = h.arm == "prokus";
        let inc = &incubators[h.incubator];
        let mut nik = h.nik.clone();
        let mut regency = h.regency.clone();
        let mut cluster = CLUSTERS[h.cluster].0.to_string();
        if rng.random_bool((0.004 * config.messiness).min(1.0)) {
            messy += 1;
            // A regency code typed wrong, or a name misspelt beyond recognition.
            regency = if rng.random_bool(0.5) {
                format!("{}.9{}", inc.province, rng.random_range(0..10))
            } else {
                "Kab. Bandung Baratt".into()
            };
        } else if rng.random_bool((0.003 * config.messiness).min(1.0)) {
            messy += 1;
            // The NIK went through an Excel number cell.
            nik = format!("{:.5E}", nik.parse::<f64>().unwrap_or(0.0)).replace('E', "E+");
        } else if rng.random_bool(0.05) {
            // Spellings that are valid but vary between incubators' sheets.
            cluster = match h.cluster {
                0 => "Kuliner".into(),
                2 => "Kriya Tekstil/Fesyen".into(),
                _ => cluster.to_uppercase(),
            };
            regency = regency.replace('.', "");
        }
        let cohort = "2021".to_string();
        let grant = if prokus { "3500000" } else { "" };
        let grant_date = h
            .grant_date
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default();
        // Two in five ProKUS households agree that their story be told,
        // drawn from the KPM id so that the random stream stays as it was.
        let consent = match (prokus, program::consents(h)) {
            (false, _) => "",
            (true, true) => "ya",
            (true, false) => "tidak",
        };
        w.write_record([
            h.kpm_id.as_str(),
            nik.as_str(),
            h.name.as_str(),
            h.gender,
            h.business_name.as_str(),
            h.arm,
            cohort.as_str(),
            if prokus { inc.id.as_str() } else { "" },
            h.mentor.as_str(),
            h.tksk.as_str(),
            cluster.as_str(),
            CATEGORIES[h.category].0,
            &inc.province,
            regency.as_str(),
            h.district.as_str(),
            grant,
            grant_date.as_str(),
            consent,
        ])
        .map_err(err)?;
    }
    w.flush().map_err(|source| SampleError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(messy)
}

/// Kobo's metadata columns, after the questions.
const META: &[&str] = &[
    "_id",
    "_uuid",
    "_submission_time",
    "_validation_status",
    "_notes",
    "_status",
    "_submitted_by",
    "__version__",
    "_tags",
    "_index",
];

/// Where the rows of the two exports go.
enum Sink {
    Csv(Box<csv::Writer<BufWriter<File>>>),
    Xlsx(Vec<Vec<Cell>>),
}

/// A cell of the XLSX export: Kobo's "types as numbers" writes numbers as numbers.
enum Cell {
    Text(String),
    Number(f64),
}

fn write_exports(
    out: &Path,
    households: &[Household],
    incubators: &[program::Incubator],
    config: &SampleConfig,
    rng: &mut ChaCha8Rng,
) -> Result<(Vec<PathBuf>, usize, usize), SampleError> {
    let questions = form::export_columns();
    let header: Vec<String> = questions
        .iter()
        .cloned()
        .chain(META.iter().map(|s| s.to_string()))
        .collect();
    let index: HashMap<&str, usize> = header
        .iter()
        .enumerate()
        .map(|(i, h)| (h.as_str(), i))
        .collect();
    let cutoff =
        NaiveDateTime::parse_from_str(&format!("{FIRST_EXPORT} 23:59:59"), "%Y-%m-%d %H:%M:%S")
            .unwrap_or_default();

    let first_path = out.join(format!("prokus_monitoring_{FIRST_EXPORT}.csv"));
    let mut first = csv_writer(&first_path, b';', true)?;
    first
        .write_record(&header)
        .map_err(|source| SampleError::Csv {
            path: first_path.clone(),
            source,
        })?;
    let expected_rows = households.len() * WAVES.len();
    let second_path = out.join(format!(
        "prokus_monitoring_{SECOND_EXPORT}.{}",
        if expected_rows > XLSX_MAX_ROWS {
            "csv"
        } else {
            "xlsx"
        }
    ));
    let mut second = if expected_rows > XLSX_MAX_ROWS {
        let mut w = csv_writer(&second_path, b';', true)?;
        w.write_record(&header).map_err(|source| SampleError::Csv {
            path: second_path.clone(),
            source,
        })?;
        Sink::Csv(Box::new(w))
    } else {
        Sink::Xlsx(Vec::new())
    };

    let (mut submissions, mut messy, mut next_id, mut first_index, mut second_index) =
        (0usize, 0usize, 41_000_000u64, 0u64, 0u64);
    let chance = |p: f64| (p * config.messiness).min(1.0);
    let mut late: Vec<(Vec<String>, Vec<Option<f64>>)> = Vec::new();
    for w in 0..WAVES.len() {
        let n = households.len().max(1) as f64;
        for (i, h) in households.iter().enumerate() {
            if !program::responds(h, w, rng) {
                continue;
            }
            let offset = program::utc_offset(&incubators[h.incubator].province);
            let a = program::answers(h, w, i as f64 / n, offset, rng);
            let uuid = uuid_string(rng);
            let (mut row, numbers) = kobo_row(&header, &index, h, &a, offset);
            let mut copies = 1;
            if rng.random_bool(chance(0.008)) {
                messy += 1;
                let col = ["usaha/laba_bersih", "usaha/omzet", "keuangan/pendapatan_rt"]
                    [rng.random_range(0..3)];
                if let Some(v) = numbers[index[col]] {
                    row[index[col]] = rupiah_as_typed(v, rng);
                }
            }
            if rng.random_bool(chance(0.002)) {
                messy += 1;
                row[index["identitas/kpm_id"]] = String::new();
            } else if rng.random_bool(chance(0.001)) {
                messy += 1;
                row[index["usaha/pekerja_keluarga"]] = "dua".into();
            } else if rng.random_bool(chance(0.002)) {
                messy += 1;
                row[index["identitas/kpm_id"]] = format!(" {} ", h.kpm_id.replace('-', "- "));
            }
            if rng.random_bool(chance(0.008)) {
                messy += 1;
                copies = 2;
            }
            let mut numbers = numbers;
            if row[index["identitas/kpm_id"]].trim() != h.kpm_id {
                numbers[index["identitas/kpm_id"]] = None;
            }
            for _ in 0..copies {
                next_id += 1;
                submissions += 1;
                row[index["_id"]] = next_id.to_string();
                row[index["_uuid"]] = uuid.clone();
                emit(
                    &mut first,
                    &first_path,
                    &mut second,
                    &second_path,
                    &mut row,
                    &numbers,
                    &index,
                    a.submitted <= cutoff,
                    &mut first_index,
                    &mut second_index,
                )?;
            }
            if rng.random_bool(chance(0.003)) {
                // Sent again a day later with the income corrected: a new submission
                // for the same KPM and wave, which supersedes the first.
                messy += 1;
                let mut again = row.clone();
                again[index["_uuid"]] = uuid_string(rng);
                let later = a.submitted + chrono::Duration::days(1);
                again[index["_submission_time"]] = later.format("%Y-%m-%dT%H:%M:%S").to_string();
                if let Some(v) = numbers[index["usaha/laba_bersih"]] {
                    again[index["usaha/laba_bersih"]] =
                        format!("{}", (v * 1.1 / 10_000.0).round() * 10_000.0);
                }
                late.push((again, numbers.clone()));
            }
        }
        for (mut again, numbers) in late.drain(..) {
            next_id += 1;
            submissions += 1;
            again[index["_id"]] = next_id.to_string();
            let before_cutoff = again[index["_submission_time"]].as_str() <= "2021-06-30T23:59:59";
            emit(
                &mut first,
                &first_path,
                &mut second,
                &second_path,
                &mut again,
                &numbers,
                &index,
                before_cutoff,
                &mut first_index,
                &mut second_index,
            )?;
        }
    }
    first.flush().map_err(|source| SampleError::Io {
        path: first_path.clone(),
        source,
    })?;
    match second {
        Sink::Csv(mut w) => w.flush().map_err(|source| SampleError::Io {
            path: second_path.clone(),
            source,
        })?,
        Sink::Xlsx(rows) => write_kobo_xlsx(&second_path, &header, &rows)?,
    }
    Ok((vec![first_path, second_path], submissions, messy))
}

#[allow(clippy::too_many_arguments)]
fn emit(
    first: &mut csv::Writer<BufWriter<File>>,
    first_path: &Path,
    second: &mut Sink,
    second_path: &Path,
    row: &mut [String],
    numbers: &[Option<f64>],
    index: &HashMap<&str, usize>,
    in_first: bool,
    first_index: &mut u64,
    second_index: &mut u64,
) -> Result<(), SampleError> {
    if in_first {
        *first_index += 1;
        row[index["_index"]] = first_index.to_string();
        first
            .write_record(&*row)
            .map_err(|source| SampleError::Csv {
                path: first_path.to_path_buf(),
                source,
            })?;
    }
    *second_index += 1;
    row[index["_index"]] = second_index.to_string();
    match second {
        Sink::Csv(w) => w.write_record(&*row).map_err(|source| SampleError::Csv {
            path: second_path.to_path_buf(),
            source,
        })?,
        Sink::Xlsx(rows) => rows.push(
            row.iter()
                .zip(numbers)
                .map(|(text, number)| match number {
                    Some(v) if text.parse::<f64>().is_ok() => Cell::Number(*v),
                    _ => Cell::Text(text.clone()),
                })
                .collect(),
        ),
    }
    Ok(())
}

fn write_kobo_xlsx(path: &Path, header: &[String], rows: &[Vec<Cell>]) -> Result<(), SampleError> {
    let err = |source| SampleError::Xlsx {
        path: path.to_path_buf(),
        source,
    };
    let mut workbook = rust_xlsxwriter::Workbook::new();
    workbook.set_properties(&form::fixed_properties("Monitoring ProKUS"));
    let sheet = workbook
        .add_worksheet()
        .set_name("Monitoring ProKUS")
        .map_err(err)?;
    for (c, h) in header.iter().enumerate() {
        sheet.write_string(0, c as u16, h).map_err(err)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (r as u32 + 1, c as u16);
            match cell {
                Cell::Text(t) if t.is_empty() => {}
                Cell::Text(t) => {
                    sheet.write_string(r, c, t).map_err(err)?;
                }
                Cell::Number(v) => {
                    sheet.write_number(r, c, *v).map_err(err)?;
                }
            }
        }
    }
    let bytes = workbook.save_to_buffer().map_err(err)?;
    write_bytes(path, &bytes)
}

/// A Kobo export row for one submission (metadata ids left for the caller),
/// with the numeric value of each numeric cell for the XLSX export.
fn kobo_row(
    header: &[String],
    index: &HashMap<&str, usize>,
    h: &Household,
    a: &Answers,
    offset: i64,
) -> (Vec<String>, Vec<Option<f64>>) {
    let mut row = vec![String::new(); header.len()];
    let mut numbers = vec![None; header.len()];
    let mut set = |col: &str, value: String| {
        if let Some(&i) = index.get(col) {
            row[i] = value;
        }
    };
    let yn = |b: bool| if b { "ya" } else { "tidak" }.to_string();
    let time = |t: NaiveDateTime| format!("{}.000+{offset:02}:00", t.format("%Y-%m-%dT%H:%M:%S"));
    set("start", time(a.start));
    set("end", time(a.end));
    set("identitas/kpm_id", h.kpm_id.clone());
    set("identitas/putaran", WAVES[a.wave].0.to_string());
    set("identitas/nama_usaha", h.business_name.clone());
    set("usaha/masih_berjalan", yn(a.operating));
    if a.operating {
        set("usaha/omzet", money(a.revenue));
        set("usaha/laba_bersih", money(a.income));
        set("usaha/perubahan_produk", a.changes.join(" "));
        for choice in form::choices("perubahan") {
            set(
                &format!("usaha/perubahan_produk/{choice}"),
                if a.changes.contains(&choice) {
                    "1"
                } else {
                    "0"
                }
                .into(),
            );
        }
        set("usaha/jual_online", yn(a.online.unwrap_or(false)));
        set("usaha/pekerja_dibayar", a.paid.unwrap_or(0).to_string());
        set("usaha/pekerja_keluarga", a.family.unwrap_or(0).to_string());
    }
    set("usaha/punya_nib", yn(a.nib));
    set("keuangan/pendapatan_rt", money(Some(a.household_income)));
    set("keuangan/menabung", yn(a.saves));
    if let Some(f) = a.frequency {
        set("keuangan/frekuensi_menabung", f.into());
    }
    if a.savings.is_some() {
        set("keuangan/jumlah_tabungan", money(a.savings));
    }
    set("keuangan/pembukuan", yn(a.books));
    set("keuangan/pisah_uang", yn(a.separates));
    set("keuangan/rencana_usaha", yn(a.plan));
    set("keuangan/dapat_kredit", yn(a.credit));
    if let Some(s) = a.credit_source {
        set("keuangan/sumber_kredit", s.into());
    }
    set("pendampingan/sesi_mentoring", a.mentoring.to_string());
    set("pendampingan/kunjungan_tksk", a.tksk_visits.to_string());
    for (k, v) in a.attitude.iter().enumerate() {
        set(&format!("sikap/s{}", k + 1), v.to_string());
    }
    set(
        "_submission_time",
        a.submitted.format("%Y-%m-%dT%H:%M:%S").to_string(),
    );
    set("_status", "submitted_via_web".into());
    set(
        "_submitted_by",
        format!("enum_{}", h.regency.replace('.', "")),
    );
    set("__version__", "vQ8zd2Xh3pKcN4mFmT7rRk".into());
    for (i, text) in row.iter().enumerate() {
        let is_count = header[i].starts_with("sikap/")
            || header[i].ends_with("/sesi_mentoring")
            || header[i].ends_with("/kunjungan_tksk")
            || header[i].contains("pekerja_");
        let is_money = ["omzet", "laba_bersih", "pendapatan_rt", "jumlah_tabungan"]
            .iter()
            .any(|m| header[i].ends_with(m));
        let is_split = header[i].starts_with("usaha/perubahan_produk/");
        if (is_count || is_money || is_split) && !text.is_empty() {
            numbers[i] = text.parse().ok();
        }
    }
    (row, numbers)
}

fn money(v: Option<f64>) -> String {
    v.map(|v| format!("{}", v.round() as i64))
        .unwrap_or_default()
}

/// An amount as people type it into a sheet: `Rp 1.500.000`, `1,5 jt`, `750 rb`.
fn rupiah_as_typed(v: f64, rng: &mut ChaCha8Rng) -> String {
    let whole = v.round() as i64;
    let grouped = {
        let digits = whole.to_string();
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push('.');
            }
            out.push(c);
        }
        out
    };
    match rng.random_range(0..4) {
        0 => format!("Rp {grouped}"),
        1 => format!("Rp{grouped},-"),
        2 if whole % 100_000 == 0 && whole >= 1_000_000 => {
            format!("{} jt", (whole as f64 / 1e6).to_string().replace('.', ","))
        }
        _ if whole % 1_000 == 0 && whole < 1_000_000 => format!("{} rb", whole / 1000),
        _ => grouped,
    }
}

fn uuid_string(rng: &mut ChaCha8Rng) -> String {
    let mut b: [u8; 16] = rng.random();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_sample_is_what_the_default_seed_writes() {
        let dir = tempfile::tempdir().unwrap();
        let summary = write_sample(&SampleConfig::default(), dir.path()).unwrap();
        let bundled = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../sample-data");
        for file in &summary.files {
            let name = file.file_name().unwrap();
            let committed = std::fs::read(bundled.join(name)).unwrap_or_else(|e| {
                panic!("sample-data/{name:?}: {e}; regenerate with `prokus sample`")
            });
            assert!(
                std::fs::read(file).unwrap() == committed,
                "sample-data/{name:?} differs from what seed 2021 writes; regenerate with `prokus sample --out sample-data`"
            );
        }
    }

    #[test]
    fn the_program_has_the_shape_of_prokus() {
        let dir = tempfile::tempdir().unwrap();
        let config = SampleConfig {
            households: 3000,
            seed: 9,
            ..Default::default()
        };
        let summary = write_sample(&config, dir.path()).unwrap();
        let register: Vec<csv::StringRecord> =
            csv::Reader::from_path(dir.path().join("kpm_register.csv"))
                .unwrap()
                .records()
                .map(Result::unwrap)
                .collect();
        assert_eq!(register.len(), 3000);
        let comparison = register.iter().filter(|r| &r[5] == "comparison").count() as f64 / 3000.0;
        assert!((0.17..0.23).contains(&comparison), "{comparison}");
        assert!(
            register
                .iter()
                .filter(|r| &r[5] == "prokus")
                .all(|r| &r[15] == "3500000"),
            "every ProKUS KPM has the Rp 3.500.000 grant"
        );
        let incubators: std::collections::BTreeSet<&str> = register
            .iter()
            .map(|r| &r[7])
            .filter(|s| !s.is_empty())
            .collect();
        assert_eq!(incubators.len(), 27);
        let provinces: std::collections::BTreeSet<&str> = register.iter().map(|r| &r[12]).collect();
        assert_eq!(provinces.len(), 11);
        let messy = summary.messy_records as f64 / (summary.submissions + 3000) as f64;
        assert!((0.01..0.04).contains(&messy), "about 2% messy: {messy}");
        // The comparison group is surveyed at baseline and endline only; ProKUS KPM drop out over the waves.
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(b';')
            .from_path(&summary.files[2])
            .unwrap();
        let header = reader.headers().unwrap().clone();
        let wave = header
            .iter()
            .position(|h| h == "identitas/putaran")
            .unwrap();
        let waves: Vec<String> = reader
            .records()
            .map(|r| r.unwrap()[wave].to_string())
            .collect();
        let count = |w: &str| waves.iter().filter(|x| *x == w).count();
        assert!(
            count("baseline") > count("monitoring_2") && count("monitoring_2") > 0,
            "attrition"
        );
        assert_eq!(
            count("endline"),
            0,
            "the mid-programme export stops before the endline"
        );
    }

    #[test]
    fn kobo_csv_looks_like_kobo() {
        let dir = tempfile::tempdir().unwrap();
        let summary = write_sample(
            &SampleConfig {
                households: 50,
                ..Default::default()
            },
            dir.path(),
        )
        .unwrap();
        let text = std::fs::read_to_string(&summary.files[2]).unwrap();
        let header = text.lines().next().unwrap();
        assert!(
            header.starts_with("\"start\";\"end\";\"identitas/kpm_id\""),
            "{header}"
        );
        assert!(header.ends_with("\"_tags\";\"_index\"\r") || text.contains("\"_index\"\r\n"));
        assert!(text.contains("\"usaha/perubahan_produk/kemasan\""));
        let second = text.lines().nth(1).unwrap();
        assert!(
            second
                .split(';')
                .all(|f| f.starts_with('"') && f.trim_end_matches('\r').ends_with('"')),
            "every field quoted: {second}"
        );
    }
}
