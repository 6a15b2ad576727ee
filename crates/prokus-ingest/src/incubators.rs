//! Incubators named in a sheet by their name or university rather than
//! their id. An incubator filling its own sheet writes `Inkubator Bisnis
//! UNS` (or `Universitas Sebelas Maret`) in its `Inkubator` column more
//! often than `INK-33-03`; that cell is read as the id the incubator list
//! gives that name, when exactly one incubator has it. Names are compared
//! without case, spaces or punctuation, and also without a leading
//! `Inkubator Bisnis` (`Inkubator UNS` is `Inkubator Bisnis UNS`); nothing
//! nearer than that is guessed. A name two incubators share is refused,
//! with their ids.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Mutex;

use duckdb::Connection;

use crate::error::IngestError;

/// The incubator list's ids, and the names each is known by.
#[derive(Default)]
pub(crate) struct IncubatorNames {
    ids: HashSet<String>,
    /// A name's key ([`key`]) and the ids of the incubators it names.
    by_key: HashMap<String, Vec<String>>,
    /// The keys of the ids themselves: an id in other case or with spaces
    /// is read, but not counted as a name.
    id_keys: HashSet<String>,
    /// The names read as ids, by their key: as the first row wrote each,
    /// its id and its rows (the checkers share it).
    used: Mutex<BTreeMap<String, (String, String, u64)>>,
}

/// What a cell of an incubator column names.
pub(crate) enum Named<'a> {
    /// The id of an incubator in the list, written as the list writes it.
    Id,
    /// One incubator, by another spelling of its id, its name or its
    /// university.
    One(&'a str),
    /// More than one incubator (two at one university).
    Several(&'a [String]),
    /// No incubator in the list.
    Unknown,
}

/// Words an incubator's name may begin with or leave out: `Inkubator
/// Bisnis UNS`, `Inkubator UNS` and `UNS` are one name once they go.
const LEADING_WORDS: &[&str] = &["inkubator", "incubator", "bisnis", "business", "inbis"];

/// A name as names are compared: its letters and digits in lower case, its
/// words joined by one space (`Inkubator  Bisnis-UNS` → `inkubator bisnis
/// uns`).
fn key(name: &str) -> String {
    name.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

/// `key` without its leading [`LEADING_WORDS`]; `None` when it has none, or
/// is nothing else.
fn without_leading_words(key: &str) -> Option<&str> {
    let mut rest = key;
    while let Some((word, after)) = rest.split_once(' ') {
        if !LEADING_WORDS.contains(&word) {
            break;
        }
        rest = after;
    }
    (rest.len() < key.len() && !rest.is_empty()).then_some(rest)
}

impl IncubatorNames {
    /// The incubators of the list in the database behind `conn`.
    pub(crate) fn of(conn: &Connection) -> Result<Self, IngestError> {
        let listed: Vec<(String, Option<String>, Option<String>)> = conn
            .prepare("SELECT incubator_id, name, university FROM incubator ORDER BY incubator_id")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<Result<_, _>>()?;
        Ok(Self::new(listed))
    }

    /// The names of `listed` (id, name, university).
    fn new(listed: Vec<(String, Option<String>, Option<String>)>) -> Self {
        let mut by_key: HashMap<String, Vec<String>> = HashMap::new();
        for (id, name, university) in &listed {
            let keys = [Some(id), name.as_ref(), university.as_ref()]
                .into_iter()
                .flatten()
                .map(|n| key(n))
                .filter(|k| !k.is_empty());
            for k in keys {
                if let Some(short) = without_leading_words(&k) {
                    by_key
                        .entry(short.to_string())
                        .or_default()
                        .push(id.clone());
                }
                by_key.entry(k).or_default().push(id.clone());
            }
        }
        for ids in by_key.values_mut() {
            ids.sort();
            ids.dedup();
        }
        IncubatorNames {
            id_keys: listed.iter().map(|(id, ..)| key(id)).collect(),
            ids: listed.into_iter().map(|(id, ..)| id).collect(),
            by_key,
            used: Mutex::default(),
        }
    }

    /// The ids of the incubators in the list.
    pub(crate) fn ids(&self) -> &HashSet<String> {
        &self.ids
    }

    /// What `cell` (trimmed, not empty) names.
    pub(crate) fn lookup(&self, cell: &str) -> Named<'_> {
        self.lookup_keyed(cell).0
    }

    /// [`IncubatorNames::lookup`], and the cell's key when it was made
    /// (`None` for a listed id as written).
    fn lookup_keyed(&self, cell: &str) -> (Named<'_>, Option<String>) {
        if self.ids.contains(cell) {
            return (Named::Id, None);
        }
        let k = key(cell);
        let found = self
            .by_key
            .get(&k)
            .or_else(|| without_leading_words(&k).and_then(|short| self.by_key.get(short)));
        let named = match found.map(Vec::as_slice) {
            Some([id]) => Named::One(id),
            Some(ids) if !ids.is_empty() => Named::Several(ids),
            _ => Named::Unknown,
        };
        (named, Some(k))
    }

    /// The id of the one incubator `cell` names otherwise than by its id as
    /// listed, counted for [`IncubatorNames::used`] unless it is that id in
    /// other case or with spaces.
    pub(crate) fn id_for(&self, cell: &str) -> Option<&str> {
        let (Named::One(id), Some(k)) = self.lookup_keyed(cell) else {
            return None;
        };
        if !self.id_keys.contains(&k) {
            let mut used = self.used.lock().unwrap_or_else(|e| e.into_inner());
            let entry = used
                .entry(k)
                .or_insert_with(|| (crate::privacy::safe_text(cell), id.to_string(), 0));
            entry.2 += 1;
        }
        Some(id)
    }

    /// The names read as ids: each as written, its id and its rows.
    pub(crate) fn used(&self) -> Vec<(String, String, u64)> {
        let used = self.used.lock().unwrap_or_else(|e| e.into_inner());
        used.values().cloned().collect()
    }

    /// Why `cell`, a value of an incubator column that no incubator's id
    /// or one incubator's name is, is refused; `None` for a value that may
    /// be an id (the list is then asked in SQL, with its own reason).
    pub(crate) fn refusal(&self, cell: &str) -> Option<String> {
        match self.lookup(cell) {
            Named::Several(ids) => Some(format!(
                "this names more than one incubator in the incubator list ({}): write the id of the one meant",
                ids.join(", ")
            )),
            Named::Unknown if prokus_files::check_id(cell).is_err() => Some(
                "this is no incubator id, nor the name or university of an incubator in the incubator list: \
                 write the incubator's id as incubators.csv gives it (such as INK-32-01), or its name as written there"
                    .into(),
            ),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> IncubatorNames {
        let some = |s: &str| Some(s.to_string());
        IncubatorNames::new(vec![
            (
                "INK-33-02".into(),
                some("Inkubator Bisnis Universitas Diponegoro"),
                some("Universitas Diponegoro"),
            ),
            (
                "INK-33-03".into(),
                some("Inkubator Bisnis UNS"),
                some("Universitas Sebelas Maret"),
            ),
            (
                "INK-33-04".into(),
                some("Solo Technopark Incubator"),
                some("Universitas Sebelas Maret"),
            ),
            ("INK-35-01".into(), some("ILBI ITS"), None),
        ])
    }

    fn one(names: &IncubatorNames, cell: &str) -> Option<String> {
        match names.lookup(cell) {
            Named::One(id) => Some(id.to_string()),
            _ => None,
        }
    }

    #[test]
    fn a_name_or_another_spelling_of_an_id_is_read_as_the_id() {
        let n = names();
        assert!(matches!(n.lookup("INK-33-03"), Named::Id));
        for cell in [
            "Inkubator Bisnis UNS",
            "inkubator bisnis uns",
            " Inkubator  Bisnis-UNS ",
            "Inkubator UNS",
            "UNS",
            "ink-33-03",
        ] {
            assert_eq!(one(&n, cell).as_deref(), Some("INK-33-03"), "{cell:?}");
        }
        assert_eq!(
            one(&n, "Universitas Diponegoro").as_deref(),
            Some("INK-33-02")
        );
        assert_eq!(one(&n, "ilbi its").as_deref(), Some("INK-35-01"));
    }

    #[test]
    fn nothing_nearer_is_guessed_and_a_shared_name_is_refused() {
        let n = names();
        for cell in [
            "Inkubator Bisnis UNNES",
            "Diponegoro",
            "ITS",
            "Inkubator Bisnis",
        ] {
            assert!(matches!(n.lookup(cell), Named::Unknown), "{cell:?}");
        }
        let Named::Several(ids) = n.lookup("Universitas Sebelas Maret") else {
            panic!("two incubators are at this university")
        };
        assert_eq!(ids, ["INK-33-03", "INK-33-04"]);
        let reason = n.refusal("universitas sebelas maret").unwrap();
        assert!(reason.contains("INK-33-03, INK-33-04"), "{reason}");
        assert!(
            n.refusal("Inkubator Bisnis UNNES")
                .unwrap()
                .contains("no incubator id")
        );
        // May be an id of a list loaded later: asked of the list in SQL.
        assert_eq!(n.refusal("INK-99-01"), None);
    }

    #[test]
    fn the_names_read_are_counted_but_not_an_id_in_other_case() {
        let n = names();
        for cell in [
            "Inkubator Bisnis UNS",
            "inkubator bisnis uns",
            "ink-33-03",
            "ILBI ITS",
        ] {
            assert!(n.id_for(cell).is_some());
        }
        assert_eq!(n.id_for("INK-33-03"), None);
        assert_eq!(
            n.used(),
            [
                ("ILBI ITS".to_string(), "INK-35-01".to_string(), 1),
                (
                    "Inkubator Bisnis UNS".to_string(),
                    "INK-33-03".to_string(),
                    2
                ),
            ]
        );
    }
}
