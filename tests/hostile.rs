//! End-to-end: `prokus` on files a careless incubator, a buggy export or a
//! hostile user would send. Whatever they hold, no NIK leaves in clear (PDF
//! text, CSV, workbooks, standard output and error, the reject table), no
//! file lands outside the output folder, no incubator sees another's
//! household, and nothing crashes or hangs.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_prokus");

/// Real-looking NIKs (Bandung Barat, valid birth dates).
const NIK_A: &str = "3217055208850012";
const NIK_B: &str = "3217051203790034";
const NIK_C: &str = "3217054407920051";

struct Dir {
    root: PathBuf,
    /// Everything every command printed.
    printed: String,
}

impl Dir {
    fn new(name: &str) -> Dir {
        let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("in")).unwrap();
        Dir {
            root,
            printed: String::new(),
        }
    }

    fn file(&self, name: &str, text: &str) -> String {
        let path = self.root.join("in").join(name);
        std::fs::write(&path, text).unwrap();
        path.to_string_lossy().into_owned()
    }

    /// An incubator list of INK-32-01 alone.
    fn one_incubator(&self) -> String {
        self.file(
            "incubators.csv",
            "incubator_id,name,university,province_code\nINK-32-01,Inkubator,Universitas,32\n",
        )
    }

    fn path(&self, rel: &str) -> String {
        self.root.join(rel).to_string_lossy().into_owned()
    }

    /// Runs prokus with this folder's own NIK key file.
    fn run(&mut self, args: &[&str]) -> Output {
        let out = Command::new(BIN)
            .args(args)
            .env("PROKUS_NIK_KEY_FILE", self.root.join("nik.key"))
            .env_remove("PROKUS_NIK_KEY")
            .output()
            .expect("prokus runs");
        self.printed.push_str(&String::from_utf8_lossy(&out.stdout));
        self.printed.push_str(&String::from_utf8_lossy(&out.stderr));
        out
    }

    fn ok(&mut self, args: &[&str]) -> Output {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "prokus {args:?} failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    /// Every report of the database `db`, into the folder `out`.
    fn report_all(&mut self, db: &str, out: &str) -> Output {
        self.ok(&["report", "--db", db, "--audience", "all", "--out", out])
    }
}

/// The longest run of ASCII digits in `text`, decimals of a number aside
/// (a share printed at full precision, `0.7142857142857143`, is no NIK).
fn longest_digit_run(text: &str) -> usize {
    without_digests(text)
        .split(|c: char| !c.is_ascii_digit() && c != '.')
        .flat_map(|number| {
            let mut parts = number.split('.');
            let whole = parts.next().unwrap_or("");
            // `1.2.3` is no decimal number: every part counts.
            let rest: Vec<&str> = parts.collect();
            let decimal = rest.len() == 1 && !whole.is_empty();
            std::iter::once(whole.len())
                .chain(rest.into_iter().filter(move |_| !decimal).map(str::len))
        })
        .max()
        .unwrap_or(0)
}

/// `text` without the SHA-256 digests it holds (64 lower-case hex digits
/// with a letter among them, standing alone): the files loaded and the key
/// of kept figures, which hold runs of 16 digits and more by chance: 1.02%
/// of 200,000 random digests did, and the keys change with each build.
fn without_digests(text: &str) -> String {
    let hex = |c: char| c.is_ascii_digit() || ('a'..='f').contains(&c);
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(hex) {
        out.push_str(&rest[..start]);
        let tail = &rest[start..];
        let len = tail.find(|c: char| !hex(c)).unwrap_or(tail.len());
        let token = &tail[..len];
        let alone = !out.ends_with(|c: char| c.is_ascii_alphanumeric())
            && !tail[len..].starts_with(|c: char| c.is_ascii_alphanumeric());
        if !(len == 64 && alone && token.contains(|c: char| c.is_ascii_alphabetic())) {
            out.push_str(token);
        }
        rest = &tail[len..];
    }
    out.push_str(rest);
    out
}

fn assert_no_nik(what: &str, text: &str) {
    let run = longest_digit_run(text);
    assert!(run < 16, "{what} holds a run of {run} digits");
    for nik in [NIK_A, NIK_B, NIK_C] {
        assert!(!text.contains(nik), "{what} holds a NIK in clear");
    }
}

/// The text of every output under `dir`: PDFs through pdftotext, workbooks
/// cell by cell, other files as they are.
fn texts_under(dir: &Path, out: &mut Vec<(PathBuf, String)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            texts_under(&path, out);
            continue;
        }
        let ext = path.extension().map(|e| e.to_string_lossy().to_lowercase());
        let text = match ext.as_deref() {
            Some("pdf") => {
                let o = Command::new("pdftotext")
                    .args([path.to_str().unwrap(), "-"])
                    .output()
                    .expect("pdftotext (installed by scripts/test.sh)");
                String::from_utf8_lossy(&o.stdout).into_owned()
            }
            Some("xlsx") => {
                use calamine::Reader;
                let mut book = calamine::open_workbook_auto(&path).unwrap();
                let mut text = String::new();
                for name in book.sheet_names() {
                    let range = book.worksheet_range(&name).unwrap();
                    for row in range.rows() {
                        for cell in row {
                            text.push_str(&cell.to_string());
                            text.push('\t');
                        }
                        text.push('\n');
                    }
                }
                text
            }
            Some("duckdb") | Some("wal") | Some("key") => continue,
            _ => String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned(),
        };
        out.push((path, text));
    }
}

// The first incubator's university is written with a right-to-left
// override (U+202E) before `Satu`, as a name disguised in a sheet would be.
const INCUBATORS: &str = "incubator_id,name,university,province_code
INK-32-01,Inkubator Satu,Universitas \u{202E}Satu,32
INK-32-02,+1 Inkubator Dua,Universitas Dua,32
../../esc,Jalan Keluar,Universitas Jahat,32
INK/1,Garis Miring,Universitas Miring,32
";

/// A word far wider than any column: a product code pasted into a sheet.
const LONG_WORD: &str = "Kewirausahaansosialkeluargapenerimamanfaatprogramkeluargaharapanyangmengikutipendampinganinkubatorbisnisuniversitas";

/// A feedback sheet whose obstacle is one long word.
fn feedback() -> String {
    format!(
        "period,incubator_id,regency_code,province_code,author,kind,actor,text,kpm_id,consent_story
2021-Q4,INK-32-01,,,Mentor Satu,kendala,tksk,Kode {LONG_WORD} tidak terbaca,,
"
    )
}

/// The words of the PDF at `path` that end past its page's right edge
/// (`pdftotext -bbox`), with their right ends.
fn words_past_the_edge(path: &Path) -> Vec<String> {
    let o = Command::new("pdftotext")
        .args(["-bbox", path.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (installed by scripts/test.sh)");
    let html = String::from_utf8_lossy(&o.stdout);
    let attr = |tag: &str, name: &str| -> f64 {
        let at = tag.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        tag[at..].split('"').next().unwrap().parse().unwrap()
    };
    let mut width = f64::INFINITY;
    let mut past = Vec::new();
    for tag in html.split('<') {
        if tag.starts_with("page ") {
            width = attr(tag, "width");
        } else if tag.starts_with("word ") && attr(tag, "xMax") > width {
            let word = tag.split('>').nth(1).unwrap_or_default();
            past.push(format!("{word} (to {} of {width})", attr(tag, "xMax")));
        }
    }
    past
}

fn register(k4_incubator: &str) -> String {
    // A NIK whose digits a right-to-left override keeps apart: the reports
    // leave the override out and would print it whole.
    let hidden = format!("{}\u{202E}{}", &NIK_B[..4], &NIK_B[4..]);
    format!(
        "kpm_id,nik,kpm_name,gender,business_name,arm,cohort_year,incubator_id,mentor,tksk,cluster,category,province_code,regency_code,district_code,grant_amount,grant_date
K1,{NIK_A},Siti Aminah,P,Keripik Bu Siti,prokus,2021,INK-32-01,,,kuliner,start_up,32,32.17,321705,3500000,2021-04-12
K2,{NIK_B},Sri Rahayu,P,Toko Berkah,prokus,2021,INK-32-02,,,ritel,start_up,32,32.17,321705,3500000,2021-04-12
K3,,Ani,P,=HYPERLINK(\"http://x\"),prokus,2021,INK-32-01,,,ritel,start_up,32,32.17,,3500000,2021-04-12
K4,,Budi,L,Warung Budi,prokus,2021,{k4_incubator},,,kuliner,start_up,32,32.17,,3500000,2021-04-12
{NIK_C},,Dewi,P,Usaha Dewi,prokus,2021,INK-32-01,,,kuliner,start_up,32,32.17,,3500000,2021-04-12
K6,,Nama {NIK_C},P,Usaha,prokus,2021,INK-32-01,,,kuliner,start_up,32,32.17,,3500000,2021-04-12
K7,,Eka,P,Usaha Eka,comparison,2021,INK-32-01,,,kuliner,start_up,32,32.17,,,
K8,,Fajar,L,Usaha Fajar,prokus,2021,INK-32-01,,,kuliner,start_up,32,32.17,,{NIK_A},2021-04-12
K9,,Gita,P,Usaha {hidden},prokus,2021,INK-32-01,,,kuliner,start_up,32,32.17,,3500000,2021-04-12
"
    )
}

const SHEET: &str = "kpm_id,wave,incubator_id,submitted_at,business_operating,business_revenue,business_income,household_income
K1,baseline,INK-32-01,2021-05-01,ya,2000000,1000000,2500000
K2,baseline,INK-32-02,2021-05-01,ya,1500000,700000,2000000
K3,baseline,INK-32-01,2021-05-01,ya,1800000,800000,2200000
K4,baseline,INK-32-01,2021-05-01,ya,1700000,750000,2100000
K1,endline,INK-32-01,2021-11-01,ya,3217055208850012,1200000,2600000
K1,endline,INK-32-01,2021-11-02,ya,99999999999999999999 jt,1200000,2600000
K1,endline,INK-32-01,2021-11-03,ya,1e308,1200000,2600000
K1,endline,INK-32-01,+262142-12-31T23:00:00,ya,2000000,1200000,2600000
K1,endline,INK-32-01,2099-01-01,ya,2000000,1200000,2600000
K2,endline,INK-32-01,2021-11-01,ya,9000000,8000000,9500000
K1,endline,INK-32-01,2021-11-05,ya,2500000,1300000,2700000
K2,endline,INK-32-02,2021-11-05,ya,1600000,800000,2100000
K3,endline,INK-32-01,2021-11-05,ya,1900000,900000,2300000
K4,endline,INK-32-01,2021-11-05,ya,1800000,800000,2200000
";

#[test]
fn hostile_files_leak_no_nik_escape_no_folder_and_cross_no_incubator() {
    let mut d = Dir::new("hostile");
    let db = d.path("t.duckdb");
    let incubators = d.file("incubators.csv", INCUBATORS);
    let reg = d.file("kpm_register.csv", &register("INK-32-01"));
    let sheet = d.file("sheet.csv", SHEET);
    let feedback = d.file("feedback.csv", &feedback());
    let out = d.ok(&[
        "ingest",
        "--db",
        &db,
        "--json",
        &incubators,
        &reg,
        &sheet,
        &feedback,
    ]);
    let summaries: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let count = |file: &str, key: &str| {
        summaries
            .iter()
            .find(|s| s["file"].as_str().unwrap().ends_with(file))
            .unwrap()[key]
            .as_u64()
            .unwrap()
    };
    // Unsafe ids are refused at the door.
    assert_eq!(
        (
            count("incubators.csv", "rows_loaded"),
            count("incubators.csv", "rows_rejected")
        ),
        (2, 2)
    );
    // A NIK as kpm_id, in a name (also one split by an invisible override),
    // as a grant; a comparison household with an incubator; a business name
    // that is a formula (K3): rejected. K1, K2 and K4 load.
    assert_eq!(count("kpm_register.csv", "rows_loaded"), 3);
    assert_eq!(count("kpm_register.csv", "rows_rejected"), 6);
    // A NIK as money, an infinite amount, a date in year 262142 or 2099, and
    // a row naming another incubator's KPM, and K3's two rows: rejected, each
    // with its reason.
    assert_eq!(count("sheet.csv", "rows_rejected"), 8);
    assert_eq!(count("sheet.csv", "rows_loaded"), 6);

    let rejects = d.path("rejects.csv");
    d.ok(&["rejects", "--db", &db, "--output", &rejects]);
    let rejects_text = std::fs::read_to_string(&rejects).unwrap();
    // K3's business name, refused as a formula, is kept as text.
    assert!(rejects_text.contains("\"'=HYPERLINK("), "{rejects_text}");
    assert!(
        !rejects_text.contains(",=HYPERLINK(") && !rejects_text.contains(",\"=HYPERLINK("),
        "{rejects_text}"
    );
    for reason in [
        "looks like a NIK",
        "comparison household has no incubator",
        "belongs to incubator INK-32-02",
        "not between 2000-01-01",
        "is more than Rp",
        "an id may only hold",
        "a formula, and the file holds no value",
        "this KPM id is not in the KPM register",
    ] {
        assert!(rejects_text.contains(reason), "no reject says {reason:?}");
    }

    // A quote left open swallows the rows after it: the file is refused at
    // its line, nothing of it is loaded, and no cell is printed.
    let mut swallow = String::from(
        "kpm_id,wave,business_revenue,household_income\nK1,monitoring_1,\"100000,2000000\n",
    );
    for (i, nik) in [NIK_A, NIK_B, NIK_C].iter().enumerate() {
        swallow.push_str(&format!("K{},monitoring_1,{nik},200000{i}\n", i + 2));
    }
    swallow.push_str("K4,monitoring_1,100000,2000000\"\n");
    let swallow = d.file("swallow.csv", &swallow);
    let refused = d.run(&["ingest", "--db", &db, &swallow]);
    assert!(!refused.status.success());
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(
        err.contains("swallow.csv") && err.contains("line 2") && err.contains("quote"),
        "{err}"
    );

    // A register without a header row: its first row is not printed whole.
    let headless = d.file(
        "headless.csv",
        &register("INK-32-01")
            .lines()
            .skip(1)
            .collect::<Vec<_>>()
            .join("\n"),
    );
    let refused = d.run(&["ingest", "--db", &db, &headless]);
    assert!(!refused.status.success());

    // Every output of every command.
    let quality = d.path("out/quality.csv");
    let per_incubator = d.path("out/to-send");
    let check_per_incubator = |d: &mut Dir| {
        d.ok(&[
            "check",
            "--db",
            &db,
            "--output",
            &quality,
            "--per-incubator",
            &per_incubator,
            "--as-of",
            "2021-12-01",
        ])
    };
    check_per_incubator(&mut d);
    // As of no date: its findings are kept for the report runs below.
    d.ok(&["check", "--db", &db, "--output", &d.path("out/now.csv")]);
    d.ok(&[
        "check",
        "--db",
        &db,
        "--output",
        &d.path("out/quality.xlsx"),
        "--as-of",
        "2021-12-01",
    ]);
    let reports = d.path("out/reports");
    d.report_all(&db, &reports);
    d.ok(&[
        "indicators",
        "--db",
        &db,
        "--output",
        &d.path("out/indicators.csv"),
    ]);
    // An incubator named like a formula (a spreadsheet reads a cell that
    // starts with `+` as one) stays text in a spreadsheet.
    let indicators = std::fs::read_to_string(d.path("out/indicators.csv")).unwrap();
    assert!(
        indicators.contains(",'+1 Inkubator Dua"),
        "the name is neutralised"
    );
    assert!(!indicators.contains(",+1"), "a formula reaches the CSV");
    d.ok(&[
        "rejects",
        "--db",
        &db,
        "--output",
        &d.path("out/rejects.xlsx"),
    ]);

    // K4 moves from INK-32-01 to INK-32-02 (a move the load is told of):
    // the next outputs of both follow.
    let moved = d.file("kpm_register_2.csv", &register("INK-32-02"));
    d.ok(&["ingest", "--db", &db, "--move-kpm", &moved]);
    d.ok(&[
        "report",
        "--db",
        &db,
        "--audience",
        "incubator",
        "--out",
        &reports,
    ]);
    check_per_incubator(&mut d);

    let mut texts = Vec::new();
    texts_under(&d.root.join("out"), &mut texts);
    assert!(
        texts
            .iter()
            .any(|(p, _)| p.extension().is_some_and(|e| e == "pdf"))
    );
    for (path, text) in &texts {
        assert_no_nik(&path.display().to_string(), text);
    }
    assert_no_nik("what prokus printed", &d.printed);
    // Nor the figures the report runs kept beside the database (the checks'
    // findings, with the KPM's names), nor the indicator rows `prokus
    // indicators` kept (with the groups' names), for the next run: decoded,
    // so that a number is read as the digits it would print.
    let (mut kept, mut checks, mut rows) = (0, 0, 0);
    for entry in std::fs::read_dir(d.root.join("t.duckdb.figures")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "bincode") {
            let text = prokus_report::kept_as_text(&path).unwrap();
            assert_no_nik(&path.display().to_string(), &text);
            if text.starts_with("KeptIndicators") {
                assert!(text.contains("group_name"), "{}", path.display());
                rows += 1;
                continue;
            }
            assert!(text.contains("kpm_names"), "{}", path.display());
            kept += 1;
            checks += usize::from(text.starts_with("KeptChecks"));
        }
    }
    assert!(kept > 1, "the report runs kept their figures");
    assert_eq!(checks, 1, "`prokus check` kept its findings");
    assert_eq!(rows, 1, "`prokus indicators` kept its rows");
    let incubator_text = |id: &str| -> String {
        texts
            .iter()
            .filter(|(p, _)| p.file_name().unwrap().to_string_lossy().starts_with(id))
            .map(|(_, t)| t.as_str())
            .collect()
    };
    // A word wider than its column is broken inside the column, not run
    // past the page's edge.
    let mut whole = 0;
    for (path, text) in texts
        .iter()
        .filter(|(p, _)| p.extension().is_some_and(|e| e == "pdf"))
    {
        let past = words_past_the_edge(path);
        assert!(past.is_empty(), "{}: {past:?}", path.display());
        let joined: String = text.split_whitespace().collect();
        whole += usize::from(joined.contains(LONG_WORD));
    }
    assert!(whole > 0, "the long word is not printed whole");
    let one = incubator_text("INK-32-01");
    let two = incubator_text("INK-32-02");
    assert!(!one.is_empty() && !two.is_empty());
    // The override does not turn the name around on the page.
    assert!(
        one.contains("Universitas Satu") && !one.contains("utaS"),
        "the university's name is not printed as written"
    );
    assert!(
        !one.contains("K2 ") && !one.contains("Sri Rahayu"),
        "INK-32-01 shows INK-32-02's KPM"
    );
    assert!(
        !one.contains("Budi"),
        "INK-32-01 still shows the KPM who moved away"
    );

    // Nothing was written outside the test's own folder.
    let parent = d.root.parent().unwrap();
    assert!(!parent.join("esc").exists() && !parent.join("esc.pdf").exists());
    assert!(!d.root.join("out").join("INK").exists());

    // The database: rejects masked and clipped, no NIK in any text it keeps
    // (the keyed hash aside), and no key or salt in it.
    let conn = duckdb::Connection::open(&db).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT coalesce(column_name, '') || ' ' || coalesce(value, '') || ' ' || reason FROM ingest_reject
             UNION ALL SELECT concat_ws(' ', kpm_id, nik_masked, kpm_name, business_name, incubator_id) FROM kpm",
        )
        .unwrap();
    let stored: Vec<String> = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for text in &stored {
        assert_no_nik("the database", text);
        assert!(text.chars().count() < 700, "a stored text is not clipped");
    }
    // The key's fingerprint only (its hex may hold digits by chance).
    let meta: Vec<String> = conn
        .prepare("SELECT key FROM meta ORDER BY key")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(meta, ["nik_key_check"]);
}

/// 20,000 KPM of one incubator sending the very same answers (a form copied
/// 20,000 times): each finding names a few of the others and counts the
/// rest, so the check's output and memory grow with the rows, not with their
/// square (each finding used to list all 19,999 others).
#[test]
fn twenty_thousand_copies_of_one_form_make_findings_of_bounded_size() {
    let mut d = Dir::new("copies");
    let db = d.path("t.duckdb");
    let n = 20_000;
    let incubators = d.file(
        "incubators.csv",
        "incubator_id,name,university,province_code\nINK-32-01,Inkubator Satu,Universitas Satu,32\n",
    );
    let mut register = String::from("kpm_id,arm,incubator_id,regency_code,cohort_year\n");
    let mut sheet = String::from(
        "kpm_id,wave,submitted_at,business_operating,business_revenue,business_income,household_income\n",
    );
    for i in 0..n {
        register.push_str(&format!("K{i:05},prokus,INK-32-01,32.17,2021\n"));
        sheet.push_str(&format!(
            "K{i:05},baseline,2021-05-01,ya,2000000,1000000,2500000\n"
        ));
    }
    let register = d.file("kpm_register.csv", &register);
    let sheet = d.file("sheet.csv", &sheet);
    d.ok(&["ingest", "--db", &db, &incubators, &register, &sheet]);
    let findings = d.path("findings.csv");
    d.ok(&["check", "--db", &db, "--output", &findings, "--lang", "en"]);
    let mut reader = csv::Reader::from_path(&findings).unwrap();
    let header = reader.headers().unwrap().clone();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (check, problem) = (column("check"), column("problem"));
    let mut copies = 0;
    for row in reader.records() {
        let row = row.unwrap();
        if &row[check] == "identical_answers" {
            copies += 1;
            assert!(row[problem].len() < 300, "{}", &row[problem]);
            // "identical to KPM K00001, K00002, K00003 and 19996 other KPM":
            // the names listed and the others counted make the 19,999.
            let text = &row[problem];
            let (named, rest) = text.split_once(" and ").expect(text);
            let others: usize = rest.split(' ').next().unwrap().parse().unwrap();
            assert_eq!(named.matches('K').count() - 1 + others, n - 1, "{text}");
        }
    }
    assert_eq!(copies, n);
}

/// `--memory-limit` is set with a statement: anything but a size is
/// refused before it reaches DuckDB, and a size is taken (the run spills
/// beyond it rather than fail).
#[test]
fn a_memory_limit_is_a_size_or_refused() {
    let mut dir = Dir::new("memory-limit");
    let db = dir.path("m.duckdb");
    let incubators = dir.file(
        "incubators.csv",
        "incubator_id,name,university,province_code\nINK-32-01,Inkubator,Universitas,32\n",
    );
    dir.ok(&[
        "ingest",
        "--db",
        &db,
        "--memory-limit",
        "256MB",
        &incubators,
    ]);
    for bad in [
        "1GB'; DROP TABLE incubator; --",
        "lots",
        "0GB",
        "-1GB",
        "4 GiB",
    ] {
        let limit = format!("--memory-limit={bad}");
        let out = dir.run(&["check", "--db", &db, &limit, "--output", &dir.path("f.csv")]);
        assert!(!out.status.success(), "{bad} refused");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("is not a memory size"),
            "{bad}"
        );
    }
    let out = dir.ok(&[
        "rejects",
        "--db",
        &db,
        "--memory-limit",
        "1 gb",
        "--output",
        "-",
    ]);
    assert!(out.status.success());
    let conn = duckdb::Connection::open(&db).unwrap();
    let n: i64 = conn
        .query_row("SELECT count(*) FROM incubator", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 1, "the incubator list is still there");
}

/// A device that never ends (`/dev/zero`) and a pipe no one writes to,
/// given as files to load or to check a mapping against: each is refused
/// at once, named, and the good file beside them still loads. The folder
/// they are in, given to load, loads its data file and passes over the
/// pipe without opening it.
/// The ProKUS form's mapping, as the project ships it.
#[cfg(target_os = "linux")]
const MAPPING: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../sample-data/prokus-monitoring.mapping.toml"
);

#[cfg(target_os = "linux")]
/// A mapping's dry run prints failing cells as examples: a terminal's
/// escape in one (which recolours or rewrites the screen) and a NIK are
/// not printed as they are, in an answer or in the interview's time.
#[test]
fn a_mapping_check_prints_no_cell_s_escape_nor_nik() {
    let mut d = Dir::new("mapping-check-cells");
    let export = d.file(
        "prokus_monitoring_2021-03-23.csv",
        "\"end\";\"identitas/kpm_id\";\"identitas/putaran\";\"usaha/omzet\";\"_uuid\";\
         \"_submission_time\"\n\
         \"3217055208850012 \u{1b}[2J\";\"K1\";\"baseline\";\"12\u{1b}]0;pwned\u{7}abc\";\"u1\";\
         \"2021-03-23T02:00:00\"\n",
    );
    let out = d.run(&["mapping", "check", MAPPING, &export]);
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(printed.contains("e.g."), "{printed}");
    assert!(
        !printed.contains('\u{1b}') && !printed.contains('\u{7}'),
        "{printed:?}"
    );
    assert_no_nik("mapping check", &printed);
}

#[test]
fn devices_pipes_and_files_for_folders_are_refused_and_a_folders_pipe_passed_over() {
    let mut dir = Dir::new("not-files");
    let fifo = dir.path("in/pipe.csv");
    let made = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let folder = dir.path("in");
    let good = dir.file(
        "incubators.csv",
        "incubator_id,name\nINK01,Inkubator Satu\n",
    );
    let db = dir.path("p.duckdb");
    for args in [
        vec!["--db", &db, "ingest", "/dev/zero", &fifo, &folder, &good],
        vec!["mapping", "check", MAPPING, "/dev/zero"],
    ] {
        let mut child = Command::new(BIN)
            .args(&args)
            .env("PROKUS_NIK_KEY_FILE", dir.root.join("nik.key"))
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("prokus runs");
        let started = std::time::Instant::now();
        while child.try_wait().unwrap().is_none() {
            if started.elapsed() > std::time::Duration::from_secs(30) {
                let _ = child.kill();
                panic!("prokus {args:?} still runs after 30 s");
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let out = child.wait_with_output().unwrap();
        let printed = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!out.status.success(), "{printed}");
        assert!(
            printed.contains("/dev/zero: this is not a regular file"),
            "{printed}"
        );
        dir.printed.push_str(&printed);
    }
    let printed = dir.printed.clone();
    assert!(
        printed.contains("pipe.csv: this is not a regular file"),
        "{printed}"
    );
    // The folder loads its data file, and passes over the pipe in it
    // (given alone, refused above) without opening it.
    assert!(
        printed.lines().any(|l| {
            let words: Vec<&str> = l.split_whitespace().collect();
            words[..] == ["incubators.csv", "incubators", "1", "1", "0", "0"]
        }),
        "{printed}"
    );
    // The good file was loaded all the same.
    let out = dir.ok(&["--db", &db, "ingest", &good]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("already loaded as batch 1"), "{text}");
    // A file given as the folder for the outputs is said at once, and left
    // as it was.
    let report = [
        "--db",
        &db,
        "report",
        "--audience",
        "national",
        "--out",
        &good,
    ];
    let check = [
        "--db",
        &db,
        "check",
        "--output",
        "-",
        "--per-incubator",
        &good,
    ];
    for (args, option) in [(&report[..], "--out"), (&check[..], "--per-incubator")] {
        let out = dir.run(args);
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{said}");
        assert!(
            said.contains("incubators.csv: this is a file, not a folder")
                && said.contains(&format!("hint: {option} names the folder")),
            "{said}"
        );
        assert_eq!(
            std::fs::read_to_string(&good).unwrap(),
            "incubator_id,name\nINK01,Inkubator Satu\n"
        );
    }
}

/// A digest is no NIK, and a NIK beside hex letters is still one.
#[test]
fn digests_are_no_nik_but_a_nik_is() {
    let digest = "f72db7d4eb285783f0031d2a73ac41066937738160015b9153190c13bd0d66c7";
    assert_eq!(longest_digit_run(&format!("key: \"{digest}\" 12")), 2);
    assert_eq!(longest_digit_run("nik 3217011234560012 x"), 16);
    assert_eq!(longest_digit_run("abc3217011234560012def"), 16);
    assert_eq!(longest_digit_run(&format!("{digest}0")), 17);
}

/// A name far longer than any real one (a pasted paragraph, a column copied
/// into one cell) is refused with its reason, as it would otherwise be a
/// report's title, subtitle or a row of its tables; a name of the longest allowed
/// length loads.
#[test]
fn a_name_far_too_long_is_rejected_with_its_reason() {
    let mut d = Dir::new("long-names");
    let db = d.path("t.duckdb");
    let longest = format!("Inkubator {}", "x".repeat(190));
    assert_eq!(longest.chars().count(), 200);
    let pasted = "Sangat Panjang ".repeat(3000);
    let incubators = d.file(
        "incubators.csv",
        &format!(
            "incubator_id,name,university,province_code\n\
             INK-32-01,{longest},Universitas Satu,32\n\
             INK-32-02,{pasted},Universitas Dua,32\n\
             INK-32-03,Inkubator Tiga,{pasted},32\n"
        ),
    );
    let reg = d.file(
        "kpm_register.csv",
        &format!(
            "kpm_id,kpm_name,gender,business_name,arm,cohort_year,incubator_id,mentor,tksk,province_code,regency_code\n\
             K1,Siti,P,Keripik Bu Siti,prokus,2021,INK-32-01,,,32,32.17\n\
             K2,Sri,P,{},prokus,2021,INK-32-01,,,32,32.17\n\
             K3,Ani,P,Warung Ani,prokus,2021,INK-32-01,{},,32,32.17\n",
            "Toko ".repeat(1000),
            "Ibu Mentor ".repeat(30),
        ),
    );
    let out = d.ok(&["ingest", "--db", &db, "--json", &incubators, &reg]);
    let summaries: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let counts: Vec<(u64, u64)> = summaries
        .iter()
        .map(|s| {
            (
                s["rows_loaded"].as_u64().unwrap(),
                s["rows_rejected"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(counts, [(1, 2), (1, 2)], "{summaries:?}");
    let rejects = d.path("rejects.csv");
    d.ok(&["rejects", "--db", &db, "--output", &rejects]);
    let text = std::fs::read_to_string(&rejects).unwrap();
    let mut rows = csv::Reader::from_reader(text.as_bytes());
    let headers = rows.headers().unwrap().clone();
    let at = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = rows.records().map(Result::unwrap).collect();
    let said: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (&r[at("column")], &r[at("reason")]))
        .collect();
    assert_eq!(
        said,
        [
            (
                "name",
                "the name is 44999 characters long, more than the 200 a name may have: the cell probably holds something else; correct it and load the file again"
            ),
            (
                "university",
                "the name is 44999 characters long, more than the 200 a name may have: the cell probably holds something else; correct it and load the file again"
            ),
            (
                "business_name",
                "the name is 4999 characters long, more than the 200 a name may have: the cell probably holds something else; correct it and load the file again"
            ),
            (
                "mentor",
                "the name is 329 characters long, more than the 200 a name may have: the cell probably holds something else; correct it and load the file again"
            ),
        ],
        "{text}"
    );
    // The value itself is kept clipped, not whole (cells are trimmed: one
    // character fewer than written).
    assert!(
        rows.iter().all(|r| r[at("value")].chars().count() < 300),
        "{text}"
    );
    // The longest name loaded (one word of 190 letters) stays on the page
    // in the titles, headings and tables that print it.
    let sheet = d.file(
        "sheet.csv",
        "kpm_id,wave,incubator_id,submitted_at,business_operating,business_revenue\n\
         K1,baseline,INK-32-01,2021-05-01,ya,2000000\n",
    );
    d.ok(&["ingest", "--db", &db, &sheet]);
    let reports = d.path("reports");
    d.report_all(&db, &reports);
    let mut texts = Vec::new();
    texts_under(Path::new(&reports), &mut texts);
    let pdfs: Vec<_> = texts
        .iter()
        .filter(|(p, _)| p.extension().is_some_and(|e| e == "pdf"))
        .collect();
    assert!(pdfs.len() >= 3, "{} PDFs", pdfs.len());
    for (path, _) in pdfs {
        let past = words_past_the_edge(path);
        assert!(past.is_empty(), "{}: {past:?}", path.display());
    }
}

/// A checks file whose checks read a field that is no answer field is
/// refused when loaded, naming the file and the field, and the checks in
/// force stay. A database that holds one all the same (stored by an earlier
/// prokus, which did not look) fails a report run before its first PDF,
/// although the run checks the data only after the first PDFs.
#[test]
fn checks_reading_no_answer_field_are_refused_before_anything_is_written() {
    let mut d = Dir::new("checks-fields");
    let db = d.path("t.duckdb");
    let data = d.path("in/sample");
    d.ok(&["sample", "--households", "60", "--out", &data, "-q"]);
    let inputs: Vec<String> = [
        "incubators.csv",
        "kpm_register.csv",
        "prokus_monitoring_2021-06-30.csv",
    ]
    .iter()
    .map(|f| format!("{data}/{f}"))
    .collect();
    let mut args = vec!["ingest", "--db", &db, "-q"];
    args.extend(inputs.iter().map(String::as_str));
    d.ok(&args);
    let good = include_str!("../queries/checks.toml");
    let bad = good.replacen(
        "\"savings_amount\"]",
        "\"savings_amount\", \"omzet_tahunan\"]",
        1,
    );
    assert_ne!(good, bad);
    let bad_file = d.file("partner-checks.toml", &bad);
    let out = d.run(&["ingest", "--db", &db, &bad_file]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        said.contains("partner-checks.toml")
            && said.contains("`omzet_tahunan` is not an answer field"),
        "{said}"
    );
    // The checks in force are still the engine's.
    d.ok(&[
        "check",
        "--db",
        &db,
        "-q",
        "--output",
        &d.path("findings.csv"),
    ]);

    // A database holding such a file from before.
    let good_file = d.file("checks.toml", good);
    d.ok(&["ingest", "--db", &db, "-q", &good_file]);
    {
        let conn = duckdb::Connection::open(&db).unwrap();
        let changed = conn
            .execute("UPDATE setting SET text = $1 WHERE kind = 'checks'", [&bad])
            .unwrap();
        assert_eq!(changed, 1);
    }
    let reports = d.path("reports");
    let out = d.run(&[
        "report",
        "--db",
        &db,
        "--audience",
        "all",
        "--out",
        &reports,
    ]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        said.contains("checks.toml: `omzet_tahunan` is not an answer field")
            && said.contains("prokus ingest"),
        "{said}"
    );
    let pdfs = walk_pdfs(Path::new(&reports));
    assert_eq!(pdfs, 0, "PDFs written before the checks failed");
}

/// The PDFs under `dir`, in every folder.
fn walk_pdfs(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| {
            let path = e.path();
            if path.is_dir() {
                walk_pdfs(&path)
            } else {
                usize::from(path.extension().is_some_and(|x| x == "pdf"))
            }
        })
        .sum()
}

#[test]
fn a_sheet_of_stray_columns_gets_one_line_naming_ten_and_no_nik() {
    let mut d = Dir::new("stray-columns");
    let db = d.path("t.duckdb");
    let incubators = d.one_incubator();
    let register = d.file(
        "kpm_register.csv",
        "kpm_id,nik,arm,incubator_id,regency_code,grant_date\n\
         K1,3217055208850012,prokus,INK-32-01,32.17,2022-01-10\n",
    );
    d.ok(&["ingest", "--db", &db, &incubators, &register]);
    // A NIK as a header, a misspelt column and 5,000 more; then a list of
    // mentors without the register's other columns.
    let mut header = format!("kpm_id,wave,{NIK_C},bussiness_income");
    let mut row = String::from("K1,baseline,x,1500000");
    for i in 0..5000 {
        header.push_str(&format!(",extra_{i}"));
        row.push_str(",y");
    }
    let sheet = d.file("sheet.csv", &format!("{header}\n{row}\n"));
    let mentors = d.file(
        "mentors.csv",
        "kpm_id,arm,incubator_id,regency_code,mentor\nK1,prokus,INK-32-01,32.17,Bu Rina\n",
    );
    let out = d.ok(&["ingest", "--db", &db, &sheet, &mentors]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let notes: Vec<&str> = stderr.lines().filter(|l| l.starts_with("note:")).collect();
    assert_eq!(notes.len(), 2, "{stderr}");
    // The lists load first (the sheet's rows may name their KPM).
    let (kept, unread) = (notes[0], notes[1]);
    assert!(
        kept.contains("mentors.csv")
            && kept.contains("kept as they were (nik, kpm_name,")
            && kept.contains("grant_date")
            && kept.ends_with("a KPM it moves to another regency has its district_code cleared"),
        "{kept}"
    );
    assert!(
        unread.contains("3217********0051, bussiness_income, extra_0,")
            && unread.contains("extra_7 and 4992 more"),
        "{unread}"
    );
    assert!(unread.len() < 400, "one line: {unread}");
    assert_no_nik("ingest's notes", &stderr);
    // The same in JSON, for a script.
    let sheet2 = d.file(
        "sheet2.csv",
        &format!("{header}\n{}\n", row.replace("1500000", "1600000")),
    );
    let out = d.ok(&["ingest", "--json", "--db", &db, &sheet2]);
    let line: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let unread = line["unread_columns"].as_array().unwrap();
    assert_eq!(unread.len(), 5002);
    assert_eq!(unread[0], "3217********0051");
    assert!(line.get("kept_columns").is_none(), "{line}");
}

/// A file named after a household's NIK (a form saved per KPM) keeps no
/// NIK anywhere: not in the database, nor in what ingest, files, withdraw
/// and an error print, nor in the report's list of files loaded.
#[test]
fn files_named_after_a_nik_show_it_masked() {
    let mut d = Dir::new("nik-named-files");
    let db = d.path("t.duckdb");
    let incubators = d.one_incubator();
    let register = d.file(
        "kpm_register.csv",
        "kpm_id,arm,incubator_id,regency_code\nK1,prokus,INK-32-01,32.17\n",
    );
    let sheet = d.file(
        &format!("{NIK_A}.csv"),
        "kpm_id,wave,submitted_at,business_income\nK1,baseline,2022-03-18,900000\n",
    );
    let unknown = d.file(&format!("{NIK_B}.csv"), "a,b\n1,2\n");
    let out = d.run(&[
        "ingest",
        "--db",
        &db,
        &incubators,
        &register,
        &sheet,
        &unknown,
    ]);
    assert_eq!(out.status.code(), Some(1));
    d.run(&["ingest", "--json", "--db", &db, &unknown]);
    d.ok(&["files", "--db", &db]);
    d.ok(&["files", "--json", "--db", &db]);
    let reports = d.path("reports");
    d.ok(&[
        "report",
        "--db",
        &db,
        "--audience",
        "national",
        "--out",
        &reports,
    ]);
    let mut texts = Vec::new();
    texts_under(Path::new(&reports), &mut texts);
    let annex = &texts
        .iter()
        .find(|(path, _)| path.ends_with("national.pdf"))
        .expect("the national report")
        .1;
    assert!(annex.contains("3217********0012.csv"), "{annex}");
    for (path, text) in &texts {
        assert_no_nik(&path.display().to_string(), text);
    }
    let stored: String = duckdb::Connection::open(&db)
        .unwrap()
        .query_row("SELECT string_agg(file, ' ') FROM ingest_batch", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_no_nik("ingest_batch.file", &stored);
    let out = d.ok(&["withdraw", "--db", &db, &sheet]);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("3217********0012.csv (template)"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(
        d.printed.contains("3217********0034.csv: unknown format"),
        "{}",
        d.printed
    );
    assert_no_nik("what prokus printed", &d.printed);
}
