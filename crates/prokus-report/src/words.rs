//! The reports' words in Bahasa Indonesia or English, and values in their
//! units.

use prokus_metrics::{Indicator, IndicatorRow, Unit};

use crate::format::{self, Lang};

/// Words in one language.
pub(crate) struct Words {
    pub lang: Lang,
    /// Cells of fewer KPM are suppressed ("n<5").
    pub min_cell: u32,
}

impl Words {
    pub(crate) fn pick<'a>(&self, id: &'a str, en: &'a str) -> &'a str {
        if self.lang == Lang::Id { id } else { en }
    }

    pub(crate) fn status(&self, status: Option<&str>) -> String {
        match status {
            Some("on_track") => self.pick("Sesuai target", "On track"),
            Some("at_risk") => self.pick("Berisiko", "At risk"),
            Some("off_track") => self.pick("Di bawah target", "Off track"),
            _ => "",
        }
        .to_string()
    }

    pub(crate) fn wave(&self, wave: &str) -> String {
        match wave {
            "baseline" => self.pick("Awal", "Baseline"),
            "monitoring_1" => self.pick("Monitoring 1", "Monitoring 1"),
            "monitoring_2" => self.pick("Monitoring 2", "Monitoring 2"),
            "monitoring_3" => self.pick("Monitoring 3", "Monitoring 3"),
            "endline" => self.pick("Akhir", "Endline"),
            "followup" => self.pick("Tindak lanjut", "Follow-up"),
            other => other,
        }
        .to_string()
    }

    pub(crate) fn label<'a>(&self, i: &'a Indicator) -> &'a str {
        if self.lang == Lang::Id {
            &i.label_id
        } else {
            &i.label_en
        }
    }

    /// What a suppressed cell shows (the default small-cell threshold).
    /// The line a report prints when the database has no targets.
    pub(crate) fn no_targets(&self) -> &'static str {
        self.pick(
            "Belum ada target yang dimuat, sehingga status tidak ditampilkan.",
            "No targets are loaded, so no status is shown.",
        )
    }

    /// The line a report prints when the database has no survey calendar.
    pub(crate) fn no_schedule(&self) -> &'static str {
        self.pick(
            "Belum ada jadwal survei yang dimuat, sehingga ketepatan waktu dan KPM yang belum menjawab tidak dinilai.",
            "No survey calendar is loaded, so timeliness and non-response are not judged.",
        )
    }

    /// What a suppressed cell shows: `n<5` for a small group, and for a
    /// group hidden so that a small one cannot be recovered by subtraction
    /// (complementary suppression), a mark explained in the notes.
    pub(crate) fn suppressed(&self, r: &IndicatorRow) -> String {
        if r.n < i64::from(self.min_cell) {
            format!("n<{}", self.min_cell)
        } else {
            self.pick("ditutup", "withheld").to_string()
        }
    }

    /// The note under a table that has withheld cells (see [`Self::suppressed`]).
    pub(crate) fn withheld_note(&self, rows: &[Vec<crate::payload::Cell>]) -> Option<&'static str> {
        let mark = self.pick("ditutup", "withheld");
        rows.iter().flatten().any(|c| c.text == mark).then(|| {
            self.pick(
                "Ditutup: disembunyikan agar sel kecil tidak dapat dihitung dari selisih dengan totalnya.",
                "Withheld: hidden so that a small cell cannot be worked out by subtraction from its total.",
            )
        })
    }

    /// A cell's `n`: none below the threshold, where it would tell how small
    /// the group is.
    pub(crate) fn n(&self, n: i64) -> String {
        if n < i64::from(self.min_cell) {
            format!("n<{}", self.min_cell)
        } else {
            format::number(n as f64, 0, self.lang)
        }
    }

    /// A value in its unit.
    pub fn value(&self, i: &Indicator, v: Option<f64>) -> String {
        let Some(v) = v else { return "–".into() };
        match i.unit {
            Unit::Rp => format::rupiah(v, self.lang),
            Unit::Pct => format::percent(v, i.decimals, self.lang),
            Unit::Count | Unit::Score => format::number(v, i.decimals, self.lang),
        }
    }

    /// A change in its unit (percentage points for shares).
    pub fn change(&self, i: &Indicator, v: Option<f64>) -> String {
        let Some(v) = v else { return "–".into() };
        match i.unit {
            Unit::Rp => {
                let s = format::signed(v, 0, self.lang, "");
                format!(
                    "{}Rp {}",
                    if s.starts_with('−') {
                        "−"
                    } else if s.starts_with('+') {
                        "+"
                    } else {
                        ""
                    },
                    s.trim_start_matches(['+', '−'])
                )
            }
            Unit::Pct => format::signed(v, i.decimals, self.lang, self.pick(" poin", " pts")),
            Unit::Count | Unit::Score => format::signed(v, i.decimals, self.lang, ""),
        }
    }

    pub(crate) fn ci(&self, i: &Indicator, r: &IndicatorRow) -> String {
        match (r.ci_low, r.ci_high) {
            // "Rp" stays with its number: the interval may break only
            // after its dash.
            (Some(lo), Some(hi)) => format!(
                "{} – {}",
                self.value(i, Some(lo)).replace("Rp ", "Rp\u{a0}"),
                self.value(i, Some(hi)).replace("Rp ", "Rp\u{a0}")
            ),
            _ => "–".into(),
        }
    }
}
