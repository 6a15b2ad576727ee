//! A first mapping for any XLSForm (`prokus mapping draft FORM.xlsx`): each
//! question matched to its likely canonical field by its name, its labels
//! (Indonesian and English words) and its type; the choices of select
//! questions pre-filled where their names or labels say which canonical code
//! they are; questions left unmatched listed as comments with their labels.
//! The draft is for a person to read and correct, then to try with `prokus
//! mapping check`.

use std::collections::BTreeMap;

use crate::error::IngestError;
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
        .map(|c| {
            if c.is_control() || prokus_files::is_bidi_control(c) {
                ' '
            } else {
                c
            }
        })
        .collect::<String>()
        .trim()
        .to_string()
}

/// A TOML string (quoted and escaped by the toml crate). The toml crate
/// writes a bidirectional control as it is, which would turn the rest of
/// the line around where the draft is printed: such a string is written
/// as a basic string with each escaped (`\u202E`), as TOML reads back.
fn quoted(text: &str) -> String {
    if !text.contains(prokus_files::is_bidi_control) {
        return toml::Value::String(text.to_string()).to_string();
    }
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() || prokus_files::is_bidi_control(c) => {
                out.push_str(&format!("\\u{:04X}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
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
    draft_questions(&form.form_id, &form.questions(), "")
}

/// Columns of a KoboToolbox or ODK Central export that are no question:
/// the submission's metadata (its id and time the mapping's `[submission]`
/// names) and the server's.
const METADATA_COLUMNS: &[&str] = &[
    "start",
    "end",
    "today",
    "deviceid",
    "username",
    "simserial",
    "subscriberid",
    "phonenumber",
    "audit",
    "__version__",
    "formhub/uuid",
    "meta/instanceid",
    "meta/instancename",
    "meta-instanceid",
    "meta-instancename",
    "meta/deprecatedid",
    "meta/audit",
    "submissiondate",
    "key",
    "submitterid",
    "submittername",
    "attachmentspresent",
    "attachmentsexpected",
    "status",
    "reviewstate",
    "edits",
    "formversion",
];

/// The most values a column may take for the draft to read it as a
/// choice question.
const MOST_CHOICES: usize = 12;

/// What a column of an export holds, read cell by cell.
#[derive(Default)]
struct Seen {
    /// Cells not empty.
    cells: u64,
    /// Of those, the whole numbers, the numbers (amounts as people write
    /// them too) and the dates.
    integers: u64,
    numbers: u64,
    dates: u64,
    /// A NIK in a cell: its values are never written into the draft.
    nik: bool,
    /// Its values, with how many cells hold each, while there are few.
    values: BTreeMap<String, u64>,
    /// Its values' space-separated words (a select_multiple's choices).
    words: BTreeMap<String, u64>,
    /// A value of more than one word.
    several_words: bool,
}

impl Seen {
    fn add(&mut self, cell: &str) {
        let cell = cell.trim();
        if cell.is_empty() {
            return;
        }
        self.cells += 1;
        // A kind more than a tenth of the cells (and ten) are not cannot
        // be the column's: not tried again, which spares a text column of
        // a big export millions of failed parses.
        let may_be = |n: u64| (self.cells - 1 - n) * 10 <= self.cells + 100;
        let integer = cell
            .strip_prefix('-')
            .unwrap_or(cell)
            .bytes()
            .all(|b| b.is_ascii_digit());
        let number = integer
            || (may_be(self.numbers)
                && (cell.parse::<f64>().is_ok_and(f64::is_finite)
                    || crate::values::parse_money(cell).is_ok()));
        let date = !number && may_be(self.dates) && crate::values::parse_datetime(cell).is_ok();
        self.integers += u64::from(integer);
        self.numbers += u64::from(number);
        self.dates += u64::from(date);
        self.nik |= crate::privacy::contains_nik(cell);
        // A value counted where it is known, added while there are few.
        let few = |map: &mut BTreeMap<String, u64>, value: &str| {
            if let Some(n) = map.get_mut(value) {
                *n += 1;
            } else if map.len() <= MOST_CHOICES {
                map.insert(value.to_string(), 1);
            }
        };
        few(&mut self.values, cell);
        self.several_words |= cell.contains(' ');
        // Past too many words no select_multiple is made of them.
        if self.words.len() <= MOST_CHOICES {
            for word in cell.split_whitespace() {
                few(&mut self.words, word);
            }
        }
    }

    /// The question type and choices its values say, as an XLSForm would:
    /// a choice question when a few values fill many cells (never from a
    /// column with a NIK, whose values would be the choices written); a
    /// number or a date when nine cells in ten are one (a stray `n/a` or
    /// `2,5 jt` in an export does not make its column text).
    fn question(&self) -> (&'static str, Vec<String>) {
        let few = |map: &BTreeMap<String, u64>| {
            map.len() <= MOST_CHOICES && self.cells >= 2 * map.len() as u64 && !self.nik
        };
        let by_count = |map: &BTreeMap<String, u64>| {
            let mut values: Vec<(&String, &u64)> = map.iter().collect();
            values.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            values.into_iter().map(|(v, _)| v.clone()).collect()
        };
        let most = |n: u64| n * 10 >= self.cells * 9;
        let yes_no = self.values.keys().all(|v| matches!(v.as_str(), "0" | "1"));
        if self.cells == 0 {
            ("text", Vec::new())
        } else if few(&self.values) && (!most(self.numbers) || yes_no) && !self.several_words {
            ("select_one", by_count(&self.values))
        } else if self.several_words && !most(self.numbers) && few(&self.words) {
            ("select_multiple", by_count(&self.words))
        } else if most(self.integers) {
            ("integer", Vec::new())
        } else if most(self.numbers) {
            ("decimal", Vec::new())
        } else if most(self.dates) {
            ("date", Vec::new())
        } else {
            ("text", Vec::new())
        }
    }
}

/// A mapping drafted from a form's export alone, when the form itself
/// (its XLSForm) is not at hand: each column a question, its type and
/// choices read from its values (a few values filling many cells are a
/// choice question's), the metadata columns left out; then matched to the
/// fields as a form's questions are. A column headed by its question's
/// label (an export with labels) is matched by the label.
pub fn draft_mapping_from_export(path: &std::path::Path) -> Result<String, IngestError> {
    use crate::source::{Container, Table};
    let bytes = std::fs::read(path).map_err(|source| IngestError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let container = Container::sniff(&bytes);
    let table = match container {
        Container::Csv => {
            let text = crate::source::decode_owned(bytes);
            Table::read(path, text.into_bytes(), container)?
        }
        _ => Table::read(path, bytes, container)?,
    };
    if crate::Format::form_export(&table.headers, container).is_none() {
        return Err(IngestError::Unreadable {
            path: path.to_path_buf(),
            reason: "this is neither a form (an XLSForm, with a survey sheet) nor a KoboToolbox \
                     or ODK Central export of one (no `_uuid` or `KEY` column)"
                .into(),
            hint: "give the form as it was uploaded to KoboToolbox or ODK, or, without it, an \
                   export of its submissions (CSV or XLSX, with XML names or labels)"
                .into(),
        });
    }
    let mut seen: Vec<Seen> = table.headers.iter().map(|_| Seen::default()).collect();
    let mut rows = 0u64;
    table.for_each_row(|_, cells, _| {
        rows += 1;
        for (cell, seen) in cells.iter().zip(seen.iter_mut()) {
            seen.add(cell);
        }
        Ok(())
    })?;
    let questions: Vec<Question> = table
        .headers
        .iter()
        .zip(&seen)
        .filter(|(h, _)| {
            let h = h.trim();
            !h.is_empty()
                && !h.starts_with('_')
                && !METADATA_COLUMNS.iter().any(|m| m.eq_ignore_ascii_case(h))
        })
        .map(|(header, seen)| {
            let (kind, choices) = seen.question();
            // A NIK as a header (a row pasted over it) is written masked.
            let header = crate::privacy::redact(header.trim()).into_owned();
            Question {
                // A header with spaces is a label; its question's name is
                // unknown, and the column is named by the header.
                labels: if header.contains(' ') {
                    vec![header.clone()]
                } else {
                    Vec::new()
                },
                path: header,
                kind: kind.into(),
                choices: choices
                    .into_iter()
                    .map(|c| (crate::privacy::safe_text(&c), Vec::new()))
                    .collect(),
                in_repeat: false,
            }
        })
        .collect();
    let name = crate::privacy::shown_path(path);
    let stem = path
        .file_stem()
        .map(|s| crate::privacy::safe_text(&s.to_string_lossy()))
        .unwrap_or_default();
    let origin = format!(
        "# Drafted from the export {} alone ({rows} rows), without the form: each column's type\n\
         # and choices were read from its values. Check them against the form, or draft again\n\
         # from the form's XLSForm (KoboToolbox: the project's Form tab, Download XLS; ODK\n\
         # Central: the form's Versions, Definition) for its questions' own types and labels.\n",
        comment(&name)
    );
    Ok(draft_questions(&stem, &questions, &origin))
}

/// The mapping drafted for `questions` of form `form_id`, `origin` (comment
/// lines, or nothing) said after the first lines.
fn draft_questions(form_id: &str, questions: &[Question], origin: &str) -> String {
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
         # Correct what is wrong, then try it: prokus mapping check THIS.toml EXPORT.csv\n{origin}\n",
        comment(form_id)
    ));
    out.push_str(&format!(
        "[form]\nid = {}\n\n[submission]\n\
         id_columns = [\"_uuid\", \"meta/instanceID\", \"KEY\"]\n\
         time_columns = [\"_submission_time\", \"SubmissionDate\"]\n\
         # When the interview was made (the form's metadata), for its quarter.\n\
         interview_columns = [\"end\", \"start\"]\n",
        quoted(form_id)
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
        let said = label(q);
        out.push_str(&format!(
            "\n{}[fields.{field}]\ncolumn = {}\n",
            if said.is_empty() {
                String::new()
            } else {
                format!("# {said}\n")
            },
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FormMapping;

    /// A partner's Kobo export, without its form: 40 submissions of two
    /// rounds, with a yes/no, an amount (one cell written `2,5 jt`), a
    /// count, a column of NIKs, a NIK as a header and a header with a
    /// right-to-left override in it.
    fn partner_export(dir: &std::path::Path) -> std::path::PathBuf {
        let mut text = String::from(
            "start;identitas/kpm_id;identitas/putaran;identitas/nik;usaha/laba\u{202E};keuangan/pembukuan;usaha/pekerja_dibayar;_uuid;_submission_time;3217055208850038\n",
        );
        for i in 0..40 {
            let round = if i < 20 { "awal" } else { "akhir" };
            let income = if i == 7 {
                "2,5 jt".to_string()
            } else {
                format!("{}", 900_000 + i * 10_000)
            };
            let books = if i % 3 == 0 { "tidak" } else { "ya" };
            let nik = if i % 2 == 0 {
                "3217055208850012"
            } else {
                "3217055208850020"
            };
            text.push_str(&format!(
                "2022-03-01T09:00:00+07:00;M{:03};{round};{nik};{income};{books};{};uuid-{i};2022-03-01T02:00:00;x\n",
                i % 20,
                i % 4
            ));
        }
        let path = dir.join("mitra.csv");
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn a_mapping_drafted_from_an_export_alone_reads_it_and_writes_no_nik() {
        let dir = tempfile::tempdir().unwrap();
        let export = partner_export(dir.path());
        let text = draft_mapping_from_export(&export).unwrap();
        let draft = FormMapping::parse(&text, std::path::Path::new("draft.toml"))
            .unwrap_or_else(|e| panic!("{e}\n{text}"));
        let column = |field: &str| draft.fields.get(field).map(|f| f.column.as_str());
        assert_eq!(column("kpm_id"), Some("identitas/kpm_id"), "{text}");
        assert_eq!(column("wave"), Some("identitas/putaran"), "{text}");
        assert_eq!(
            column("business_income"),
            Some("usaha/laba\u{202E}"),
            "{text}"
        );
        // Written escaped: printed, it turns no line around.
        assert!(!text.contains('\u{202E}'), "{text}");
        assert_eq!(column("keeps_books"), Some("keuangan/pembukuan"), "{text}");
        assert_eq!(
            column("paid_workers"),
            Some("usaha/pekerja_dibayar"),
            "{text}"
        );
        let wave = &draft.fields["wave"].choices;
        assert_eq!(
            wave.get("awal").map(String::as_str),
            Some("baseline"),
            "{text}"
        );
        assert_eq!(
            wave.get("akhir").map(String::as_str),
            Some("endline"),
            "{text}"
        );
        // The metadata is no question (only the interview's time); a NIK
        // is never written.
        assert!(
            !text.contains("column = \"start\"")
                && !text.lines().any(|l| l.starts_with("#   start ")),
            "{text}"
        );
        assert!(
            !text.contains("3217055208850012")
                && !text.contains("3217055208850038")
                && !text.contains("85001"),
            "{text}"
        );
        // The draft reads its export: every field found, no cell failing.
        let check =
            crate::check_mapping(&export, &draft, &crate::IngestOptions::default()).unwrap();
        assert!(
            check.fields.iter().all(|f| f.found && f.failed == 0),
            "{check:?}"
        );
    }

    #[test]
    fn a_file_that_is_no_export_is_refused_saying_what_to_give() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("template.csv");
        std::fs::write(&path, "kpm_id,wave,business_income\nK1,baseline,900000\n").unwrap();
        let e = draft_mapping_from_export(&path).unwrap_err().to_string();
        assert!(
            e.contains("neither a form") && e.contains("template.csv"),
            "{e}"
        );
    }
}
