//! Reading an XLSForm (the survey's questionnaire) to understand exports whose
//! headers and answers are *labels* ("Nomor KPM", "Setiap bulan") instead of
//! XML names (`identitas/kpm_id`, `bulanan`), in any of the form's languages
//! (`label::Indonesian (id)`, `label::English (en)` or plain `label`), with or
//! without the group labels in the header.
//!
//! [`XlsForm::translate_headers`] finds the language the headers are in and
//! gives, per column, its XML path and, for select questions, a map from
//! choice label to choice name.

use std::collections::HashMap;
use std::path::Path;
use std::sync::OnceLock;

use calamine::Reader;

use crate::IngestError;
use crate::source::cell_text;

/// The project's own monitoring form (`sample-data/prokus-monitoring-form.xlsx`).
const PROKUS_XLSFORM: &[u8] = include_bytes!("../../../sample-data/prokus-monitoring-form.xlsx");

/// A survey form: its questions with their group paths, labels and choices.
#[derive(Debug, Clone)]
pub struct XlsForm {
    /// The `form_id` of the settings sheet (empty when absent).
    pub form_id: String,
    /// The label languages, as the column names give them: `Indonesian (id)`
    /// for `label::Indonesian (id)`, the empty string for a plain `label`.
    pub languages: Vec<String>,
    questions: Vec<FormQuestion>,
    lists: HashMap<String, Vec<FormChoice>>,
}

#[derive(Debug, Clone)]
struct FormQuestion {
    /// `group/subgroup/name`.
    path: String,
    /// Labels of the enclosing groups, outermost first, per language.
    group_labels: Vec<Vec<String>>,
    /// Per language.
    labels: Vec<String>,
    /// The choice list of a select question.
    list: Option<String>,
    multiple: bool,
    /// The XLSForm type's first word, lower case (`integer`, `text`,
    /// `select_one`, …).
    kind: String,
    /// Inside a repeat group.
    in_repeat: bool,
}

/// A question of a form, as [`XlsForm::questions`] lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    /// `group/subgroup/name`.
    pub path: String,
    /// The XLSForm type's first word, lower case (`integer`, `decimal`,
    /// `text`, `select_one`, `select_multiple`, `date`, `calculate`, …).
    pub kind: String,
    /// The labels, one per language of [`XlsForm::languages`].
    pub labels: Vec<String>,
    /// For a select question, its choices: name and labels.
    pub choices: Vec<(String, Vec<String>)>,
    /// Inside a repeat group (one row per repeat in exports).
    pub in_repeat: bool,
}

#[derive(Debug, Clone)]
struct FormChoice {
    name: String,
    labels: Vec<String>,
}

/// What [`XlsForm::translate_headers`] found.
#[derive(Debug, Clone)]
pub struct LabelHeaders {
    /// The language of the labels (see [`XlsForm::languages`]).
    pub language: String,
    /// Per header: its XML path, or `None` for a column the form does not
    /// have (metadata such as `_uuid` keeps its name).
    pub paths: Vec<Option<String>>,
    /// Per header: for a select_one or select_multiple summary column, the
    /// choice labels (normalized, see [`normalize_label`]) to choice names.
    pub values: Vec<Option<HashMap<String, String>>>,
    /// Headers recognized as labels.
    pub matched: usize,
}

/// Labels compared the way people retype them: trimmed, inner spaces
/// collapsed, case ignored.
pub fn normalize_label(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

impl XlsForm {
    /// The ProKUS monitoring form shipped with the engine.
    pub fn prokus() -> &'static XlsForm {
        static FORM: OnceLock<XlsForm> = OnceLock::new();
        FORM.get_or_init(|| {
            XlsForm::parse(
                Path::new("<built-in prokus-monitoring-form.xlsx>"),
                PROKUS_XLSFORM,
            )
            .expect("the built-in XLSForm is checked by tests")
        })
    }

    /// Whether the workbook at `path` has a `survey` sheet, read from the
    /// workbook's sheet list alone (an `.xlsx` is a ZIP): a big export is not
    /// parsed to find out that it is not a form. An old `.xls` is opened.
    pub fn is_form_file(path: &Path) -> bool {
        use std::io::Read;
        // Opening a pipe would wait for a writer (the load refuses it).
        if !path.is_file() {
            return false;
        }
        if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("xls"))
        {
            return calamine::open_workbook_auto(path).is_ok_and(|book| {
                book.sheet_names()
                    .iter()
                    .any(|s| s.eq_ignore_ascii_case("survey"))
            });
        }
        let Ok(file) = std::fs::File::open(path) else {
            return false;
        };
        let Ok(mut zip) = zip::ZipArchive::new(std::io::BufReader::new(file)) else {
            return false;
        };
        let mut xml = String::new();
        let read = zip
            .by_name("xl/workbook.xml")
            .map(|mut entry| entry.read_to_string(&mut xml).is_ok());
        read.unwrap_or(false) && xml.to_lowercase().contains("name=\"survey\"")
    }

    /// Reads an XLSForm file (`.xlsx`).
    pub fn from_file(path: &Path) -> Result<Self, IngestError> {
        let bytes = std::fs::read(path).map_err(|source| IngestError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(path, &bytes)
    }

    /// Reads an XLSForm from its bytes; `path` names it in errors.
    pub fn parse(path: &Path, bytes: &[u8]) -> Result<Self, IngestError> {
        let bad = |reason: String| {
            IngestError::Unreadable {
            path: path.to_path_buf(),
            reason,
            hint: "give the form as it was uploaded to KoboToolbox or ODK (an .xlsx with survey and choices sheets)".into(),
        }
        };
        let mut book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes))
            .map_err(|e| bad(format!("not a readable workbook: {e}")))?;
        let mut sheet = |name: &str| -> Result<Option<Vec<Vec<String>>>, IngestError> {
            let Some(found) = book
                .sheet_names()
                .into_iter()
                .find(|s| s.eq_ignore_ascii_case(name))
            else {
                return Ok(None);
            };
            let range = book
                .worksheet_range(&found)
                .map_err(|e| bad(format!("sheet `{found}` cannot be read: {e}")))?;
            Ok(Some(
                range
                    .rows()
                    .map(|r| r.iter().map(|c| cell_text(c).0).collect())
                    .collect(),
            ))
        };
        let survey = sheet("survey")?.ok_or_else(|| bad("it has no `survey` sheet".into()))?;
        let choices = sheet("choices")?.unwrap_or_default();
        let settings = sheet("settings")?.unwrap_or_default();

        let header = survey.first().cloned().unwrap_or_default();
        let col = |name: &str| {
            header
                .iter()
                .position(|h| h.trim().eq_ignore_ascii_case(name))
        };
        let (Some(type_col), Some(name_col)) = (col("type"), col("name")) else {
            return Err(bad(
                "its survey sheet lacks the `type` or `name` column".into()
            ));
        };
        let label_columns: Vec<(usize, String)> = header
            .iter()
            .enumerate()
            .filter_map(|(i, h)| Some((i, label_language(h)?)))
            .collect();
        let languages: Vec<String> = label_columns.iter().map(|(_, l)| l.clone()).collect();
        let labels_of = |row: &[String], columns: &[(usize, String)]| -> Vec<String> {
            columns
                .iter()
                .map(|(i, _)| {
                    row.get(*i)
                        .map(|s| s.trim().to_string())
                        .unwrap_or_default()
                })
                .collect()
        };

        let mut questions = Vec::new();
        let mut groups: Vec<(String, Vec<String>)> = Vec::new();
        // Per open group, whether it is a repeat.
        let mut repeats: Vec<bool> = Vec::new();
        for row in survey.iter().skip(1) {
            let kind = row.get(type_col).map(|s| s.trim()).unwrap_or("");
            let name = row.get(name_col).map(|s| s.trim()).unwrap_or("");
            let kind_lower = kind.to_lowercase().replace(' ', "_");
            match kind_lower.as_str() {
                "" => continue,
                "begin_group" | "begin_repeat" => {
                    groups.push((name.to_string(), labels_of(row, &label_columns)));
                    repeats.push(kind_lower == "begin_repeat");
                    continue;
                }
                "end_group" | "end_repeat" => {
                    groups.pop();
                    repeats.pop();
                    continue;
                }
                "note" => continue,
                _ => {}
            }
            if name.is_empty() {
                continue;
            }
            let (list, multiple) = if let Some(l) = kind_lower.strip_prefix("select_one_") {
                (Some(l.trim().to_string()), false)
            } else if let Some(l) = kind_lower.strip_prefix("select_multiple_") {
                (Some(l.trim().to_string()), true)
            } else {
                (None, false)
            };
            let path = groups
                .iter()
                .map(|(n, _)| n.as_str())
                .chain([name])
                .collect::<Vec<_>>()
                .join("/");
            questions.push(FormQuestion {
                path,
                group_labels: groups.iter().map(|(_, l)| l.clone()).collect(),
                labels: labels_of(row, &label_columns),
                list,
                multiple,
                kind: kind_lower
                    .split(['_', ' '])
                    .take(if kind_lower.starts_with("select_") {
                        2
                    } else {
                        1
                    })
                    .collect::<Vec<_>>()
                    .join("_"),
                in_repeat: repeats.iter().any(|r| *r),
            });
        }

        let mut lists: HashMap<String, Vec<FormChoice>> = HashMap::new();
        if let Some(header) = choices.first() {
            let col = |name: &str| {
                header
                    .iter()
                    .position(|h| h.trim().eq_ignore_ascii_case(name))
            };
            let list_col = col("list_name").or_else(|| col("list name"));
            let name_col = col("name");
            // The choices sheet's label columns, as indexes of the survey's languages.
            let choice_labels: Vec<(usize, usize)> = header
                .iter()
                .enumerate()
                .filter_map(|(i, h)| {
                    let lang = label_language(h)?;
                    Some((i, languages.iter().position(|l| *l == lang)?))
                })
                .collect();
            if let (Some(list_col), Some(name_col)) = (list_col, name_col) {
                for row in choices.iter().skip(1) {
                    let list = row.get(list_col).map(|s| s.trim()).unwrap_or("");
                    let name = row.get(name_col).map(|s| s.trim()).unwrap_or("");
                    if list.is_empty() || name.is_empty() {
                        continue;
                    }
                    let mut labels = vec![String::new(); languages.len()];
                    for &(i, k) in &choice_labels {
                        labels[k] = row.get(i).map(|s| s.trim().to_string()).unwrap_or_default();
                    }
                    lists
                        .entry(list.to_lowercase())
                        .or_default()
                        .push(FormChoice {
                            name: name.to_string(),
                            labels,
                        });
                }
            }
        }
        let form_id = settings
            .first()
            .and_then(|h| {
                h.iter()
                    .position(|c| c.trim().eq_ignore_ascii_case("form_id"))
            })
            .and_then(|i| settings.get(1).and_then(|r| r.get(i)).cloned())
            .unwrap_or_default();
        if questions.is_empty() {
            return Err(bad("its survey sheet has no questions".into()));
        }
        Ok(XlsForm {
            form_id,
            languages,
            questions,
            lists,
        })
    }

    /// The questions, in the form's order (notes and groups left out).
    pub fn questions(&self) -> Vec<Question> {
        self.questions
            .iter()
            .map(|q| Question {
                path: q.path.clone(),
                kind: q.kind.clone(),
                labels: q.labels.clone(),
                choices: q
                    .list
                    .as_ref()
                    .and_then(|l| self.lists.get(l))
                    .map(|cs| {
                        cs.iter()
                            .map(|c| (c.name.clone(), c.labels.clone()))
                            .collect()
                    })
                    .unwrap_or_default(),
                in_repeat: q.in_repeat,
            })
            .collect()
    }

    /// Recognizes headers written as labels. Returns `None` when fewer than
    /// three headers (and fewer than a third of them) are labels of one language.
    pub fn translate_headers(&self, headers: &[String]) -> Option<LabelHeaders> {
        let mut best: Option<LabelHeaders> = None;
        for (lang, language) in self.languages.iter().enumerate() {
            let keys = self.label_keys(lang);
            let mut found = LabelHeaders {
                language: language.clone(),
                paths: Vec::with_capacity(headers.len()),
                values: Vec::with_capacity(headers.len()),
                matched: 0,
            };
            for header in headers {
                match keys.get(&normalize_label(header)) {
                    Some(Some(key)) => {
                        found.matched += usize::from(key.labelled);
                        found.paths.push(Some(key.path.clone()));
                        found.values.push(key.values.clone());
                    }
                    _ => {
                        found.paths.push(None);
                        found.values.push(None);
                    }
                }
            }
            if best.as_ref().is_none_or(|b| found.matched > b.matched) {
                best = Some(found);
            }
        }
        best.filter(|b| b.matched >= 3 || (b.matched > 0 && b.matched * 3 >= headers.len()))
    }

    /// Header label → column, for one language. A label that two columns
    /// share maps to `None` (ambiguous: not guessed).
    fn label_keys(&self, lang: usize) -> HashMap<String, Option<LabelKey>> {
        let mut keys: HashMap<String, Option<LabelKey>> = HashMap::new();
        let mut add = |label: String, key: LabelKey| {
            if label.is_empty() {
                return;
            }
            keys.entry(normalize_label(&label))
                .and_modify(|k| {
                    if k.as_ref().is_some_and(|k| k.path != key.path) {
                        *k = None;
                    }
                })
                .or_insert(Some(key));
        };
        for q in &self.questions {
            let label = q.labels.get(lang).cloned().unwrap_or_default();
            let labelled = !label.is_empty();
            let label = if label.is_empty() {
                // Kobo prints the XML name of a question without a label.
                q.path.rsplit('/').next().unwrap_or_default().to_string()
            } else {
                label
            };
            let groups: Vec<String> = q
                .group_labels
                .iter()
                .map(|g| g.get(lang).cloned().unwrap_or_default())
                .collect();
            let hierarchy = groups
                .iter()
                .cloned()
                .chain([label.clone()])
                .collect::<Vec<_>>()
                .join("/");
            let choices = q.list.as_ref().and_then(|l| self.lists.get(l));
            let values = choices.map(|cs| {
                cs.iter()
                    .filter_map(|c| {
                        let label = c.labels.get(lang)?;
                        (!label.is_empty()).then(|| (normalize_label(label), c.name.clone()))
                    })
                    .collect::<HashMap<_, _>>()
            });
            for name in [&label, &hierarchy] {
                add(
                    name.clone(),
                    LabelKey {
                        path: q.path.clone(),
                        values: values.clone(),
                        labelled,
                    },
                );
                // One 0/1 column per choice of a select_multiple.
                if q.multiple {
                    for c in choices.into_iter().flatten() {
                        let choice_label = c.labels.get(lang).filter(|l| !l.is_empty());
                        add(
                            format!("{name}/{}", choice_label.unwrap_or(&c.name)),
                            LabelKey {
                                path: format!("{}/{}", q.path, c.name),
                                values: None,
                                labelled,
                            },
                        );
                    }
                }
            }
        }
        keys
    }
}

#[derive(Debug, Clone)]
struct LabelKey {
    path: String,
    values: Option<HashMap<String, String>>,
    /// False when the question has no label and its XML name stands in: such
    /// a match says nothing about the header being labels.
    labelled: bool,
}

/// The language of a label column: `label` → the empty string,
/// `label::Indonesian (id)` (or `label:Indonesian (id)`) → `Indonesian (id)`;
/// `None` for other columns.
fn label_language(header: &str) -> Option<String> {
    let h = header.trim();
    if h.eq_ignore_ascii_case("label") {
        return Some(String::new());
    }
    let prefix = h.get(..6)?;
    prefix
        .eq_ignore_ascii_case("label:")
        .then(|| h[6..].trim_start_matches(':').trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_form_has_both_languages_and_its_choices() {
        let form = XlsForm::prokus();
        assert_eq!(form.form_id, "prokus_monitoring");
        assert_eq!(form.languages, ["Indonesian (id)", "English (en)"]);
        let headers: Vec<String> = [
            "start",
            "Identitas KPM/ID KPM (lihat kartu peserta)",
            "Putaran survei",
            "_uuid",
        ]
        .map(String::from)
        .to_vec();
        let t = form.translate_headers(&headers).unwrap();
        assert_eq!(t.language, "Indonesian (id)");
        assert_eq!(
            t.paths,
            [
                Some("start".to_string()),
                Some("identitas/kpm_id".into()),
                Some("identitas/putaran".into()),
                None
            ]
        );
        let rounds = t.values[2].as_ref().unwrap();
        assert_eq!(rounds["survei awal (baseline)"], "baseline");
    }

    #[test]
    fn english_labels_and_choice_columns_are_recognized() {
        let form = XlsForm::prokus();
        let headers: Vec<String> = [
            "Household identification/KPM id (see the participant card)",
            "Survey round",
            "Business/Product or packaging changes since the last round/New packaging",
        ]
        .map(String::from)
        .to_vec();
        let t = form.translate_headers(&headers).unwrap();
        assert_eq!(t.language, "English (en)");
        assert_eq!(t.paths[0].as_deref(), Some("identitas/kpm_id"));
        assert_eq!(t.values[1].as_ref().unwrap()["baseline"], "baseline");
        assert_eq!(
            t.paths[2].as_deref(),
            Some("usaha/perubahan_produk/kemasan")
        );
    }

    #[test]
    fn xml_headers_and_non_forms_are_not_mistaken_for_labels() {
        let form = XlsForm::prokus();
        let headers: Vec<String> = ["identitas/kpm_id", "identitas/putaran", "_uuid"]
            .map(String::from)
            .to_vec();
        assert!(form.translate_headers(&headers).is_none());
        let dir = tempfile::tempdir().unwrap();
        let form = dir.path().join("form.xlsx");
        std::fs::write(&form, PROKUS_XLSFORM).unwrap();
        assert!(XlsForm::is_form_file(&form));
        let export = dir.path().join("export.xlsx");
        let mut book = rust_xlsxwriter::Workbook::new();
        book.add_worksheet().set_name("Monitoring ProKUS").unwrap();
        book.save(&export).unwrap();
        assert!(!XlsForm::is_form_file(&export));
        let err = XlsForm::parse(Path::new("x.xlsx"), b"not a workbook").unwrap_err();
        assert!(err.to_string().contains("x.xlsx"), "{err}");
    }
}
