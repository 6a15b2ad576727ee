//! Snapshots of the data each audience's template receives, on the demo's
//! sample: the national report, the dashboard, one province, one regency and
//! one incubator, in Indonesian and English. A change that moves a printed
//! figure, a word or a chart fails here, and its diff is reviewed
//! (`cargo insta review`, or `INSTA_UPDATE=always` then `git diff`).

use std::sync::OnceLock;

use prokus_ingest::{Database, FormMapping};
use prokus_report::Inputs;
use prokus_report::audience::{self, Audience};
use prokus_report::format::Lang;
use prokus_report::payload::Built;
use sha2::{Digest, Sha256};

/// The demo's sample loaded with its settings, in a database in memory.
fn sample_db() -> Database {
    let dir = tempfile::tempdir().unwrap();
    let sample = prokus_sample::write_sample(
        &prokus_sample::SampleConfig::default(),
        &dir.path().join("data"),
    )
    .unwrap();
    let mut db = Database::in_memory().unwrap();
    let mapping = FormMapping::prokus();
    for file in &sample.files {
        match file.extension().and_then(|e| e.to_str()) {
            Some("csv" | "xlsx") => {
                db.ingest(file, &mapping).unwrap();
            }
            Some("toml") => {
                prokus_metrics::settings::ingest_setting(&mut db, file).unwrap();
            }
            _ => {}
        }
    }
    db
}

/// The inputs of a run of `audiences` on `db`, as of a fixed time, with
/// the indicator `rows` given or computed by the run.
fn gather_with(
    db: &Database,
    audiences: &[&'static Audience],
    rows: Option<Vec<prokus_metrics::IndicatorRow>>,
) -> Inputs {
    let settings = prokus_metrics::settings::Settings::from_db(db).unwrap();
    let mut inputs = prokus_report::gather(
        db.connection(),
        prokus_report::GatherOptions {
            rows,
            ..prokus_report::GatherOptions::new(settings, audiences.to_vec())
        },
    )
    .unwrap();
    inputs.generated = chrono::NaiveDate::from_ymd_opt(2021, 12, 20)
        .unwrap()
        .and_hms_opt(3, 0, 0)
        .unwrap();
    inputs
}

/// The inputs of a run of `audiences` on `db`, as of a fixed time.
fn gather(db: &Database, audiences: &[&'static Audience]) -> Inputs {
    gather_with(db, audiences, None)
}

/// The inputs of a run of every audience on the demo's sample, made once
/// for every snapshot.
fn inputs() -> &'static Inputs {
    static INPUTS: OnceLock<Inputs> = OnceLock::new();
    INPUTS.get_or_init(|| gather(&sample_db(), &audience::ALL))
}

/// What a template receives: the payload (its `data.json`), and each chart
/// by name with a hash of its SVG (the SVG itself is too long to review).
fn received(built: &Built) -> serde_json::Value {
    let charts: Vec<serde_json::Value> = built
        .charts
        .iter()
        .map(|(name, svg)| {
            serde_json::json!({
                "name": name,
                "svg_sha256": hex::encode(Sha256::digest(svg.as_bytes()))[..16].to_string(),
            })
        })
        .collect();
    let files: Vec<&str> = built.files.iter().map(|f| f.name()).collect();
    serde_json::json!({ "payload": built.payload, "charts": charts, "files": files })
}

/// What `audience`'s template receives for `scope`.
fn build(audience: &Audience, lang: Lang, scope: &str) -> serde_json::Value {
    received(&(audience.build)(inputs(), lang, scope).unwrap())
}

fn lang_name(lang: Lang) -> &'static str {
    match lang {
        Lang::Id => "id",
        Lang::En => "en",
    }
}

#[test]
fn national_and_dashboard() {
    for lang in [Lang::Id, Lang::En] {
        let l = lang_name(lang);
        insta::assert_json_snapshot!(
            format!("national-{l}"),
            build(&audience::national::AUDIENCE, lang, "")
        );
        insta::assert_json_snapshot!(
            format!("dashboard-{l}"),
            build(&audience::dashboard::AUDIENCE, lang, "")
        );
    }
}

#[test]
fn one_province_one_regency_one_incubator() {
    let inputs = inputs();
    let province = inputs.db.surveyed.provinces[0].code.clone();
    let regency = inputs.db.surveyed.regencies[0].code.clone();
    let incubator = inputs.db.surveyed.incubators[0].id.clone();
    for lang in [Lang::Id, Lang::En] {
        let l = lang_name(lang);
        insta::assert_json_snapshot!(
            format!("province-{l}"),
            build(&audience::area::PROVINCE, lang, &province)
        );
        insta::assert_json_snapshot!(
            format!("regency-{l}"),
            build(&audience::area::REGENCY, lang, &regency)
        );
        insta::assert_json_snapshot!(
            format!("incubator-{l}"),
            build(&audience::incubator::AUDIENCE, lang, &incubator)
        );
    }
}

/// A run of one audience computes the indicators of the levels its reports
/// print only, and each of its reports says in it what it says when made
/// from the table `prokus indicators` computes (every level the reports
/// print, and more): no level a report reads is left out of its audience's
/// `levels`.
#[test]
fn a_run_of_one_audience_prints_what_it_prints_from_the_whole_table() {
    let mut db = sample_db();
    // A sheet that asks two questions only, for one KPM: the checks then
    // find questions some files do not ask, which the national report
    // prints (so a run of it alone must check too).
    let kpm: String = db
        .connection()
        .query_row(
            "SELECT min(kpm_id) FROM kpm WHERE arm = 'prokus'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let sheet = dir.path().join("two-questions.csv");
    std::fs::write(
        &sheet,
        format!("kpm_id,wave,business_operating,business_income\n{kpm},endline,ya,1500000\n"),
    )
    .unwrap();
    let loaded = db.ingest(&sheet, &FormMapping::prokus()).unwrap();
    assert_eq!(loaded.rows_loaded, 1, "{loaded:?}");
    let settings = prokus_metrics::settings::Settings::from_db(&db).unwrap();
    let whole = prokus_report::with_printed_levels(prokus_metrics::Options {
        min_cell: settings.min_cell(),
        targets: settings.targets.clone(),
        ..Default::default()
    });
    let catalog = prokus_metrics::catalog::Catalog::builtin();
    let rows = prokus_metrics::compute_rows(db.connection(), &catalog, &whole).unwrap();
    let every = gather_with(&db, &audience::ALL, Some(rows));
    for audience in audience::ALL {
        let alone = gather(&db, &[audience]);
        assert!(
            alone.rows.len() < every.rows.len(),
            "{}: {} rows of {}",
            audience.name,
            alone.rows.len(),
            every.rows.len()
        );
        for scope in (audience.scopes)(&every) {
            let built = |inputs| received(&(audience.build)(inputs, Lang::En, &scope).unwrap());
            if let Some(at) = first_difference(&built(&alone), &built(&every)) {
                panic!("the {} report {scope:?} differs at {at}", audience.name);
            }
        }
    }
    // The reference above is a run of every audience, which makes the
    // estimates and checks if any audience asks for them: the audiences
    // that print them must ask, alone too. (The incubators' KPM lists:
    // gather's `kept_figures_without_the_incubators_are_not_read_for_them`.)
    let national = gather(&db, &[&audience::national::AUDIENCE]);
    assert!(!national.impact.is_empty(), "no impact estimates");
    assert!(!national.quality.findings.is_empty(), "no checks");
    let incubators = gather(&db, &[&audience::incubator::AUDIENCE]);
    assert!(!incubators.quality.findings.is_empty(), "no checks");
}

/// Where `a` and `b` first differ: the path to the value and both values,
/// or `None` when they are equal.
fn first_difference(a: &serde_json::Value, b: &serde_json::Value) -> Option<String> {
    use serde_json::Value;
    match (a, b) {
        (Value::Object(x), Value::Object(y)) if x.len() == y.len() => {
            x.iter().find_map(|(k, v)| match y.get(k) {
                Some(w) => first_difference(v, w).map(|at| format!("{k}.{at}")),
                None => Some(format!("{k} (only in the first)")),
            })
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (v, w))| first_difference(v, w).map(|at| format!("{i}.{at}"))),
        _ if a == b => None,
        _ => Some(format!(": {a} against {b}")),
    }
}

/// `json` with every table's rows and header left to Typst to measure
/// (`typst_measures`), as the template lays out a row the engine could not
/// count; their cells are as they were (the engine's lines, and no
/// breaking of long words where the engine broke the text into lines).
fn measured_by_typst(json: &[u8]) -> Vec<u8> {
    fn mark(value: &mut serde_json::Value) -> usize {
        match value {
            serde_json::Value::Object(map) => {
                let mut marked = 0;
                if map.contains_key("rows")
                    && let Some(serde_json::Value::Array(lines)) = map.get("lines")
                {
                    marked += lines.iter().filter(|n| !n.is_null()).count();
                    map.insert("typst_measures".into(), serde_json::Value::Bool(true));
                }
                marked + map.values_mut().map(mark).sum::<usize>()
            }
            serde_json::Value::Array(items) => items.iter_mut().map(mark).sum(),
            _ => 0,
        }
    }
    let mut value: serde_json::Value = serde_json::from_slice(json).unwrap();
    assert!(mark(&mut value) > 0, "no table row has its lines counted");
    serde_json::to_vec(&value).unwrap()
}

/// `json` laid out on one page as long as the report (`meta.endless`).
fn endless(json: &[u8]) -> Vec<u8> {
    let mut value: serde_json::Value = serde_json::from_slice(json).unwrap();
    value["meta"]["endless"] = serde_json::Value::Bool(true);
    serde_json::to_vec(&value).unwrap()
}

/// The engine breaks the text of a wrapping cell into lines and gives the
/// row their height, so that Typst does not measure it: in every report of
/// the sample, laid out on one endless page, the PDF is then the very one
/// Typst makes when it measures every row itself, byte for byte (a row given
/// too little height would have its text run into the next, too much would
/// leave a gap, and a line Typst broke again would make its row taller).
#[test]
fn rows_given_their_lines_are_as_tall_as_typst_makes_them() {
    let inputs = inputs();
    let scopes = [
        (&audience::national::AUDIENCE, String::new()),
        (&audience::dashboard::AUDIENCE, String::new()),
        (
            &audience::area::PROVINCE,
            inputs.db.surveyed.provinces[0].code.clone(),
        ),
        (
            &audience::area::REGENCY,
            inputs.db.surveyed.regencies[0].code.clone(),
        ),
        (
            &audience::incubator::AUDIENCE,
            inputs.db.surveyed.incubators[0].id.clone(),
        ),
    ];
    for lang in [Lang::Id, Lang::En] {
        for (audience, scope) in &scopes {
            let built = (audience.build)(inputs, lang, scope).unwrap();
            let json = prokus_report::payload_json(&built.payload).unwrap();
            let pdf = |json: Vec<u8>| {
                prokus_report::compile_json(
                    audience.template,
                    json,
                    built.charts.clone(),
                    inputs.generated,
                    false,
                )
                .unwrap()
            };
            // On one endless page: Typst splits an `auto` row between two
            // pages where it keeps a row of a set height whole.
            let endless = endless(&json);
            let counted = pdf(endless.clone());
            let measured = pdf(measured_by_typst(&endless));
            if counted != measured {
                std::fs::write(std::env::temp_dir().join("counted.pdf"), &counted).unwrap();
                std::fs::write(std::env::temp_dir().join("measured.pdf"), &measured).unwrap();
            }
            assert!(
                counted == measured,
                "{} {scope:?} ({}): rows given the engine's lines differ from rows Typst measured",
                audience.name,
                lang_name(lang)
            );
        }
    }
}
