//! A first mapping for any XLSForm (`prokus mapping draft FORM.xlsx`): each
//! question matched to its likely canonical field by its name, its labels
//! (Indonesian and English words) and its type; the choices of select
//! questions pre-filled where their names or labels say which canonical code
//! they are; questions left unmatched listed as comments with their labels.
//! The draft is for a person to read and correct, then to try with `prokus
//! mapping check`.

use std::collections::BTreeMap;

use crate::mapping::{CANONICAL_FIELDS, FieldType, HOUSEHOLD_FIELDS};
use crate::xlsform::{Question, XlsForm};

/// Words that name each field, in question names or labels (lower case).
const WORDS: &[(&str, &[&str])] = &[
    (
        "kpm_id",
        &[
            "kpm_id",
            "id_kpm",
            "id kpm",
            "kpm id",
            "kode kpm",
            "nomor kpm",
            "household id",
        ],
    ),
    (
        "wave",
        &["putaran", "gelombang", "wave", "round", "tahap survei"],
    ),
    (
        "business_operating",
        &[
            "masih_berjalan",
            "masih berjalan",
            "beroperasi",
            "still running",
            "operating",
        ],
    ),
    (
        "business_revenue",
        &["omzet", "omset", "revenue", "penjualan"],
    ),
    (
        "business_income",
        &[
            "laba",
            "keuntungan",
            "profit",
            "pendapatan bersih",
            "net income",
        ],
    ),
    (
        "household_income",
        &[
            "pendapatan_rt",
            "pendapatan rumah tangga",
            "penghasilan keluarga",
            "household income",
        ],
    ),
    ("saves", &["menabung", "saves", "saving"]),
    (
        "save_frequency",
        &[
            "frekuensi_menabung",
            "frekuensi menabung",
            "seberapa sering",
            "how often",
            "frek",
        ],
    ),
    (
        "savings_amount",
        &[
            "jumlah_tabungan",
            "jumlah tabungan",
            "tabungan",
            "amount saved",
        ],
    ),
    (
        "keeps_books",
        &[
            "pembukuan",
            "catatan keuangan",
            "mencatat",
            "bookkeeping",
            "books",
        ],
    ),
    ("separates_money", &["memisahkan", "pisah", "separate"]),
    (
        "has_business_plan",
        &["rencana usaha", "rencana_usaha", "business plan"],
    ),
    (
        "paid_workers",
        &[
            "pekerja_dibayar",
            "pekerja dibayar",
            "karyawan",
            "paid workers",
            "employees",
        ],
    ),
    (
        "family_workers",
        &["pekerja_keluarga", "pekerja keluarga", "family workers"],
    ),
    (
        "has_nib",
        &[
            "nib",
            "nomor induk berusaha",
            "izin usaha",
            "business licen",
        ],
    ),
    ("got_credit", &["kredit", "pinjaman", "loan", "credit"]),
    (
        "credit_source",
        &[
            "sumber_kredit",
            "sumber kredit",
            "sumber pinjaman",
            "credit source",
            "lender",
        ],
    ),
    (
        "sells_online",
        &["online", "daring", "saluran", "channel", "jual_online"],
    ),
    (
        "product_changes",
        &[
            "perubahan_produk",
            "perubahan produk",
            "inovasi",
            "product change",
        ],
    ),
    (
        "mentoring_sessions",
        &["sesi pendampingan", "pendampingan", "mentoring", "sesi"],
    ),
    ("tksk_visits", &["tksk", "kunjungan"]),
    (
        "attitude_1",
        &["sikap_1", "attitude_1", "sikap/1", "sikap/s1"],
    ),
    (
        "attitude_2",
        &["sikap_2", "attitude_2", "sikap/2", "sikap/s2"],
    ),
    (
        "attitude_3",
        &["sikap_3", "attitude_3", "sikap/3", "sikap/s3"],
    ),
    (
        "attitude_4",
        &["sikap_4", "attitude_4", "sikap/4", "sikap/s4"],
    ),
    (
        "attitude_5",
        &["sikap_5", "attitude_5", "sikap/5", "sikap/s5"],
    ),
    ("nik", &["nik", "nomor induk kependudukan"]),
    (
        "kpm_name",
        &[
            "nama_kpm",
            "nama kpm",
            "nama penerima",
            "nama kepala",
            "name",
        ],
    ),
    (
        "gender",
        &["jenis_kelamin", "jenis kelamin", "gender", "sex"],
    ),
    (
        "business_name",
        &["nama_usaha", "nama usaha", "business name"],
    ),
    ("arm", &["kelompok", "arm", "group", "perlakuan"]),
    ("cohort_year", &["angkatan", "cohort", "tahun program"]),
    ("incubator_id", &["inkubator", "incubator"]),
    ("mentor", &["mentor", "nama pendamping"]),
    ("tksk", &["nama tksk"]),
    ("cluster", &["klaster", "cluster", "sektor"]),
    ("category", &["kategori", "category"]),
    ("province_code", &["provinsi", "province"]),
    (
        "regency_code",
        &["kabupaten", "kab/kota", "regency", "kota"],
    ),
    ("district_code", &["kecamatan", "district"]),
];

/// Canonical codes of choice fields and the words their choices use.
/// A canonical code and the words its choices use.
type Code = (&'static str, &'static [&'static str]);

const CODES: &[(&str, &[Code])] = &[
    (
        "wave",
        &[
            ("baseline", &["baseline", "awal", "base"]),
            (
                "monitoring_1",
                &["monitoring_1", "monitoring 1", "pemantauan 1", "m1"],
            ),
            (
                "monitoring_2",
                &["monitoring_2", "monitoring 2", "pemantauan 2", "m2"],
            ),
            (
                "monitoring_3",
                &["monitoring_3", "monitoring 3", "pemantauan 3", "m3"],
            ),
            ("endline", &["endline", "akhir", "end"]),
            (
                "followup",
                &[
                    "followup",
                    "follow",
                    "tindak_lanjut",
                    "tindak lanjut",
                    "lanjutan",
                ],
            ),
        ],
    ),
    ("arm", &crate::values::ARM_WORDS),
    (
        "save_frequency",
        &[
            ("daily", &["harian", "setiap hari", "daily"]),
            ("weekly", &["mingguan", "setiap minggu", "weekly"]),
            ("monthly", &["bulanan", "setiap bulan", "monthly"]),
            ("rarely", &["jarang", "rarely", "kadang"]),
        ],
    ),
    (
        "gender",
        &[
            ("L", &["laki", "pria", "male", "l"]),
            ("P", &["perempuan", "wanita", "female", "p"]),
        ],
    ),
];

/// Choices of a select_multiple that make `sells_online` yes.
const ONLINE: &[&str] = &[
    "online",
    "whatsapp",
    "wa",
    "marketplace",
    "shopee",
    "tokopedia",
    "instagram",
    "facebook",
    "tiktok",
    "ojol",
    "gofood",
    "grabfood",
    "media sosial",
    "daring",
];

/// How well a question fits a field: 0 when it cannot feed it.
fn score(q: &Question, field: &str, types: &[FieldType]) -> u32 {
    if q.in_repeat {
        return 0;
    }
    let fits = types.iter().any(|t| match t {
        FieldType::Id => matches!(
            q.kind.as_str(),
            "text" | "barcode" | "calculate" | "integer"
        ),
        FieldType::Text => matches!(q.kind.as_str(), "text" | "calculate"),
        FieldType::Choice => q.kind == "select_one",
        FieldType::Multi => q.kind == "select_multiple",
        FieldType::YesNo => matches!(
            q.kind.as_str(),
            "select_one" | "select_multiple" | "acknowledge"
        ),
        FieldType::Money | FieldType::Count => {
            matches!(q.kind.as_str(), "integer" | "decimal" | "calculate")
        }
        FieldType::Likert => matches!(q.kind.as_str(), "integer" | "select_one"),
        FieldType::DateTime => matches!(q.kind.as_str(), "date" | "datetime" | "start" | "end"),
    });
    if !fits {
        return 0;
    }
    let name = q.path.rsplit('/').next().unwrap_or(&q.path).to_lowercase();
    let labels: Vec<String> = q.labels.iter().map(|l| l.to_lowercase()).collect();
    let Some((_, words)) = WORDS.iter().find(|(f, _)| *f == field) else {
        return 0;
    };
    let mut best = 0;
    for (rank, word) in words.iter().enumerate() {
        // Earlier words are more telling; a name is more telling than a label.
        let weight = 100 - rank as u32;
        let by_path = word.contains('/') && q.path.to_lowercase().ends_with(word);
        if by_path || name == *word || name == word.replace(' ', "_") {
            best = best.max(3 * weight);
        } else if name.contains(&word.replace(' ', "_")) {
            best = best.max(2 * weight);
        } else if word.len() > 3 && labels.iter().any(|l| l.contains(word)) {
            best = best.max(weight);
        }
    }
    best
}

/// The canonical code a choice stands for, by its name or labels.
fn code_of(field: &str, name: &str, labels: &[String]) -> Option<&'static str> {
    let (_, codes) = CODES.iter().find(|(f, _)| *f == field)?;
    let name = name.to_lowercase();
    let labels: Vec<String> = labels.iter().map(|l| l.to_lowercase()).collect();
    codes.iter().find_map(|(code, words)| {
        words
            .iter()
            .any(|w| {
                name == *w
                    || (w.len() > 2 && name.contains(w))
                    || labels
                        .iter()
                        .any(|l| l == w || (w.len() > 2 && l.contains(w)))
            })
            .then_some(*code)
    })
}

/// Whether `text` mentions `word`: as a whole word when it is short (`wa`
/// is not in `warung`), anywhere when it is longer.
fn mentions(text: &str, word: &str) -> bool {
    if word.len() <= 3 {
        text.split(|c: char| !c.is_alphanumeric())
            .any(|t| t == word)
    } else {
        text.contains(word)
    }
}

/// One line of comment text: no line breaks, no control characters.
fn comment(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_string()
}

/// A TOML string (quoted and escaped by the toml crate).
fn quoted(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// A TOML inline table of choice name → code, keys quoted.
fn inline_choices(pairs: &[(String, String)]) -> String {
    let items: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{} = {}", quoted(k), quoted(v)))
        .collect();
    format!("{{ {} }}", items.join(", "))
}

/// A TOML array of strings.
fn array(items: &[String]) -> String {
    let items: Vec<String> = items.iter().map(|i| quoted(i)).collect();
    format!("[{}]", items.join(", "))
}

/// Whether a select's choices are a plain yes/no.
fn is_yes_no(q: &Question) -> bool {
    !q.choices.is_empty()
        && q.choices
            .iter()
            .all(|(name, _)| crate::values::parse_yes_no(name).is_ok())
}

/// The mapping drafted for `form`, as TOML text with comments.
pub fn draft_mapping(form: &XlsForm) -> String {
    let questions = form.questions();
    let label = |q: &Question| {
        comment(
            &q.labels
                .iter()
                .filter(|l| !l.is_empty())
                .cloned()
                .collect::<Vec<_>>()
                .join(" / "),
        )
    };
    // The best question for each field, each question used once, the
    // strongest matches first.
    let fields: Vec<(&str, &[FieldType])> = CANONICAL_FIELDS
        .iter()
        .chain(HOUSEHOLD_FIELDS)
        .filter(|(name, _)| *name != "saves_monthly")
        .copied()
        .collect();
    let mut candidates: Vec<(u32, usize, usize)> = Vec::new();
    for (f, (field, types)) in fields.iter().enumerate() {
        for (i, q) in questions.iter().enumerate() {
            let s = score(q, field, types);
            if s > 0 {
                candidates.push((s, f, i));
            }
        }
    }
    candidates.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut chosen: BTreeMap<usize, usize> = BTreeMap::new();
    let mut used = vec![false; questions.len()];
    for (_, f, i) in candidates {
        if chosen.contains_key(&f) || used[i] {
            continue;
        }
        chosen.insert(f, i);
        used[i] = true;
    }

    let mut out = String::new();
    out.push_str(&format!(
        "# Mapping drafted by `prokus mapping draft` for the form `{}`.\n\
         # Read it through: each field was matched by its question's name, labels and type.\n\
         # Correct what is wrong, then try it: prokus mapping check THIS.toml EXPORT.csv\n\n",
        comment(&form.form_id)
    ));
    out.push_str(&format!(
        "[form]\nid = {}\n\n[submission]\n\
         id_columns = [\"_uuid\", \"meta/instanceID\", \"KEY\"]\n\
         time_columns = [\"_submission_time\", \"SubmissionDate\"]\n",
        quoted(&form.form_id)
    ));
    for (f, (field, types)) in fields.iter().enumerate() {
        let Some(&i) = chosen.get(&f) else {
            if matches!(*field, "kpm_id" | "wave") {
                out.push_str(&format!(
                    "\n# `{field}` is required and no question matched it: name its column.\n\
                     [fields.{field}]\ncolumn = \"\"\ntype = \"{}\"\nrequired = true\n",
                    if *field == "kpm_id" { "id" } else { "choice" }
                ));
            }
            continue;
        };
        let q = &questions[i];
        out.push_str(&format!(
            "\n# {}\n[fields.{field}]\ncolumn = {}\n",
            label(q),
            quoted(&q.path)
        ));
        let wants = |t: FieldType| types.contains(&t);
        let select = q.kind.starts_with("select_");
        if wants(FieldType::YesNo) && q.kind == "select_multiple" {
            let online: Vec<String> = q
                .choices
                .iter()
                .filter(|(name, labels)| {
                    let texts: Vec<String> = std::iter::once(name)
                        .chain(labels)
                        .map(|t| t.to_lowercase())
                        .collect();
                    ONLINE.iter().any(|w| texts.iter().any(|t| mentions(t, w)))
                })
                .map(|(name, _)| name.clone())
                .collect();
            let all: Vec<String> = q.choices.iter().map(|(n, _)| n.clone()).collect();
            out.push_str(&format!(
                "type = \"yes_no\"\n# yes when any of these choices is selected (the choices: {})\nany_of = {}\n",
                comment(&all.join(", ")),
                array(&online)
            ));
        } else if wants(FieldType::YesNo) && select && !is_yes_no(q) {
            let all: Vec<String> = q.choices.iter().map(|(n, _)| n.clone()).collect();
            out.push_str(&format!(
                "type = \"yes_no\"\n# yes when the answer is one of these choices (the choices: {})\nyes = []\n",
                comment(&all.join(", "))
            ));
        } else if wants(FieldType::Choice) && select {
            let pairs: Vec<(String, String)> = q
                .choices
                .iter()
                .map(|(name, labels)| {
                    let code =
                        code_of(field, name, labels).map_or_else(|| name.clone(), str::to_string);
                    (name.clone(), code)
                })
                .collect();
            out.push_str(&format!(
                "type = \"choice\"\nchoices = {}\n",
                inline_choices(&pairs)
            ));
            if !CODES.iter().any(|(f, _)| f == field) {
                out.push_str(
                    "# each choice maps to itself: replace with the codes this field uses\n",
                );
            }
        } else {
            let t = types
                .iter()
                .find(|t| !matches!(t, FieldType::Choice))
                .copied()
                .unwrap_or(types[0]);
            let name = match t {
                FieldType::Id => "id",
                FieldType::Text => "text",
                FieldType::Choice => "choice",
                FieldType::Multi => "multi",
                FieldType::YesNo => "yes_no",
                FieldType::Money => "money",
                FieldType::Count => "count",
                FieldType::Likert => "likert",
                FieldType::DateTime => "date_time",
            };
            out.push_str(&format!("type = \"{name}\"\n"));
        }
        if matches!(*field, "kpm_id" | "wave") {
            out.push_str("required = true\n");
        }
    }
    let unmatched: Vec<&Question> = questions
        .iter()
        .zip(&used)
        .filter(|(_, u)| !**u)
        .map(|(q, _)| q)
        .collect();
    if !unmatched.is_empty() {
        out.push_str(
            "\n# Questions not matched to any field (add them above if one feeds a field):\n",
        );
        for q in unmatched {
            out.push_str(&format!(
                "#   {} ({}): {}\n",
                comment(&q.path),
                q.kind,
                label(q)
            ));
        }
    }
    out
}
