//! The ProKUS monitoring survey as an XLSForm: one questionnaire asked at the
//! baseline, in three monthly monitoring rounds and at the endline, with
//! Indonesian labels and English translations.

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, XlsxError};

/// One row of the XLSForm `survey` sheet.
pub struct Question {
    /// XLSForm type (`integer`, `select_one ya_tidak`, `begin_group` …).
    pub kind: &'static str,
    /// XML name.
    pub name: &'static str,
    /// Indonesian label.
    pub label_id: &'static str,
    /// English label.
    pub label_en: &'static str,
    /// `yes` when required.
    pub required: &'static str,
    /// XLSForm `relevant` expression.
    pub relevant: &'static str,
    /// XLSForm `constraint` expression.
    pub constraint: &'static str,
}

pub(crate) const fn q(
    kind: &'static str,
    name: &'static str,
    label_id: &'static str,
    label_en: &'static str,
) -> Question {
    Question {
        kind,
        name,
        label_id,
        label_en,
        required: "",
        relevant: "",
        constraint: "",
    }
}

pub(crate) const fn req(mut question: Question) -> Question {
    question.required = "yes";
    question
}

pub(crate) const fn rel(mut question: Question, relevant: &'static str) -> Question {
    question.relevant = relevant;
    question
}

const fn money(name: &'static str, label_id: &'static str, label_en: &'static str) -> Question {
    let mut question = q("integer", name, label_id, label_en);
    question.constraint = ". >= 0 and . <= 1000000000";
    question
}

/// The survey sheet, in order.
pub const SURVEY: &[Question] = &[
    q("start", "start", "", ""),
    q("end", "end", "", ""),
    q(
        "begin_group",
        "identitas",
        "Identitas KPM",
        "Household identification",
    ),
    req(q(
        "text",
        "kpm_id",
        "ID KPM (lihat kartu peserta)",
        "KPM id (see the participant card)",
    )),
    req(q(
        "select_one putaran",
        "putaran",
        "Putaran survei",
        "Survey round",
    )),
    q("text", "nama_usaha", "Nama usaha", "Business name"),
    q("end_group", "identitas", "", ""),
    q("begin_group", "usaha", "Usaha", "Business"),
    req(q(
        "select_one ya_tidak",
        "masih_berjalan",
        "Apakah usaha masih berjalan?",
        "Is the business still running?",
    )),
    rel(
        money(
            "omzet",
            "Omzet usaha sebulan terakhir (Rp)",
            "Business revenue in the last month (Rp)",
        ),
        "${masih_berjalan} = 'ya'",
    ),
    rel(
        money(
            "laba_bersih",
            "Pendapatan bersih usaha sebulan terakhir (Rp)",
            "Net business income in the last month (Rp)",
        ),
        "${masih_berjalan} = 'ya'",
    ),
    rel(
        q(
            "select_multiple perubahan",
            "perubahan_produk",
            "Perubahan produk atau kemasan sejak putaran lalu",
            "Product or packaging changes since the last round",
        ),
        "${masih_berjalan} = 'ya'",
    ),
    rel(
        q(
            "select_one ya_tidak",
            "jual_online",
            "Apakah menjual secara online?",
            "Does the business sell online?",
        ),
        "${masih_berjalan} = 'ya'",
    ),
    rel(
        q(
            "integer",
            "pekerja_dibayar",
            "Jumlah pekerja yang dibayar",
            "Number of paid workers",
        ),
        "${masih_berjalan} = 'ya'",
    ),
    rel(
        q(
            "integer",
            "pekerja_keluarga",
            "Jumlah anggota keluarga yang ikut bekerja (tidak dibayar)",
            "Unpaid family members working in the business",
        ),
        "${masih_berjalan} = 'ya'",
    ),
    q(
        "select_one ya_tidak",
        "punya_nib",
        "Apakah usaha memiliki NIB (Nomor Induk Berusaha)?",
        "Does the business have an NIB (business licence number)?",
    ),
    q("end_group", "usaha", "", ""),
    q("begin_group", "keuangan", "Keuangan", "Finances"),
    money(
        "pendapatan_rt",
        "Pendapatan rumah tangga sebulan terakhir (Rp)",
        "Household income in the last month (Rp)",
    ),
    req(q(
        "select_one ya_tidak",
        "menabung",
        "Apakah keluarga menabung?",
        "Does the household save?",
    )),
    rel(
        q(
            "select_one frekuensi",
            "frekuensi_menabung",
            "Seberapa sering menabung?",
            "How often does the household save?",
        ),
        "${menabung} = 'ya'",
    ),
    rel(
        money(
            "jumlah_tabungan",
            "Jumlah yang ditabung sebulan terakhir (Rp)",
            "Amount saved in the last month (Rp)",
        ),
        "${menabung} = 'ya'",
    ),
    q(
        "select_one ya_tidak",
        "pembukuan",
        "Apakah usaha mencatat pembukuan?",
        "Does the business keep books?",
    ),
    q(
        "select_one ya_tidak",
        "pisah_uang",
        "Apakah uang usaha dipisah dari uang rumah tangga?",
        "Is business money kept apart from household money?",
    ),
    q(
        "select_one ya_tidak",
        "rencana_usaha",
        "Apakah ada rencana usaha tertulis?",
        "Is there a written business plan?",
    ),
    q(
        "select_one ya_tidak",
        "dapat_kredit",
        "Mendapat kredit atau pinjaman formal sejak putaran lalu?",
        "Got formal credit since the last round?",
    ),
    rel(
        q(
            "select_one sumber_kredit",
            "sumber_kredit",
            "Sumber kredit",
            "Source of credit",
        ),
        "${dapat_kredit} = 'ya'",
    ),
    q("end_group", "keuangan", "", ""),
    q("begin_group", "pendampingan", "Pendampingan", "Mentoring"),
    q(
        "integer",
        "sesi_mentoring",
        "Jumlah sesi pendampingan inkubator yang dihadiri bulan ini",
        "Incubator mentoring sessions attended this month",
    ),
    q(
        "integer",
        "kunjungan_tksk",
        "Jumlah kunjungan pendamping TKSK bulan ini",
        "Visits by the TKSK social worker this month",
    ),
    q("end_group", "pendampingan", "", ""),
    q(
        "begin_group",
        "sikap",
        "Sikap kewirausahaan (1 = sangat tidak setuju, 5 = sangat setuju)",
        "Entrepreneurial attitude (1 = strongly disagree, 5 = strongly agree)",
    ),
    q(
        "select_one likert",
        "s1",
        "Saya yakin usaha saya akan berkembang",
        "I am confident my business will grow",
    ),
    q(
        "select_one likert",
        "s2",
        "Saya berani mengambil risiko yang sudah saya perhitungkan",
        "I take risks I have weighed",
    ),
    q(
        "select_one likert",
        "s3",
        "Saya terus mencari cara baru untuk menjual",
        "I keep looking for new ways to sell",
    ),
    q(
        "select_one likert",
        "s4",
        "Saya merencanakan keuangan usaha setiap bulan",
        "I plan the business's money every month",
    ),
    q(
        "select_one likert",
        "s5",
        "Saya tidak mudah menyerah ketika usaha sepi",
        "I do not give up when business is slow",
    ),
    q("end_group", "sikap", "", ""),
];

/// The choices sheet: (list, name, Indonesian label, English label).
pub const CHOICES: &[(&str, &str, &str, &str)] = &[
    ("putaran", "baseline", "Survei awal (baseline)", "Baseline"),
    (
        "putaran",
        "monitoring_1",
        "Monitoring bulan ke-1",
        "Monitoring month 1",
    ),
    (
        "putaran",
        "monitoring_2",
        "Monitoring bulan ke-2",
        "Monitoring month 2",
    ),
    (
        "putaran",
        "monitoring_3",
        "Monitoring bulan ke-3",
        "Monitoring month 3",
    ),
    ("putaran", "endline", "Survei akhir (endline)", "Endline"),
    ("putaran", "tindak_lanjut", "Tindak lanjut", "Follow-up"),
    ("ya_tidak", "ya", "Ya", "Yes"),
    ("ya_tidak", "tidak", "Tidak", "No"),
    ("frekuensi", "harian", "Setiap hari", "Daily"),
    ("frekuensi", "mingguan", "Setiap minggu", "Weekly"),
    ("frekuensi", "bulanan", "Setiap bulan", "Monthly"),
    (
        "frekuensi",
        "jarang",
        "Jarang / tidak tentu",
        "Rarely / irregularly",
    ),
    ("perubahan", "kemasan", "Kemasan baru", "New packaging"),
    ("perubahan", "merek", "Merek atau label", "Brand or label"),
    ("perubahan", "produk_baru", "Produk baru", "New product"),
    (
        "perubahan",
        "kualitas",
        "Perbaikan mutu atau resep",
        "Better quality or recipe",
    ),
    (
        "sumber_kredit",
        "kur",
        "KUR (Kredit Usaha Rakyat)",
        "KUR (state-backed microcredit)",
    ),
    ("sumber_kredit", "bank_lain", "Bank lain", "Other bank"),
    ("sumber_kredit", "koperasi", "Koperasi", "Cooperative"),
    ("sumber_kredit", "pnm_mekaar", "PNM Mekaar", "PNM Mekaar"),
    ("sumber_kredit", "lainnya", "Lainnya", "Other"),
    ("likert", "1", "Sangat tidak setuju", "Strongly disagree"),
    ("likert", "2", "Tidak setuju", "Disagree"),
    ("likert", "3", "Ragu-ragu", "Neutral"),
    ("likert", "4", "Setuju", "Agree"),
    ("likert", "5", "Sangat setuju", "Strongly agree"),
];

/// The choice names of one list.
pub fn choices(list: &str) -> Vec<&'static str> {
    CHOICES
        .iter()
        .filter(|c| c.0 == list)
        .map(|c| c.1)
        .collect()
}

/// The export columns of the form's questions, KoboToolbox style with XML names:
/// `group/name`, and for a select_multiple its summary column followed by one
/// `group/name/choice` column per choice.
pub fn export_columns() -> Vec<String> {
    let mut groups: Vec<&str> = Vec::new();
    let mut columns = Vec::new();
    for question in SURVEY {
        match question.kind {
            "begin_group" => groups.push(question.name),
            "end_group" => {
                groups.pop();
            }
            "note" => {}
            kind => {
                let path = groups
                    .iter()
                    .copied()
                    .chain([question.name])
                    .collect::<Vec<_>>()
                    .join("/");
                columns.push(path.clone());
                if let Some(list) = kind.strip_prefix("select_multiple ") {
                    columns.extend(choices(list).into_iter().map(|c| format!("{path}/{c}")));
                }
            }
        }
    }
    columns
}

/// Writes the XLSForm (survey, choices, settings) as an `.xlsx` file's bytes.
pub fn xlsform_bytes() -> Result<Vec<u8>, XlsxError> {
    write_xlsform(
        ["Monitoring ProKUS", "prokus_monitoring", "2021.1"],
        SURVEY,
        CHOICES,
    )
}

/// An XLSForm's bytes: its title, form id and version, its survey sheet and
/// its choices (list, name, Indonesian label, English label).
pub(crate) fn write_xlsform(
    [title, form_id, version]: [&str; 3],
    survey_rows: &[Question],
    choice_rows: &[(&str, &str, &str, &str)],
) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    workbook.set_properties(&fixed_properties(&format!("{title} (XLSForm)")));
    let bold = Format::new().set_bold();
    let survey = workbook.add_worksheet().set_name("survey")?;
    let headers = [
        "type",
        "name",
        "label::Indonesian (id)",
        "label::English (en)",
        "required",
        "relevant",
        "constraint",
    ];
    for (c, h) in headers.iter().enumerate() {
        survey.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    for (r, question) in survey_rows.iter().enumerate() {
        let cells = [
            question.kind,
            question.name,
            question.label_id,
            question.label_en,
            question.required,
            question.relevant,
            question.constraint,
        ];
        for (c, value) in cells.iter().enumerate() {
            if !value.is_empty() {
                survey.write_string(r as u32 + 1, c as u16, *value)?;
            }
        }
    }
    survey
        .set_column_width(0, 26)?
        .set_column_width(1, 20)?
        .set_column_width(2, 60)?
        .set_column_width(3, 60)?;
    let sheet = workbook.add_worksheet().set_name("choices")?;
    for (c, h) in [
        "list_name",
        "name",
        "label::Indonesian (id)",
        "label::English (en)",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    for (r, (list, name, id, en)) in choice_rows.iter().enumerate() {
        for (c, value) in [list, name, id, en].iter().enumerate() {
            sheet.write_string(r as u32 + 1, c as u16, **value)?;
        }
    }
    let settings = workbook.add_worksheet().set_name("settings")?;
    let rows = [
        ["form_title", "form_id", "version", "default_language"],
        [title, form_id, version, "Indonesian (id)"],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, value) in row.iter().enumerate() {
            settings.write_string(r as u32, c as u16, *value)?;
        }
    }
    workbook.save_to_buffer()
}

/// Document properties with a fixed creation time, so the same seed writes the
/// same bytes.
pub(crate) fn fixed_properties(title: &str) -> DocProperties {
    let created = ExcelDateTime::from_ymd(2021, 1, 4).expect("a valid date");
    DocProperties::new()
        .set_title(title)
        .set_author("ProKUS M&E")
        .set_creation_datetime(&created)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn export_columns_follow_kobo_xml_names() {
        let columns = export_columns();
        assert_eq!(
            &columns[..4],
            ["start", "end", "identitas/kpm_id", "identitas/putaran"]
        );
        let i = columns
            .iter()
            .position(|c| c == "usaha/perubahan_produk")
            .unwrap();
        assert_eq!(columns[i + 1], "usaha/perubahan_produk/kemasan");
        assert_eq!(columns[i + 4], "usaha/perubahan_produk/kualitas");
        assert!(columns.contains(&"sikap/s5".to_string()));
    }

    #[test]
    fn every_select_list_has_choices_and_groups_balance() {
        let mut depth = 0i32;
        for question in SURVEY {
            match question.kind {
                "begin_group" => depth += 1,
                "end_group" => depth -= 1,
                kind => {
                    if let Some(list) = kind.split_once(' ').map(|(_, l)| l) {
                        assert!(!choices(list).is_empty(), "list {list}");
                    }
                }
            }
            assert!(depth >= 0);
        }
        assert_eq!(depth, 0);
    }
}
