//! Numbers, money, dates and quarters the way each language writes them:
//! `Rp 3.500.000`, `12,5%`, `4 Desember 2020`, `Triwulan III 2021` in Bahasa
//! Indonesia; `Rp 3,500,000`, `12.5%`, `4 December 2020`, `Q3 2021` in English.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

/// The language of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Lang {
    /// Bahasa Indonesia (default).
    Id,
    /// English.
    En,
}

impl Lang {
    /// The ISO code Typst uses for hyphenation and PDF metadata.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Id => "id",
            Lang::En => "en",
        }
    }

    fn separators(self) -> (char, char) {
        match self {
            Lang::Id => ('.', ','),
            Lang::En => (',', '.'),
        }
    }
}

/// A number with `decimals` digits, grouped by thousands: `1.234.567,8`.
pub fn number(v: f64, decimals: u8, lang: Lang) -> String {
    let (group, decimal) = lang.separators();
    let text = format!("{:.*}", usize::from(decimals), v.abs());
    let (whole, frac) = text.split_once('.').unwrap_or((&text, ""));
    let mut out = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            out.push(group);
        }
        out.push(c);
    }
    if !frac.is_empty() {
        out.push(decimal);
        out.push_str(frac);
    }
    let negative = v < 0.0 && out.chars().any(|c| c.is_ascii_digit() && c != '0');
    if negative { format!("−{out}") } else { out }
}

/// Rupiah: `Rp 3.500.000`.
pub fn rupiah(v: f64, lang: Lang) -> String {
    let n = number(v, 0, lang);
    match n.strip_prefix('−') {
        Some(rest) => format!("−Rp {rest}"),
        None => format!("Rp {n}"),
    }
}

/// A percentage: `12,5%`.
pub fn percent(v: f64, decimals: u8, lang: Lang) -> String {
    format!("{}%", number(v, decimals, lang))
}

/// A signed change: `+12,5` / `−3,0`, with a unit suffix.
pub fn signed(v: f64, decimals: u8, lang: Lang, suffix: &str) -> String {
    let n = number(v, decimals, lang);
    if n.starts_with('−') || n.chars().all(|c| !c.is_ascii_digit() || c == '0') {
        format!("{n}{suffix}")
    } else {
        format!("+{n}{suffix}")
    }
}

const MONTHS_ID: [&str; 12] = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A date: `4 Desember 2020`.
pub fn date(d: NaiveDate, lang: Lang) -> String {
    let months = if lang == Lang::Id {
        MONTHS_ID
    } else {
        MONTHS_EN
    };
    format!("{} {} {}", d.day(), months[d.month0() as usize], d.year())
}

/// The quarter of a date: `Triwulan III 2021` / `Q3 2021`.
pub fn quarter(d: NaiveDate, lang: Lang) -> String {
    let q = d.month0() / 3;
    match lang {
        Lang::Id => format!(
            "Triwulan {} {}",
            ["I", "II", "III", "IV"][q as usize],
            d.year()
        ),
        Lang::En => format!("Q{} {}", q + 1, d.year()),
    }
}

/// The text with its first letter in upper case: `kiriman ganda` →
/// `Kiriman ganda`.
pub fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indonesian_conventions() {
        assert_eq!(capitalized("kiriman ganda"), "Kiriman ganda");
        assert_eq!(capitalized("éditée"), "Éditée");
        assert_eq!(capitalized(""), "");
        assert_eq!(rupiah(3_500_000.0, Lang::Id), "Rp 3.500.000");
        assert_eq!(rupiah(-250_000.0, Lang::Id), "−Rp 250.000");
        assert_eq!(percent(12.5, 1, Lang::Id), "12,5%");
        assert_eq!(number(1234.0, 0, Lang::Id), "1.234");
        assert_eq!(number(999.96, 1, Lang::Id), "1.000,0");
        assert_eq!(signed(3.26, 1, Lang::Id, " poin"), "+3,3 poin");
        assert_eq!(signed(-0.04, 1, Lang::Id, ""), "0,0");
        let d = NaiveDate::from_ymd_opt(2020, 12, 4).unwrap();
        assert_eq!(date(d, Lang::Id), "4 Desember 2020");
        assert_eq!(
            quarter(NaiveDate::from_ymd_opt(2021, 9, 14).unwrap(), Lang::Id),
            "Triwulan III 2021"
        );
        assert_eq!(
            quarter(NaiveDate::from_ymd_opt(2021, 1, 1).unwrap(), Lang::Id),
            "Triwulan I 2021"
        );
    }

    #[test]
    fn english_conventions() {
        assert_eq!(rupiah(3_500_000.0, Lang::En), "Rp 3,500,000");
        assert_eq!(percent(12.5, 1, Lang::En), "12.5%");
        assert_eq!(
            quarter(NaiveDate::from_ymd_opt(2021, 12, 31).unwrap(), Lang::En),
            "Q4 2021"
        );
        assert_eq!(
            date(NaiveDate::from_ymd_opt(2020, 12, 4).unwrap(), Lang::En),
            "4 December 2020"
        );
    }
}
