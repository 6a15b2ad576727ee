//! Kemendagri region codes (*wilayah*): provinces, regencies (kabupaten/kota) and
//! districts (kecamatan), compiled into the binary from `data/wilayah/` (ODbL).
//!
//! Survey exports carry regions dotted (`32.17.05`), undotted (`321705`) or as names
//! in any case and spelling (`KAB. BANDUNG BARAT`, `Bandung Barat`). [`Wilayah`]
//! resolves all of them to the canonical dotted code, and for an unknown one names
//! the nearest known regions so the error message can say what was probably meant.

use std::collections::HashMap;

const PROVINCES: &str = include_str!("../data/wilayah/provinces.csv");
const REGENCIES: &str = include_str!("../data/wilayah/regencies.csv");
const DISTRICTS: &str = include_str!("../data/wilayah/districts.csv");

/// Level of a region in the administrative hierarchy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Level {
    /// Provinsi, two digits: `32`.
    Province,
    /// Kabupaten or kota, `32.17`.
    Regency,
    /// Kecamatan, `32.17.05`.
    District,
}

impl Level {
    /// The number of digits of an undotted code at this level.
    fn digits(self) -> usize {
        match self {
            Level::Province => 2,
            Level::Regency => 4,
            Level::District => 6,
        }
    }
}

/// One region: its dotted code, its parent's code and its official name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    /// Dotted Kemendagri code, e.g. `32.17`.
    pub code: String,
    /// Dotted code of the parent region (empty for a province).
    pub parent: String,
    /// Official name, e.g. `Kabupaten Bandung Barat`.
    pub name: String,
}

/// The reference list of regions with lookups by code and by name.
#[derive(Debug)]
pub struct Wilayah {
    regions: HashMap<Level, Vec<Region>>,
    by_code: HashMap<(Level, String), usize>,
    by_name: HashMap<(Level, String), Vec<usize>>,
}

/// Why a region value could not be resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownRegion {
    /// Up to three known regions nearest to the value, as `code name`.
    pub nearest: Vec<String>,
    /// The regions a bare name could be, as `code name`, when it is more
    /// than one: `Bandung` is both a kabupaten (32.04) and a kota (32.73).
    /// Empty when the value names no region.
    pub ambiguous: Vec<String>,
}

impl Wilayah {
    /// Builds the lookups from the embedded reference files.
    pub fn embedded() -> Self {
        let mut w = Wilayah {
            regions: HashMap::new(),
            by_code: HashMap::new(),
            by_name: HashMap::new(),
        };
        w.add(Level::Province, PROVINCES, false);
        w.add(Level::Regency, REGENCIES, true);
        w.add(Level::District, DISTRICTS, true);
        w
    }

    fn add(&mut self, level: Level, csv_text: &str, has_parent: bool) {
        let list = self.regions.entry(level).or_default();
        let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
        for record in reader.records().flatten() {
            let code = record.get(0).unwrap_or_default().to_string();
            let (parent, name) = if has_parent {
                (
                    record.get(1).unwrap_or_default(),
                    record.get(2).unwrap_or_default(),
                )
            } else {
                ("", record.get(1).unwrap_or_default())
            };
            let (parent, name) = (parent.to_string(), name.to_string());
            let index = list.len();
            self.by_code.insert((level, code.clone()), index);
            let normal = normalize_name(&name);
            let mut names = vec![normal.clone()];
            if level == Level::Province {
                names.extend(province_short_names(&normal));
            }
            for key in names {
                self.by_name.entry((level, key)).or_default().push(index);
            }
            list.push(Region { code, parent, name });
        }
    }

    /// All regions of one level, in code order.
    pub fn all(&self, level: Level) -> &[Region] {
        self.regions.get(&level).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The region with this dotted code, if it exists.
    pub fn get(&self, level: Level, dotted_code: &str) -> Option<&Region> {
        let index = *self.by_code.get(&(level, dotted_code.to_string()))?;
        Some(&self.all(level)[index])
    }

    /// Resolves a code (dotted or not) or a name to a region of `level`.
    ///
    /// `parent` narrows name matches (two regencies may share a name across
    /// provinces, e.g. `Kabupaten Bandung` vs `Kota Bandung` after normalising).
    pub fn resolve(
        &self,
        level: Level,
        value: &str,
        parent: Option<&str>,
    ) -> Result<&Region, UnknownRegion> {
        let value = value.trim();
        if let Some(code) = dotted(value, level) {
            if let Some(r) = self.get(level, &code) {
                return Ok(r);
            }
        } else if !value.is_empty() {
            let name = normalize_name(value);
            let named = |name: &str| -> Vec<&Region> {
                let list = self.all(level);
                self.by_name
                    .get(&(level, name.to_string()))
                    .into_iter()
                    .flatten()
                    .map(|&i| &list[i])
                    .filter(|r| parent.is_none_or(|p| r.parent == p))
                    .collect()
            };
            let mut matches = named(&name);
            // A regency named without `Kabupaten` or `Kota` (`Surabaya`,
            // `Bandung`) is also the kota of that name: the kota alone when
            // there is no kabupaten so named, and neither when there is both
            // (a guess would put a city's households in the regency around
            // it, or the other way round).
            if level == Level::Regency && !name.starts_with("kota ") && !says_kabupaten(value) {
                matches.extend(named(&format!("kota {name}")));
            }
            match matches[..] {
                [one] => return Ok(one),
                // A kabupaten and a kota (no two regencies share a name
                // otherwise); regions of other levels sharing a name are
                // told the nearest, as an unknown one.
                [_, _, ..] if level == Level::Regency => {
                    return Err(UnknownRegion {
                        nearest: Vec::new(),
                        ambiguous: matches
                            .iter()
                            .map(|r| format!("{} {}", r.code, r.name))
                            .collect(),
                    });
                }
                _ => {}
            }
        }
        Err(UnknownRegion {
            nearest: self.nearest(level, value, parent),
            ambiguous: Vec::new(),
        })
    }

    /// The three known regions whose code or name is nearest to `value`.
    fn nearest(&self, level: Level, value: &str, parent: Option<&str>) -> Vec<String> {
        // The longest region name has under 40 characters: a longer value is
        // no name, and comparing it with 7,000 names would cost a hundred
        // times more than a row is worth.
        if value.chars().count() > 64 {
            return Vec::new();
        }
        let norm = normalize_name(value);
        let as_code = value
            .chars()
            .filter(char::is_ascii_digit)
            .collect::<String>();
        let mut scored: Vec<(usize, &Region)> = self
            .all(level)
            .iter()
            .filter(|r| parent.is_none_or(|p| r.parent == p))
            .map(|r| {
                // A kota is near its name without `Kota` too (`Surabya`).
                let name = normalize_name(&r.name);
                let bare = name.strip_prefix("kota ").unwrap_or(&name);
                let by_name =
                    strsim::levenshtein(&norm, &name).min(strsim::levenshtein(&norm, bare));
                let by_code = if as_code.is_empty() {
                    usize::MAX
                } else {
                    strsim::levenshtein(&as_code, &r.code.replace('.', ""))
                };
                (by_name.min(by_code), r)
            })
            .collect();
        scored.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.code.cmp(&b.1.code)));
        scored
            .into_iter()
            .take(3)
            .map(|(_, r)| format!("{} {}", r.code, r.name))
            .collect()
    }
}

/// Turns `321705`, `32.17.05` or `32-17-05` into the dotted code of `level`;
/// `None` when the value is not made of digits and separators of that length.
fn dotted(value: &str, level: Level) -> Option<String> {
    if value.is_empty()
        || !value
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | ' '))
    {
        return None;
    }
    let digits: String = value.chars().filter(char::is_ascii_digit).collect();
    if digits.len() != level.digits() {
        // A wrong length is still a code, just not a known one.
        return Some(digits);
    }
    let parts: Vec<&str> = [
        &digits[0..2],
        digits.get(2..4).unwrap_or(""),
        digits.get(4..6).unwrap_or(""),
    ]
    .into_iter()
    .filter(|p| !p.is_empty())
    .collect();
    Some(parts.join("."))
}

/// The names people give a province with a special status, besides the
/// list's (normalised): `DKI Jakarta`, `Jakarta` and, since its 2024 law,
/// `Daerah Khusus Jakarta` for the list's Daerah Khusus Ibukota Jakarta;
/// `DI Yogyakarta`, `D.I. Yogyakarta`, `DIY` and `Yogyakarta` for Daerah
/// Istimewa Yogyakarta.
fn province_short_names(normal: &str) -> Vec<String> {
    let mut names = Vec::new();
    if let Some(rest) = normal.strip_prefix("daerah khusus ibukota ") {
        for short in ["dki", "d k i", "dk", "daerah khusus"] {
            names.push(format!("{short} {rest}"));
        }
        names.push(rest.to_string());
        if rest == "jakarta" {
            names.push("dkj".into());
        }
    } else if let Some(rest) = normal.strip_prefix("daerah istimewa ") {
        for short in ["di", "d i"] {
            names.push(format!("{short} {rest}"));
        }
        names.push(rest.to_string());
        if rest == "yogyakarta" {
            names.push("diy".into());
        }
    }
    names
}

/// Whether a region's name says it is a kabupaten (`Kab. Bogor`,
/// `KABUPATEN BOGOR`).
fn says_kabupaten(name: &str) -> bool {
    name_words(name)
        .iter()
        .any(|w| w == "kabupaten" || w == "kab")
}

/// A region name's words, lower case, punctuation folded to spaces.
fn name_words(name: &str) -> Vec<String> {
    name.to_lowercase()
        .replace(['.', ',', '-', '\''], " ")
        .split_whitespace()
        .map(String::from)
        .collect()
}

/// Lower-cases, drops the words that spellings disagree on (`Kabupaten`, `Kab.`,
/// `Kota Administrasi`, `Provinsi`, `Kecamatan`) and folds punctuation and spaces.
pub fn normalize_name(name: &str) -> String {
    let skip = [
        "kabupaten",
        "kab",
        "kecamatan",
        "kec",
        "provinsi",
        "prov",
        "administrasi",
        "adm",
    ];
    let kept: Vec<String> = name_words(name)
        .into_iter()
        .filter(|w| !skip.contains(&w.as_str()))
        .collect();
    // Keep `kota` only to tell `Kota Bandung` from `Kabupaten Bandung`.
    kept.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_dotted_undotted_and_names() {
        let w = Wilayah::embedded();
        assert_eq!(w.all(Level::Province).len(), 38);
        assert_eq!(w.all(Level::Regency).len(), 514);
        assert_eq!(w.all(Level::District).len(), 7285);
        let bb = "Kabupaten Bandung Barat";
        assert_eq!(w.resolve(Level::Regency, "32.17", None).unwrap().name, bb);
        assert_eq!(w.resolve(Level::Regency, "3217", None).unwrap().name, bb);
        assert_eq!(
            w.resolve(Level::Regency, "KAB. BANDUNG BARAT", None)
                .unwrap()
                .name,
            bb
        );
        assert_eq!(
            w.resolve(Level::Regency, "bandung barat", None)
                .unwrap()
                .name,
            bb
        );
        let d = w.resolve(Level::District, "321705", None).unwrap();
        assert_eq!(d.code, "32.17.05");
        assert_eq!(d.parent, "32.17");
        // A quoted name with an escaped quote in the reference file.
        assert_eq!(w.get(Level::District, "35.29.22").unwrap().name, "Ra\"as");
    }

    #[test]
    fn kota_and_kabupaten_of_one_name_stay_apart() {
        let w = Wilayah::embedded();
        assert_eq!(
            w.resolve(Level::Regency, "Kota Bandung", None)
                .unwrap()
                .code,
            "32.73"
        );
        assert_eq!(
            w.resolve(Level::Regency, "Kab. Bandung", None)
                .unwrap()
                .code,
            "32.04"
        );
    }

    /// A regency named without `Kabupaten` or `Kota`, as people name a
    /// city: the kota when no kabupaten has its name, and refused naming
    /// both when one has (before, `Surabaya` was unknown, its nearest
    /// `Kabupaten Sumbawa`, and `Bandung` was the kabupaten without a word).
    #[test]
    fn a_bare_regency_name_is_its_kota_or_refused_when_a_kabupaten_shares_it() {
        let w = Wilayah::embedded();
        let code = |name: &str| {
            w.resolve(Level::Regency, name, None)
                .map(|r| r.code.clone())
        };
        for (name, expected) in [
            ("Surabaya", "35.78"),
            ("Jakarta Selatan", "31.74"),
            ("Yogyakarta", "34.71"),
            ("Bandung Barat", "32.17"),
            ("Kab. Bandung", "32.04"),
            ("KOTA BANDUNG", "32.73"),
        ] {
            assert_eq!(code(name).as_deref(), Ok(expected), "{name}");
        }
        let both = w.resolve(Level::Regency, "Bandung", None).unwrap_err();
        assert_eq!(
            both.ambiguous,
            ["32.04 Kabupaten Bandung", "32.73 Kota Bandung"]
        );
        // A kabupaten that does not exist is unknown, the kota nearest.
        let none = w
            .resolve(Level::Regency, "Kab. Surabaya", None)
            .unwrap_err();
        assert!(none.ambiguous.is_empty());
        assert_eq!(none.nearest[0], "35.78 Kota Surabaya");
        let typo = w.resolve(Level::Regency, "Surabya", None).unwrap_err();
        assert_eq!(typo.nearest[0], "35.78 Kota Surabaya");
    }

    /// Provinces of a special status by the names people give them, as the
    /// incubator list's `Provinsi` column holds them.
    #[test]
    fn special_provinces_by_their_short_names() {
        let w = Wilayah::embedded();
        for (name, code) in [
            ("DKI Jakarta", "31"),
            ("D.K.I. Jakarta", "31"),
            ("Jakarta", "31"),
            ("Daerah Khusus Jakarta", "31"),
            ("DKJ", "31"),
            ("DI Yogyakarta", "34"),
            ("D.I. Yogyakarta", "34"),
            ("DIY", "34"),
            ("Yogyakarta", "34"),
            ("Daerah Istimewa Yogyakarta", "34"),
            ("JAWA BARAT", "32"),
        ] {
            let found = w.resolve(Level::Province, name, None);
            assert_eq!(found.map(|r| r.code.as_str()), Ok(code), "{name}");
        }
        // A regency named so is not the province's.
        assert_eq!(
            w.resolve(Level::Regency, "Yogyakarta", None).unwrap().code,
            "34.71"
        );
    }

    #[test]
    fn unknown_region_names_nearest_matches() {
        let w = Wilayah::embedded();
        let err = w
            .resolve(Level::Regency, "Bandung Barrat", None)
            .unwrap_err();
        assert_eq!(err.nearest[0], "32.17 Kabupaten Bandung Barat");
        let err = w.resolve(Level::Regency, "32.99", None).unwrap_err();
        assert_eq!(err.nearest.len(), 3);
        assert!(w.resolve(Level::Province, "", None).is_err());
    }
}
