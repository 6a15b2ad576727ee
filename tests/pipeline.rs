//! End-to-end: the `prokus` binary on a small synthetic program, from Kobo
//! exports to PDFs, checking what a user would check: every row accounted
//! for, re-ingest adds nothing, the indicator CSV's interface, and PDFs that
//! open, print the same numbers as the indicator table and keep each
//! incubator's households to itself.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

const BIN: &str = env!("CARGO_BIN_EXE_prokus");

/// The binary, with a NIK key file of the tests' own (not the user's).
fn bin() -> Command {
    let mut command = Command::new(BIN);
    command
        .env(
            "PROKUS_NIK_KEY_FILE",
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("pipeline-nik.key"),
        )
        .env_remove("PROKUS_NIK_KEY");
    command
}

fn prokus(args: &[&str]) -> Output {
    let out = bin().args(args).output().expect("prokus runs");
    assert!(
        out.status.success(),
        "prokus {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn tool(name: &str, args: &[&str]) -> Output {
    Command::new(name).args(args).output().unwrap_or_else(|e| {
        panic!("`{name}` is needed by this test ({e}); run the tests with scripts/test.sh, which installs poppler-utils and qpdf")
    })
}

/// The shared run's database admits one process at a time (DuckDB locks the
/// file while it is open for writing): the tests that open it take this first.
fn db_lock() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// One pipeline run shared by the tests of this file.
struct Run {
    dir: PathBuf,
    db: String,
    ingest: Vec<serde_json::Value>,
    indicators: Vec<BTreeMap<String, String>>,
    header: Vec<String>,
}

fn run() -> &'static Run {
    static RUN: OnceLock<Run> = OnceLock::new();
    RUN.get_or_init(|| {
        // Kept after the run for a look at what the test made (a static is
        // never dropped); the next run starts it afresh.
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("pipeline");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("test folder");
        let data = dir.join("data");
        prokus(&[
            "sample",
            "--households",
            "400",
            "--seed",
            "7",
            "--out",
            data.to_str().unwrap(),
        ]);
        let db = dir.join("t.duckdb").to_string_lossy().into_owned();
        let mut files: Vec<String> = std::fs::read_dir(&data)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                // The data, and the programme's targets and calendar.
                p.extension().is_some_and(|e| e == "csv")
                    || p.ends_with("targets.toml")
                    || p.ends_with("schedule.toml")
                    || p.file_name()
                        .unwrap()
                        .to_string_lossy()
                        .starts_with("prokus_monitoring_")
            })
            .map(|p| p.to_string_lossy().into_owned())
            .collect();
        files.sort();
        // Survey exports first on purpose: the command loads lists first anyway.
        files.reverse();
        let mut args = vec!["ingest", "--db", &db, "--json"];
        args.extend(files.iter().map(String::as_str));
        let out = prokus(&args);
        let ingest = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
            .collect();
        let csv_path = dir.join("indicators.csv");
        prokus(&[
            "indicators",
            "--db",
            &db,
            "--format",
            "csv",
            "--output",
            csv_path.to_str().unwrap(),
        ]);
        let mut reader = csv::Reader::from_path(&csv_path).unwrap();
        let header = reader
            .headers()
            .unwrap()
            .iter()
            .map(str::to_string)
            .collect::<Vec<_>>();
        let indicators = reader
            .deserialize::<BTreeMap<String, String>>()
            .map(Result::unwrap)
            .collect();
        prokus(&[
            "report",
            "--db",
            &db,
            "--audience",
            "all",
            "--out",
            dir.join("reports").to_str().unwrap(),
        ]);
        Run {
            dir,
            db,
            ingest,
            indicators,
            header,
        }
    })
}

fn num(v: &serde_json::Value, key: &str) -> u64 {
    v[key].as_u64().unwrap_or_else(|| panic!("{key} in {v}"))
}

#[test]
fn every_row_is_loaded_rejected_or_a_duplicate() {
    let run = run();
    let _db = db_lock();
    assert_eq!(
        run.ingest.len(),
        7,
        "incubators, register, targets, calendar, two exports and the feedback: {:?}",
        run.ingest
    );
    let formats: Vec<&str> = run
        .ingest
        .iter()
        .map(|s| s["format"].as_str().unwrap())
        .collect();
    assert_eq!(
        formats,
        [
            "incubators",
            "kpm-register",
            "targets",
            "schedule",
            "kobo-xlsx",
            "kobo-csv",
            "feedback"
        ],
        "lists load before the exports and the feedback that refer to them"
    );
    for s in &run.ingest {
        assert_eq!(
            num(s, "rows_read"),
            num(s, "rows_loaded") + num(s, "rows_rejected") + num(s, "rows_duplicate"),
            "{s}"
        );
    }
    let register = &run.ingest[1];
    assert_eq!(num(register, "rows_read"), 400);
    let surveys: Vec<&serde_json::Value> = run
        .ingest
        .iter()
        .filter(|s| s["format"].as_str().unwrap().starts_with("kobo"))
        .collect();
    assert!(
        surveys.iter().any(|s| num(s, "rows_rejected") > 0),
        "messy rows are rejected"
    );
    // The cumulative export overlaps the mid-programme one.
    assert!(
        surveys.iter().any(|s| num(s, "rows_duplicate") > 100),
        "{surveys:?}"
    );

    let conn = duckdb::Connection::open(&run.db).unwrap();
    let (responses, rejects): (i64, i64) = conn
        .query_row(
            "SELECT (SELECT count(*) FROM response), (SELECT count(DISTINCT (batch_id, source_row)) FROM ingest_reject WHERE batch_id IN (SELECT batch_id FROM ingest_batch WHERE format LIKE 'kobo%'))",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let read: u64 = surveys.iter().map(|s| num(s, "rows_read")).sum();
    assert_eq!(
        responses as u64 + rejects as u64,
        read,
        "response + ingest_reject = rows read"
    );
    let reasons: Vec<String> = conn
        .prepare("SELECT DISTINCT reason FROM ingest_reject")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(
        reasons.iter().any(|r| r.contains("nearest: ")),
        "unknown regions name the nearest ones: {reasons:?}"
    );
    let nik: Vec<String> = conn
        .prepare("SELECT coalesce(nik_masked, '') FROM kpm")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(
        nik.iter().all(|n| n.is_empty() || n.contains("********")),
        "NIKs are stored masked only"
    );
}

#[test]
fn impact_estimates_cover_every_outcome_estimator_and_standard_error() {
    let run = run();
    let _db = db_lock();
    let out = prokus(&["impact", "--db", &run.db, "--cluster", "district"]);
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        [
            "indicator_id",
            "estimator",
            "estimate",
            "se",
            "se_type",
            "ci_low",
            "ci_high",
            "p_value",
            "n_treated",
            "n_comparison"
        ]
    );
    let rows: Vec<BTreeMap<String, String>> = reader.deserialize().map(Result::unwrap).collect();
    let income: Vec<_> = rows
        .iter()
        .filter(|r| r["indicator_id"] == "business_income")
        .collect();
    assert_eq!(income.len(), 9, "3 estimators × conventional, hc1, cr1");
    // The difference in means compares every household that answered at the
    // endline, with or without a baseline answer.
    let endline: [i64; 2] = {
        let conn = duckdb::Connection::open(&run.db).unwrap();
        ["prokus", "comparison"].map(|arm| {
            conn.query_row(
                "SELECT count(*) FROM response_current r JOIN kpm k USING (kpm_id)
                 WHERE r.wave = 'endline' AND r.business_income IS NOT NULL AND k.arm = ?",
                [arm],
                |r| r.get(0),
            )
            .unwrap()
        })
    };
    let means = income
        .iter()
        .find(|r| r["estimator"] == "difference_in_means")
        .unwrap();
    assert_eq!(
        [&means["n_treated"], &means["n_comparison"]],
        endline.map(|n| n.to_string()).each_ref(),
        "{means:?}"
    );
    for r in &income {
        let f = |k: &str| r[k].parse::<f64>().unwrap();
        assert!(
            f("ci_low") < f("estimate") && f("estimate") < f("ci_high"),
            "{r:?}"
        );
        assert!((0.0..=1.0).contains(&f("p_value")));
        assert!(f("n_treated") > 100.0 && f("n_comparison") > 20.0, "{r:?}");
    }
    // The sample's households gain from the program: the DiD on net business
    // income is positive and its interval excludes zero.
    let did = income
        .iter()
        .find(|r| r["estimator"] == "difference_in_differences" && r["se_type"] == "cr1")
        .unwrap();
    assert!(did["ci_low"].parse::<f64>().unwrap() > 0.0, "{did:?}");
    let out = bin()
        .args(["impact", "--db", &run.db, "--indicator", "no_such"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("business_income"));
}

/// Every table and workbook prokus writes, given back to `ingest` (a
/// folder of data that also holds last quarter's outputs): each is passed
/// over, named once in one note, and nothing is loaded from it; the run
/// ends well.
#[test]
fn prokus_own_outputs_given_to_ingest_are_passed_over() {
    let run = run();
    let _db = db_lock();
    let outputs = run.dir.join("outputs-again");
    let _ = std::fs::remove_dir_all(&outputs);
    std::fs::create_dir_all(&outputs).unwrap();
    let at = |name: &str| outputs.join(name).to_string_lossy().into_owned();
    for args in [
        vec!["check", "--output", &at("findings.csv")],
        vec!["check", "--output", &at("data-quality.xlsx")],
        vec!["rejects", "--output", &at("rejects.csv")],
        vec!["rejects", "--output", &at("rejects.xlsx")],
        vec![
            "indicators",
            "--format",
            "xlsx",
            "--output",
            &at("indicators.xlsx"),
        ],
        vec![
            "impact",
            "--output",
            &at("impact.csv"),
            "--balance",
            &at("balance.csv"),
            "--qvalues",
            &at("qvalues.csv"),
        ],
    ] {
        let mut full = vec!["--db", run.db.as_str()];
        full.extend(args);
        prokus(&full);
    }
    std::fs::copy(
        run.dir.join("indicators.csv"),
        outputs.join("indicators.csv"),
    )
    .unwrap();
    let attention = std::fs::read_dir(run.dir.join("reports/incubator"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with("-perhatian.xlsx"))
        .expect("an incubator's attention workbook");
    std::fs::copy(&attention, outputs.join("perhatian.xlsx")).unwrap();
    let given = std::fs::read_dir(&outputs).unwrap().count();
    assert_eq!(given, 10);
    let fresh = run.dir.join("fresh.duckdb");
    let _ = std::fs::remove_file(&fresh);
    let out = prokus(&[
        "ingest",
        "--db",
        fresh.to_str().unwrap(),
        outputs.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stdout.lines().count(),
        1,
        "only the header:\n{stdout}\n{stderr}"
    );
    assert!(
        stderr.contains(&format!("note: {given} files are ones prokus wrote")),
        "{stderr}"
    );
    // A script (`--json`) reads no object and the same note.
    let out = prokus(&[
        "ingest",
        "--json",
        "--db",
        fresh.to_str().unwrap(),
        outputs.to_str().unwrap(),
    ]);
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("note: {given} files are ones prokus wrote")),
        "{stderr}"
    );
    let conn = duckdb::Connection::open(&fresh).unwrap();
    let batches: i64 = conn
        .query_row("SELECT count(*) FROM ingest_batch", [], |r| r.get(0))
        .unwrap();
    assert_eq!(batches, 0);
}

#[test]
fn check_writes_every_finding_and_one_file_per_incubator() {
    let run = run();
    let _db = db_lock();
    let national = run.dir.join("check.csv");
    let split = run.dir.join("check-incubators");
    let _ = std::fs::remove_dir_all(&split);
    let out = prokus(&[
        "check",
        "--db",
        &run.db,
        "--output",
        national.to_str().unwrap(),
        "--per-incubator",
        split.to_str().unwrap(),
        "--per-incubator-format",
        "csv",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let mut reader = csv::Reader::from_path(&national).unwrap();
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        [
            "unit_id",
            "unit",
            "kpm_id",
            "kpm_name",
            "wave",
            "submission_id",
            "check",
            "severity",
            "field",
            "value",
            "problem",
            "action"
        ]
    );
    let rows: Vec<BTreeMap<String, String>> = reader.deserialize().map(Result::unwrap).collect();
    assert!(
        stderr.contains(&format!("{} findings", rows.len())),
        "{stderr}"
    );
    // The sample resubmits some forms: each is listed, naming the one used.
    let resubmitted = rows
        .iter()
        .filter(|r| r["check"] == "duplicate_submission")
        .count();
    assert!(resubmitted > 0, "{stderr}");
    assert!(
        rows.iter()
            .all(|r| !r["problem"].is_empty() && !r["action"].is_empty())
    );

    // The per-incubator files add up to the national file, and each holds
    // only its own unit's rows.
    let mut total = 0;
    for entry in std::fs::read_dir(&split).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name == prokus_files::MANIFEST {
            continue;
        }
        let Some(unit) = name.strip_suffix("-findings.csv") else {
            assert!(name.ends_with("-completeness.csv"), "{name}");
            continue;
        };
        let mut reader = csv::Reader::from_path(&path).unwrap();
        for row in reader.deserialize::<BTreeMap<String, String>>() {
            let row = row.unwrap();
            assert_eq!(row["unit_id"], unit, "{name}: {row:?}");
            total += 1;
        }
    }
    assert_eq!(total, rows.len());

    // Each incubator's report lists its data to fix: the same findings (but
    // the missing and late answers, counted in its completeness table).
    let mut to_fix: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let mut kinds: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for r in &rows {
        if !["no_response", "late"].contains(&r["check"].as_str()) {
            to_fix
                .entry(r["unit_id"].as_str())
                .or_default()
                .insert(r["kpm_id"].as_str());
            *kinds
                .entry((r["unit_id"].as_str(), r["check"].as_str()))
                .or_default() += 1;
        }
    }
    let reports = run.dir.join("reports/incubator");
    let mut checked = 0;
    let mut kinds_shown = 0;
    for entry in std::fs::read_dir(&reports).unwrap() {
        let pdf = entry.unwrap().path();
        if pdf.extension().is_none_or(|e| e != "pdf") {
            continue; // the workbooks beside the PDFs
        }
        let id = pdf.file_stem().unwrap().to_string_lossy().into_owned();
        let text = pdf_text(&pdf)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        assert!(text.contains("Data yang perlu diperbaiki"), "{id}");
        assert!(text.contains("Jadwal pelaporan berikutnya"), "{id}");
        match to_fix.get(id.as_str()) {
            None => assert!(text.contains("Tidak ada temuan pemeriksaan data"), "{id}"),
            Some(kpm) => {
                // Each kind of finding once, with its count and what to do.
                for check in prokus_metrics::quality::Check::ALL {
                    let Some(n) = kinds.get(&(id.as_str(), check.code())) else {
                        continue;
                    };
                    let line = format!(
                        "{} {}",
                        prokus_metrics::format::capitalized(
                            check.label(prokus_metrics::format::Lang::Id)
                        ),
                        prokus_metrics::format::number(
                            *n as f64,
                            0,
                            prokus_metrics::format::Lang::Id
                        )
                    );
                    assert!(text.contains(&line), "{id}: `{line}` in {text}");
                    kinds_shown += 1;
                }
                assert!(text.contains("Temuan per KPM"), "{id}");
                for k in kpm.iter().take(10) {
                    assert!(text.contains(k), "{id}'s report misses its finding on {k}");
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 0, "some incubator has data to fix");
    assert!(kinds_shown >= checked, "every one of them lists its kinds");

    // A workbook for the M&E team, in English on request.
    let book = run.dir.join("check.xlsx");
    prokus(&[
        "check",
        "--db",
        &run.db,
        "--output",
        book.to_str().unwrap(),
        "--lang",
        "en",
    ]);
    assert!(
        std::fs::read(&book).unwrap().starts_with(b"PK"),
        "an .xlsx is a ZIP"
    );

    let out = bin()
        .args(["check", "--db", &run.db, "--as-of", "19-09-2021"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--as-of"));
}

#[test]
fn ingesting_the_same_files_again_adds_nothing() {
    let run = run();
    let _db = db_lock();
    let data = run.dir.join("data");
    let file = data.join("prokus_monitoring_2021-06-30.csv");
    let conn = || duckdb::Connection::open(&run.db).unwrap();
    let before: i64 = conn()
        .query_row("SELECT count(*) FROM response", [], |r| r.get(0))
        .unwrap();
    let out = prokus(&["ingest", "--db", &run.db, "--json", file.to_str().unwrap()]);
    let s: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(num(&s, "rows_loaded"), 0);
    assert_eq!(num(&s, "rows_duplicate"), num(&s, "rows_read"));
    let after: i64 = conn()
        .query_row("SELECT count(*) FROM response", [], |r| r.get(0))
        .unwrap();
    assert_eq!(before, after);
}

#[test]
fn indicator_csv_keeps_its_interface() {
    let run = run();
    assert_eq!(
        run.header.join(","),
        "indicator_id,period,level,group_code,group_name,n,value,baseline_value,change,ci_low,ci_high,target,status,suppressed"
    );
    let national = |id: &str| {
        run.indicators
            .iter()
            .find(|r| {
                r["indicator_id"] == id && r["level"] == "national" && r["period"] == "endline"
            })
            .unwrap_or_else(|| panic!("{id}"))
    };
    for id in [
        "business_income",
        "business_income_change_pct",
        "saves_monthly",
        "jobs_created",
    ] {
        let r = national(id);
        assert!(
            !r["value"].is_empty() && r["suppressed"] == "false",
            "{r:?}"
        );
    }
    let saves: f64 = national("saves_monthly")["value"].parse().unwrap();
    let base: f64 = national("saves_monthly")["baseline_value"].parse().unwrap();
    assert!(
        (0.0..=100.0).contains(&saves) && saves > base,
        "the programme raises saving: {base} -> {saves}"
    );
    for level in ["province", "incubator"] {
        assert!(
            run.indicators.iter().any(|r| r["level"] == level),
            "{level}"
        );
    }
    for r in &run.indicators {
        if r["suppressed"] == "true" {
            assert!(
                r["value"].is_empty() && r["ci_low"].is_empty(),
                "suppressed cells show no figures: {r:?}"
            );
            // A small cell, or the complement hiding one (a part of a
            // whole: see no_hidden_cell_is_the_whole_less_the_others).
            assert!(
                r["n"].parse::<u32>().unwrap() < 5
                    || [
                        "province",
                        "regency",
                        "district",
                        "incubator",
                        "cohort",
                        "cluster",
                        "category",
                        "gender"
                    ]
                    .contains(&r["level"].as_str()),
                "{r:?}"
            );
        }
    }
}

fn pdf_text(path: &Path) -> String {
    let check = tool("qpdf", &["--check", path.to_str().unwrap()]);
    assert!(
        check.status.success(),
        "{} is a valid PDF: {}",
        path.display(),
        String::from_utf8_lossy(&check.stdout)
    );
    let out = tool("pdftotext", &["-layout", path.to_str().unwrap(), "-"]);
    assert!(out.status.success());
    String::from_utf8(out.stdout)
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The way the reports print a CSV figure: Indonesian grouping and decimal comma.
fn indonesian(value: &str) -> String {
    let (whole, frac) = value.split_once('.').unwrap_or((value, ""));
    let negative = whole.starts_with('-');
    let digits = whole.trim_start_matches('-');
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    if !frac.is_empty() {
        out = format!("{out},{frac}");
    }
    if negative { format!("−{out}") } else { out }
}

/// Decimals per indicator, read from the catalog the engine ships.
fn catalog_decimals() -> BTreeMap<String, usize> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../queries/indicators.toml"
    ))
    .unwrap();
    let mut out = BTreeMap::new();
    let mut id = String::new();
    for line in text.lines() {
        if let Some(v) = line.strip_prefix("id = ") {
            id = v.trim_matches('"').to_string();
        } else if let Some(v) = line.strip_prefix("decimals = ") {
            out.insert(id.clone(), v.trim().parse().unwrap());
        }
    }
    out
}

fn expect_figures(text: &str, run: &Run, level: &str, group: &str, pdf: &Path) {
    expect_at_least(text, run, level, group, pdf, 8);
}

/// One PDF per group of `level` (named `CODE-name.pdf` in the level's folder),
/// each printing its figures.
fn expect_area_reports(run: &Run, reports: &Path, level: &str, min: usize) {
    let codes: BTreeSet<&str> = run
        .indicators
        .iter()
        .filter(|r| r["level"] == level)
        .map(|r| r["group_code"].as_str())
        .collect();
    let files: Vec<PathBuf> = std::fs::read_dir(reports.join(level))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), codes.len(), "one PDF per {level}");
    for code in codes {
        let prefix = format!("{code}-");
        let pdf = files
            .iter()
            .find(|f| {
                f.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with(&prefix)
            })
            .expect("a PDF for every group");
        expect_at_least(&pdf_text(pdf), run, level, code, pdf, min);
    }
}

/// The round the reports print an indicator at: the endline, but mentoring
/// sessions and TKSK visits at the latest round whose national figure is
/// above zero (the sample has none at the endline).
fn printed_round(run: &Run, indicator: &str) -> String {
    if !matches!(indicator, "mentoring_sessions" | "tksk_visits") {
        return "endline".into();
    }
    ["endline", "monitoring_3", "monitoring_2", "monitoring_1"]
        .into_iter()
        .find(|wave| {
            run.indicators.iter().any(|r| {
                r["indicator_id"] == indicator
                    && r["level"] == "national"
                    && r["period"] == *wave
                    && r["value"].parse::<f64>().is_ok_and(|v| v > 0.0)
            })
        })
        .unwrap_or("endline")
        .into()
}

/// Every unsuppressed figure of the group at the round it is printed at
/// ([`printed_round`]) is printed, and there are at least `min` of them.
fn expect_at_least(text: &str, run: &Run, level: &str, group: &str, pdf: &Path, min: usize) {
    let decimals = catalog_decimals();
    let mut checked = 0;
    for r in run.indicators.iter().filter(|r| {
        r["level"] == level
            && r["group_code"] == group
            && r["period"] == printed_round(run, &r["indicator_id"])
    }) {
        if r["suppressed"] == "true" {
            continue;
        }
        // The CSV holds the figure rounded to the indicator's decimals, which
        // the report prints with Indonesian separators.
        let decimals = decimals[r["indicator_id"].as_str()];
        let value: f64 = r["value"].parse().unwrap();
        let shown = indonesian(&format!("{value:.decimals$}"));
        assert!(
            text.contains(&shown),
            "{}: {} = {shown} (CSV {}) not printed",
            pdf.display(),
            r["indicator_id"],
            r["value"]
        );
        checked += 1;
    }
    assert!(
        checked >= min,
        "{}: only {checked} figures checked",
        pdf.display()
    );
}

#[test]
fn pdfs_open_and_print_the_indicator_table() {
    let run = run();
    let reports = run.dir.join("reports");
    let national = reports.join("national.pdf");
    expect_figures(&pdf_text(&national), run, "national", "ID", &national);
    let dashboard = pdf_text(&reports.join("dashboard.pdf"));
    assert!(dashboard.contains("Dasbor Capaian ProKUS"));
    // The charts' text, set by Typst over their SVG, is the PDF's text.
    for title in [
        "Pendapatan bersih usaha rata-rata (Rp/bulan)",
        "KPM menabung minimal sebulan sekali per provinsi (%)",
    ] {
        assert!(dashboard.contains(title), "chart title {title} not printed");
    }
    let decimals = catalog_decimals();
    for id in prokus_report::DASHBOARD_KPIS {
        let r = run
            .indicators
            .iter()
            .find(|r| {
                r["indicator_id"] == id && r["level"] == "national" && r["period"] == "endline"
            })
            .unwrap();
        let value: f64 = r["value"].parse().unwrap();
        let shown = indonesian(&format!("{value:.*}", decimals[id]));
        assert!(
            dashboard.contains(&shown),
            "dashboard tile {id} = {shown} not printed"
        );
    }
    // The tiles of shares give the change since the quarter before, from the
    // table's national quarter rows.
    let quarter = |code: &str| {
        let r = run
            .indicators
            .iter()
            .find(|r| {
                r["indicator_id"] == "saves_monthly"
                    && r["level"] == "national"
                    && r["period"] == code
            })
            .unwrap_or_else(|| panic!("a national {code} row"));
        r["value"].parse::<f64>().unwrap()
    };
    let (q2, q3) = (quarter("2021-Q2"), quarter("2021-Q3"));
    let change = q3 - q2;
    // The tile wraps before the change, and the text of the three tiles of a
    // row comes out line by line: the two parts are looked for apart.
    let trend = format!(
        "Triwulan II → III 2021: {}% → {}%",
        indonesian(&format!("{q2:.1}")),
        indonesian(&format!("{q3:.1}")),
    );
    let points = format!(
        "({}{} poin)",
        if change >= 0.0 { "+" } else { "−" },
        indonesian(&format!("{:.1}", change.abs()))
    );
    let squashed = dashboard.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(squashed.contains(&trend), "`{trend}` in {squashed}");
    assert!(squashed.contains(&points), "`{points}` in {squashed}");

    // Every province has a report with all its figures; every regency too,
    // though in a small sample a regency may have none above the cell size.
    expect_area_reports(run, &reports, "province", 8);
    expect_area_reports(run, &reports, "regency", 0);
    let national_text = pdf_text(&national);
    assert!(
        national_text.contains("Triwulan III 2021"),
        "the period is the endline's quarter"
    );
    assert!(national_text.contains("Rp "), "money is printed in rupiah");

    // The target chart gives each targeted national figure as a share of
    // its target, beside the indicator's name (pdftotext keeps a bar's label
    // and its value on one line).
    let catalog = prokus_metrics::Catalog::builtin();
    let chart = national_text
        .split_once("Capaian terhadap target, nasional")
        .expect("the target chart")
        .1;
    let mut bars = 0;
    for r in run
        .indicators
        .iter()
        .filter(|r| r["level"] == "national" && r["period"] == "endline" && !r["target"].is_empty())
    {
        let i = catalog.get(&r["indicator_id"]).unwrap();
        let (value, target): (f64, f64) =
            (r["value"].parse().unwrap(), r["target"].parse().unwrap());
        let progress = match i.direction {
            prokus_metrics::Direction::Higher => 100.0 * value / target,
            prokus_metrics::Direction::Lower => 100.0 * target / value,
        };
        // The CSV's value is rounded: the percentage may be one off.
        let shown: Vec<String> = [-1.0, 0.0, 1.0]
            .iter()
            .map(|d| {
                format!(
                    "{} {}%",
                    i.label_id,
                    indonesian(&format!("{:.0}", progress.round() + d))
                )
            })
            .collect();
        assert!(
            shown.iter().any(|s| chart.contains(s)),
            "target progress `{}` in the chart: {chart}",
            shown[1]
        );
        bars += 1;
    }
    assert!(bars >= 8, "the targeted indicators are charted ({bars})");

    // The impact section prints `prokus impact`'s difference in differences
    // (standard errors clustered by household) and its interval.
    let out = {
        let _db = db_lock();
        prokus(&["impact", "--db", &run.db, "--indicator", "saves_monthly"])
    };
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    let did: BTreeMap<String, String> = reader
        .deserialize()
        .map(Result::unwrap)
        .find(|r: &BTreeMap<String, String>| {
            r["estimator"] == "difference_in_differences" && r["se_type"] == "cr1"
        })
        .unwrap();
    let points = |k: &str| indonesian(&format!("{:.1}", 100.0 * did[k].parse::<f64>().unwrap()));
    let squashed = national_text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for shown in [
        format!("+{} poin", points("estimate")),
        format!("{} – {}", points("ci_low"), points("ci_high")),
    ] {
        assert!(squashed.contains(&shown), "impact `{shown}` in {squashed}");
    }
}

/// No small cell of the indicator table can be recovered by subtraction:
/// within the parts of any whole (the provinces of the nation, the regencies
/// of a province, the kecamatan of a regency, the incubators, clusters,
/// categories, sexes and cohorts of the nation), never exactly one is
/// suppressed, for it would be the whole less the others.
#[test]
fn no_hidden_cell_is_the_whole_less_the_others() {
    let run = run();
    let mut families: BTreeMap<(String, String, String, String), (usize, usize)> = BTreeMap::new();
    for r in &run.indicators {
        let code = r["group_code"].as_str();
        let whole = match r["level"].as_str() {
            "province" | "incubator" | "cohort" | "cluster" | "category" | "gender" => "ID",
            "regency" => code.split('.').next().unwrap(),
            "district" if code.matches('.').count() == 2 => code.rsplit_once('.').unwrap().0,
            _ => continue,
        };
        let family = families
            .entry((
                r["indicator_id"].clone(),
                r["period"].clone(),
                r["level"].clone(),
                whole.to_string(),
            ))
            .or_default();
        family.0 += 1;
        family.1 += usize::from(r["suppressed"] == "true");
    }
    let small = families.values().filter(|(_, hidden)| *hidden >= 2).count();
    assert!(
        small > 10,
        "the sample has small cells: {small} families hide some"
    );
    // A whole that is hidden itself gives nothing to subtract from.
    let hidden_wholes: BTreeSet<(String, String, String, String)> = run
        .indicators
        .iter()
        .filter(|r| r["suppressed"] == "true")
        .map(|r| {
            (
                r["indicator_id"].clone(),
                r["period"].clone(),
                r["level"].clone(),
                r["group_code"].clone(),
            )
        })
        .collect();
    let whole_level = |level: &str| match level {
        "regency" => "province",
        "district" => "regency",
        _ => "national",
    };
    for (family, (parts, hidden)) in &families {
        let (indicator, period, level, whole) = family;
        let key = (
            indicator.clone(),
            period.clone(),
            whole_level(level).to_string(),
            whole.clone(),
        );
        if hidden_wholes.contains(&key) {
            continue;
        }
        assert_ne!(
            *hidden, 1,
            "{family:?}: one of {parts} parts hidden alone could be recovered"
        );
    }
}

/// The first PDF of a folder of reports, in name order.
fn first_pdf(dir: &Path) -> PathBuf {
    let mut pdfs: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
        .collect();
    pdfs.sort();
    pdfs.into_iter().next().expect("a PDF")
}

#[test]
fn every_audience_reads_in_english_with_the_time_in_wib() {
    let run = run();
    let english = run.dir.join("reports-en");
    {
        let _db = db_lock();
        prokus(&[
            "report",
            "--db",
            &run.db,
            "--lang",
            "en",
            "--out",
            english.to_str().unwrap(),
        ]);
    }
    let indonesian = run.dir.join("reports");
    for (pdf, title) in [
        ("national.pdf", "Quarterly Report"),
        ("dashboard.pdf", "ProKUS Outcome Dashboard"),
        ("province", "Province Report"),
        ("regency", "Report"),
        ("incubator", "Incubator Feedback"),
    ] {
        let path = english.join(pdf);
        let path = if path.is_dir() {
            first_pdf(&path)
        } else {
            path
        };
        let text = pdf_text(&path);
        let name = path.display();
        assert!(text.contains(title), "{name}: no `{title}` in {text}");
        // The reporting quarter, a share and money as English writes them.
        assert!(text.contains("Q3 2021"), "{name}: no `Q3 2021`");
        let share = text
            .split_whitespace()
            .any(|w| w.ends_with('%') && w.contains('.') && !w.contains(','));
        assert!(share, "{name}: no share written `12.5%`");
        // No word of the Indonesian report's own (names of places, people
        // and form questions are data, and may be Indonesian).
        for word in [
            "Ringkasan",
            "Triwulan",
            "Sesuai target",
            "Berisiko",
            "Di bawah target",
            "Dibuat",
            "Rincian",
            "Lampiran",
            "Indikator",
        ] {
            assert!(
                !text.contains(word),
                "{name}: Indonesian `{word}` in {text}"
            );
        }
        // Generated in Jakarta's time, in both languages.
        assert!(
            text.contains("WIB") && !text.contains("UTC"),
            "{name}: {text}"
        );
        let same = indonesian.join(path.strip_prefix(&english).unwrap());
        let text = pdf_text(&same);
        assert!(
            text.contains("WIB") && !text.contains("UTC"),
            "{}",
            same.display()
        );
    }
}

/// Each incubator's report has a line per mentor its register names, with
/// the mentoring sessions `prokus indicators --by mentor` computes, and no
/// other incubator's mentor.
#[test]
fn incubator_reports_list_their_own_mentors_with_their_sessions() {
    let run = run();
    let mut mentors: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for r in csv::Reader::from_path(run.dir.join("data/kpm_register.csv"))
        .unwrap()
        .deserialize::<BTreeMap<String, String>>()
        .map(Result::unwrap)
        .filter(|r| r["arm"] == "prokus" && !r["mentor"].is_empty())
    {
        mentors
            .entry(r["incubator_id"].clone())
            .or_default()
            .insert(r["mentor"].clone());
    }
    let csv_path = run.dir.join("by-mentor.csv");
    let db = db_lock();
    prokus(&[
        "indicators",
        "--db",
        &run.db,
        "--by",
        "mentor",
        "--format",
        "csv",
        "--output",
        csv_path.to_str().unwrap(),
    ]);
    drop(db);
    let rows: Vec<BTreeMap<String, String>> = csv::Reader::from_path(&csv_path)
        .unwrap()
        .deserialize::<BTreeMap<String, String>>()
        .map(Result::unwrap)
        .filter(|r| {
            r["indicator_id"] == "mentoring_sessions"
                && r["level"] == "mentor"
                && r["period"] == "monitoring_3"
        })
        .collect();
    let sessions: BTreeMap<String, String> = rows
        .iter()
        .filter(|r| r["suppressed"] == "false")
        .map(|r| (r["group_code"].clone(), r["value"].clone()))
        .collect();
    let hidden: BTreeSet<&str> = rows
        .iter()
        .filter(|r| r["suppressed"] == "true")
        .map(|r| r["group_code"].as_str())
        .collect();
    assert!(
        !sessions.is_empty(),
        "mentors with sessions at monitoring 3"
    );
    let mut checked = 0;
    for (incubator, own) in &mentors {
        let text = pdf_text(&run.dir.join(format!("reports/incubator/{incubator}.pdf")));
        for (other, theirs) in &mentors {
            for mentor in theirs {
                assert_eq!(
                    text.contains(mentor.as_str()),
                    other == incubator,
                    "{incubator}'s report and {other}'s mentor {mentor}"
                );
            }
        }
        // A lone hidden mentor hides one other (complementary suppression).
        let lone_hidden = own.iter().filter(|m| hidden.contains(m.as_str())).count() == 1;
        let mut withheld = 0;
        for mentor in own {
            if let Some(value) = sessions.get(mentor) {
                let shown: f64 = value.parse().unwrap();
                let line = format!("{mentor} ");
                let at = text.find(&line).unwrap();
                let after = &text[at + line.len()..];
                let figure = indonesian(&format!("{shown:.2}"));
                let cells: Vec<&str> = after.split_whitespace().take(3).collect();
                if lone_hidden && cells.contains(&"ditutup") {
                    withheld += 1;
                    continue;
                }
                assert!(
                    cells.contains(&figure.as_str()),
                    "{incubator}: {mentor} {figure} in {}",
                    &after[..after.len().min(80)]
                );
                checked += 1;
            }
        }
        assert!(withheld <= 1, "{incubator}: one mentor withheld at most");
    }
    assert!(checked > 10, "{checked} mentors' sessions checked");
}

/// The KPM ids in a report's success stories: between their heading and
/// the table's note.
fn story_kpm(text: &str) -> Vec<String> {
    let Some(at) = text.find("Kisah sukses") else {
        return Vec::new();
    };
    let end = text[at..]
        .find("KPM yang pendapatan usahanya paling naik")
        .map_or(text.len(), |e| at + e);
    text[at..end]
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .filter(|t| t.starts_with("KPM21-"))
        .map(str::to_string)
        .collect()
}

/// Success stories name only KPM who agreed (the register's
/// consent_story), whose business grew, and only in their own incubator's,
/// their province's and the national report: never in a regency report or
/// another incubator's.
#[test]
fn success_stories_need_consent_and_stay_with_their_incubator_and_province() {
    let run = run();
    let register: BTreeMap<String, BTreeMap<String, String>> =
        csv::Reader::from_path(run.dir.join("data/kpm_register.csv"))
            .unwrap()
            .deserialize::<BTreeMap<String, String>>()
            .map(Result::unwrap)
            .map(|r| (r["kpm_id"].clone(), r))
            .collect();
    let reports = run.dir.join("reports");
    let mut told = 0;
    for entry in std::fs::read_dir(reports.join("incubator")).unwrap() {
        let pdf = entry.unwrap().path();
        if pdf.extension().is_none_or(|e| e != "pdf") {
            continue;
        }
        let incubator = pdf.file_stem().unwrap().to_string_lossy().into_owned();
        for kpm in story_kpm(&pdf_text(&pdf)) {
            let r = &register[&kpm];
            assert_eq!(r["consent_story"], "ya", "{kpm} agreed");
            assert_eq!(r["incubator_id"], incubator, "{kpm} is {incubator}'s");
            told += 1;
        }
    }
    assert!(told > 5, "{told} stories told in the incubator reports");
    for entry in std::fs::read_dir(reports.join("province")).unwrap() {
        let pdf = entry.unwrap().path();
        let code: String = pdf
            .file_name()
            .unwrap()
            .to_string_lossy()
            .chars()
            .take(2)
            .collect();
        for kpm in story_kpm(&pdf_text(&pdf)) {
            assert_eq!(register[&kpm]["consent_story"], "ya", "{kpm} agreed");
            assert_eq!(register[&kpm]["province_code"], code, "{kpm} is of {code}");
        }
    }
    for kpm in story_kpm(&pdf_text(&reports.join("national.pdf"))) {
        assert_eq!(register[&kpm]["consent_story"], "ya", "{kpm} agreed");
    }
    for entry in std::fs::read_dir(reports.join("regency")).unwrap() {
        let text = pdf_text(&entry.unwrap().path());
        assert!(
            !text.contains("Kisah sukses"),
            "no stories in a regency report"
        );
    }
}

/// `--only` renders the reports of the areas and incubators named and
/// leaves the other PDFs of the folder be; one the audiences do not make is
/// a usage error naming those they do.
#[test]
fn only_renders_the_reports_named_and_leaves_the_others() {
    let run = run();
    // The first group of a level in the indicator table.
    let first = |level: &str| {
        run.indicators.iter().find(|r| r["level"] == level).unwrap()["group_code"].clone()
    };
    let (incubator, province) = (first("incubator"), first("province"));
    let out = run.dir.join("reports-only");
    let _ = std::fs::remove_dir_all(&out);
    let pdfs = || -> BTreeMap<String, std::time::SystemTime> {
        ["incubator", "province", "regency"]
            .iter()
            .filter_map(|d| std::fs::read_dir(out.join(d)).ok())
            .flatten()
            .map(|e| e.unwrap())
            .filter(|e| e.file_name().to_string_lossy().ends_with(".pdf"))
            .map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                (name, e.metadata().unwrap().modified().unwrap())
            })
            .collect()
    };
    let _db = db_lock();
    // A whole run first; then the two reports alone, made afresh.
    let folder = out.to_str().unwrap();
    prokus(&[
        "report",
        "--db",
        &run.db,
        "--audience",
        "incubator,province",
        "--out",
        folder,
    ]);
    let before = pdfs();
    std::thread::sleep(std::time::Duration::from_millis(20));
    let asked = format!("{},{province}", incubator.to_lowercase());
    prokus(&[
        "report",
        "--db",
        &run.db,
        "--audience",
        "all",
        "--only",
        &asked,
        "--force",
        "--out",
        folder,
    ]);
    let after = pdfs();
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>(),
        "the other PDFs are left be"
    );
    let made: Vec<&String> = after
        .keys()
        .filter(|name| after[*name] != before[*name])
        .collect();
    assert_eq!(made.len(), 2, "{made:?}");
    assert!(
        made.iter().any(|n| **n == format!("{incubator}.pdf")),
        "{made:?}"
    );
    assert!(
        made.iter().any(|n| n.starts_with(&format!("{province}-"))),
        "{made:?}"
    );
    assert!(!out.join("national.pdf").exists() && !out.join("dashboard.pdf").exists());
    // A regency asked among the incubators' reports alone.
    let refused = bin()
        .args([
            "report",
            "--db",
            &run.db,
            "--audience",
            "incubator",
            "--only",
            &province,
        ])
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(
        said.contains(&format!(
            "no report of `{province}` among the incubator reports"
        )) && said.contains(&incubator),
        "{said}"
    );
}

#[test]
fn incubator_reports_show_only_their_own_households() {
    let run = run();
    let register = csv::Reader::from_path(run.dir.join("data/kpm_register.csv"))
        .unwrap()
        .deserialize::<BTreeMap<String, String>>()
        .map(Result::unwrap)
        .map(|r| (r["kpm_id"].clone(), r["incubator_id"].clone()))
        .collect::<BTreeMap<_, _>>();
    let incubators: BTreeSet<&str> = run
        .indicators
        .iter()
        .filter(|r| r["level"] == "incubator")
        .map(|r| r["group_code"].as_str())
        .collect();
    // KPM whose business had closed at endline, by incubator, from the
    // database itself.
    let closed: BTreeSet<(String, String)> = {
        let _db = db_lock();
        let conn = duckdb::Connection::open(&run.db).unwrap();
        let mut stmt = conn
            .prepare(
                "SELECT k.incubator_id, c.kpm_id FROM response_current c JOIN kpm k USING (kpm_id)
                 WHERE c.wave = 'endline' AND NOT c.business_operating AND k.arm = 'prokus'",
            )
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert!(!closed.is_empty(), "the sample has closed businesses");
    let mut listed = 0;
    for id in incubators {
        let pdf = run.dir.join("reports/incubator").join(format!("{id}.pdf"));
        let text = pdf_text(&pdf);
        expect_figures(&text, run, "incubator", id, &pdf);
        let mut in_pdf = Vec::new();
        for token in text
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .filter(|t| t.starts_with("KPM21-"))
        {
            listed += 1;
            in_pdf.push(token.to_string());
            assert_eq!(
                register.get(token).map(String::as_str),
                Some(id),
                "{token} in {id}'s report belongs to another incubator"
            );
        }

        // Beside the PDF, the workbook of every KPM who needs attention,
        // which the PDF names: only this incubator's KPM, NIK masked, and
        // every closed business among them.
        let name = format!("{id}-perhatian.xlsx");
        assert!(text.contains(&name), "{id}'s report names {name}");
        let rows: Vec<Vec<String>> = {
            use calamine::{Reader, Xlsx};
            let mut book: Xlsx<_> =
                calamine::open_workbook(run.dir.join("reports/incubator").join(&name)).unwrap();
            let range = book.worksheet_range("Perlu perhatian").unwrap();
            range
                .rows()
                .map(|r| r.iter().map(|c| c.to_string()).collect())
                .collect()
        };
        assert_eq!(rows[0][0], "ID KPM");
        assert_eq!(rows[0][2], "NIK (tersamar)");
        let kpm: Vec<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
        for (r, k) in rows[1..].iter().zip(&kpm) {
            assert_eq!(
                register.get(*k).map(String::as_str),
                Some(id),
                "{k} in {name} belongs to another incubator"
            );
            let nik = r[2].as_bytes();
            assert!(
                nik.is_empty()
                    || (nik.len() == 16
                        && nik[..4].iter().chain(&nik[12..]).all(u8::is_ascii_digit)
                        && nik[4..12].iter().all(|&b| b == b'*')),
                "{k}'s NIK is masked in {name}: {}",
                r[2]
            );
        }
        for (_, k) in closed.iter().filter(|(inc, _)| inc == id) {
            let row = rows.iter().find(|r| &r[0] == k);
            assert!(
                row.is_some_and(|r| r[3].contains("usaha tutup")),
                "{k}, whose business closed, is in {name} with that reason"
            );
        }
        // The PDF lists the most urgent first: the workbook's first rows
        // (the KPM ids of the findings follow in the PDF).
        assert!(
            in_pdf.len() >= kpm.len().min(25)
                && in_pdf[..kpm.len().min(25)] == kpm[..kpm.len().min(25)],
            "{id}'s PDF lists the first KPM of {name}"
        );
    }
    assert!(listed > 0, "the attention lists name KPM");
}

/// Counts of what the database holds: (responses, distinct rejected rows,
/// batches), after checking that no row is stored outside a complete batch.
fn stored(db: &str) -> (i64, i64, i64) {
    let conn = duckdb::Connection::open(db).expect("the database opens after a kill");
    let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(
        count(
            "SELECT count(*) FROM response WHERE batch_id NOT IN (SELECT batch_id FROM ingest_batch)"
        ),
        0,
        "responses of an unfinished batch"
    );
    assert_eq!(
        count(
            "SELECT count(*) FROM ingest_reject WHERE batch_id NOT IN (SELECT batch_id FROM ingest_batch)"
        ),
        0,
        "rejects of an unfinished batch"
    );
    assert_eq!(
        count(
            "SELECT count(*) FROM ingest_batch b WHERE b.format LIKE 'kobo%' AND b.rows_loaded <> (SELECT count(*) FROM response r WHERE r.batch_id = b.batch_id)"
        ),
        0,
        "a batch holds all the rows it counts"
    );
    (
        count("SELECT count(*) FROM response"),
        count("SELECT count(DISTINCT (batch_id, source_row)) FROM ingest_reject"),
        count("SELECT count(*) FROM ingest_batch"),
    )
}

#[test]
fn a_killed_ingest_leaves_the_database_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    prokus(&[
        "sample",
        "--households",
        "30000",
        "--seed",
        "3",
        "--out",
        data.to_str().unwrap(),
    ]);
    let db = dir.path().join("k.duckdb").to_string_lossy().into_owned();
    let lists = [data.join("incubators.csv"), data.join("kpm_register.csv")];
    prokus(&[
        "ingest",
        "--db",
        &db,
        lists[0].to_str().unwrap(),
        lists[1].to_str().unwrap(),
    ]);
    let before = stored(&db);
    let export = data.join("prokus_monitoring_2021-10-15.csv");
    let mut killed_midway = 0;
    for delay_ms in [150, 600, 1200, 2000] {
        let mut child = bin()
            .args(["ingest", "--db", &db, export.to_str().unwrap()])
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let finished = child.try_wait().unwrap().is_some();
        child.kill().ok();
        child.wait().unwrap();
        let after = stored(&db);
        if finished || after != before {
            // It reached its commit before the kill: the whole file, never a part.
            assert_eq!(after.2, before.2 + 1, "one batch more, or none");
            break;
        }
        killed_midway += 1;
    }
    assert!(
        killed_midway > 0,
        "the ingest was never stopped in the middle; make the file larger"
    );
    // Run to the end, the file loads whole, every row accounted for.
    let out = prokus(&["ingest", "--db", &db, "--json", export.to_str().unwrap()]);
    let s: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let (responses, rejects, batches) = stored(&db);
    assert_eq!(batches, before.2 + 1);
    if num(&s, "rows_loaded") > 0 {
        assert_eq!(responses as u64, num(&s, "rows_loaded"));
        assert_eq!(
            (rejects - before.1) as u64,
            num(&s, "rows_rejected") + num(&s, "rows_duplicate")
        );
    }
}

/// The written feedback of a feedback sheet is printed as written (Typst
/// markup in it stays text) in its writer's own report and its area's, not
/// in another incubator's; a story is printed with the KPM's consent only,
/// a "no" in the register withholding it whatever the sheet says.
#[test]
fn written_feedback_is_printed_verbatim_where_its_writer_reads() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("feedback");
    let _ = std::fs::remove_dir_all(&dir);
    let data = dir.join("data");
    prokus(&[
        "sample",
        "--households",
        "300",
        "--seed",
        "11",
        "--out",
        data.to_str().unwrap(),
    ]);
    let register: Vec<BTreeMap<String, String>> =
        csv::Reader::from_path(data.join("kpm_register.csv"))
            .unwrap()
            .deserialize::<BTreeMap<String, String>>()
            .map(Result::unwrap)
            .collect();
    // Two incubators with KPM of each consent, and a regency of the first.
    let of = |inc: &str, consent: &str| {
        register
            .iter()
            .find(|r| r["incubator_id"] == inc && r["consent_story"] == consent)
            .map(|r| r["kpm_id"].clone())
    };
    let mut incubators: Vec<&str> = register
        .iter()
        .map(|r| r["incubator_id"].as_str())
        .filter(|i| !i.is_empty())
        .collect();
    incubators.sort();
    incubators.dedup();
    let (a, b) = incubators
        .iter()
        .zip(incubators.iter().skip(1))
        .find(|(a, b)| of(a, "ya").is_some() && of(a, "tidak").is_some() && *a != *b)
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .unwrap();
    // Every KPM of the first incubator gets a story of its own words; the
    // register says yes for some ("Kisah-") and no for others ("Ditahan-"),
    // whatever the sheet says.
    let of_a = |consent: &str| -> Vec<String> {
        register
            .iter()
            .filter(|r| r["incubator_id"] == a && r["consent_story"] == consent)
            .map(|r| r["kpm_id"].clone())
            .collect()
    };
    let (agreed, refused) = (of_a("ya"), of_a("tidak"));
    let stories: String = agreed
        .iter()
        .map(|k| format!("2021-Q3,{a},,,,kisah,,Kisah-{k} yang boleh,{k},ya\n"))
        .chain(
            refused
                .iter()
                .map(|k| format!("2021-Q3,{a},,,,kisah,,Ditahan-{k} yang tidak boleh,{k},ya\n")),
        )
        .collect();
    let regency = register.iter().find(|r| r["incubator_id"] == a).unwrap()["regency_code"].clone();
    let sheet = format!(
        "period,incubator_id,regency_code,province_code,author,kind,actor,text,kpm_id,consent_story\n\
         2021-Q3,{a},,,Mentor Satu,kendala,tksk,Kunjungan TKSK jarang sekali #set page(fill: red) $x$,,\n\
         2021-Q2,{a},,,Mentor Satu,capaian,incubator,Kuartal lama yang tidak dicetak,,\n\
         2021-Q3,{b},,,,permintaan,dinas_sosial,Permintaan khusus inkubator kedua,,\n\
         2021-Q3,,{regency},,,request,korkab,Catatan kantor kabupaten pertama,,\n\
         {stories}"
    );
    // The sample's own sheet is left out: this one's texts are unique.
    std::fs::remove_file(data.join("feedback.csv")).unwrap();
    let sheet_path = dir.join("umpan-balik.csv");
    std::fs::write(&sheet_path, sheet).unwrap();
    let db = dir.join("f.duckdb");
    let mut args: Vec<String> = ["ingest", "--db", db.to_str().unwrap()]
        .map(String::from)
        .to_vec();
    for name in [
        "incubators.csv",
        "kpm_register.csv",
        "prokus_monitoring_2021-06-30.csv",
    ] {
        args.push(data.join(name).to_string_lossy().into_owned());
    }
    args.push(sheet_path.to_string_lossy().into_owned());
    prokus(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let reports = dir.join("reports");
    prokus(&[
        "report",
        "--db",
        db.to_str().unwrap(),
        "--audience",
        "all",
        "--out",
        reports.to_str().unwrap(),
    ]);
    let own = pdf_cells(&reports.join("incubator").join(format!("{a}.pdf")));
    let other = pdf_cells(&reports.join("incubator").join(format!("{b}.pdf")));
    assert!(
        own.contains("Kunjungan TKSK jarang sekali #set page(fill: red) $x$"),
        "printed as written: {own}"
    );
    assert!(!own.contains("Kuartal lama"), "only the latest quarter");
    assert!(!own.contains("Permintaan khusus inkubator kedua"));
    assert!(other.contains("Permintaan khusus inkubator kedua"));
    assert!(!other.contains("Kunjungan TKSK jarang"));
    let regency_pdf = std::fs::read_dir(reports.join("regency"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(&format!("{regency}-"))
        })
        .unwrap();
    assert!(pdf_cells(&regency_pdf).contains("Catatan kantor kabupaten pertama"));
    // Stories: the consenting KPM's, if it is among those who grew most;
    // the other's never, anywhere.
    let national = pdf_cells(&reports.join("national.pdf"));
    for text in [&own, &other, &national] {
        assert!(
            !text.contains("Ditahan-"),
            "a refused story is never printed"
        );
    }
    let own_layout = pdf_text(&reports.join("incubator").join(format!("{a}.pdf")));
    let told = story_kpm(&own_layout);
    assert!(!told.is_empty(), "the incubator's report tells stories");
    for kpm in &told {
        assert!(agreed.contains(kpm), "{kpm} agreed");
        assert!(
            own.contains(&format!("Kisah-{kpm} yang boleh")),
            "{kpm}'s own words"
        );
    }
    // The national report prints the obstacles and requests of the
    // incubators, not their achievements or the regencies' offices.
    assert!(national.contains("Kunjungan TKSK jarang sekali"));
    assert!(!national.contains("Catatan kantor kabupaten pertama"));
}

/// The words of a PDF in reading order, each table cell's text together
/// (`pdftotext` without `-layout`), whitespace made single spaces.
fn pdf_cells(path: &Path) -> String {
    pdf_text(path);
    let out = tool("pdftotext", &[path.to_str().unwrap(), "-"]);
    String::from_utf8(out.stdout)
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// `report --period` reports as of a quarter: its round's figures (those of
/// the indicator table for that round), nothing of a later round, and each
/// KPM judged on its answers up to then.
#[test]
fn a_report_for_an_earlier_quarter_prints_that_quarters_round_only() {
    let run = run();
    let out = run.dir.join("reports-2021-Q2");
    {
        let _db = db_lock();
        // Two audiences in one run (what they print is computed once).
        let said = prokus(&[
            "report",
            "--db",
            &run.db,
            "--period",
            "Triwulan II 2021",
            "--audience",
            "national,incubator",
            "--out",
            out.to_str().unwrap(),
        ]);
        let incubators = run
            .indicators
            .iter()
            .filter(|r| {
                r["level"] == "incubator"
                    && r["indicator_id"] == "saves_monthly"
                    && r["period"] == "baseline"
            })
            .count();
        // After what `prokus indicators` kept for this database was read
        // back (said on the line before).
        let said = String::from_utf8_lossy(&said.stdout);
        assert!(
            said.lines()
                .any(|l| l.starts_with(&format!("wrote {} PDFs", incubators + 1))),
            "the national report and one per incubator: {said}"
        );
    }
    let national = pdf_text(&out.join("national.pdf"));
    assert!(national.contains("Triwulan II 2021"));
    assert!(
        national.contains("antara survei awal dan monitoring 2"),
        "the summary is of monitoring 2"
    );
    assert!(!national.contains("Survei akhir"), "no endline");
    // The national share saving monthly printed for the round is the
    // indicator table's.
    let saving = run
        .indicators
        .iter()
        .find(|r| {
            r["indicator_id"] == "saves_monthly"
                && r["period"] == "monitoring_2"
                && r["level"] == "national"
        })
        .unwrap();
    let percent = format!("{:.1}%", saving["value"].parse::<f64>().unwrap()).replace('.', ",");
    assert!(
        national.contains(&percent),
        "{percent} in the national report"
    );
    for entry in std::fs::read_dir(out.join("incubator")).unwrap() {
        let pdf = entry.unwrap().path();
        if pdf.extension().is_some_and(|e| e == "pdf") {
            let text = pdf_text(&pdf);
            assert!(text.contains("Triwulan II 2021"));
            assert!(
                !text.contains("putaran akhir") && !text.contains("Survei akhir"),
                "{}: nothing of the endline",
                pdf.display()
            );
        }
    }
}

/// A re-run keeps the PDFs whose inputs did not change: all of them when
/// nothing was loaded, and after one incubator's corrected feedback sheet
/// (and after it is withdrawn) all but that incubator's report, its
/// province's and the national one; `--force` renders them all.
#[test]
fn a_rerun_renders_only_the_reports_whose_inputs_changed() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("rerun");
    let _ = std::fs::remove_dir_all(&dir);
    let data = dir.join("data");
    prokus(&[
        "sample",
        "--households",
        "200",
        "--seed",
        "3",
        "--out",
        data.to_str().unwrap(),
    ]);
    let db = dir.join("r.duckdb");
    let mut args: Vec<String> = vec!["ingest".into(), "--db".into(), db.to_string_lossy().into()];
    for e in std::fs::read_dir(&data).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "csv")
            || p.ends_with("prokus_monitoring_2021-10-15.xlsx")
        {
            args.push(p.to_string_lossy().into());
        }
    }
    prokus(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let out = dir.join("reports");
    let report = |extra: &[&str]| -> String {
        let mut args = vec![
            "report",
            "--db",
            db.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend(extra);
        String::from_utf8(prokus(&args).stdout).unwrap()
    };
    // Every PDF's bytes, by path under the folder.
    let pdfs = || -> BTreeMap<String, Vec<u8>> {
        let mut all = BTreeMap::new();
        for sub in ["", "province", "regency", "incubator"] {
            for e in std::fs::read_dir(out.join(sub)).unwrap() {
                let p = e.unwrap().path();
                if p.extension().is_some_and(|x| x == "pdf") {
                    let name = p.strip_prefix(&out).unwrap().to_string_lossy().into_owned();
                    all.insert(name, std::fs::read(&p).unwrap());
                }
            }
        }
        all
    };
    const REUSED: &str = "reused the indicators, estimates and checks";
    let first = report(&[]);
    let before = pdfs();
    assert!(
        first.starts_with(&format!("wrote {} PDFs", before.len())),
        "{first}"
    );
    // The figures are kept beside the database, not among the reports.
    let figures = dir.join("r.duckdb.figures");
    let kept_files = || -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&figures)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        files
    };
    // The figures, and their key beside them.
    assert_eq!(
        kept_files()
            .iter()
            .map(|p| p.extension().unwrap().to_string_lossy().into_owned())
            .collect::<Vec<_>>(),
        ["bincode", "key"]
    );
    let again = report(&[]);
    // Read back, they make the same PDFs as computed: every PDF is kept.
    assert!(again.starts_with(REUSED), "{again}");
    assert!(
        again.contains(&format!(
            "wrote 0 PDFs to {}; kept {}",
            out.display(),
            before.len()
        )),
        "{again}"
    );
    assert_eq!(pdfs(), before, "nothing rewritten");
    // One incubator sends its feedback for the quarter again, corrected.
    let register = csv::Reader::from_path(data.join("kpm_register.csv"))
        .unwrap()
        .deserialize::<BTreeMap<String, String>>()
        .map(Result::unwrap)
        .find(|r| !r["incubator_id"].is_empty())
        .unwrap();
    let (incubator, province) = (
        register["incubator_id"].clone(),
        register["province_code"].clone(),
    );
    let sheet = dir.join("feedback-corrected.csv");
    std::fs::write(
        &sheet,
        format!("period,incubator_id,kind,actor,text\n2021-Q3,{incubator},obstacle,tksk,Koreksi: kunjungan TKSK belum terjadwal\n"),
    )
    .unwrap();
    prokus(&[
        "ingest",
        "--db",
        db.to_str().unwrap(),
        sheet.to_str().unwrap(),
    ]);
    let third = report(&[]);
    // Written feedback changes no figure.
    assert!(third.starts_with(REUSED), "{third}");
    let after = pdfs();
    let changed: Vec<&String> = after
        .iter()
        .filter(|(name, bytes)| before.get(*name) != Some(bytes))
        .map(|(name, _)| name)
        .collect();
    assert_eq!(changed.len(), 3, "{changed:?}");
    assert!(
        changed.contains(&&format!("incubator/{incubator}.pdf")),
        "{changed:?}"
    );
    assert!(
        changed.contains(&&"national.pdf".to_string()),
        "{changed:?}"
    );
    assert!(
        changed
            .iter()
            .any(|n| n.starts_with(&format!("province/{province}-"))),
        "{changed:?}"
    );
    assert!(
        third.contains(&format!(
            "wrote 3 PDFs to {}; kept {}",
            out.display(),
            before.len() - 3
        )),
        "{third}"
    );
    let incubator_pdf = out.join("incubator").join(format!("{incubator}.pdf"));
    assert!(pdf_text(&incubator_pdf).contains("Koreksi: kunjungan TKSK"));
    // Withdrawn, the corrected sheet leaves the report as it was before it.
    let withdrawn = prokus(&[
        "withdraw",
        "--db",
        db.to_str().unwrap(),
        "--yes",
        "feedback-corrected.csv",
    ]);
    let said = String::from_utf8(withdrawn.stdout).unwrap();
    assert!(
        said.starts_with("withdrew batch")
            && said.contains(": 1 row of written feedback taken out"),
        "{said}"
    );
    let fourth = report(&[]);
    assert!(fourth.starts_with(REUSED), "{fourth}");
    assert!(fourth.contains("wrote 3 PDFs"), "{fourth}");
    assert!(!pdf_text(&incubator_pdf).contains("Koreksi: kunjungan TKSK"));
    let forced = report(&["--force"]);
    assert!(
        forced.starts_with(&format!("wrote {} PDFs", before.len())),
        "{forced}"
    );
    // A damaged file of figures is computed again (and replaced), not read.
    let kept = kept_files()[0].clone();
    std::fs::write(&kept, b"{\"key\": \"not this\", \"computed\": [1, 2").unwrap();
    let damaged = report(&[]);
    assert!(!damaged.contains(REUSED), "{damaged}");
    assert!(report(&[]).starts_with(REUSED));
    // New settings (or survey data) are computed anew.
    prokus(&[
        "ingest",
        "--db",
        db.to_str().unwrap(),
        data.join("targets.toml").to_str().unwrap(),
    ]);
    let targets = report(&[]);
    assert!(!targets.contains(REUSED), "{targets}");
    assert!(targets.contains("wrote "), "{targets}");
    // One report is counted as one.
    let one = report(&["--audience", "national", "--force"]);
    assert!(
        one.contains(&format!("wrote 1 PDF to {}", out.display())),
        "{one}"
    );
}
