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

/// The demo's sample loaded with its settings, and the inputs of a report
/// run on it, made once for every snapshot.
fn inputs() -> &'static Inputs {
    static INPUTS: OnceLock<Inputs> = OnceLock::new();
    INPUTS.get_or_init(|| {
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
        let settings = prokus_metrics::settings::Settings::from_db(&db).unwrap();
        let mut inputs = prokus_report::gather(
            db.connection(),
            prokus_report::GatherOptions {
                settings,
                audiences: audience::ALL.to_vec(),
                rows: None,
                on_step: &|_, _| {},
                period: Default::default(),
                cohort: None,
                keep_in: None,
                recompute: true,
            },
        )
        .unwrap();
        inputs.generated = chrono::NaiveDate::from_ymd_opt(2021, 12, 20)
            .unwrap()
            .and_hms_opt(3, 0, 0)
            .unwrap();
        inputs
    })
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
