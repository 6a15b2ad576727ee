//! NIK (Nomor Induk Kependudukan, the 16-digit national ID number).
//!
//! A NIK is personal data: the engine never stores or prints it in full. What is
//! kept is a salted SHA-256 hash (to link the same person across files without
//! knowing the number) and a masked form (`3217********0012`) for people who need
//! to recognise a record. Checking also catches the NIKs that passed through an
//! Excel number cell, which keeps only 15 significant digits.

use chrono::NaiveDate;
use sha2::{Digest, Sha256};

use crate::wilayah::{Level, Wilayah};

/// What checking a NIK found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NikStatus {
    /// 16 digits, a known regency prefix and a real birth date.
    Valid,
    /// No NIK given.
    Missing,
    /// Not 16 digits.
    BadLength,
    /// Written as a number by Excel (`3.21705E+15`, or 15 significant digits and
    /// trailing zeros): the last digits are lost and cannot be trusted.
    ExcelDamaged,
    /// The first four digits are not a Kemendagri regency code.
    UnknownRegion,
    /// Digits 7–12 are not a date (day + 40 for women).
    BadBirthDate,
}

impl NikStatus {
    /// The code stored in the `kpm.nik_status` column.
    pub fn as_str(self) -> &'static str {
        match self {
            NikStatus::Valid => "valid",
            NikStatus::Missing => "missing",
            NikStatus::BadLength => "bad_length",
            NikStatus::ExcelDamaged => "excel_damaged",
            NikStatus::UnknownRegion => "unknown_region",
            NikStatus::BadBirthDate => "bad_birth_date",
        }
    }
}

/// A checked NIK, reduced to what may be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedNik {
    /// The outcome of the checks.
    pub status: NikStatus,
    /// Hex SHA-256 of salt + digits; `None` when missing or damaged.
    pub hash: Option<String>,
    /// First four and last four digits, the rest as `*`.
    pub masked: Option<String>,
}

/// Checks a NIK and reduces it to a hash and a mask. `from_number_cell` says the
/// value was read from a numeric spreadsheet cell, which cannot hold 16 digits.
pub fn check_nik(raw: &str, from_number_cell: bool, salt: &str, wilayah: &Wilayah) -> CheckedNik {
    let trimmed = raw.trim().trim_start_matches('\'');
    if trimmed.is_empty() {
        return CheckedNik {
            status: NikStatus::Missing,
            hash: None,
            masked: None,
        };
    }
    let upper = trimmed.to_uppercase();
    if from_number_cell || (upper.contains('E') && upper.contains('+')) || trimmed.ends_with(".0") {
        return CheckedNik {
            status: NikStatus::ExcelDamaged,
            hash: None,
            masked: None,
        };
    }
    let digits: String = trimmed
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-'))
        .collect();
    if digits.len() != 16 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return CheckedNik {
            status: NikStatus::BadLength,
            hash: None,
            masked: mask(&digits),
        };
    }
    let status = if excel_rounded(&digits) {
        NikStatus::ExcelDamaged
    } else if wilayah.resolve(Level::Regency, &digits[..4], None).is_err() {
        NikStatus::UnknownRegion
    } else if birth_date(&digits).is_none() {
        NikStatus::BadBirthDate
    } else {
        NikStatus::Valid
    };
    let hash = (status != NikStatus::ExcelDamaged).then(|| {
        let mut h = Sha256::new();
        h.update(salt.as_bytes());
        h.update(digits.as_bytes());
        hex::encode(h.finalize())
    });
    CheckedNik {
        status,
        hash,
        masked: mask(&digits),
    }
}

/// The masked form: `3217********0012`. Short values are masked whole.
pub fn mask(digits: &str) -> Option<String> {
    let n = digits.chars().count();
    if n == 0 {
        return None;
    }
    if n < 10 {
        return Some("*".repeat(n));
    }
    let chars: Vec<char> = digits.chars().collect();
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[n - 4..].iter().collect();
    Some(format!("{head}{}{tail}", "*".repeat(n - 8)))
}

/// Excel keeps 15 significant digits, so the 16th comes back as 0. A text cell
/// cannot tell `…0010` (a real sequence number) from a rounded `…0012`; but the
/// sequence `0000` is never issued, so four trailing zeros mark a number that
/// went through Excel. (Numeric cells are caught by the caller.)
fn excel_rounded(digits: &str) -> bool {
    digits.ends_with("0000")
}

/// The birth date in digits 7–12 (DDMMYY, day + 40 for women), any century.
fn birth_date(digits: &str) -> Option<NaiveDate> {
    let day: u32 = digits[6..8].parse().ok()?;
    let month: u32 = digits[8..10].parse().ok()?;
    let year: i32 = digits[10..12].parse().ok()?;
    let day = if day > 40 { day - 40 } else { day };
    NaiveDate::from_ymd_opt(2000 + year, month, day)
        .or_else(|| NaiveDate::from_ymd_opt(1900 + year, month, day))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_nik_is_hashed_and_masked() {
        let w = Wilayah::embedded();
        // Bandung Barat (3217), district 05, a woman born 12-08-1985 (52 = 12 + 40).
        let nik = "3217055208850012";
        let c = check_nik(nik, false, "salt", &w);
        assert_eq!(c.status, NikStatus::Valid);
        assert_eq!(c.masked.as_deref(), Some("3217********0012"));
        let hash = c.hash.unwrap();
        assert_eq!(hash.len(), 64);
        assert!(!hash.contains(nik));
        // Another salt, another hash: hashes from two databases cannot be joined.
        assert_ne!(check_nik(nik, false, "other", &w).hash.unwrap(), hash);
        assert_eq!(
            check_nik(" 3217-0552-0885-0012 ", false, "salt", &w)
                .hash
                .unwrap(),
            hash
        );
    }

    #[test]
    fn damaged_and_invalid_niks_are_flagged_not_trusted() {
        let w = Wilayah::embedded();
        let status = |s: &str| check_nik(s, false, "salt", &w).status;
        assert_eq!(status(""), NikStatus::Missing);
        assert_eq!(status("3.21706E+15"), NikStatus::ExcelDamaged);
        assert_eq!(status("3217055208850000"), NikStatus::ExcelDamaged);
        assert_eq!(check_nik("3217055208850000", false, "salt", &w).hash, None);
        assert_eq!(status("3217055208850010.0"), NikStatus::ExcelDamaged);
        let numeric = check_nik("3217055208850010", true, "salt", &w);
        assert_eq!(
            (numeric.status, numeric.hash),
            (NikStatus::ExcelDamaged, None)
        );
        assert_eq!(status("321705520885001"), NikStatus::BadLength);
        assert_eq!(status("9917055208850012"), NikStatus::UnknownRegion);
        assert_eq!(status("3217057513850012"), NikStatus::BadBirthDate);
    }
}
