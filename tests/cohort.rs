//! A 2022 cohort, filled in by hand in the canonical template, through the
//! `prokus` binary: without its settings the database judges no status and
//! no timeliness (nothing of the 2021 sample stands in); once its own
//! targets and calendar are loaded, the indicators and checks follow them.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_prokus");

fn prokus(dir: &Path, args: &[&str]) -> Output {
    let out = Command::new(BIN)
        .args(args)
        .env("PROKUS_NIK_KEY_FILE", dir.join("nik.key"))
        .env_remove("PROKUS_NIK_KEY")
        .output()
        .expect("prokus runs");
    assert!(
        out.status.success(),
        "prokus {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn rows(path: &Path) -> Vec<BTreeMap<String, String>> {
    csv::Reader::from_path(path)
        .unwrap()
        .deserialize()
        .map(Result::unwrap)
        .collect()
}

/// Twelve households, six in each of two clusters, at baseline and endline
/// of the 2022 calendar; one endline answer sent three days late.
fn template() -> String {
    let mut text = String::from(
        "kpm_id,wave,submitted_at,kpm_name,arm,cohort_year,incubator_id,province_code,regency_code,cluster,gender,saves_monthly,keeps_books,business_income\n",
    );
    for k in 1..=12 {
        let cluster = if k <= 6 { "kuliner" } else { "ritel" };
        text.push_str(&format!(
            "K22-{k:02},baseline,2022-03-10,Nama {k},prokus,2022,INK-32-01,32,32.17,{cluster},P,tidak,tidak,1000000\n"
        ));
        let sent = if k == 1 { "2022-09-20" } else { "2022-09-12" };
        let saves = if k <= 8 { "ya" } else { "tidak" };
        text.push_str(&format!(
            "K22-{k:02},endline,{sent},Nama {k},prokus,2022,INK-32-01,32,32.17,{cluster},P,{saves},ya,1300000\n"
        ));
    }
    text
}

/// The text of a PDF, as laid out on its pages.
fn pdf_text(pdf: &Path) -> String {
    let o = Command::new("pdftotext")
        .args(["-layout", pdf.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (scripts/test.sh installs poppler-utils)");
    String::from_utf8(o.stdout).unwrap()
}

/// Writes `text` as file `name` in `d`; returns its path.
fn write_file(d: &Path, name: &str, text: &str) -> String {
    std::fs::write(d.join(name), text).unwrap();
    d.join(name).to_string_lossy().into_owned()
}

/// A database in `d` holding the one incubator of [`template`], named
/// `name`, and `sheet` (a template sheet) loaded; returns its path.
fn ingest_sheet(d: &Path, sheet: &str, name: &str) -> String {
    let db = d.join("db.duckdb").to_string_lossy().into_owned();
    let incubators = write_file(
        d,
        "incubators.csv",
        &format!("incubator_id,name,university,province_code\nINK-32-01,{name},Universitas,32\n"),
    );
    let sheet = write_file(d, "template.csv", sheet);
    prokus(d, &["ingest", "--db", &db, &incubators, &sheet]);
    db
}

/// The reports of `audience` from database `db`, written into `d`/reports;
/// returns that folder.
fn reports(d: &Path, db: &str, audience: &str) -> std::path::PathBuf {
    let out = d.join("reports");
    let args = ["report", "--db", db, "--audience", audience, "--out"];
    let mut args: Vec<&str> = args.to_vec();
    args.push(out.to_str().unwrap());
    prokus(d, &args);
    out
}

const TARGETS_2022: &str = "band = 0.05\nmin_cell = 10\n\n[[target]]\nindicator = \"saves_monthly\"\nperiod = \"endline\"\nvalue = 75.0\n";
const SCHEDULE_2022: &str = "utc_offset_hours = 7\n\n[[window]]\nwave = \"baseline\"\ncohort = 2022\nopens = 2022-03-07\ncloses = 2022-03-19\n\n[[window]]\nwave = \"endline\"\ncohort = 2022\nopens = 2022-09-05\ncloses = 2022-09-17\n";

#[test]
fn a_2022_cohort_is_judged_by_its_own_settings_and_by_none_without_them() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let write = |name: &str, text: &str| write_file(d, name, text);
    let db = ingest_sheet(d, &template(), "Inkubator");

    // No settings: no status anywhere, the default threshold, no timeliness.
    // The indicator table as the database's settings make it.
    let indicators = |name: &str| {
        let path = d.join(name);
        prokus(
            d,
            &[
                "indicators",
                "--db",
                &db,
                "--output",
                path.to_str().unwrap(),
            ],
        );
        rows(&path)
    };
    let before = indicators("before.csv");
    assert!(
        before
            .iter()
            .all(|r| r["status"].is_empty() && r["target"].is_empty())
    );
    let ritel = |rows: &[BTreeMap<String, String>]| {
        rows.iter()
            .find(|r| {
                r["indicator_id"] == "saves_monthly"
                    && r["period"] == "endline"
                    && r["level"] == "cluster"
                    && r["group_code"] == "ritel"
            })
            .cloned()
            .expect("the ritel cluster's endline saving")
    };
    assert_eq!(ritel(&before)["suppressed"], "false", "6 KPM, threshold 5");
    let findings = d.join("before-findings.csv");
    let out = prokus(
        d,
        &["check", "--db", &db, "--output", findings.to_str().unwrap()],
    );
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("no survey calendar is loaded"), "{said}");
    assert!(
        rows(&findings)
            .iter()
            .all(|r| !matches!(r["check"].as_str(), "late" | "early" | "no_response")),
        "nothing is judged against a calendar the database does not have"
    );

    // The cohort's own targets and calendar.
    let targets = write("targets-2022.toml", TARGETS_2022);
    let schedule = write("schedule-2022.toml", SCHEDULE_2022);
    prokus(d, &["ingest", "--db", &db, &targets, &schedule]);
    let after = indicators("after.csv");
    let national = after
        .iter()
        .find(|r| {
            r["indicator_id"] == "saves_monthly"
                && r["period"] == "endline"
                && r["level"] == "national"
        })
        .unwrap();
    // 8 of 12 save monthly: 66.7%, short of 75 by more than the 5% band.
    assert_eq!(
        (national["target"].as_str(), national["status"].as_str()),
        ("75.0", "off_track"),
        "{national:?}"
    );
    assert_eq!(ritel(&after)["suppressed"], "true", "6 KPM, threshold 10");
    let findings = d.join("after-findings.csv");
    prokus(
        d,
        &["check", "--db", &db, "--output", findings.to_str().unwrap()],
    );
    let timing: Vec<(String, String, String)> = rows(&findings)
        .into_iter()
        .filter(|r| matches!(r["check"].as_str(), "late" | "early" | "no_response"))
        .map(|r| (r["check"].clone(), r["kpm_id"].clone(), r["wave"].clone()))
        .collect();
    assert_eq!(
        timing,
        [(
            "late".to_string(),
            "K22-01".to_string(),
            "endline".to_string()
        )]
    );
}

/// An incubator whose KPM belong to two cohorts gets a line per cohort in
/// its report, each figure the share an independent query finds among the
/// cohort's KPM who answered the baseline and the endline; an incubator of
/// one cohort gets none.
#[test]
fn an_incubator_with_two_cohorts_reports_each() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    prokus(
        dir.path(),
        &[
            "sample",
            "--households",
            "600",
            "--seed",
            "5",
            "--out",
            data.to_str().unwrap(),
        ],
    );
    // Half of one incubator's KPM re-registered as a 2022 cohort.
    let register = data.join("kpm_register.csv");
    let mut table = rows(&register);
    // The incubator with most KPM: each half above the smallest cell.
    let mut sizes: BTreeMap<String, usize> = BTreeMap::new();
    for r in table.iter().filter(|r| !r["incubator_id"].is_empty()) {
        *sizes.entry(r["incubator_id"].clone()).or_default() += 1;
    }
    let incubator = sizes
        .iter()
        .max_by_key(|(_, n)| **n)
        .map(|(id, _)| id.clone())
        .unwrap();
    for r in table.iter_mut().filter(|r| r["incubator_id"] == incubator) {
        if r["kpm_id"].ends_with(['1', '3', '5', '7', '9']) {
            r.insert("cohort_year".into(), "2022".into());
        }
    }
    let header: Vec<String> = csv::Reader::from_path(&register)
        .unwrap()
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    let mut w = csv::Writer::from_path(&register).unwrap();
    w.write_record(&header).unwrap();
    for r in &table {
        w.write_record(header.iter().map(|h| r[h].as_str()))
            .unwrap();
    }
    w.flush().unwrap();
    let db = dir.path().join("c.duckdb");
    let mut args = vec![
        "ingest".to_string(),
        "--db".into(),
        db.to_string_lossy().into(),
    ];
    for f in [
        "incubators.csv",
        "kpm_register.csv",
        "prokus_monitoring_2021-06-30.csv",
        "prokus_monitoring_2021-10-15.xlsx",
    ] {
        args.push(data.join(f).to_string_lossy().into());
    }
    prokus(
        dir.path(),
        &args.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    let out = dir.path().join("reports");
    prokus(
        dir.path(),
        &[
            "report",
            "--db",
            db.to_str().unwrap(),
            "--audience",
            "incubator",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    let text = |id: &str| pdf_text(&out.join("incubator").join(format!("{id}.pdf")));
    let own = text(&incubator);
    let at = own.find("Per angkatan").expect("a table per cohort");
    let lines: Vec<&str> = own[at..].lines().take(5).collect();
    // Independently: the share of each cohort's panel whose business runs.
    let conn = duckdb::Connection::open(&db).unwrap();
    for year in [2021, 2022] {
        let (n, running): (i64, f64) = conn
            .query_row(
                "SELECT count(*), 100.0 * avg(e.business_operating::INT)
                 FROM kpm k
                 JOIN response_current b ON b.kpm_id = k.kpm_id AND b.wave = 'baseline'
                 JOIN response_current e ON e.kpm_id = k.kpm_id AND e.wave = 'endline'
                 WHERE k.incubator_id = ? AND k.cohort_year = ? AND e.business_operating IS NOT NULL",
                duckdb::params![incubator, year],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        let line = lines
            .iter()
            .find(|l| l.trim_start().starts_with(&format!("Angkatan {year}")))
            .unwrap_or_else(|| panic!("a line for {year}: {lines:?}"));
        let words: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(words[2], n.to_string(), "{line}");
        let shown = format!("{running:.1}%").replace('.', ",");
        assert_eq!(words.last().unwrap(), &shown, "{line}");
    }
    drop(conn);
    let other = table
        .iter()
        .find(|r| !r["incubator_id"].is_empty() && r["incubator_id"] != incubator)
        .unwrap()["incubator_id"]
        .clone();
    assert!(!text(&other).contains("Per angkatan"));

    // `--cohort 2022`: the reports of that cohort alone. Its one incubator
    // has a report, naming the cohort and its KPM; every KPM it lists is
    // of 2022.
    let only = dir.path().join("reports-2022");
    prokus(
        dir.path(),
        &[
            "report",
            "--db",
            db.to_str().unwrap(),
            "--cohort",
            "2022",
            "--out",
            only.to_str().unwrap(),
        ],
    );
    let pdfs: Vec<String> = std::fs::read_dir(only.join("incubator"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".pdf"))
        .collect();
    assert_eq!(pdfs, [format!("{incubator}.pdf")]);
    let report = pdf_text(&only.join("incubator").join(&pdfs[0]));
    let of_2022: Vec<&str> = table
        .iter()
        .filter(|r| r["incubator_id"] == incubator && r["cohort_year"] == "2022")
        .map(|r| r["kpm_id"].as_str())
        .collect();
    assert!(report.contains("Angkatan 2022"));
    assert!(
        report.contains(&format!("{} KPM", of_2022.len())),
        "{} KPM of 2022",
        of_2022.len()
    );
    let listed: Vec<&str> = report
        .split_whitespace()
        .filter(|t| t.starts_with("KPM21-"))
        .collect();
    assert!(!listed.is_empty());
    for kpm in listed {
        assert!(of_2022.contains(&kpm), "{kpm} is of 2022");
    }
    // A cohort the register does not have is refused, naming those it has.
    let out = Command::new(BIN)
        .args([
            "report",
            "--db",
            db.to_str().unwrap(),
            "--cohort",
            "2019",
            "--out",
        ])
        .arg(dir.path().join("none"))
        .env("PROKUS_NIK_KEY_FILE", dir.path().join("nik.key"))
        .output()
        .unwrap();
    // What the command line asked for: a usage error, not prokus's own.
    assert_eq!(out.status.code(), Some(2));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("2021 (") && said.contains("2022 ("), "{said}");
}

/// When the data has a follow-up round, the reports print it beside the
/// endline: how many businesses still run a year on and their income, the
/// figures an independent count of the follow-up answers gives; a report
/// for a quarter before the follow-up does not.
#[test]
fn the_follow_up_round_is_reported_a_year_on() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let write = |name: &str, text: &str| {
        std::fs::write(d.join(name), text).unwrap();
        d.join(name).to_string_lossy().into_owned()
    };
    let db = d.join("db.duckdb").to_string_lossy().into_owned();
    let incubators = write(
        "incubators.csv",
        "incubator_id,name,university,province_code\nINK-32-01,Inkubator,Universitas,32\n",
    );
    let mut sheet = template();
    // A year on, ten of the twelve businesses still run.
    sheet = sheet.replace("business_income\n", "business_income,business_operating\n");
    sheet = sheet.replace("00\n", "00,ya\n");
    for k in 1..=12 {
        let (running, income) = if k <= 10 {
            ("ya", "1600000")
        } else {
            ("tidak", "")
        };
        let cluster = if k <= 6 { "kuliner" } else { "ritel" };
        sheet.push_str(&format!(
            "K22-{k:02},followup,2023-09-12,Nama {k},prokus,2022,INK-32-01,32,32.17,{cluster},P,ya,ya,{income},{running}\n"
        ));
    }
    let sheet = write("template-2022.csv", &sheet);
    prokus(d, &["ingest", "--db", &db, &incubators, &sheet]);
    let pdf_words = |dir: &str, file: &str| {
        pdf_text(&d.join(dir).join(file))
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    let report = |out: &str, period: Option<&str>| {
        let out_dir = d.join(out).to_string_lossy().into_owned();
        let mut args = vec!["report", "--db", &db, "--out", &out_dir];
        if let Some(p) = period {
            args.extend(["--period", p]);
        }
        prokus(d, &args);
    };
    report("now", None);
    // Independently: the share still running among the follow-up's answers.
    let conn = duckdb::Connection::open(&db).unwrap();
    let (n, running): (i64, f64) = conn
        .query_row(
            "SELECT count(*), 100.0 * avg(business_operating::INT) FROM response_current
             WHERE wave = 'followup' AND business_operating IS NOT NULL",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    drop(conn);
    assert_eq!(n, 12);
    let incubator = pdf_words("now", "incubator/INK-32-01.pdf");
    let at = incubator
        .find("Setahun kemudian")
        .expect("a follow-up table");
    let table = &incubator[at..];
    let shown = format!("{running:.1}%").replace('.', ",");
    assert!(
        table.contains(&format!("Usaha masih berjalan (%) 100,0% 12 {shown}")),
        "{}",
        &table[..400.min(table.len())]
    );
    assert!(pdf_words("now", "national.pdf").contains("Setahun kemudian"));
    report("2022", Some("2022-Q4"));
    assert!(!pdf_words("2022", "incubator/INK-32-01.pdf").contains("Setahun kemudian"));
}

/// A report whose charts are all left out (too few KPM to show any) has no
/// "Grafik" heading standing over nothing.
#[test]
fn a_report_without_charts_has_no_charts_heading() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Three KPM: below the smallest cell shown (5), so no chart has data.
    let sheet: String = template()
        .lines()
        .take(1 + 3 * 2)
        .map(|l| format!("{l}\n"))
        .collect();
    let db = ingest_sheet(d, &sheet, "Inkubator");
    let out = reports(d, &db, "all");
    let heading = |text: &str| text.lines().any(|l| l.trim() == "Grafik");
    // The national report's chart of answers per round counts KPM, which
    // are not left out: its heading stays.
    let national = pdf_text(&out.join("national.pdf"));
    assert!(
        national.contains("KPM yang menjawab per putaran survei"),
        "{national}"
    );
    assert!(heading(&national), "{national}");
    for pdf in [
        out.join("province").join("32-jawa-barat.pdf"),
        out.join("incubator").join("INK-32-01.pdf"),
    ] {
        let text = pdf_text(&pdf);
        // The report is there, its title and period (its summary, with
        // every figure withheld, has nothing to say: no heading either).
        assert!(
            text.contains("Triwulan III 2022"),
            "{}: {text}",
            pdf.display()
        );
        assert!(!heading(&text), "{}: {text}", pdf.display());
    }
}

/// A long incubator name is cut with an ellipsis in the running header of
/// its report's later pages, which keep the title and the period on one
/// line; the title on the first page prints it whole.
#[test]
fn a_long_incubator_name_is_cut_in_the_running_header() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let name = format!(
        "Inkubator Bisnis {}Akhir",
        "Universitas Negeri Jawa Barat ".repeat(5)
    );
    let db = ingest_sheet(d, &template(), &name);
    let out = reports(d, &db, "incubator");
    let text = pdf_text(&out.join("incubator").join("INK-32-01.pdf"));
    let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words.contains(&format!("{name} ")),
        "the title prints the name whole: {text}"
    );
    let headers: Vec<&str> = text
        .lines()
        .filter(|l| {
            l.contains("Umpan Balik Inkubator ·") && l.trim_end().ends_with("Triwulan III 2022")
        })
        .collect();
    assert!(!headers.is_empty(), "a running header on one line: {text}");
    for h in headers {
        assert!(h.contains('…') && !h.contains("Akhir"), "{h}");
    }
}

/// An incubator list with no university column: the report's subtitle has
/// the province and the KPM count, and no empty part before them. With no
/// finding, the data to fix is a sentence, with no empty table.
#[test]
fn an_incubator_without_its_university_has_no_empty_part_in_its_subtitle() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = d.join("db.duckdb").to_string_lossy().into_owned();
    let incubators = write_file(
        d,
        "incubators.csv",
        "ID Inkubator,Nama Inkubator,Provinsi\nINK-32-01,Inkubator Unpad,32\n",
    );
    let sheet = write_file(d, "template.csv", &template());
    let out = prokus(d, &["ingest", "--db", &db, &incubators, &sheet]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = reports(d, &db, "incubator");
    let text = pdf_text(&out.join("incubator").join("INK-32-01.pdf"));
    let subtitle = text
        .lines()
        .find(|l| l.contains("12 KPM"))
        .unwrap_or_else(|| panic!("no subtitle with the KPM count: {text}"));
    assert_eq!(subtitle.trim(), "Jawa Barat · 12 KPM", "{text}");
    // Nothing to fix: the note, with no table header over no row.
    let to_fix = text
        .lines()
        .skip_while(|l| !l.starts_with("Data yang perlu diperbaiki"))
        .nth(1)
        .unwrap_or_default();
    assert!(
        to_fix.starts_with("Tidak ada temuan pemeriksaan data"),
        "{text}"
    );
}

/// A partner's sheet of 12 KPM of [`template`]'s incubator that asks only
/// the business income: no saving question, no kecamatan.
fn sheet_without_saving() -> String {
    let mut sheet = String::from(
        "kpm_id,wave,submitted_at,arm,cohort_year,incubator_id,province_code,regency_code,business_income\n",
    );
    for k in 1..=12 {
        sheet.push_str(&format!(
            "K22-{k:02},baseline,2022-03-10,prokus,2022,INK-32-01,32,32.17,1000000\n\
             K22-{k:02},endline,2022-09-12,prokus,2022,INK-32-01,32,32.17,{}\n",
            1_200_000 + k * 10_000
        ));
    }
    sheet
}

/// A partner's sheet that asks no saving question: the national report's
/// breakdown tables still count each group's panel.
#[test]
fn a_breakdown_counts_its_panel_without_the_saving_question() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = ingest_sheet(d, &sheet_without_saving(), "Inkubator");
    let out = reports(d, &db, "national");
    let text = pdf_text(&out.join("national.pdf"));
    let rows: Vec<&str> = text
        .lines()
        .filter(|l| {
            l.trim_start().starts_with("Jawa Barat") || l.trim_start().starts_with("Inkubator ")
        })
        .filter(|l| l.contains('%'))
        .collect();
    assert_eq!(rows.len(), 2, "{text}");
    // No row was refused: no table of reasons for refusing. No comparison
    // group: none in the response chart's legend.
    assert!(!text.contains("Alasan penolakan terbanyak"), "{text}");
    assert!(!text.contains("Kelompok pembanding"), "{text}");
    for row in rows {
        let words: Vec<&str> = row.split_whitespace().collect();
        assert!(words.contains(&"12") && !row.contains("n<5"), "{row}");
    }
}

/// The dashboard's table of the strongest and weakest incubators lists each
/// once when there are six or fewer (the top and bottom three would share).
#[test]
fn the_dashboard_lists_a_lone_incubator_once() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = ingest_sheet(d, &template(), "Inkubator Satu");
    let out = reports(d, &db, "dashboard");
    let text = pdf_text(&out.join("dashboard.pdf"));
    let listed = text
        .lines()
        .filter(|l| l.trim_start().starts_with("Inkubator Satu") && l.contains("Jawa Barat"))
        .count();
    assert_eq!(listed, 1, "{text}");
    assert!(text.contains("Semua inkubator"), "{text}");
}

/// A sheet without the saving question, of KPM without a kecamatan: the
/// province report lists its regency (by its other figures), and the
/// regency report has no empty table by kecamatan.
#[test]
fn area_reports_list_their_sub_areas_by_any_figure_and_skip_empty_tables() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = ingest_sheet(d, &sheet_without_saving(), "Inkubator");
    let out = reports(d, &db, "province,regency");
    let province = pdf_text(&out.join("province").join("32-jawa-barat.pdf"));
    let listed = province
        .lines()
        .skip_while(|l| !l.starts_with("Per kabupaten/kota"))
        .nth(2)
        .unwrap_or_default();
    assert!(
        listed.trim_start().starts_with("Kabupaten Bandung Barat") && listed.contains("12"),
        "{province}"
    );
    let regency = pdf_text(
        &out.join("regency")
            .join("32.17-kabupaten-bandung-barat.pdf"),
    );
    assert!(!regency.contains("Per kecamatan"), "{regency}");
}

/// The first quarter of a cohort has its baseline only: its reports show
/// the baseline's values once, with no change, no empty "before" and no
/// heading over nothing.
#[test]
fn a_baseline_quarter_reports_the_baseline_once() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let baseline: String = sheet_without_saving()
        .lines()
        .filter(|l| !l.contains(",endline,"))
        .map(|l| format!("{l}\n"))
        .collect();
    let db = ingest_sheet(d, &baseline, "Inkubator");
    let out = reports(d, &db, "national");
    let text = pdf_text(&out.join("national.pdf"));
    let header = text
        .lines()
        .find(|l| l.trim_start().starts_with("Indikator ") && l.contains(" n "))
        .unwrap_or_else(|| panic!("no indicator table: {text}"));
    let columns: Vec<&str> = header.split_whitespace().collect();
    assert_eq!(columns, ["Indikator", "n", "Awal", "IK", "95%"], "{text}");
    assert!(
        text.contains("Rp 1.000.000 per bulan pada survei awal (n = 12)"),
        "{text}"
    );
    assert!(
        !text.contains("Indikator utama") && !text.contains("Survei awal"),
        "{text}"
    );
    assert!(
        text.contains("n = KPM yang menjawab survei awal."),
        "{text}"
    );
}

/// A KPM register without NIKs gives every KPM the same problem: the
/// incubator's list of findings has it once, with the KPM it concerns, and
/// without a survey calendar there is no empty table of next dates.
#[test]
fn one_problem_of_many_kpm_is_listed_once() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut register = String::from("id_kpm,kelompok_studi,id_inkubator,Kode Kab/Kota\n");
    for k in 1..=12 {
        register.push_str(&format!("K22-{k:02},prokus,INK-32-01,32.17\n"));
    }
    let register = write_file(d, "kpm_register.csv", &register);
    let db = ingest_sheet(d, &sheet_without_saving(), "Inkubator");
    prokus(d, &["ingest", "--db", &db, &register]);
    let out = reports(d, &db, "incubator");
    let text = pdf_text(&out.join("incubator").join("INK-32-01.pdf"));
    let list: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("Temuan per KPM"))
        .collect();
    let problem = list
        .iter()
        .filter(|l| l.contains("NIK kosong di daftar KPM"))
        .count();
    assert_eq!(problem, 1, "{text}");
    // The row's first cell, over the lines it wraps on (up to where the
    // header's second column begins).
    let second = list[1].find("Putaran").unwrap();
    let row: Vec<&str> = list[2..]
        .iter()
        .take_while(|l| !l.trim().is_empty())
        .map(|l| l.get(..second).unwrap_or(l).trim())
        .filter(|cell| !cell.is_empty())
        .collect();
    assert!(
        row.join(" ")
            .contains("K22-01, K22-02, K22-03 dan 9 KPM lain"),
        "{text}"
    );
    assert!(!text.contains("Jadwal pelaporan berikutnya"), "{text}");
}

/// A name in Arabic script is printed in the fallback font (it was a row
/// of empty boxes in Inter); an emoji, which no embedded font has, is left
/// out of the PDF.
#[test]
fn a_name_in_another_script_is_printed_and_emoji_left_out() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = ingest_sheet(d, &template(), "Inkubator بركة 🚀");
    let out = reports(d, &db, "incubator");
    let pdf = out.join("incubator").join("INK-32-01.pdf");
    let text = pdf_text(&pdf);
    assert!(text.contains("بركة"), "{text}");
    assert!(!text.contains('🚀'), "{text}");
    let fonts = Command::new("pdffonts")
        .arg(&pdf)
        .output()
        .expect("pdffonts (poppler-utils)");
    let fonts = String::from_utf8_lossy(&fonts.stdout);
    assert!(fonts.contains("DejaVuSans"), "{fonts}");
}
