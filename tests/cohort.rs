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

const TARGETS_2022: &str = "band = 0.05\nmin_cell = 10\n\n[[target]]\nindicator = \"saves_monthly\"\nperiod = \"endline\"\nvalue = 75.0\n";
const SCHEDULE_2022: &str = "utc_offset_hours = 7\n\n[[window]]\nwave = \"baseline\"\ncohort = 2022\nopens = 2022-03-07\ncloses = 2022-03-19\n\n[[window]]\nwave = \"endline\"\ncohort = 2022\nopens = 2022-09-05\ncloses = 2022-09-17\n";

#[test]
fn a_2022_cohort_is_judged_by_its_own_settings_and_by_none_without_them() {
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
    let sheet = write("template-2022.csv", &template());
    prokus(d, &["ingest", "--db", &db, &incubators, &sheet]);

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
