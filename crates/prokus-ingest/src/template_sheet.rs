//! The canonical template as a workbook for an incubator to fill
//! (`prokus template`): one sheet of data under the template's own column
//! names, each answer column with a drop-down list or a number rule, the
//! code columns kept as text (so that the spreadsheet does not turn 32.10
//! into 32.1), and a sheet of instructions in Bahasa Indonesia. Given an
//! incubator's KPM, it has a row for each, its identity filled in: the
//! mentor fills the answers. No NIK is written.

use rust_xlsxwriter::{DataValidation, Format, FormatAlign, Workbook, XlsxError};

use crate::IngestError;
use crate::db::Database;
use crate::mapping::WAVES;

/// How a column's cells are checked while they are typed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Rule {
    /// Free text, kept as text (an id, a code, a name).
    Text,
    /// One of the survey rounds.
    Wave,
    /// A date.
    Date,
    /// `ya` or `tidak`.
    YesNo,
    /// Rupiah per month, a whole number from 0.
    Money,
    /// A whole number from 0.
    Count,
    /// How often the KPM saves.
    Frequency,
    /// Where the credit came from.
    Credit,
    /// 1 to 5.
    Likert,
}

/// The sheet's columns: the template's name, what it asks (Indonesian) and
/// its rule. The names are the template's own, so the filled sheet loads as
/// it is.
const COLUMNS: &[(&str, &str, Rule)] = &[
    ("kpm_id", "ID KPM, seperti di register (wajib)", Rule::Text),
    ("wave", "Putaran survei (wajib)", Rule::Wave),
    (
        "submitted_at",
        "Tanggal wawancara, misalnya 31/03/2022. Tanpa tanggal, jawaban dihitung pada \
         putarannya tetapi tidak pada laporan triwulan",
        Rule::Date,
    ),
    ("kpm_name", "Nama KPM", Rule::Text),
    ("business_name", "Nama usaha", Rule::Text),
    ("incubator_id", "ID inkubator", Rule::Text),
    (
        "regency_code",
        "Kode kabupaten/kota, misalnya 32.17",
        Rule::Text,
    ),
    ("business_operating", "Usaha masih berjalan?", Rule::YesNo),
    (
        "business_revenue",
        "Omzet usaha per bulan (Rp)",
        Rule::Money,
    ),
    (
        "business_income",
        "Pendapatan bersih usaha per bulan (Rp)",
        Rule::Money,
    ),
    (
        "household_income",
        "Pendapatan rumah tangga per bulan (Rp)",
        Rule::Money,
    ),
    ("saves", "Menabung?", Rule::YesNo),
    (
        "save_frequency",
        "Seberapa sering menabung",
        Rule::Frequency,
    ),
    (
        "savings_amount",
        "Jumlah tabungan per bulan (Rp)",
        Rule::Money,
    ),
    ("keeps_books", "Melakukan pembukuan usaha?", Rule::YesNo),
    (
        "separates_money",
        "Memisahkan uang usaha dan rumah tangga?",
        Rule::YesNo,
    ),
    (
        "has_business_plan",
        "Memiliki rencana usaha tertulis?",
        Rule::YesNo,
    ),
    ("paid_workers", "Jumlah pekerja yang dibayar", Rule::Count),
    (
        "family_workers",
        "Jumlah pekerja dari keluarga",
        Rule::Count,
    ),
    (
        "has_nib",
        "Memiliki NIB (Nomor Induk Berusaha)?",
        Rule::YesNo,
    ),
    (
        "got_credit",
        "Mendapat kredit usaha sejak putaran sebelumnya?",
        Rule::YesNo,
    ),
    ("credit_source", "Sumber kredit", Rule::Credit),
    ("sells_online", "Menjual secara online?", Rule::YesNo),
    (
        "product_changes",
        "Perubahan produk: kemasan, merek, produk_baru, kualitas (dipisah spasi; kosong bila tidak ada)",
        Rule::Text,
    ),
    (
        "attitude_1",
        "Sikap kewirausahaan, butir 1 (1 sangat tidak setuju – 5 sangat setuju)",
        Rule::Likert,
    ),
    (
        "attitude_2",
        "Sikap kewirausahaan, butir 2 (1–5)",
        Rule::Likert,
    ),
    (
        "attitude_3",
        "Sikap kewirausahaan, butir 3 (1–5)",
        Rule::Likert,
    ),
    (
        "attitude_4",
        "Sikap kewirausahaan, butir 4 (1–5)",
        Rule::Likert,
    ),
    (
        "attitude_5",
        "Sikap kewirausahaan, butir 5 (1–5)",
        Rule::Likert,
    ),
    (
        "mentoring_sessions",
        "Sesi pendampingan yang dihadiri bulan ini",
        Rule::Count,
    ),
    ("tksk_visits", "Kunjungan TKSK bulan ini", Rule::Count),
];

/// The survey rounds as a mentor names them, in the order of
/// [`WAVES`] (the template reads each as its round).
const WAVE_LABELS: &[&str] = &[
    "Survei awal",
    "Monitoring 1",
    "Monitoring 2",
    "Monitoring 3",
    "Survei akhir",
    "Tindak lanjut",
];
/// How often the KPM saves, as the template's choices name it.
const FREQUENCIES: &[&str] = &["harian", "mingguan", "bulanan", "jarang"];
/// Where the credit came from, as the template reads it.
const CREDIT_SOURCES: &[&str] = &["KUR", "Bank lain", "Koperasi", "PNM Mekaar", "Lainnya"];

/// The label of round `wave` (a name of [`WAVES`]), or `wave` itself.
fn wave_label(wave: &str) -> &str {
    WAVES
        .iter()
        .position(|w| *w == wave)
        .and_then(|i| WAVE_LABELS.get(i))
        .copied()
        .unwrap_or(wave)
}

/// How many rows below the filled ones get the drop-downs and rules.
const EMPTY_ROWS: u32 = 500;

/// A KPM of the incubator the sheet is for, as the register holds it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TemplateKpm {
    /// The KPM's id.
    pub kpm_id: String,
    /// Its name.
    pub kpm_name: String,
    /// Its business's name.
    pub business_name: String,
    /// Its incubator.
    pub incubator_id: String,
    /// Its regency's code (`32.17`).
    pub regency_code: String,
}

/// The ProKUS KPM of incubator `id` (as written, case aside) that the
/// register of `db` holds, by id; none when it has none.
pub fn incubator_kpm(db: &Database, id: &str) -> Result<Vec<TemplateKpm>, IngestError> {
    let mut stmt = db.conn.prepare(
        "SELECT kpm_id, coalesce(kpm_name, ''), coalesce(business_name, ''), incubator_id,
                regency_code
         FROM kpm
         WHERE upper(incubator_id) = upper(trim(?)) AND arm = 'prokus'
         ORDER BY kpm_id",
    )?;
    let rows = stmt.query_map([id], |r| {
        Ok(TemplateKpm {
            kpm_id: r.get(0)?,
            kpm_name: r.get(1)?,
            business_name: r.get(2)?,
            incubator_id: r.get(3)?,
            regency_code: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The incubators with ProKUS KPM in the register of `db`, by id: those an
/// incubator without any is told of.
pub fn incubators_with_kpm(db: &Database) -> Result<Vec<String>, IngestError> {
    let mut stmt = db.conn.prepare(
        "SELECT DISTINCT incubator_id FROM kpm
         WHERE arm = 'prokus' AND incubator_id IS NOT NULL ORDER BY 1",
    )?;
    let ids = stmt.query_map([], |r| r.get(0))?;
    Ok(ids.collect::<Result<_, _>>()?)
}

/// The workbook: a row for each of `kpm` (none for a blank template), with
/// `wave` filled in when given.
pub fn template_workbook(kpm: &[TemplateKpm], wave: Option<&str>) -> Result<Vec<u8>, IngestError> {
    build(kpm, wave).map_err(|e| IngestError::Internal(format!("the template workbook: {e}")))
}

fn build(kpm: &[TemplateKpm], wave: Option<&str>) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let header = Format::new().set_bold().set_background_color("#DDEBF7");
    let text = Format::new().set_num_format("@");
    let money = Format::new().set_num_format("#,##0");
    let date = Format::new().set_num_format("dd/mm/yyyy");
    let last = kpm.len() as u32 + EMPTY_ROWS;
    let sheet = book.add_worksheet().set_name("Data")?;
    for (c, (name, _, rule)) in COLUMNS.iter().enumerate() {
        let c = c as u16;
        sheet.write_string_with_format(0, c, *name, &header)?;
        let width = name.len().max(12) as f64 + 2.0;
        match rule {
            Rule::Text | Rule::Wave | Rule::YesNo | Rule::Frequency | Rule::Credit => {
                sheet.set_column_format(c, &text)?;
            }
            Rule::Money => {
                sheet.set_column_format(c, &money)?;
            }
            Rule::Date => {
                sheet.set_column_format(c, &date)?;
            }
            Rule::Count | Rule::Likert => {}
        }
        sheet.set_column_width(c, width)?;
        if let Some(rule) = validation(*rule)? {
            sheet.add_data_validation(1, c, last, c, &rule)?;
        }
    }
    for (r, k) in kpm.iter().enumerate() {
        let r = r as u32 + 1;
        for (name, value) in [
            ("kpm_id", k.kpm_id.as_str()),
            ("wave", wave.map_or("", wave_label)),
            ("kpm_name", k.kpm_name.as_str()),
            ("business_name", k.business_name.as_str()),
            ("incubator_id", k.incubator_id.as_str()),
            ("regency_code", k.regency_code.as_str()),
        ] {
            if value.is_empty() {
                continue;
            }
            let c = COLUMNS.iter().position(|(n, _, _)| *n == name).unwrap_or(0) as u16;
            // A name from the register is text, never a formula.
            sheet.write_string_with_format(r, c, crate::privacy::xlsx_cell(value), &text)?;
        }
    }
    sheet.set_freeze_panes(1, 1)?;

    let notes = book.add_worksheet().set_name("Petunjuk")?;
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    notes.set_column_width(0, 22)?;
    notes.set_column_width(1, 70)?;
    notes.set_column_width(2, 50)?;
    notes.write_string_with_format(
        0,
        0,
        "Lembar monitoring ProKUS: satu baris per KPM per putaran survei.",
        &Format::new().set_bold(),
    )?;
    notes.write_string(
        1,
        0,
        "Isi lembar Data. Jangan ubah nama kolom di baris pertama; kolom boleh dikosongkan bila \
         tidak ditanyakan. Kirim berkas ini (atau simpan sebagai CSV) ke tim M&E.",
    )?;
    for (c, title) in ["Kolom", "Isinya", "Nilai"].iter().enumerate() {
        notes.write_string_with_format(3, c as u16, *title, &header)?;
    }
    for (r, (name, meaning, rule)) in COLUMNS.iter().enumerate() {
        let r = r as u32 + 4;
        notes.write_string_with_format(r, 0, *name, &wrap)?;
        notes.write_string_with_format(r, 1, *meaning, &wrap)?;
        notes.write_string_with_format(r, 2, values(*rule), &wrap)?;
    }
    book.save_to_buffer()
}

/// The drop-down list or number rule of `rule`, if any.
fn validation(rule: Rule) -> Result<Option<DataValidation>, XlsxError> {
    use rust_xlsxwriter::DataValidationRule as R;
    let list = |items: &[&str]| -> Result<Option<DataValidation>, XlsxError> {
        Ok(Some(
            DataValidation::new()
                .allow_list_strings(items)?
                .set_error_message("Pilih salah satu dari daftar.")?,
        ))
    };
    Ok(match rule {
        Rule::Text | Rule::Date => None,
        Rule::Wave => list(WAVE_LABELS)?,
        Rule::YesNo => list(&["ya", "tidak"])?,
        Rule::Frequency => list(FREQUENCIES)?,
        Rule::Credit => list(CREDIT_SOURCES)?,
        Rule::Money | Rule::Count => Some(
            DataValidation::new()
                .allow_whole_number(R::GreaterThanOrEqualTo(0))
                .set_error_message("Isi angka bulat, 0 atau lebih, tanpa titik.")?,
        ),
        Rule::Likert => Some(
            DataValidation::new()
                .allow_whole_number(R::Between(1, 5))
                .set_error_message("Isi 1, 2, 3, 4 atau 5.")?,
        ),
    })
}

/// What a column of `rule` takes, for the instructions.
fn values(rule: Rule) -> String {
    match rule {
        Rule::Text => "teks".into(),
        // The lists as the drop-downs offer them.
        Rule::Wave => format!(
            "{} (atau baseline, monitoring_1 … endline, followup)",
            WAVE_LABELS.join(", ")
        ),
        Rule::Date => "tanggal (31/03/2022)".into(),
        Rule::YesNo => "ya / tidak".into(),
        Rule::Money => "angka bulat dalam rupiah per bulan, tanpa titik (1500000)".into(),
        Rule::Count => "angka bulat, 0 atau lebih".into(),
        Rule::Frequency => FREQUENCIES.join(", "),
        Rule::Credit => format!("{} (KUR: Kredit Usaha Rakyat)", CREDIT_SOURCES.join(", ")),
        Rule::Likert => "1, 2, 3, 4 atau 5".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_column_is_one_the_template_reads() {
        let template = crate::FormMapping::template();
        for (name, _, rule) in COLUMNS {
            assert!(
                crate::register::REGISTER_COLUMNS.contains(name)
                    || template.fields.values().any(|f| f.column == *name)
                    || *name == "submitted_at",
                "{name} is no column of the template"
            );
            // The lists offer only what the template reads.
            if let Some(field) = template.fields.values().find(|f| f.column == *name) {
                let offered: &[&str] = match rule {
                    Rule::Wave => WAVE_LABELS,
                    Rule::Frequency => FREQUENCIES,
                    Rule::Credit => CREDIT_SOURCES,
                    _ => &[],
                };
                for choice in offered {
                    assert!(field.choice(choice).is_some(), "{name}: {choice}");
                }
            }
        }
        // Each round's label is read as that round.
        let wave = template
            .fields
            .values()
            .find(|f| f.column == "wave")
            .unwrap();
        assert_eq!(WAVE_LABELS.len(), WAVES.len());
        for w in WAVES {
            assert_eq!(wave.choice(wave_label(w)), Some(*w), "{w}");
        }
        // The labels are the ones the database's `wave` table gives the
        // rounds, which the reports print.
        let db = crate::Database::in_memory().unwrap();
        let labels: Vec<String> = db.column("SELECT label_id FROM wave ORDER BY ordinal", []);
        assert_eq!(labels, WAVE_LABELS);
    }
}
