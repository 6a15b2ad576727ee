//! The same survey data in the shapes KoboToolbox exports it: with XML names,
//! with Indonesian labels and the group hierarchy, and with English labels
//! without it. Each loads into exactly the same responses.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use prokus_ingest::{Database, FormMapping};
use prokus_sample::form::{CHOICES, SURVEY};
use prokus_sample::{SampleConfig, write_sample};

/// A question's export column and what the label export prints instead.
struct Column {
    path: String,
    label: String,
    group_label: String,
    list: Option<&'static str>,
    multiple: bool,
}

fn columns(english: bool) -> Vec<Column> {
    let mut groups: Vec<&str> = Vec::new();
    let mut group_labels: Vec<&str> = Vec::new();
    let mut out = Vec::new();
    for q in SURVEY {
        let label = if english { q.label_en } else { q.label_id };
        match q.kind {
            "begin_group" => {
                groups.push(q.name);
                group_labels.push(label);
            }
            "end_group" => {
                groups.pop();
                group_labels.pop();
            }
            "note" => {}
            kind => {
                let mut path = groups.join("/");
                if !path.is_empty() {
                    path.push('/');
                }
                path.push_str(q.name);
                let (list, multiple) = match kind.split_once(' ') {
                    Some(("select_multiple", l)) => (Some(l), true),
                    Some((_, l)) => (Some(l), false),
                    None => (None, false),
                };
                out.push(Column {
                    path,
                    label: if label.is_empty() { q.name } else { label }.to_string(),
                    group_label: group_labels.join("/"),
                    list,
                    multiple,
                });
            }
        }
    }
    out
}

fn choice_label(list: &str, name: &str, english: bool) -> Option<&'static str> {
    CHOICES
        .iter()
        .find(|c| c.0 == list && c.1 == name)
        .map(|c| if english { c.3 } else { c.2 })
}

/// Rewrites a Kobo export with XML names as Kobo's label export would: label
/// headers (with or without the group labels) and choice labels as answers.
fn label_export(xml_csv: &Path, out: &Path, english: bool, hierarchy: bool) {
    let columns = columns(english);
    let by_path: HashMap<&str, &Column> = columns.iter().map(|c| (c.path.as_str(), c)).collect();
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_path(xml_csv)
        .unwrap();
    let headers: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let mut writer = csv::WriterBuilder::new()
        .delimiter(b';')
        .quote_style(csv::QuoteStyle::Always)
        .from_path(out)
        .unwrap();
    let head = |c: &Column| {
        if hierarchy && !c.group_label.is_empty() {
            format!("{}/{}", c.group_label, c.label)
        } else {
            c.label.clone()
        }
    };
    // Per header: the question it shows, and the choice of a 0/1 column.
    let plan: Vec<(Option<&Column>, Option<&str>)> = headers
        .iter()
        .map(|h| match by_path.get(h.as_str()) {
            Some(c) => (Some(*c), None),
            None => match h.rsplit_once('/') {
                Some((q, choice)) if by_path.get(q).is_some_and(|c| c.multiple) => {
                    (Some(by_path[q]), Some(choice))
                }
                _ => (None, None),
            },
        })
        .collect();
    let new_headers: Vec<String> = headers
        .iter()
        .zip(&plan)
        .map(|(h, p)| match p {
            (Some(c), None) => head(c),
            (Some(c), Some(choice)) => format!(
                "{}/{}",
                head(c),
                choice_label(c.list.unwrap(), choice, english).unwrap()
            ),
            _ => h.clone(),
        })
        .collect();
    writer.write_record(&new_headers).unwrap();
    for record in reader.records() {
        let record = record.unwrap();
        let cells: Vec<String> = record
            .iter()
            .zip(&plan)
            .map(|(cell, p)| match p {
                (Some(c), None) if c.list.is_some() && !cell.is_empty() => {
                    let list = c.list.unwrap();
                    if c.multiple {
                        cell.split(' ')
                            .map(|n| choice_label(list, n, english).unwrap_or(n))
                            .collect::<Vec<_>>()
                            .join(" ")
                    } else {
                        choice_label(list, cell, english)
                            .unwrap_or(cell)
                            .to_string()
                    }
                }
                _ => cell.to_string(),
            })
            .collect();
        writer.write_record(&cells).unwrap();
    }
    writer.flush().unwrap();
}

/// Every response column, as text, ordered; with the rejects' rows and reasons.
fn loaded(db: &Database) -> (Vec<String>, Vec<String>) {
    let conn = db.connection();
    let mut stmt = conn
        .prepare(
            "SELECT t::VARCHAR FROM (SELECT * EXCLUDE (batch_id) FROM response) t
             ORDER BY t.submission_id, t.source_row",
        )
        .unwrap();
    let responses = stmt
        .query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT source_row || ' ' || kind || ' ' || reason FROM ingest_reject j
             JOIN ingest_batch b USING (batch_id) WHERE b.format LIKE 'kobo%' ORDER BY 1",
        )
        .unwrap();
    let rejects = stmt
        .query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    (responses, rejects)
}

fn load(dir: &Path, export: &Path) -> Database {
    let mut db = Database::in_memory().unwrap();
    let mapping = FormMapping::prokus();
    for f in [dir.join("incubators.csv"), dir.join("kpm_register.csv")] {
        db.ingest(&f, &mapping).unwrap();
    }
    let s = db.ingest(export, &mapping).unwrap();
    assert!(s.rows_loaded > 100, "{s:?}");
    db
}

fn sample() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let config = SampleConfig {
        households: 150,
        ..SampleConfig::default()
    };
    write_sample(&config, dir.path()).unwrap();
    let export = dir.path().join("prokus_monitoring_2021-06-30.csv");
    (dir, export)
}

#[test]
fn label_exports_in_either_language_load_the_same_responses_as_xml_names() {
    let (dir, xml) = sample();
    let expected = loaded(&load(dir.path(), &xml));
    assert!(
        expected.0.iter().any(|r| r.contains("kemasan")),
        "the sample has select_multiple answers"
    );
    for (english, hierarchy, name) in [
        (false, true, "labels_id_hierarchy.csv"),
        (true, false, "labels_en.csv"),
    ] {
        let path = dir.path().join(name);
        label_export(&xml, &path, english, hierarchy);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            !text.lines().next().unwrap().contains("identitas/kpm_id"),
            "{name} has label headers"
        );
        assert_eq!(loaded(&load(dir.path(), &path)), expected, "{name}");
    }
}

#[test]
fn select_multiple_loads_from_its_choice_columns_when_the_summary_is_absent() {
    let (dir, xml) = sample();
    let expected = loaded(&load(dir.path(), &xml));
    // Drop the summary column `usaha/perubahan_produk`, keep its 0/1 columns.
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_path(&xml)
        .unwrap();
    let headers: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let drop = headers
        .iter()
        .position(|h| h == "usaha/perubahan_produk")
        .unwrap();
    let path = dir.path().join("split_only.csv");
    let mut writer = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_path(&path)
        .unwrap();
    let keep = |cells: Vec<String>| -> Vec<String> {
        cells
            .into_iter()
            .enumerate()
            .filter(|(i, _)| *i != drop)
            .map(|(_, c)| c)
            .collect()
    };
    writer.write_record(keep(headers.clone())).unwrap();
    for r in reader.records() {
        writer
            .write_record(keep(r.unwrap().iter().map(String::from).collect()))
            .unwrap();
    }
    writer.flush().unwrap();
    assert_eq!(loaded(&load(dir.path(), &path)), expected);
}
