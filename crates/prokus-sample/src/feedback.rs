//! The written feedback of the sample programme: what each incubator wrote
//! for the quarters (achievements, challenges, obstacles, requests, each for
//! an actor, and the stories of KPM who agreed that theirs be told), and
//! what some regencies' and provinces' Dinas Sosial wrote, on the canonical
//! feedback sheet (`prokus_ingest::feedback`); and the feedback form as an
//! XLSForm, whose question names are the sheet's columns, so that its
//! KoboToolbox or ODK export loads as the sheet does.

use std::path::Path;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rust_xlsxwriter::XlsxError;

use crate::form::{Question, q, rel, req, write_xlsform};
use crate::program::{self, Household, Incubator};
use crate::{SampleError, csv_writer};

/// The feedback form's survey sheet: one submission is one piece of feedback.
pub const FEEDBACK_SURVEY: &[Question] = &[
    q("start", "start", "", ""),
    q("end", "end", "", ""),
    {
        let mut period = req(q(
            "text",
            "period",
            "Triwulan (mis. 2021-Q3)",
            "Quarter (e.g. 2021-Q3)",
        ));
        period.constraint = "regex(., '^20[0-9]{2}-Q[1-4]$')";
        period
    },
    req(q(
        "select_one penulis",
        "writer",
        "Siapa yang menulis?",
        "Who is writing?",
    )),
    rel(
        req(q(
            "text",
            "incubator_id",
            "ID inkubator (mis. INK-32-01)",
            "Incubator id (e.g. INK-32-01)",
        )),
        "${writer} = 'incubator'",
    ),
    rel(
        req(q(
            "text",
            "regency_code",
            "Kode kabupaten/kota (mis. 32.17)",
            "Regency code (e.g. 32.17)",
        )),
        "${writer} = 'regency'",
    ),
    rel(
        req(q(
            "text",
            "province_code",
            "Kode provinsi (mis. 32)",
            "Province code (e.g. 32)",
        )),
        "${writer} = 'province'",
    ),
    q("text", "author", "Nama penulis", "Your name"),
    req(q(
        "select_one jenis",
        "kind",
        "Jenis umpan balik",
        "Kind of feedback",
    )),
    rel(
        req(q(
            "select_one aktor",
            "actor",
            "Untuk siapa (siapa yang dapat memperbaiki)?",
            "For whom (who can improve it)?",
        )),
        "${kind} != 'story'",
    ),
    rel(
        req(q(
            "text",
            "kpm_id",
            "ID KPM yang kisahnya diceritakan",
            "KPM id of the household whose story this is",
        )),
        "${kind} = 'story'",
    ),
    {
        let mut consent = rel(
            req(q(
                "select_one ya_tidak",
                "consent_story",
                "KPM setuju kisahnya dibagikan?",
                "Did the KPM agree that its story be shared?",
            )),
            "${kind} = 'story'",
        );
        consent.constraint = ". = 'ya'";
        consent
    },
    {
        let mut text = req(q(
            "text",
            "text",
            "Isi (tanpa NIK; paling banyak 2000 huruf)",
            "Text (no NIK; at most 2000 characters)",
        ));
        text.constraint = "string-length(.) <= 2000";
        text
    },
];

/// The feedback form's choices.
pub const FEEDBACK_CHOICES: &[(&str, &str, &str, &str)] = &[
    (
        "penulis",
        "incubator",
        "Inkubator bisnis",
        "Business incubator",
    ),
    (
        "penulis",
        "regency",
        "Dinas Sosial kabupaten/kota",
        "Regency social office",
    ),
    (
        "penulis",
        "province",
        "Dinas Sosial provinsi",
        "Provincial social office",
    ),
    ("jenis", "achievement", "Capaian", "Achievement"),
    ("jenis", "challenge", "Tantangan", "Challenge"),
    ("jenis", "obstacle", "Hambatan", "Obstacle"),
    ("jenis", "request", "Permintaan", "Request"),
    (
        "jenis",
        "story",
        "Kisah sukses KPM",
        "A KPM's success story",
    ),
    ("aktor", "kpm", "KPM", "KPM"),
    (
        "aktor",
        "incubator",
        "Inkubator dan mentor",
        "Incubator and mentors",
    ),
    ("aktor", "dinas_sosial", "Dinas Sosial", "Social office"),
    ("aktor", "korkab", "Korkab PKH", "PKH district coordinator"),
    (
        "aktor",
        "pkh_facilitator",
        "Pendamping PKH",
        "PKH facilitator",
    ),
    ("aktor", "tksk", "TKSK", "TKSK"),
    ("ya_tidak", "ya", "Ya", "Yes"),
    ("ya_tidak", "tidak", "Tidak", "No"),
];

/// The feedback form as an XLSForm's bytes.
pub fn xlsform_bytes() -> Result<Vec<u8>, XlsxError> {
    write_xlsform(
        [
            "Umpan balik ProKUS",
            prokus_ingest::feedback::FEEDBACK_FORM_ID,
            "2021.1",
        ],
        FEEDBACK_SURVEY,
        FEEDBACK_CHOICES,
    )
}

/// What an incubator may write: (kind, actor, text).
const INCUBATOR_LINES: &[(&str, &str, &str)] = &[
    (
        "achievement",
        "incubator",
        "Sebagian besar KPM binaan mulai mencatat pembukuan harian sejak pelatihan keuangan sederhana.",
    ),
    (
        "achievement",
        "kpm",
        "Beberapa KPM mulai menjual lewat marketplace dan media sosial setelah kelas pemasaran daring.",
    ),
    (
        "challenge",
        "kpm",
        "Harga bahan baku naik, sehingga laba KPM kuliner turun walau omzet tetap.",
    ),
    (
        "obstacle",
        "pkh_facilitator",
        "Jadwal pertemuan kelompok PKH bentrok dengan sesi mentoring; perlu jadwal bersama dengan pendamping PKH.",
    ),
    (
        "obstacle",
        "tksk",
        "KPM di desa terpencil belum dikunjungi TKSK sejak bulan lalu.",
    ),
    (
        "request",
        "dinas_sosial",
        "Mohon fasilitasi pengurusan NIB bersama DPMPTSP untuk KPM yang belum punya izin usaha.",
    ),
    (
        "request",
        "korkab",
        "Mohon data KPM yang pindah domisili diperbarui agar mentor dapat menjangkau mereka.",
    ),
];

/// What a regency's or a province's Dinas Sosial may write.
const OFFICE_LINES: &[(&str, &str, &str)] = &[
    (
        "achievement",
        "dinas_sosial",
        "Seluruh KPM sudah menerima bantuan modal tahap pertama.",
    ),
    (
        "obstacle",
        "dinas_sosial",
        "Penyaluran bantuan tahap kedua terlambat karena verifikasi rekening KPM.",
    ),
    (
        "request",
        "incubator",
        "Inkubator diharapkan mengirim jadwal mentoring bulanan ke Dinas Sosial.",
    ),
    (
        "request",
        "korkab",
        "Korkab PKH diminta menyertakan TKSK dalam rapat koordinasi bulanan.",
    ),
];

/// A KPM's story as its incubator tells it.
const STORIES: &[&str] = &[
    "{business} kini memasok warung-warung di sekitar desa dan mengajak tetangga ikut bekerja.",
    "Dengan modal ProKUS, {business} menambah alat produksi dan mulai menerima pesanan lewat WhatsApp.",
    "{business} mulai memisahkan uang usaha dari uang rumah tangga dan menabung setiap minggu.",
];

/// Writes the sample's feedback sheet: each incubator's feedback for the
/// second and third quarters of 2021 (the third replacing nothing: each
/// quarter is its own), two stories per incubator of KPM who consented,
/// and the feedback of the Dinas Sosial of one regency per incubator and of
/// each incubator's province, from a random stream seeded apart.
pub fn write_feedback(
    path: &Path,
    households: &[Household],
    incubators: &[Incubator],
    seed: u64,
) -> Result<(), SampleError> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0xFEED_BAC0);
    let mut w = csv_writer(path, b',', false)?;
    let err = |source| SampleError::Csv {
        path: path.to_path_buf(),
        source,
    };
    w.write_record(prokus_ingest::feedback::FEEDBACK_COLUMNS)
        .map_err(err)?;
    let (mut provinces, mut regencies): (Vec<&str>, Vec<&str>) = (Vec::new(), Vec::new());
    for (i, inc) in incubators.iter().enumerate() {
        let own: Vec<&Household> = households
            .iter()
            .filter(|h| h.arm == "prokus" && h.incubator == i)
            .collect();
        if own.is_empty() {
            continue;
        }
        let mentor = own[0].mentor.as_str();
        for period in ["2021-Q2", "2021-Q3"] {
            for &(kind, actor, text) in INCUBATOR_LINES {
                if rng.random_bool(0.55) {
                    w.write_record([period, &inc.id, "", "", mentor, kind, actor, text, "", ""])
                        .map_err(err)?;
                }
            }
        }
        for h in own.iter().filter(|h| program::consents(h)).take(2) {
            let story =
                STORIES[rng.random_range(0..STORIES.len())].replace("{business}", &h.business_name);
            w.write_record([
                "2021-Q3", &inc.id, "", "", mentor, "story", "", &story, &h.kpm_id, "ya",
            ])
            .map_err(err)?;
        }
        if let Some(regency) = inc.regencies.first()
            && !regencies.contains(&regency.as_str())
        {
            regencies.push(regency);
            for &(kind, actor, text) in OFFICE_LINES.iter().filter(|_| rng.random_bool(0.5)) {
                w.write_record(["2021-Q3", "", regency, "", "", kind, actor, text, "", ""])
                    .map_err(err)?;
            }
        }
        if !provinces.contains(&inc.province.as_str()) {
            provinces.push(&inc.province);
            let (kind, actor, text) = OFFICE_LINES[rng.random_range(0..OFFICE_LINES.len())];
            w.write_record([
                "2021-Q3",
                "",
                "",
                &inc.province,
                "",
                kind,
                actor,
                text,
                "",
                "",
            ])
            .map_err(err)?;
        }
    }
    w.flush().map_err(|source| SampleError::Io {
        path: path.to_path_buf(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use prokus_ingest::feedback::{FEEDBACK_ACTORS, FEEDBACK_COLUMNS, FEEDBACK_KINDS};

    /// The form asks every column of the sheet by its name, and offers the
    /// kinds and actors the sheet takes: its export is the sheet.
    #[test]
    fn the_feedback_form_asks_the_sheets_columns() {
        let bytes = xlsform_bytes().unwrap();
        let form = prokus_ingest::XlsForm::parse(Path::new("form.xlsx"), &bytes).unwrap();
        let questions = form.questions();
        let names: Vec<&str> = questions.iter().map(|q| q.path.as_str()).collect();
        for column in FEEDBACK_COLUMNS {
            assert!(names.contains(column), "{column} in {names:?}");
        }
        let choices = |name: &str| -> Vec<String> {
            questions
                .iter()
                .find(|q| q.path == name)
                .unwrap()
                .choices
                .iter()
                .map(|c| c.0.clone())
                .collect()
        };
        let kinds: Vec<&str> = FEEDBACK_KINDS.iter().map(|k| k.0).collect();
        let actors: Vec<&str> = FEEDBACK_ACTORS.iter().map(|a| a.0).collect();
        assert_eq!(choices("kind"), kinds);
        assert_eq!(choices("actor"), actors);
    }

    /// A KoboToolbox export of the form (its names as headers, with Kobo's
    /// own columns) loads as a feedback sheet.
    #[test]
    fn a_kobo_export_of_the_form_loads_as_the_sheet() {
        let dir = tempfile::tempdir().unwrap();
        let mut db = prokus_ingest::Database::in_memory().unwrap();
        let m = prokus_ingest::FormMapping::prokus();
        let write = |name: &str, text: &str| {
            let path = dir.path().join(name);
            std::fs::write(&path, text).unwrap();
            path
        };
        db.ingest(
            &write(
                "incubators.csv",
                "incubator_id,name,university,province_code\nINK-32-01,Oorange,Unpad,32\n",
            ),
            &m,
        )
        .unwrap();
        let export = "\"start\";\"end\";\"period\";\"writer\";\"incubator_id\";\"regency_code\";\"province_code\";\"author\";\"kind\";\"actor\";\"kpm_id\";\"consent_story\";\"text\";\"_id\";\"_uuid\";\"_submission_time\"\r\n\
            \"2021-10-01T09:00:00.000+07:00\";\"2021-10-01T09:05:00.000+07:00\";\"2021-Q3\";\"incubator\";\"INK-32-01\";\"\";\"\";\"Ani\";\"obstacle\";\"tksk\";\"\";\"\";\"Kunjungan TKSK jarang\";\"1\";\"0b6a\";\"2021-10-01T02:05:00\"\r\n";
        let s = db
            .ingest(&write("feedback_export.csv", export), &m)
            .unwrap();
        assert_eq!(
            (s.format.as_str(), s.rows_loaded, s.rows_rejected),
            ("feedback", 1, 0),
            "{s:?}"
        );
    }
}
