//! A partner's own KoboToolbox form, unlike the ProKUS one: other question
//! names and choices, the household's group, incubator, kabupaten and sex
//! asked in the form, sales channels as a select_multiple and saving as a
//! frequency. Its mapping (data, not code) feeds the household fields and
//! derives `sells_online` and `saves_monthly`. The same submissions are
//! loaded from a CSV export with XML names and from an XLSX export with
//! label headers and label values, and must give the same households and
//! answers.

use std::path::{Path, PathBuf};

use prokus_ingest::{Database, FormMapping, IngestOptions, XlsForm};

const MAPPING: &str = r#"
[form]
id = "mitra_umkm"

[submission]
id_columns = ["_uuid"]
time_columns = ["_submission_time"]

[fields.kpm_id]
column = "identitas/kpm_id"
type = "id"
required = true

[fields.wave]
column = "identitas/putaran"
type = "choice"
required = true
choices = { awal = "baseline", akhir = "endline" }

[fields.arm]
column = "identitas/kelompok"
type = "choice"
choices = { penerima = "prokus", pembanding = "comparison" }

[fields.incubator_id]
column = "identitas/inkubator"
type = "choice"
choices = { ink_bdg = "INK-32-01" }

[fields.regency_code]
column = "identitas/kabupaten"
type = "text"

[fields.gender]
column = "identitas/jenis_kelamin"
type = "choice"
choices = { laki = "L", perempuan = "P" }

[fields.business_income]
column = "usaha/laba"
type = "money"

[fields.sells_online]
column = "usaha/saluran_jual"
type = "yes_no"
any_of = ["whatsapp", "marketplace", "ojol"]

[fields.saves_monthly]
column = "usaha/frek_tabung"
type = "yes_no"
yes = ["harian", "mingguan", "bulanan"]
"#;

const INCUBATORS: &str =
    "incubator_id,name,university,province_code\nINK-32-01,Inkubator Bandung,Universitas,32\n";
const REGISTER: &str = "kpm_id,kpm_name,gender,arm,cohort_year,incubator_id,province_code,regency_code\n\
    K1,Siti,P,prokus,2022,INK-32-01,32,32.17\n";

/// (choice list, name, label)
const CHOICES: &[(&str, &str, &str)] = &[
    ("putaran", "awal", "Awal"),
    ("putaran", "akhir", "Akhir"),
    ("kelompok", "penerima", "Penerima"),
    ("kelompok", "pembanding", "Pembanding"),
    ("inkubator", "ink_bdg", "Inkubator Bandung"),
    ("inkubator", "ink_sby", "Inkubator Surabaya"),
    ("jk", "laki", "Laki-laki"),
    ("jk", "perempuan", "Perempuan"),
    ("saluran", "warung", "Warung sendiri"),
    ("saluran", "whatsapp", "WhatsApp"),
    ("saluran", "marketplace", "Marketplace"),
    ("frek", "mingguan", "Mingguan"),
    ("frek", "jarang", "Jarang"),
];

/// (type, name, label) of the survey sheet.
const SURVEY: &[(&str, &str, &str)] = &[
    ("begin_group", "identitas", "Identitas"),
    ("text", "kpm_id", "ID KPM"),
    ("select_one putaran", "putaran", "Putaran survei"),
    ("select_one kelompok", "kelompok", "Kelompok"),
    ("select_one inkubator", "inkubator", "Inkubator pendamping"),
    ("text", "kabupaten", "Kabupaten/kota"),
    ("select_one jk", "jenis_kelamin", "Jenis kelamin"),
    ("end_group", "", ""),
    ("begin_group", "usaha", "Usaha"),
    ("integer", "laba", "Laba bersih sebulan"),
    (
        "select_multiple saluran",
        "saluran_jual",
        "Saluran penjualan",
    ),
    ("select_one frek", "frek_tabung", "Seberapa sering menabung"),
    ("end_group", "", ""),
];

/// The submissions, in choice names: uuid, kpm, wave, group, incubator,
/// kabupaten, sex, income, channels, saving.
const ROWS: &[[&str; 10]] = &[
    // Registered: its register data stays; sells on WhatsApp, saves weekly.
    [
        "u1",
        "K1",
        "awal",
        "penerima",
        "ink_bdg",
        "3217",
        "perempuan",
        "1500000",
        "warung whatsapp",
        "mingguan",
    ],
    // New households, registered from the form.
    [
        "u2",
        "P1",
        "awal",
        "penerima",
        "ink_bdg",
        "Kab. Bandung Barat",
        "laki",
        "900000",
        "warung",
        "jarang",
    ],
    [
        "u3",
        "P3",
        "awal",
        "pembanding",
        "",
        "3217",
        "perempuan",
        "800000",
        "marketplace",
        "mingguan",
    ],
    // An incubator the list does not have.
    [
        "u4", "P2", "awal", "penerima", "ink_sby", "3217", "laki", "700000", "warung", "jarang",
    ],
];

fn label(list: &str, name: &str) -> String {
    CHOICES
        .iter()
        .find(|(l, n, _)| *l == list && *n == name)
        .map(|(_, _, label)| label.to_string())
        .unwrap_or_else(|| name.to_string())
}

fn xlsform(dir: &Path) -> PathBuf {
    let mut book = rust_xlsxwriter::Workbook::new();
    let survey = book.add_worksheet().set_name("survey").unwrap();
    for (c, h) in ["type", "name", "label"].iter().enumerate() {
        survey.write_string(0, c as u16, *h).unwrap();
    }
    for (r, (t, n, l)) in SURVEY.iter().enumerate() {
        for (c, v) in [t, n, l].iter().enumerate() {
            survey.write_string(r as u32 + 1, c as u16, **v).unwrap();
        }
    }
    let choices = book.add_worksheet().set_name("choices").unwrap();
    for (c, h) in ["list_name", "name", "label"].iter().enumerate() {
        choices.write_string(0, c as u16, *h).unwrap();
    }
    for (r, (l, n, lab)) in CHOICES.iter().enumerate() {
        for (c, v) in [l, n, lab].iter().enumerate() {
            choices.write_string(r as u32 + 1, c as u16, **v).unwrap();
        }
    }
    let settings = book.add_worksheet().set_name("settings").unwrap();
    settings.write_string(0, 0, "form_id").unwrap();
    settings.write_string(1, 0, "mitra_umkm").unwrap();
    let path = dir.join("mitra-umkm.xlsx");
    book.save(&path).unwrap();
    path
}

/// The Kobo CSV export with XML names: `;`-separated, a select_multiple as
/// names joined by spaces and one 1/0 column per choice.
fn kobo_csv(dir: &Path) -> PathBuf {
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_path(dir.join("mitra-xml.csv"))
        .unwrap();
    w.write_record([
        "identitas/kpm_id",
        "identitas/putaran",
        "identitas/kelompok",
        "identitas/inkubator",
        "identitas/kabupaten",
        "identitas/jenis_kelamin",
        "usaha/laba",
        "usaha/saluran_jual",
        "usaha/saluran_jual/warung",
        "usaha/saluran_jual/whatsapp",
        "usaha/saluran_jual/marketplace",
        "usaha/frek_tabung",
        "_uuid",
        "_submission_time",
    ])
    .unwrap();
    for r in ROWS {
        let chosen = |c: &str| {
            if r[8].split(' ').any(|x| x == c) {
                "1"
            } else {
                "0"
            }
        };
        w.write_record([
            r[1],
            r[2],
            r[3],
            r[4],
            r[5],
            r[6],
            r[7],
            r[8],
            chosen("warung"),
            chosen("whatsapp"),
            chosen("marketplace"),
            r[9],
            r[0],
            "2022-03-10T09:00:00",
        ])
        .unwrap();
    }
    w.flush().unwrap();
    dir.join("mitra-xml.csv")
}

/// The Kobo XLSX export with labels: label headers and label values.
fn kobo_labels_xlsx(dir: &Path) -> PathBuf {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let headers = [
        "ID KPM",
        "Putaran survei",
        "Kelompok",
        "Inkubator pendamping",
        "Kabupaten/kota",
        "Jenis kelamin",
        "Laba bersih sebulan",
        "Saluran penjualan",
        "Seberapa sering menabung",
        "_uuid",
        "_submission_time",
    ];
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for (i, r) in ROWS.iter().enumerate() {
        let row = i as u32 + 1;
        let channels: Vec<String> = r[8].split(' ').map(|c| label("saluran", c)).collect();
        let cells = [
            r[1].to_string(),
            label("putaran", r[2]),
            label("kelompok", r[3]),
            label("inkubator", r[4]),
            r[5].to_string(),
            label("jk", r[6]),
            r[7].to_string(),
            channels.join(" "),
            label("frek", r[9]),
            r[0].to_string(),
            "2022-03-10T09:00:00".to_string(),
        ];
        for (c, v) in cells.iter().enumerate() {
            sheet.write_string(row, c as u16, v).unwrap();
        }
    }
    let path = dir.join("mitra-labels.xlsx");
    book.save(&path).unwrap();
    path
}

/// kpm_id, arm, incubator, gender, regency, income, sells online, saves monthly.
type Loaded = (
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    f64,
    bool,
    bool,
);

fn load(export: fn(&Path) -> PathBuf) -> (Vec<Loaded>, Vec<(String, String, String)>) {
    load_with(export, MAPPING)
}

/// [`load`] through the mapping `text`.
fn load_with(
    export: fn(&Path) -> PathBuf,
    text: &str,
) -> (Vec<Loaded>, Vec<(String, String, String)>) {
    let dir = tempfile::tempdir().unwrap();
    let mut db = Database::in_memory().unwrap();
    let prokus = FormMapping::prokus();
    for (name, text) in [
        ("incubators.csv", INCUBATORS),
        ("kpm_register.csv", REGISTER),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        db.ingest(&path, &prokus).unwrap();
    }
    let mapping = FormMapping::parse(text, Path::new("mitra.mapping.toml")).unwrap();
    let form = XlsForm::from_file(&xlsform(dir.path())).unwrap();
    let options = IngestOptions {
        xlsform: Some(form),
        ..Default::default()
    };
    let file = export(dir.path());
    let s = db.ingest_with(&file, &mapping, &options).unwrap();
    assert_eq!(
        (
            s.rows_read,
            s.rows_loaded,
            s.rows_rejected,
            s.rows_duplicate
        ),
        (4, 3, 1, 0),
        "{s:?}"
    );
    let conn = db.connection();
    let loaded = conn
        .prepare(
            "SELECT r.kpm_id, k.arm, k.incubator_id, k.gender, k.regency_code, r.business_income,
                    r.sells_online, r.saves_monthly
             FROM response r JOIN kpm k USING (kpm_id) ORDER BY r.kpm_id",
        )
        .unwrap()
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
            ))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let rejects = conn
        .prepare("SELECT column_name, value, reason FROM ingest_reject ORDER BY source_row")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    (loaded, rejects)
}

fn expected() -> Vec<Loaded> {
    let row =
        |k: &str, arm: &str, inc: Option<&str>, g: &str, income: f64, online: bool, saves: bool| {
            (
                k.to_string(),
                arm.to_string(),
                inc.map(str::to_string),
                Some(g.to_string()),
                "32.17".to_string(),
                income,
                online,
                saves,
            )
        };
    vec![
        // K1 keeps its register data; its answers come from the form.
        row(
            "K1",
            "prokus",
            Some("INK-32-01"),
            "female",
            1_500_000.0,
            true,
            true,
        ),
        row(
            "P1",
            "prokus",
            Some("INK-32-01"),
            "male",
            900_000.0,
            false,
            false,
        ),
        row("P3", "comparison", None, "female", 800_000.0, true, true),
    ]
}

#[test]
fn a_partner_form_with_xml_names_registers_its_households_and_derives_answers() {
    let (loaded, rejects) = load(kobo_csv);
    assert_eq!(loaded, expected());
    assert_eq!(rejects.len(), 1, "{rejects:?}");
    let (column, value, reason) = &rejects[0];
    assert_eq!(
        (column.as_str(), value.as_str()),
        ("identitas/inkubator", "ink_sby")
    );
    assert!(
        reason.contains("choice `ink_sby`") && reason.contains("incubators.csv"),
        "{reason}"
    );
}

#[test]
fn a_partner_form_exported_with_labels_loads_the_same() {
    let (loaded, rejects) = load(kobo_labels_xlsx);
    assert_eq!(loaded, expected());
    assert_eq!(rejects.len(), 1, "{rejects:?}");
    let (_, value, reason) = &rejects[0];
    assert_eq!(value, "Inkubator Surabaya");
    assert!(
        reason.contains("choice `ink_sby` (label \"Inkubator Surabaya\")"),
        "{reason}"
    );
}

/// Exported with labels, the form's incubator choice `Inkubator Bandung`
/// is the incubator the list names so: loaded without the mapping mapping
/// the choice to its id.
#[test]
fn an_incubator_choice_labelled_with_the_lists_name_needs_no_mapping() {
    let unmapped = MAPPING.replace(
        "type = \"choice\"\nchoices = { ink_bdg = \"INK-32-01\" }\n",
        "type = \"text\"\n",
    );
    assert_ne!(unmapped, MAPPING);
    let (loaded, rejects) = load_with(kobo_labels_xlsx, &unmapped);
    assert_eq!(loaded, expected());
    assert_eq!(rejects.len(), 1, "{rejects:?}");
    assert_eq!(rejects[0].1, "Inkubator Surabaya");
}

#[test]
fn mapping_check_counts_each_field_without_writing() {
    let dir = tempfile::tempdir().unwrap();
    let export = kobo_csv(dir.path());
    let mapping = FormMapping::parse(MAPPING, Path::new("mitra.mapping.toml")).unwrap();
    let check = prokus_ingest::check_mapping(&export, &mapping, &IngestOptions::default()).unwrap();
    assert_eq!((check.format.as_str(), check.rows), ("kobo-csv", 4));
    let field = |name: &str| check.fields.iter().find(|f| f.field == name).unwrap();
    for name in ["sells_online", "saves_monthly", "business_income", "wave"] {
        let f = field(name);
        assert_eq!(
            (f.found, f.parsed, f.empty, f.failed),
            (true, 4, 0, 0),
            "{f:?}"
        );
    }
    assert!(field("incubator_id").found && field("regency_code").found);
    // A mapping that reads the income from the wrong question and looks for
    // a column the export does not have: the failures with their values,
    // the column missing.
    let wrong = MAPPING
        .replace("column = \"usaha/laba\"", "column = \"identitas/kelompok\"")
        .replace("usaha/frek_tabung", "usaha/tabungan");
    let mapping = FormMapping::parse(&wrong, Path::new("wrong.toml")).unwrap();
    let check = prokus_ingest::check_mapping(&export, &mapping, &IngestOptions::default()).unwrap();
    let field = |name: &str| check.fields.iter().find(|f| f.field == name).unwrap();
    let income = field("business_income");
    assert_eq!((income.parsed, income.failed), (0, 4));
    // One sample per value: the two groups' choices.
    let values: Vec<&str> = income.samples.iter().map(|(v, _)| v.as_str()).collect();
    assert_eq!(values, ["penerima", "pembanding"], "{:?}", income.samples);
    assert!(!field("saves_monthly").found);
    assert!(field("(submission id)").found && field("(submission time)").found);
    // Even the required KPM id and submission id missing: a dry run still
    // reports every field rather than stopping at the first.
    let lost = MAPPING
        .replace("identitas/kpm_id", "identitas/id_kpm")
        .replace(
            "id_columns = [\"_uuid\"]",
            "id_columns = [\"meta/instanceID\"]",
        );
    let mapping = FormMapping::parse(&lost, Path::new("lost.toml")).unwrap();
    let check = prokus_ingest::check_mapping(&export, &mapping, &IngestOptions::default()).unwrap();
    let field = |name: &str| check.fields.iter().find(|f| f.field == name).unwrap();
    assert!(!field("kpm_id").found && !field("(submission id)").found);
    assert_eq!(field("business_income").parsed, 4);
}

#[test]
fn a_drafted_mapping_for_the_partner_form_reads_and_matches_its_questions() {
    let dir = tempfile::tempdir().unwrap();
    let form = XlsForm::from_file(&xlsform(dir.path())).unwrap();
    let text = prokus_ingest::draft_mapping(&form);
    let draft = FormMapping::parse(&text, Path::new("draft.toml"))
        .unwrap_or_else(|e| panic!("{e}\n{text}"));
    let column = |field: &str| draft.fields.get(field).map(|f| f.column.as_str());
    for (field, expected) in [
        ("kpm_id", "identitas/kpm_id"),
        ("wave", "identitas/putaran"),
        ("arm", "identitas/kelompok"),
        ("incubator_id", "identitas/inkubator"),
        ("regency_code", "identitas/kabupaten"),
        ("gender", "identitas/jenis_kelamin"),
        ("business_income", "usaha/laba"),
        ("sells_online", "usaha/saluran_jual"),
        ("save_frequency", "usaha/frek_tabung"),
    ] {
        assert_eq!(column(field), Some(expected), "{field}\n{text}");
    }
    let wave = &draft.fields["wave"].choices;
    assert_eq!(wave.get("awal").map(String::as_str), Some("baseline"));
    assert_eq!(wave.get("akhir").map(String::as_str), Some("endline"));
    let arm = &draft.fields["arm"].choices;
    assert_eq!(
        arm.get("pembanding").map(String::as_str),
        Some("comparison")
    );
    assert_eq!(
        draft.fields["sells_online"].any_of,
        ["whatsapp", "marketplace"],
        "{text}"
    );
    // The drafted mapping loads the export.
    let check =
        prokus_ingest::check_mapping(&kobo_csv(dir.path()), &draft, &IngestOptions::default())
            .unwrap();
    assert!(
        check.fields.iter().all(|f| f.found && f.failed == 0),
        "{check:?}"
    );
}

#[test]
fn the_draft_for_the_prokus_form_agrees_with_its_shipped_mapping() {
    let draft_text = prokus_ingest::draft_mapping(XlsForm::prokus());
    let draft = FormMapping::parse(&draft_text, Path::new("draft.toml"))
        .unwrap_or_else(|e| panic!("{e}\n{draft_text}"));
    let shipped = FormMapping::prokus();
    let main: Vec<(&String, &prokus_ingest::mapping::FieldMapping)> = shipped
        .fields
        .iter()
        .filter(|(_, f)| f.repeat.is_none())
        .collect();
    let same = main
        .iter()
        .filter(|(name, f)| {
            draft
                .fields
                .get(*name)
                .is_some_and(|d| d.column == f.column)
        })
        .count();
    // Every main-table field found by name, label and type alone.
    assert_eq!(same, main.len(), "{draft_text}");
    assert_eq!(draft.fields["wave"].choices, shipped.fields["wave"].choices);
    assert_eq!(
        draft.fields["save_frequency"].choices,
        shipped.fields["save_frequency"].choices
    );
}
