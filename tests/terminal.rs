//! What the terminal and scripts get from `prokus`: an exit code per class
//! of failure (1 input, 2 usage, 3 locked database), errors as one JSON
//! object with `--json`, progress on a terminal but not with `--quiet`, and
//! a `--version` that names the DuckDB and Typst inside.

use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_prokus");

fn prokus(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env("PROKUS_NIK_KEY_FILE", dir.join("nik.key"))
        .env_remove("PROKUS_NIK_KEY")
        .output()
        .expect("prokus runs")
}

/// `text` written as `name` in `dir`: its path, as text.
fn write_in(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

/// The incubator list of one incubator, INK-32-01.
const ONE_INCUBATOR: &str = "incubator_id,name,university,province_code\nINK-32-01,I,U,32\n";

/// A register of one KPM, K1, of INK-32-01.
const ONE_KPM: &str = "kpm_id,arm,incubator_id,regency_code\nK1,prokus,INK-32-01,32.17\n";

fn code(out: &Output) -> i32 {
    out.status.code().expect("an exit code, not a signal")
}

/// A database with the sample's incubators and register.
fn database(dir: &Path) -> String {
    let data = dir.join("data");
    let out = prokus(
        dir,
        &[
            "sample",
            "--households",
            "60",
            "--out",
            data.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    let db = dir.join("t.duckdb").to_string_lossy().into_owned();
    let files: Vec<String> = ["incubators.csv", "kpm_register.csv"]
        .iter()
        .map(|f| data.join(f).to_string_lossy().into_owned())
        .chain(
            std::fs::read_dir(&data)
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| {
                    p.to_string_lossy().ends_with(".csv")
                        && p.to_string_lossy().contains("prokus_monitoring_")
                })
                .map(|p| p.to_string_lossy().into_owned()),
        )
        .collect();
    let mut args = vec!["ingest", "--db", &db];
    args.extend(files.iter().map(String::as_str));
    let out = prokus(dir, &args);
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    db
}

#[test]
fn each_class_of_failure_has_its_exit_code_and_json_says_which() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = database(d);

    // 1: the file's fault, named in the message.
    let bad = d.join("bad.csv");
    std::fs::write(&bad, "a;b\n1;2\n").unwrap();
    let out = prokus(d, &["ingest", "--db", &db, "--json", bad.to_str().unwrap()]);
    assert_eq!(code(&out), 1);
    let error: serde_json::Value =
        serde_json::from_str(String::from_utf8_lossy(&out.stderr).trim()).expect("one JSON object");
    assert_eq!(error["kind"], "input");
    assert_eq!(error["exit_code"], 1);
    assert!(
        error["error"].as_str().unwrap().contains("bad.csv"),
        "{error}"
    );

    // 2: usage, from clap and from the command itself.
    assert_eq!(code(&prokus(d, &["indicators", "--bogus"])), 2);
    let out = prokus(d, &["impact", "--db", &db, "--indicator", "nope", "--json"]);
    assert_eq!(code(&out), 2);
    let error: serde_json::Value =
        serde_json::from_str(String::from_utf8_lossy(&out.stderr).trim()).expect("one JSON object");
    assert_eq!(error["kind"], "usage");

    // 3: another process holds the database.
    let holder = duckdb::Connection::open(&db).unwrap();
    let out = prokus(d, &["indicators", "--db", &db, "--output", "-"]);
    assert_eq!(code(&out), 3, "{}", String::from_utf8_lossy(&out.stderr));
    drop(holder);

    // 0 again once it is free.
    let out = prokus(
        d,
        &[
            "indicators",
            "--db",
            &db,
            "--output",
            d.join("i.csv").to_str().unwrap(),
        ],
    );
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));

    // 4: neither the input's fault nor the user's: here a database whose
    // model was changed behind prokus's back (a column renamed).
    let tampered = duckdb::Connection::open(&db).unwrap();
    tampered
        .execute_batch("ALTER TABLE response RENAME COLUMN business_income TO income")
        .unwrap();
    drop(tampered);
    let out = prokus(d, &["indicators", "--db", &db, "--output", "-", "--json"]);
    assert_eq!(code(&out), 4, "{}", String::from_utf8_lossy(&out.stderr));
    let error: serde_json::Value =
        serde_json::from_str(String::from_utf8_lossy(&out.stderr).trim()).expect("one JSON object");
    assert_eq!(error["kind"], "internal");
}

#[test]
fn progress_shows_on_a_terminal_but_not_with_quiet() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = database(d);
    let output = d.join("i.csv");
    // `script` gives the command a terminal, as a user's would be.
    let run = |extra: &str| {
        let line = format!(
            "{BIN} --db {db} indicators --output {} {extra}",
            output.display()
        );
        let out = Command::new("script")
            .args(["-qec", &line, "/dev/null"])
            .env("PROKUS_NIK_KEY_FILE", d.join("nik.key"))
            .output()
            .unwrap_or_else(|e| panic!("`script` (util-linux) is needed by this test: {e}"));
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let shown = run("");
    assert!(shown.contains("computing indicators ("), "{shown}");
    let quiet = run("--quiet");
    assert!(!quiet.contains("computing indicators"), "{quiet}");
    assert!(
        quiet.contains("indicator rows"),
        "results are still printed: {quiet}"
    );
}

/// The row counter a terminal shows while a file loads names the file as
/// the summary does: a NIK in its name masked.
#[test]
fn the_progress_line_masks_a_nik_in_a_file_name() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = database(d);
    // Rows enough for the counter to be drawn while they load.
    let mut sheet = String::from("kpm_id,wave,business_income\n");
    for i in 0..200_000 {
        sheet.push_str(&format!("KX{i},baseline,{i}\n"));
    }
    let file = d.join("3217055208850012.csv");
    std::fs::write(&file, sheet).unwrap();
    let line = format!("{BIN} --db {db} ingest {}", file.display());
    let out = Command::new("script")
        .args(["-qec", &line, "/dev/null"])
        .env("PROKUS_NIK_KEY_FILE", d.join("nik.key"))
        .output()
        .unwrap_or_else(|e| panic!("`script` (util-linux) is needed by this test: {e}"));
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(shown.contains("3217********0012.csv"), "{shown}");
    assert!(
        shown.contains("rows,") && !shown.contains("3217055208850012"),
        "{shown}"
    );
}

#[test]
fn the_version_names_the_embedded_duckdb_and_typst() {
    let dir = tempfile::tempdir().unwrap();
    let out = prokus(dir.path(), &["--version"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with(&format!("prokus {} (DuckDB v", env!("CARGO_PKG_VERSION")))
            && text.contains(", Typst 0."),
        "{text}"
    );
}

#[test]
fn logs_say_each_step_and_query_file_and_never_a_nik() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let data = d.join("data");
    prokus(
        d,
        &[
            "sample",
            "--households",
            "60",
            "--out",
            data.to_str().unwrap(),
        ],
    );
    let db = d.join("t.duckdb").to_string_lossy().into_owned();
    let register = data.join("kpm_register.csv");
    let out = prokus(
        d,
        &[
            "ingest",
            "--db",
            &db,
            "-vv",
            data.join("incubators.csv").to_str().unwrap(),
            register.to_str().unwrap(),
        ],
    );
    let logs = String::from_utf8_lossy(&out.stderr);
    assert!(
        logs.contains("file loaded") && logs.contains("insert_kpm"),
        "{logs}"
    );
    // The register's NIKs, whole, appear nowhere in the logs.
    let text = std::fs::read_to_string(&register).unwrap();
    for nik in text
        .split(|c: char| !c.is_ascii_digit())
        .filter(|t| t.len() == 16)
    {
        assert!(!logs.contains(nik), "a NIK in the logs");
    }
    let out = Command::new(BIN)
        .args(["check", "--db", &db, "--output", "-"])
        .env("PROKUS_LOG", "debug")
        .env("PROKUS_NIK_KEY_FILE", d.join("nik.key"))
        .output()
        .unwrap();
    let logs = String::from_utf8_lossy(&out.stderr);
    assert!(
        logs.contains("queries/quality/identical.sql") && logs.contains("checks done"),
        "{logs}"
    );
}

#[test]
fn completions_and_the_man_page_are_generated() {
    let dir = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let out = prokus(dir.path(), &["completions", shell]);
        assert_eq!(code(&out), 0);
        let script = String::from_utf8_lossy(&out.stdout);
        assert!(
            script.contains("prokus") && script.contains("ingest"),
            "{shell}"
        );
    }
    let out = prokus(dir.path(), &["man"]);
    let page = String::from_utf8_lossy(&out.stdout);
    assert!(
        page.contains(".TH prokus 1") && page.contains("Exit codes"),
        "{page}"
    );
}

/// A file's own text echoed in a message (here an unknown header) reaches
/// the terminal without the control characters that would retitle the
/// window or recolour the screen (ESC, BEL, the C1 OSC).
#[test]
fn a_files_own_text_reaches_the_terminal_without_its_control_characters() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("escapes.csv");
    std::fs::write(&file, "a\u{1b}]0;pwned\u{7}b,\u{1b}[31mred\u{9d}x\n1,2\n").unwrap();
    let db = dir.path().join("t.duckdb");
    let out = prokus(
        dir.path(),
        &[
            "ingest",
            "--db",
            db.to_str().unwrap(),
            file.to_str().unwrap(),
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("unknown format"), "{stderr}");
    assert!(
        stderr.contains("a\u{FFFD}]0;pwned\u{FFFD}b, \u{FFFD}[31mred\u{FFFD}x"),
        "{stderr}"
    );
    assert!(
        !stderr.contains(['\u{1b}', '\u{7}', '\u{9d}']),
        "{stderr:?}"
    );
}

/// A hand-filled sheet without dates loads, and `prokus ingest` says how
/// many of its rows have none and what that means; with `--json`, as a
/// count. A sheet whose `Tanggal` gives them has no such note.
#[test]
fn ingest_says_how_many_rows_have_no_date() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| write_in(dir.path(), name, text);
    let lists = [
        write("incubators.csv", ONE_INCUBATOR),
        write("kpm_register.csv", ONE_KPM),
    ];
    let db = dir.path().join("t.duckdb").to_string_lossy().into_owned();
    let undated = write(
        "undated.csv",
        "kpm_id,wave,business_income\nK1,baseline,900000\nK1,monitoring_1,1200000\n",
    );
    let out = prokus(
        dir.path(),
        &["ingest", "--db", &db, &lists[0], &lists[1], &undated],
    );
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("undated.csv: 2 rows have no date (a `submitted_at` or `tanggal` column): they are counted in their round, but in no quarter (Triwulan)"),
        "{stderr}"
    );
    let dated = write(
        "dated.csv",
        "ID KPM,Putaran,Tanggal,Pendapatan Usaha\nK1,awal,18/03/2022,900000\n",
    );
    let out = prokus(
        dir.path(),
        &["ingest", "--json", "--db", &db, &undated, &dated],
    );
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // The undated file again adds nothing, so has no rows to speak of.
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(
        lines.iter().all(|l| l.get("rows_dated_at_load").is_none()),
        "{lines:?}"
    );
    assert!(!String::from_utf8_lossy(&out.stderr).contains("no date"));
    let out = prokus(
        dir.path(),
        &[
            "ingest",
            "--json",
            "--db",
            &db,
            &write(
                "again.csv",
                "kpm_id,wave,business_income\nK1,endline,1500000\n",
            ),
        ],
    );
    let line: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(line["rows_dated_at_load"], 1, "{line}");
    // The national report's data-quality annex says so too.
    let reports = dir.path().join("reports");
    let out = prokus(
        dir.path(),
        &[
            "report",
            "--db",
            &db,
            "--audience",
            "national",
            "--out",
            reports.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    let text = Command::new("pdftotext")
        .args([reports.join("national.pdf").to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (scripts/test.sh installs poppler-utils)");
    let text = String::from_utf8_lossy(&text.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        text.contains("3 jawaban tanpa tanggal wawancara (undated.csv, again.csv) dihitung pada putarannya, tetapi tidak pada triwulan"),
        "{text}"
    );
}

/// A folder given to `ingest` (as Windows' shells, which expand no
/// `*.csv`, need): its data files and its subfolders' load, the lists
/// first, then the rest in the order they were last changed (the newer
/// version of a sheet last, whatever its name); hidden files, Excel's lock
/// files and other kinds of file are not loaded, the latter named; a
/// folder without data is an error of its own.
/// A sheet's `tidak tahu` and `N/A` load as no answer, and the note (and
/// --json) says how many.
#[test]
fn ingest_says_how_many_answers_were_not_given() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| write_in(dir.path(), name, text);
    let list = write("incubators.csv", ONE_INCUBATOR);
    let sheet = write(
        "bandung.csv",
        "ID KPM,Putaran,Tanggal,Inkubator,Kode Kab/Kota,Omzet,Pembukuan\n\
         N1,baseline,2022-03-01,INK-32-01,32.17,tidak tahu,N/A\n\
         N2,baseline,2022-03-01,INK-32-01,32.17,900000,ya\n",
    );
    let db = dir.path().join("t.duckdb").to_string_lossy().into_owned();
    let out = prokus(dir.path(), &["ingest", "--db", &db, &list, &sheet]);
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "bandung.csv: 2 answers are `tidak tahu`, `N/A`, `?` or the like (not known, not said or not filled in): read as no answer"
        ),
        "{stderr}"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .find(|l| l.starts_with("bandung.csv"))
        .unwrap();
    assert_eq!(
        line.split_whitespace().collect::<Vec<_>>(),
        ["bandung.csv", "template", "2", "2", "0", "0"]
    );
}

/// An incubator's sheet that names it by its name loads, and the note
/// says which names were read as which ids.
#[test]
fn ingest_says_which_incubator_names_it_read_as_ids() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| write_in(dir.path(), name, text);
    let list = write(
        "incubators.csv",
        "incubator_id,name,university,province_code\nINK-32-01,Inkubator Bisnis Unpad,Universitas Padjadjaran,32\n",
    );
    let sheet = write(
        "unpad.csv",
        "ID KPM,Putaran,Tanggal,Inkubator,Kode Kab/Kota,Omzet\n\
         N1,baseline,2022-03-01,Inkubator Bisnis Unpad,32.17,900000\n\
         N2,baseline,2022-03-01,INKUBATOR BISNIS UNPAD,32.17,900000\n",
    );
    let db = dir.path().join("t.duckdb").to_string_lossy().into_owned();
    let out = prokus(dir.path(), &["ingest", "--db", &db, &list, &sheet]);
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout.lines().find(|l| l.starts_with("unpad.csv")).unwrap();
    assert_eq!(
        line.split_whitespace().collect::<Vec<_>>(),
        ["unpad.csv", "template", "2", "2", "0", "0"]
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "unpad.csv: the incubator is named by its name, read as the id the incubator list gives it: \
             `Inkubator Bisnis Unpad` as INK-32-01 (2 rows)"
        ),
        "{stderr}"
    );
    // For a script, with --json (the same sheet again, renamed: a new file).
    let again = write(
        "unpad-2.csv",
        "ID KPM,Putaran,Tanggal,Inkubator,Kode Kab/Kota,Omzet\n\
         N3,baseline,2022-03-02,Inkubator Bisnis Unpad,32.17,900000\n",
    );
    let out = prokus(dir.path(), &["ingest", "--json", "--db", &db, &again]);
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    let line: serde_json::Value =
        serde_json::from_str(String::from_utf8_lossy(&out.stdout).trim()).unwrap();
    assert_eq!(
        line["incubators_by_name"],
        serde_json::json!([{"name": "Inkubator Bisnis Unpad", "id": "INK-32-01", "rows": 1}])
    );
}

#[test]
fn a_folder_loads_its_data_files_oldest_first() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(data.join("sub")).unwrap();
    std::fs::create_dir_all(dir.path().join("kosong")).unwrap();
    let write = |name: &str, text: &str, day: u64| {
        let path = data.join(name);
        std::fs::write(&path, text).unwrap();
        let at =
            std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_780_000_000 + day * 86_400);
        std::fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(at)
            .unwrap();
    };
    write(
        "z-first.csv",
        "kpm_id,wave,submitted_at,business_income\nK1,baseline,2022-03-18,900000\n",
        1,
    );
    write(
        "sub/a-revised.csv",
        "kpm_id,wave,submitted_at,business_income\nK1,baseline,2022-03-18,950000\n",
        2,
    );
    write("kpm_register.csv", ONE_KPM, 3);
    write("incubators.csv", ONE_INCUBATOR, 4);
    write(".hidden.csv", "not,data\n", 5);
    write("~$a-revised.xlsx", "lock", 5);
    write("laporan.pdf", "%PDF-1.7", 5);
    let db = dir.path().join("t.duckdb").to_string_lossy().into_owned();
    let out = prokus(
        dir.path(),
        &[
            "ingest",
            "--db",
            &db,
            data.to_str().unwrap(),
            dir.path().join("kosong").to_str().unwrap(),
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(code(&out), 1, "{stdout}{stderr}");
    let loaded: Vec<&str> = stdout
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(
        loaded,
        [
            "incubators.csv",
            "kpm_register.csv",
            "z-first.csv",
            "a-revised.csv"
        ],
        "{stdout}"
    );
    assert!(
        stderr.contains(
            "data: this file is not loaded, not being .csv, .xlsx, .zip or .toml: laporan.pdf"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("kosong: no data file in this folder or its subfolders"),
        "{stderr}"
    );
    // The revised sheet, changed last, is the answer that counts.
    let indicators = dir.path().join("i.csv");
    let out = prokus(
        dir.path(),
        &[
            "indicators",
            "--db",
            &db,
            "--min-cell",
            "1",
            "--output",
            indicators.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    let text = std::fs::read_to_string(&indicators).unwrap();
    assert!(
        text.lines().any(|l| l.starts_with("business_income,")
            && l.contains(",baseline,")
            && l.contains("950000")),
        "{}",
        text.lines()
            .filter(|l| l.starts_with("business_income,"))
            .take(5)
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// A workbook with a round per sheet, each named after its round and
/// without a `wave` column, as an incubator keeps it: `ingest` loads each
/// sheet as a file of its own, a line each, and names the sheet of a
/// rejected row; loaded again, each sheet adds nothing.
#[test]
fn a_workbook_with_a_round_per_sheet_loads_a_line_per_sheet() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| write_in(dir.path(), name, text);
    let incubators = write("incubators.csv", ONE_INCUBATOR);
    let register = write(
        "kpm_register.csv",
        "kpm_id,arm,incubator_id,regency_code\nK1,prokus,INK-32-01,32.17\nK2,prokus,INK-32-01,32.17\n",
    );
    let mut book = rust_xlsxwriter::Workbook::new();
    for (name, rows) in [
        (
            "Baseline",
            [
                ["K1", "18/03/2022", "900000", "-"],
                ["K2", "18/03/2022", "800000", "baru"],
            ],
        ),
        (
            "Endline",
            [
                ["K1", "20/03/2023", "1500000", "-"],
                ["K2", "20/03/2023", "sejuta", "-"],
            ],
        ),
    ] {
        let sheet = book.add_worksheet().set_name(name).unwrap();
        for (c, head) in ["ID KPM", "Tanggal", "Pendapatan Usaha", "Keterangan"]
            .iter()
            .enumerate()
        {
            sheet.write_string(0, c as u16, *head).unwrap();
        }
        for (r, row) in rows.iter().enumerate() {
            for (c, text) in row.iter().enumerate() {
                sheet.write_string(r as u32 + 1, c as u16, *text).unwrap();
            }
        }
    }
    let workbook = dir.path().join("monitoring.xlsx");
    book.save(&workbook).unwrap();
    let workbook = workbook.to_string_lossy().into_owned();
    let db = dir.path().join("t.duckdb").to_string_lossy().into_owned();
    let out = prokus(
        dir.path(),
        &["ingest", "--db", &db, &incubators, &register, &workbook],
    );
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    let lines: Vec<Vec<String>> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.starts_with("monitoring.xlsx"))
        .map(|l| {
            let (file, counts) = l.split_at(l.find(']').unwrap() + 1);
            std::iter::once(file.to_string())
                .chain(counts.split_whitespace().map(String::from))
                .collect()
        })
        .collect();
    assert_eq!(
        lines,
        [
            ["monitoring.xlsx [Baseline]", "template", "2", "2", "0", "0"],
            ["monitoring.xlsx [Endline]", "template", "2", "1", "1", "0"],
        ]
    );
    // The column not read in both sheets is named once.
    let stderr = String::from_utf8_lossy(&out.stderr);
    let notes: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("monitoring.xlsx"))
        .collect();
    assert_eq!(notes.len(), 2, "{stderr}");
    assert!(
        notes[0].contains("monitoring.xlsx [Baseline]: this column is not a column of the `template` format and not read: Keterangan"),
        "{stderr}"
    );
    assert!(
        notes[1].ends_with("monitoring.xlsx [Endline]: the same as noted for [Baseline]"),
        "{stderr}"
    );
    let rejects = dir.path().join("rejects.csv");
    let out = prokus(
        dir.path(),
        &[
            "rejects",
            "--db",
            &db,
            "--output",
            rejects.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    let rejects = std::fs::read_to_string(&rejects).unwrap();
    assert!(
        rejects.contains("monitoring.xlsx [Endline],3,business_income,sejuta,invalid,"),
        "{rejects}"
    );
    let out = prokus(dir.path(), &["ingest", "--json", "--db", &db, &workbook]);
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    let again: Vec<(String, u64, u64)> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            let file = v["file"].as_str().unwrap();
            (
                file[file.rfind('/').unwrap() + 1..].to_string(),
                v["rows_loaded"].as_u64().unwrap(),
                v["rows_duplicate"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        again,
        [
            ("monitoring.xlsx [Baseline]".to_string(), 0, 2),
            ("monitoring.xlsx [Endline]".to_string(), 0, 2),
        ]
    );
}

/// A sheet of such a workbook that cannot load is named by its sheet,
/// for a script too (`--json`), and the other sheets load.
#[test]
fn a_round_sheet_that_cannot_load_is_named_by_its_sheet() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| write_in(dir.path(), name, text);
    let lists = [
        write("incubators.csv", ONE_INCUBATOR),
        write("kpm_register.csv", ONE_KPM),
    ];
    let mut book = rust_xlsxwriter::Workbook::new();
    // Endline's amounts are in thousands: refused whole.
    for (name, income) in [("Baseline", "Omzet"), ("Endline", "Omzet (ribu Rp)")] {
        let sheet = book.add_worksheet().set_name(name).unwrap();
        for (c, text) in ["ID KPM", income].iter().enumerate() {
            sheet.write_string(0, c as u16, *text).unwrap();
        }
        sheet.write_string(1, 0, "K1").unwrap();
        sheet.write_string(1, 1, "900").unwrap();
    }
    let workbook = dir.path().join("monitoring.xlsx");
    book.save(&workbook).unwrap();
    let db = dir.path().join("t.duckdb").to_string_lossy().into_owned();
    let out = prokus(
        dir.path(),
        &[
            "ingest",
            "--json",
            "--db",
            &db,
            &lists[0],
            &lists[1],
            workbook.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&out), 1, "{}", String::from_utf8_lossy(&out.stderr));
    let loaded: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["file"].to_string())
        .collect();
    assert!(
        loaded[2].ends_with("monitoring.xlsx [Baseline]\""),
        "{loaded:?}"
    );
    let error: serde_json::Value = String::from_utf8_lossy(&out.stderr)
        .lines()
        .find_map(|l| serde_json::from_str(l).ok())
        .expect("the error as one JSON object");
    let file = error["file"].as_str().unwrap();
    assert!(file.ends_with("monitoring.xlsx [Endline]"), "{error}");
    assert!(error["error"].as_str().unwrap().contains("ribu"), "{error}");
}

/// On a terminal, `withdraw` says what it would take out and asks first:
/// anything but yes changes nothing; `--yes` does not ask.
#[test]
fn withdraw_asks_first_on_a_terminal() {
    use std::io::Write as _;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = database(d);
    // The export is the third file loaded, the calendar the fourth.
    let schedule = d.join("data/schedule.toml");
    let out = prokus(d, &["ingest", "--db", &db, schedule.to_str().unwrap()]);
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    let listed =
        || String::from_utf8_lossy(&prokus(d, &["files", "--db", &db]).stdout).into_owned();
    assert!(listed().contains("kobo-csv") && listed().contains("schedule"));
    let answer = |reply: &str, args: &str| {
        let line = format!("{BIN} --db {db} withdraw {args}");
        let mut child = Command::new("script")
            .args(["-qec", &line, "/dev/null"])
            .env("PROKUS_NIK_KEY_FILE", d.join("nik.key"))
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("`script` (util-linux) is needed by this test: {e}"));
        child
            .stdin
            .take()
            .unwrap()
            .write_all(reply.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        let shown = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(out.status.success(), "{shown}");
        shown
    };
    let shown = answer("n\n", "4");
    assert!(
        shown.contains("would withdraw batch 4, ")
            && shown.contains("Withdraw it? [y/N]")
            && shown.contains("nothing was changed"),
        "{shown}"
    );
    assert!(listed().contains("schedule"));
    let shown = answer("ya\n", "4");
    assert!(shown.contains("withdrew batch 4, "), "{shown}");
    assert!(!listed().contains("schedule"));
    // Told not to ask, it does not.
    let shown = answer("", "--yes 3");
    assert!(
        !shown.contains("[y/N]") && shown.contains("withdrew batch 3, "),
        "{shown}"
    );
    assert!(!listed().contains("kobo-csv"));
}

/// `prokus files` lists what the database holds; `prokus withdraw` takes a
/// file back out, named by its path, its batch number or the name it was
/// loaded under, and refuses a list (exit 2), which wrote over what was
/// before it.
#[test]
fn files_are_listed_and_a_file_loaded_by_mistake_is_withdrawn() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path());
    let data = dir.path().join("data");
    let schedule = data.join("schedule.toml").to_string_lossy().into_owned();
    let out = prokus(dir.path(), &["ingest", "--db", &db, &schedule]);
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    let listed = |json: bool| {
        let mut args = vec!["files", "--db", db.as_str()];
        if json {
            args.push("--json");
        }
        let out = prokus(dir.path(), &args);
        assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let files: Vec<serde_json::Value> = listed(true)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let formats: Vec<&str> = files
        .iter()
        .map(|f| f["format"].as_str().unwrap())
        .collect();
    assert_eq!(
        formats,
        ["incubators", "kpm-register", "kobo-csv", "schedule"],
        "{files:?}"
    );
    assert!(
        listed(false)
            .lines()
            .next()
            .unwrap()
            .contains("loaded at (UTC)")
    );

    // Asked first what it would take out: nothing changes.
    let out = prokus(
        dir.path(),
        &["withdraw", "--dry-run", "--db", &db, &schedule],
    );
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.starts_with("would withdraw batch 4, ") && said.contains("nothing was changed"),
        "{said}"
    );
    assert!(listed(false).contains("schedule"));
    // The settings file by its path: the database has no calendar again.
    let out = prokus(dir.path(), &["withdraw", "--db", &db, &schedule]);
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        String::from_utf8_lossy(&out.stdout).starts_with("withdrew batch 4, "),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(!listed(false).contains("schedule"));
    // The export by its batch number, as JSON.
    let out = prokus(dir.path(), &["withdraw", "--json", "--db", &db, "3"]);
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    let w: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(w["format"], "kobo-csv", "{w}");
    assert!(w["responses"].as_u64().unwrap() > 0, "{w}");
    // A list is refused, and stays.
    let out = prokus(dir.path(), &["withdraw", "--db", &db, "kpm_register.csv"]);
    assert_eq!(code(&out), 2, "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("cannot be withdrawn"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(listed(false).contains("kpm-register"));
}
