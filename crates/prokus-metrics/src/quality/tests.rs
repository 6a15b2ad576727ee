//! The checks on a sample programme with one problem of each kind planted
//! in its real export files.

use super::*;
use crate::format::Lang;
use std::path::Path;

/// Rows of a Kobo CSV export (`;`-separated, every field quoted).
/// A fixed stream of pseudo-random numbers (xorshift) from `seed`, for the
/// checks' generated answers.
pub(super) fn generator(mut state: u64) -> impl FnMut() -> u64 {
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    }
}

fn read_export(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_path(path)
        .unwrap();
    let header = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|rec| rec.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

fn write_export(path: &Path, header: &[String], rows: &[Vec<String>]) {
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .quote_style(csv::QuoteStyle::Always)
        .from_path(path)
        .unwrap();
    w.write_record(header).unwrap();
    for row in rows {
        w.write_record(row).unwrap();
    }
    w.flush().unwrap();
}

struct Planted {
    unit: String,
    other_unit: String,
    outlier: String,
    missing: String,
    contradiction: String,
    copied: (String, String),
    late: String,
    shared_nik: (String, String),
}

/// A sample programme whose baseline export has one problem of each kind
/// planted in it, ingested the way `prokus ingest` does.
fn planted_database() -> (tempfile::TempDir, prokus_ingest::Database, Planted) {
    let dir = tempfile::tempdir().unwrap();
    let config = prokus_sample::SampleConfig {
        households: 400,
        seed: 5,
        ..Default::default()
    };
    let summary = prokus_sample::write_sample(&config, dir.path()).unwrap();

    // The incubator with the most KPM, and another.
    let register = dir.path().join("kpm_register.csv");
    let mut reg = csv::Reader::from_path(&register).unwrap();
    let reg_header: Vec<String> = reg.headers().unwrap().iter().map(String::from).collect();
    let mut reg_rows: Vec<Vec<String>> = reg
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    let col = |h: &[String], name: &str| h.iter().position(|c| c == name).unwrap();
    let (r_kpm, r_inc, r_nik) = (
        col(&reg_header, "kpm_id"),
        col(&reg_header, "incubator_id"),
        col(&reg_header, "nik"),
    );
    let mut per_unit: HashMap<String, Vec<String>> = HashMap::new();
    for r in &reg_rows {
        if !r[r_inc].is_empty() && r[r_nik].len() == 16 {
            per_unit
                .entry(r[r_inc].clone())
                .or_default()
                .push(r[r_kpm].clone());
        }
    }
    let mut units: Vec<(&String, &Vec<String>)> = per_unit.iter().collect();
    units.sort_by_key(|(u, k)| (std::cmp::Reverse(k.len()), (*u).clone()));
    let unit = units[0].0.clone();
    let other_unit = units[1].0.clone();

    // Baseline rows of that incubator's KPM, each KPM once.
    let export = dir.path().join("prokus_monitoring_2021-06-30.csv");
    let (header, mut rows) = read_export(&export);
    let h = |name: &str| col(&header, name);
    let (kpm, wave, running) = (
        h("identitas/kpm_id"),
        h("identitas/putaran"),
        h("usaha/masih_berjalan"),
    );
    let mut count: HashMap<(String, String), usize> = HashMap::new();
    for r in &rows {
        *count.entry((r[kpm].clone(), r[wave].clone())).or_default() += 1;
    }
    let candidates: Vec<usize> = (0..rows.len())
        .filter(|&i| {
            let r = &rows[i];
            r[wave] == "baseline"
                && r[running] == "ya"
                && count[&(r[kpm].clone(), r[wave].clone())] == 1
                && per_unit[&unit].contains(&r[kpm])
                && r[h("usaha/omzet")].parse::<f64>().is_ok()
        })
        .collect();
    assert!(candidates.len() >= 6, "{} candidates", candidates.len());
    let id = |i: usize| rows[candidates[i]][kpm].clone();
    let planted = Planted {
        unit: unit.clone(),
        other_unit: other_unit.clone(),
        outlier: id(0),
        missing: id(1),
        contradiction: id(2),
        copied: (id(3), id(4)),
        late: id(5),
        shared_nik: (per_unit[&unit][0].clone(), per_unit[&other_unit][0].clone()),
    };
    // A revenue typed with two zeros too many.
    let revenue = h("usaha/omzet");
    let r = &mut rows[candidates[0]];
    r[revenue] = format!("{}00", r[revenue]);
    // An empty bookkeeping answer.
    rows[candidates[1]][h("keuangan/pembukuan")] = String::new();
    // Net income above revenue.
    let r = &mut rows[candidates[2]];
    let above = r[revenue].parse::<f64>().unwrap() + 1_000_000.0;
    r[h("usaha/laba_bersih")] = format!("{above}");
    // A form copied: every answer of the fourth KPM given to the fifth.
    let (from, to) = (h("usaha/masih_berjalan"), h("sikap/s5"));
    let copy: Vec<String> = rows[candidates[3]][from..=to].to_vec();
    rows[candidates[4]][from..=to].clone_from_slice(&copy);
    // Made and sent five days after the baseline window closed (10:00
    // WIB).
    rows[candidates[5]][h("_submission_time")] = "2021-03-25T03:00:00".into();
    rows[candidates[5]][h("start")] = "2021-03-25T09:30:00.000+07:00".into();
    rows[candidates[5]][h("end")] = "2021-03-25T09:50:00.000+07:00".into();
    write_export(&export, &header, &rows);

    // One NIK given to a KPM of each incubator.
    let pos = |k: &str| reg_rows.iter().position(|r| r[r_kpm] == k).unwrap();
    let nik = reg_rows[pos(&planted.shared_nik.0)][r_nik].clone();
    let second = pos(&planted.shared_nik.1);
    reg_rows[second][r_nik] = nik;
    let mut w = csv::Writer::from_path(&register).unwrap();
    w.write_record(&reg_header).unwrap();
    for r in &reg_rows {
        w.write_record(r).unwrap();
    }
    w.flush().unwrap();

    let db = crate::compute::tests::ingest_sample(&summary);
    (dir, db, planted)
}

fn has(report: &QualityReport, kpm: &str, check: Check, field: Option<&str>) -> bool {
    report.findings.iter().any(|f| {
        f.kpm_id == kpm
            && f.detail.check() == check
            && field.is_none_or(|x| f.field.as_deref() == Some(x))
    })
}

/// The KPM of `report`'s findings of `check`, in its order.
fn kpm_with(report: &QualityReport, check: Check) -> Vec<&str> {
    report
        .findings
        .iter()
        .filter(|f| f.detail.check() == check)
        .map(|f| f.kpm_id.as_str())
        .collect()
}

fn count(conn: &Connection, sql: &str) -> usize {
    conn.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap() as usize
}

#[test]
fn every_planted_problem_is_found_and_worded() {
    let (_dir, db, p) = planted_database();
    let conn = db.connection();
    let report = check(
        conn,
        &CheckConfig::builtin(),
        &crate::schedule::sample(),
        None,
    )
    .unwrap();

    assert!(has(
        &report,
        &p.outlier,
        Check::Outlier,
        Some("business_revenue")
    ));
    let outlier = report
        .findings
        .iter()
        .find(|f| f.kpm_id == p.outlier && f.detail.check() == Check::Outlier)
        .unwrap();
    assert_eq!(outlier.wave.as_deref(), Some("baseline"));
    assert_eq!(outlier.unit_id, p.unit);
    assert!(
        has(&report, &p.outlier, Check::Change, Some("business_revenue")),
        "a hundredfold revenue is also an implausible change to monitoring 1"
    );
    assert!(has(
        &report,
        &p.missing,
        Check::Missing,
        Some("keeps_books")
    ));
    assert!(has(
        &report,
        &p.contradiction,
        Check::Inconsistent,
        Some("business_income")
    ));
    assert!(has(&report, &p.copied.0, Check::Identical, None));
    assert!(has(&report, &p.copied.1, Check::Identical, None));
    let late = report
        .findings
        .iter()
        .find(|f| f.kpm_id == p.late && f.detail.check() == Check::Late)
        .unwrap();
    let (problem, _) = report.describe(late, Lang::Id, None);
    assert_eq!(
        problem,
        "Dikirim 25 Maret 2021, 5 hari setelah batas 20 Maret 2021"
    );
    let (problem, _) = report.describe(late, Lang::En, None);
    assert_eq!(
        problem,
        "Sent on 25 March 2021, 5 days after the deadline of 20 March 2021"
    );
    assert!(has(&report, &p.shared_nik.0, Check::SameNik, None));
    assert!(has(&report, &p.shared_nik.1, Check::SameNik, None));

    // Counts that an independent query gives.
    let superseded = count(
        conn,
        "SELECT count(*) - count(DISTINCT (kpm_id, wave)) FROM response",
    );
    assert!(superseded > 0, "the sample has resubmissions");
    assert_eq!(report.counts()[3], (Check::Superseded, superseded));
    let damaged = count(conn, "SELECT count(*) FROM kpm WHERE nik_status <> 'valid'");
    assert_eq!(report.counts()[0], (Check::NikInvalid, damaged));
    // Nothing planted, nothing else found: the sample answers every
    // required question and contradicts itself nowhere.
    let missing: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.detail.check() == Check::Missing)
        .collect();
    assert_eq!(missing.len(), 1, "{missing:?}");

    let outlier_text = report.describe(outlier, Lang::Id, None).0;
    assert!(
        outlier_text.starts_with("Omzet usaha sebulan Rp ")
            && outlier_text.contains("jauh di atas median unit ini (Rp "),
        "{outlier_text}"
    );
}

/// The median of `v`, computed here independently of DuckDB: the middle
/// value, or the mean of the two middle values.
fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// An answer dated when it was loaded (a hand-filled sheet without dates)
/// counts as an answer, but is judged neither late nor early: its time is
/// the load's, not the KPM's.
#[test]
fn an_answer_without_a_date_of_its_own_is_not_judged_on_time_or_late() {
    let (dir, mut db, p) = planted_database();
    let run = |db: &prokus_ingest::Database| {
        check(
            db.connection(),
            &CheckConfig::builtin(),
            &crate::schedule::sample(),
            None,
        )
        .unwrap()
    };
    let before = run(&db);
    let wave = before
        .findings
        .iter()
        .find(|f| f.kpm_id == p.late && f.detail.check() == Check::Late)
        .and_then(|f| f.wave.clone())
        .unwrap();
    // The late KPM's answer again, from a sheet without dates.
    let sheet = dir.path().join("undated.csv");
    std::fs::write(
        &sheet,
        format!("kpm_id,wave,business_income\n{},{wave},1500000\n", p.late),
    )
    .unwrap();
    let s = db
        .ingest(&sheet, &prokus_ingest::FormMapping::prokus())
        .unwrap();
    assert_eq!((s.rows_loaded, s.rows_dated_at_load), (1, 1), "{s:?}");
    let after = run(&db);
    let judged: Vec<&Finding> = after
        .findings
        .iter()
        .filter(|f| {
            f.kpm_id == p.late
                && f.wave.as_deref() == Some(wave.as_str())
                && matches!(
                    f.detail.check(),
                    Check::Late | Check::Early | Check::NoResponse
                )
        })
        .collect();
    assert!(judged.is_empty(), "{judged:?}");
    // A finding of its own, for its sender to fill the date in.
    let undated = after
        .findings
        .iter()
        .find(|f| f.kpm_id == p.late && f.detail.check() == Check::Undated)
        .unwrap();
    assert_eq!(undated.wave.as_deref(), Some(wave.as_str()));
    let (problem, action) = after.describe(undated, Lang::Id, None);
    assert!(
        problem.starts_with("Tanpa tanggal wawancara (dimuat ")
            && action.starts_with("Isi tanggal wawancara"),
        "{problem} / {action}"
    );

    let sums = |r: &QualityReport| {
        r.completeness.iter().fold((0, 0, 0), |(a, o, l), c| {
            (a + c.responded, o + c.on_time, l + c.late)
        })
    };
    let (answered, on_time, late) = sums(&before);
    assert_eq!(sums(&after), (answered, on_time, late - 1));
}

#[test]
fn outliers_are_those_an_independent_median_and_mad_give() {
    let (_dir, db, p) = planted_database();
    let conn = db.connection();
    let config = CheckConfig::builtin();
    let report = check(conn, &config, &crate::schedule::sample(), None).unwrap();
    // The planted unit's baseline revenue, recomputed here from the rows.
    let mut stmt = conn
        .prepare(
            "SELECT r.kpm_id, r.business_revenue FROM response_current r JOIN kpm k USING (kpm_id)
             WHERE k.incubator_id = ? AND r.wave = 'baseline' AND r.business_revenue > 0",
        )
        .unwrap();
    let values: Vec<(String, f64)> = stmt
        .query_map([&p.unit], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let logs: Vec<f64> = values.iter().map(|(_, x)| x.ln()).collect();
    let med = median(logs.clone());
    let mad = median(logs.iter().map(|y| (y - med).abs()).collect());
    let mut expected: Vec<&str> = values
        .iter()
        .filter(|(_, x)| (0.6745 * (x.ln() - med) / mad).abs() > config.outliers.max_z)
        .map(|(k, _)| k.as_str())
        .collect();
    expected.sort_unstable();
    let mut found: Vec<&str> = report
        .findings
        .iter()
        .filter(|f| {
            f.unit_id == p.unit
                && f.wave.as_deref() == Some("baseline")
                && f.detail.check() == Check::Outlier
                && f.field.as_deref() == Some("business_revenue")
        })
        .map(|f| f.kpm_id.as_str())
        .collect();
    found.sort_unstable();
    assert!(expected.contains(&p.outlier.as_str()));
    assert_eq!(found, expected);
}

/// Counts are judged on their own scale (no logarithm), and a count
/// outlier's finding gives the median of the unit's answers, as an
/// independent median and MAD of the same rows give them.
#[test]
fn count_outliers_are_judged_and_described_on_their_own_scale() {
    let (_dir, db, p) = planted_database();
    let conn = db.connection();
    // Four hundred mentoring sessions in the first monitoring round (most
    // KPM have a few, so that the unit's answers have a spread).
    let wave = "monitoring_1";
    let kpm: String = conn
        .query_row(
            "SELECT r.kpm_id FROM response r JOIN kpm k USING (kpm_id)
             WHERE k.incubator_id = ? AND r.wave = ? AND r.mentoring_sessions IS NOT NULL
             ORDER BY r.kpm_id LIMIT 1",
            [&p.unit, wave],
            |r| r.get(0),
        )
        .unwrap();
    conn.execute(
        "UPDATE response SET mentoring_sessions = 400 WHERE kpm_id = ? AND wave = ?",
        [&kpm, wave],
    )
    .unwrap();
    let config = CheckConfig::builtin();
    assert!(
        config
            .outliers
            .counts
            .iter()
            .any(|f| f == "mentoring_sessions")
    );
    let report = check(conn, &config, &crate::schedule::sample(), None).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT r.kpm_id, r.mentoring_sessions::DOUBLE FROM response_current r JOIN kpm k USING (kpm_id)
             WHERE k.incubator_id = ? AND r.wave = ? AND r.mentoring_sessions IS NOT NULL",
        )
        .unwrap();
    let values: Vec<(String, f64)> = stmt
        .query_map([&p.unit, wave], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let xs: Vec<f64> = values.iter().map(|(_, x)| *x).collect();
    let med = median(xs.clone());
    let mad = median(xs.iter().map(|x| (x - med).abs()).collect());
    assert!(mad > 0.0, "no spread in {xs:?}");
    assert!(values.len() >= config.outliers.min_n as usize);
    let mut expected: Vec<&str> = values
        .iter()
        .filter(|(_, x)| (0.6745 * (x - med) / mad).abs() > config.outliers.max_z)
        .map(|(k, _)| k.as_str())
        .collect();
    expected.sort_unstable();
    let found: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| {
            f.unit_id == p.unit
                && f.wave.as_deref() == Some(wave)
                && f.detail.check() == Check::Outlier
                && f.field.as_deref() == Some("mentoring_sessions")
        })
        .collect();
    let mut found_ids: Vec<&str> = found.iter().map(|f| f.kpm_id.as_str()).collect();
    found_ids.sort_unstable();
    assert!(expected.contains(&kpm.as_str()));
    assert_eq!(found_ids, expected);
    for f in found {
        match &f.detail {
            Detail::Outlier { median, n, .. } => {
                assert_eq!(*median, med, "{}", f.kpm_id);
                assert_eq!(*n as usize, values.len());
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn completeness_counts_match_the_register_and_the_calendar() {
    let (_dir, db, p) = planted_database();
    let conn = db.connection();
    let report = check(
        conn,
        &CheckConfig::builtin(),
        &crate::schedule::sample(),
        None,
    )
    .unwrap();
    assert_eq!(report.as_of, NaiveDate::from_ymd_opt(2021, 9, 19).unwrap());
    let mut stmt = conn
        .prepare(
            "SELECT count(*),
                    count(r.kpm_id),
                    count(*) FILTER (WHERE (r.submitted_at + INTERVAL 7 HOUR)::DATE > DATE '2021-06-19')
             FROM kpm k LEFT JOIN response_current r ON r.kpm_id = k.kpm_id AND r.wave = 'monitoring_2'
             WHERE k.incubator_id = ?",
        )
        .unwrap();
    let (expected, answered, late): (i64, i64, i64) = stmt
        .query_row([&p.unit], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap();
    let cell = report
        .completeness
        .iter()
        .find(|c| c.unit_id == p.unit && c.wave == "monitoring_2")
        .unwrap();
    assert_eq!(cell.expected, Some(expected as u64));
    assert_eq!(cell.responded, answered as u64);
    assert_eq!(cell.missing, (expected - answered) as u64);
    assert_eq!(cell.late, late as u64);
    assert!(cell.closed);
    let no_response = report
        .findings
        .iter()
        .filter(|f| {
            f.unit_id == p.unit
                && f.wave.as_deref() == Some("monitoring_2")
                && f.detail.check() == Check::NoResponse
        })
        .count();
    assert_eq!(no_response as i64, expected - answered);
    // The comparison group is not expected at monitoring rounds.
    assert!(
        !report
            .completeness
            .iter()
            .any(|c| c.unit_id.starts_with("comparison-") && c.wave == "monitoring_2")
    );
    let pct = cell.completeness_pct().unwrap();
    assert!((pct - 100.0 * answered as f64 / expected as f64).abs() < 1e-9);

    // Judged before the endline window opened, nobody is missing at the endline.
    let early = check(
        conn,
        &CheckConfig::builtin(),
        &crate::schedule::sample(),
        NaiveDate::from_ymd_opt(2021, 8, 1),
    )
    .unwrap();
    assert!(
        !early
            .findings
            .iter()
            .any(|f| f.detail.check() == Check::NoResponse && f.wave.as_deref() == Some("endline"))
    );
}

#[test]
fn an_incubators_file_holds_only_its_own_households() {
    let (_dir, db, p) = planted_database();
    let conn = db.connection();
    let report = check(
        conn,
        &CheckConfig::builtin(),
        &crate::schedule::sample(),
        None,
    )
    .unwrap();
    let own = report.for_unit(&p.unit);
    assert!(own.findings.iter().all(|f| f.unit_id == p.unit));
    assert!(!own.findings.is_empty());
    let text = String::from_utf8(own.findings_csv(Lang::Id, Some(&p.unit)).unwrap()).unwrap();
    let mut stmt = conn
        .prepare("SELECT kpm_id FROM kpm WHERE incubator_id IS DISTINCT FROM ?")
        .unwrap();
    let others: Vec<String> = stmt
        .query_map([&p.unit], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(others.contains(&p.shared_nik.1));
    for other in &others {
        assert!(
            !text.contains(other.as_str()),
            "{other} leaks into {}'s file",
            p.unit
        );
    }
    assert!(
        text.contains("1 KPM di unit lain"),
        "the shared NIK is reported without naming the other household"
    );
    // The national file names both.
    let national = String::from_utf8(report.findings_csv(Lang::Id, None).unwrap()).unwrap();
    assert!(national.contains(&format!("juga terdaftar untuk {}", p.shared_nik.1)));
    // And the other household's finding stands under its own incubator,
    // naming the first household in the national wording.
    let other = report
        .findings
        .iter()
        .find(|f| f.kpm_id == p.shared_nik.1 && f.detail.check() == Check::SameNik)
        .unwrap();
    assert_eq!(other.unit_id, p.other_unit);
    assert!(
        report
            .describe(other, Lang::Id, None)
            .0
            .ends_with(&format!("juga terdaftar untuk {}", p.shared_nik.0))
    );

    // The workbook holds the same rows, headers in Indonesian.
    use calamine::Reader;
    let bytes = own.xlsx(Lang::Id, Some(&p.unit)).unwrap();
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let sheet = book.worksheet_range("Temuan").unwrap();
    assert_eq!(sheet.height(), own.findings.len() + 1);
    assert_eq!(sheet.get((0, 10)).unwrap().to_string(), "Masalah");
    let completeness = book.worksheet_range("Kelengkapan").unwrap();
    assert_eq!(completeness.height(), own.completeness.len() + 1);
}

#[test]
fn a_configuration_naming_an_unknown_answer_is_refused() {
    let db = prokus_ingest::Database::in_memory().unwrap();
    let mut config = CheckConfig::builtin();
    config.outliers.money.push("omset".into());
    let err = check(db.connection(), &config, &crate::schedule::sample(), None)
        .unwrap_err()
        .to_string();
    assert!(err.contains("`omset` is not an answer field"), "{err}");
    assert!(err.contains("business_revenue"), "{err}");
    let err = CheckConfig::parse("[outliers]\nmax_z = 3.5\n")
        .unwrap_err()
        .to_string();
    assert!(err.contains("invalid check configuration"), "{err}");
    // A required answer limited to a wave or an arm there is not.
    let builtin = include_str!("../../../../queries/checks.toml");
    for (extra, said) in [
        (
            "[[required]]\nfield = \"keeps_books\"\nwaves = [\"endline\", \"endlin\"]\n",
            "wave `endlin` is not a survey wave (did you mean `endline`?)",
        ),
        (
            "[[required]]\nfield = \"keeps_books\"\narms = [\"kontrol\"]\n",
            "unknown arm `kontrol`",
        ),
    ] {
        let err = CheckConfig::parse(&format!("{builtin}\n{extra}"))
            .unwrap_err()
            .to_string();
        assert!(err.contains(said) && err.contains("(keeps_books)"), "{err}");
    }
    // A field of the wrong kind for what a check does with it: refused by
    // the database's column types, before any check runs.
    let db = prokus_ingest::Database::in_memory().unwrap();
    let mut config = CheckConfig::builtin();
    config.changes.counts.push("credit_source".into());
    let err = answer_fields(db.connection(), &config)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("`credit_source` is a text answer, not a number"),
        "{err}"
    );
    let mut config = CheckConfig::builtin();
    config.required[0].when = Some("business_revenue".into());
    let err = answer_fields(db.connection(), &config)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("`business_revenue` is a number answer, not a yes/no"),
        "{err}"
    );
    assert!(answer_fields(db.connection(), &CheckConfig::builtin()).is_ok());
    let fine =
        "[[required]]\nfield = \"keeps_books\"\nwaves = [\"endline\"]\narms = [\"prokus\"]\n";
    assert!(CheckConfig::parse(&format!("{builtin}\n{fine}")).is_ok());
}

/// A hand-filled sheet with only `kpm_id`, `wave` and three answers: a
/// question the sheet does not ask is "not collected" once, never a missing
/// answer per row; an asked question left empty still is one.
#[test]
fn only_questions_a_file_asks_can_be_missing() {
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
            "incubator_id,name,university,province_code\nINK-32-01,Inkubator,Universitas,32\n",
        ),
        &m,
    )
    .unwrap();
    let mut register = String::from(
        "kpm_id,kpm_name,gender,arm,cohort_year,incubator_id,province_code,regency_code\n",
    );
    for k in 1..=4 {
        register.push_str(&format!("K{k},Nama {k},P,prokus,2022,INK-32-01,32,32.17\n"));
    }
    db.ingest(&write("kpm_register.csv", &register), &m)
        .unwrap();
    let sheet = write(
        "sheet-2022.csv",
        "kpm_id,wave,gender,regency_code,business_operating,business_income,keeps_books\n\
         K1,baseline,L,3217,ya,1500000,ya\n\
         K2,baseline,P,3217,ya,,tidak\n\
         K3,baseline,P,3217,tidak,,tidak\n\
         K4,baseline,,,ya,2000000,\n",
    );
    let s = db.ingest(&sheet, &m).unwrap();
    assert_eq!((s.rows_read, s.rows_loaded), (4, 4), "{s:?}");
    let report = check(
        db.connection(),
        &CheckConfig::builtin(),
        &crate::schedule::Schedule::none(),
        None,
    )
    .unwrap();
    let missing: Vec<(&str, Option<&str>)> = report
        .findings
        .iter()
        .filter(|f| f.detail.check() == Check::Missing)
        .map(|f| (f.kpm_id.as_str(), f.field.as_deref()))
        .collect();
    // The register is where NIKs come from: one without a NIK column
    // leaves each of its KPM without one to check, a finding each.
    assert_eq!(
        kpm_with(&report, Check::NikInvalid),
        ["K1", "K2", "K3", "K4"]
    );
    // K2 runs its business but left its income empty; K3's business is
    // closed, so its income was not asked; K4 skipped bookkeeping.
    assert_eq!(
        missing,
        [("K2", Some("business_income")), ("K4", Some("keeps_books"))]
    );
    assert_eq!(report.not_collected.len(), 1, "{:?}", report.not_collected);
    let n = &report.not_collected[0];
    assert!(n.file.ends_with("sheet-2022.csv"), "{}", n.file);
    assert_eq!(n.answers, 4);
    for field in [
        "household_income",
        "saves",
        "attitude_1",
        "mentoring_sessions",
    ] {
        assert!(
            n.fields.iter().any(|f| f == field),
            "{field}: {:?}",
            n.fields
        );
    }
    assert!(n.fields.iter().any(|f| f == "business_revenue"));
    for field in ["business_operating", "business_income", "keeps_books"] {
        assert!(
            !n.fields.iter().any(|f| f == field),
            "{field} is asked: {:?}",
            n.fields
        );
    }
    assert!(
        n.field_labels(Lang::En)
            .contains("monthly household income")
    );
    // K1's sex differs from the register's, which is kept; the same
    // regency written another way is no difference.
    let differs: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.detail.check() == Check::RegisterDiffers)
        .collect();
    assert_eq!(differs.len(), 1, "{differs:?}");
    assert_eq!(
        (differs[0].kpm_id.as_str(), differs[0].field.as_deref()),
        ("K1", Some("gender"))
    );
    assert_eq!(
        differs[0].detail,
        Detail::RegisterDiffers {
            given: "male".into(),
            registered: Some("female".into())
        }
    );
    let gender: String = db
        .connection()
        .query_row("SELECT gender FROM kpm WHERE kpm_id = 'K1'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(gender, "female");
    let (problem, _) = report.describe(differs[0], Lang::En, None);
    assert!(
        problem.contains("`male` in the form, `female` in the register"),
        "{problem}"
    );
    // Without a calendar nothing is judged early, late or unanswered.
    assert!(report.findings.iter().all(|f| !matches!(
        f.detail.check(),
        Check::Early | Check::Late | Check::NoResponse
    )));

    // The same sheet in a database written by an earlier prokus, which did
    // not record the questions a file asks: the file is taken to ask them
    // all, so each row's empty required answers are missing.
    db.connection()
        .execute_batch("DELETE FROM batch_field")
        .unwrap();
    let report = check(
        db.connection(),
        &CheckConfig::builtin(),
        &crate::schedule::Schedule::none(),
        None,
    )
    .unwrap();
    let missing = |field: &str| {
        report
            .findings
            .iter()
            .filter(|f| f.detail.check() == Check::Missing && f.field.as_deref() == Some(field))
            .count()
    };
    assert_eq!(missing("household_income"), 4);
    assert_eq!(missing("business_income"), 1);
    assert!(
        report.not_collected.is_empty(),
        "{:?}",
        report.not_collected
    );
}

/// A calendar of one window, the baseline's from 8 to 20 March 2021, in
/// WIB.
fn baseline_window() -> crate::schedule::Schedule {
    crate::schedule::Schedule::parse(
        "utc_offset_hours = 7\n[[window]]\nwave = \"baseline\"\nopens = 2021-03-08\ncloses = 2021-03-20\n",
    )
    .unwrap()
}

/// A Kobo form made before the deadline and sent after it is late, and
/// its finding says when it was made and that it waited to be sent; one
/// made after the deadline is late as any other.
#[test]
fn a_form_made_in_time_and_sent_late_says_so() {
    use crate::compute::tests::{load, registered};
    let (dir, mut db) = registered(1..=2);
    let s = load(
        &dir,
        &mut db,
        "prokus_monitoring_2021-03-23.csv",
        "\"start\";\"end\";\"identitas/kpm_id\";\"identitas/putaran\";\"usaha/laba_bersih\";\
         \"_uuid\";\"_submission_time\"\n\
         \"2021-03-19T10:00:00.000+07:00\";\"2021-03-19T10:30:00.000+07:00\";\"K1\";\"baseline\";\
         \"1500000\";\"u1\";\"2021-03-23T02:00:00\"\n\
         \"2021-03-22T10:00:00.000+07:00\";\"2021-03-22T10:30:00.000+07:00\";\"K2\";\"baseline\";\
         \"1500000\";\"u2\";\"2021-03-23T02:00:00\"\n",
    );
    assert_eq!(s.rows_loaded, 2, "{s:?}");
    let schedule = baseline_window();
    let report = check(db.connection(), &CheckConfig::builtin(), &schedule, None).unwrap();
    assert_eq!(kpm_with(&report, Check::Late), ["K1", "K2"]);
    let worded = |kpm: &str, lang: Lang| {
        let late = report
            .findings
            .iter()
            .find(|f| f.kpm_id == kpm && f.detail.check() == Check::Late)
            .unwrap();
        report.describe(late, lang, None)
    };
    assert_eq!(
        worded("K1", Lang::En),
        (
            "Sent on 23 March 2021, 3 days after the deadline of 20 March 2021; \
             interviewed on 19 March 2021, before it"
                .to_string(),
            "Send each form as soon as it is made, before the deadline".to_string()
        )
    );
    assert_eq!(
        worded("K1", Lang::Id).0,
        "Dikirim 23 Maret 2021, 3 hari setelah batas 20 Maret 2021; wawancara 19 Maret 2021, \
         sebelum batas"
    );
    assert_eq!(
        worded("K2", Lang::En).0,
        "Sent on 23 March 2021, 3 days after the deadline of 20 March 2021"
    );
}

/// A hand-filled sheet's time without a zone is the local time it was
/// written in: an interview at 20:00 on the window's last day is on time,
/// though seven hours later in UTC it is the next day. The same time in
/// UTC (`Z`) is 03:00 WIB the next day: late. A finding dates such an
/// answer by the day it was written.
#[test]
fn a_sheet_s_local_time_on_the_last_day_is_on_time() {
    use crate::compute::tests::{load, registered};
    let (dir, mut db) = registered(1..=2);
    let s = load(
        &dir,
        &mut db,
        "baseline.csv",
        "kpm_id,wave,tanggal,business_income\n\
         K1,baseline,20/03/2021 20:00,1500000\n\
         K2,baseline,2021-03-20T20:00:00Z,1500000\n",
    );
    assert_eq!(s.rows_loaded, 2, "{s:?}");
    let schedule = baseline_window();
    let report = check(db.connection(), &CheckConfig::builtin(), &schedule, None).unwrap();
    assert_eq!(kpm_with(&report, Check::Late), ["K2"]);

    // K1's answer sent again, corrected, later that evening: the finding
    // names the day the kept one was written, not the next.
    let s = load(
        &dir,
        &mut db,
        "baseline-koreksi.csv",
        "kpm_id,wave,tanggal,business_income\nK1,baseline,20/03/2021 21:00,1600000\n",
    );
    assert_eq!(s.rows_loaded, 1, "{s:?}");
    let report = check(db.connection(), &CheckConfig::builtin(), &schedule, None).unwrap();
    let again = report
        .findings
        .iter()
        .find(|f| f.detail.check() == Check::Superseded)
        .unwrap();
    let (problem, _) = report.describe(again, Lang::En, None);
    assert!(problem.ends_with("(20 March 2021)"), "{problem}");
}
