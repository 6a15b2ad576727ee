//! The audiences of the reports, one module each: what an audience's PDFs
//! hold (its builder), which template lays them out, which scopes it has
//! (the nation, each province, each incubator…) and where each PDF goes.
//!
//! To add an audience: write its template in `report-templates/`, a module
//! here with its builder and an [`Audience`] that names them, and add that
//! audience to [`ALL`]. `prokus report --audience NAME`, the batch, the
//! output folder and the Typst world follow from that list.

use std::path::PathBuf;

use crate::ReportError;
use crate::format::Lang;
use crate::inputs::Inputs;
use crate::payload::Built;

pub mod area;
pub mod dashboard;
pub mod incubator;
pub mod national;

/// One audience of the reports.
pub struct Audience {
    /// Its name: `prokus report --audience NAME`, and the scope under which
    /// a run records the files it wrote (`national`).
    pub name: &'static str,
    /// Who reads it, for `--help`.
    pub readers: &'static str,
    /// The indicator levels its PDFs print (of [`crate::LEVELS`]): a run
    /// of this audience alone computes these only.
    pub levels: &'static [&'static str],
    /// Whether its PDFs print what the data-quality checks found (an
    /// incubator's data to fix; the nation's count of data problems and
    /// the files that lack required questions): a run of audiences that do
    /// not (the dashboard, the provinces and regencies, whose checks are
    /// kept by incubator) runs no checks.
    pub checks: bool,
    /// Whether its PDFs print the impact estimates against the comparison
    /// group (the national report): a run of audiences that do not makes
    /// none.
    pub impact: bool,
    /// Whether its PDFs list each KPM with its rounds (the incubators'
    /// attention lists): a run of audiences that do not reads no KPM's.
    pub kpm_lists: bool,
    /// The template's file name in `report-templates/` (`national.typ`).
    pub template: &'static str,
    /// The template's text, compiled into the binary.
    pub source: &'static str,
    /// The scopes of its reports in a run: `[""]` for one report of the
    /// whole programme, else one province code, regency code or incubator
    /// id per report.
    pub scopes: fn(&Inputs) -> Vec<String>,
    /// The PDF's path under the output folder, for a scope. Built from
    /// data only through [`prokus_files::file_stem`], so it never leaves
    /// the folder.
    pub file_name: fn(&Inputs, &str) -> PathBuf,
    /// What the PDF of a scope says, in a language.
    pub build: fn(&Inputs, Lang, &str) -> Result<Built, ReportError>,
}

impl std::fmt::Debug for Audience {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

impl PartialEq for Audience {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for Audience {}

/// Every audience, in the order a batch renders them.
pub const ALL: [&Audience; 5] = [
    &national::AUDIENCE,
    &dashboard::AUDIENCE,
    &area::PROVINCE,
    &area::REGENCY,
    &incubator::AUDIENCE,
];

/// The audience called `name`.
pub fn find(name: &str) -> Option<&'static Audience> {
    ALL.iter().copied().find(|a| a.name == name)
}

/// The one scope of a report on the whole programme.
pub(crate) fn whole_programme(_: &Inputs) -> Vec<String> {
    vec![String::new()]
}

/// A file name of words: lower case, runs of other characters as one `-`
/// (`Jawa Barat` → `jawa-barat`).
pub(crate) fn slug(name: &str) -> String {
    name.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    /// Every level an audience prints is one of the report levels, and
    /// every report level is printed by some audience: a run of every
    /// audience computes [`crate::LEVELS`], no more.
    #[test]
    fn the_audiences_print_the_report_levels() {
        for audience in super::ALL {
            for level in audience.levels {
                assert!(crate::LEVELS.contains(level), "{}: {level}", audience.name);
            }
        }
        for level in crate::LEVELS {
            assert!(
                super::ALL.iter().any(|a| a.levels.contains(&level)),
                "{level} is printed by no audience"
            );
        }
    }
}
