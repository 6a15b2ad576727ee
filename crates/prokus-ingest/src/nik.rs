//! NIK (Nomor Induk Kependudukan, the 16-digit national ID number).
//!
//! A NIK is personal data: the engine never stores or prints it in full. What is
//! kept is a keyed hash, HMAC-SHA256 under a [`NikKey`] that lives outside the
//! database (to link the same person across files without knowing the number,
//! and so that the database file alone cannot be searched for a NIK by trying
//! every birth date), and a masked form (`3217********0012`) for people who
//! need to recognise a record. Checking also catches the NIKs that passed
//! through an Excel number cell, which keeps only 15 significant digits.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use hmac::{Hmac, Mac};
use sha2::Sha256;

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
    /// Hex HMAC-SHA256 of the digits under the [`NikKey`]; `None` when
    /// missing or damaged.
    pub hash: Option<String>,
    /// First four and last four digits, the rest as `*`.
    pub masked: Option<String>,
}

/// Checks a NIK and reduces it to a hash and a mask. `from_number_cell` says the
/// value was read from a numeric spreadsheet cell, which cannot hold 16 digits.
pub fn check_nik(raw: &str, from_number_cell: bool, key: &NikKey, wilayah: &Wilayah) -> CheckedNik {
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
    let hash = (status != NikStatus::ExcelDamaged).then(|| key.hash(&digits));
    CheckedNik {
        status,
        hash,
        masked: mask(&digits),
    }
}

/// The secret key of the NIK hashes. It is kept outside the database: in
/// `PROKUS_NIK_KEY` (64 hex digits), or in a key file (`PROKUS_NIK_KEY_FILE`,
/// else `nik.key` in the user's configuration folder, e.g.
/// `~/.config/prokus/nik.key`), created with mode 0600 on first use. Whoever
/// has the database but not the key cannot test a guessed NIK against it.
/// The same key must be used for every file of one database (checked); lose
/// it and NIKs loaded later no longer match those loaded before.
#[derive(Clone)]
pub struct NikKey {
    bytes: [u8; 32],
}

impl std::fmt::Debug for NikKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NikKey(..)")
    }
}

/// Where a [`NikKey`] comes from, for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// The `PROKUS_NIK_KEY` environment variable.
    Environment,
    /// A key file (read, or created now).
    File(PathBuf),
    /// A key made for this process only (in-memory databases, tests).
    Ephemeral,
}

impl std::fmt::Display for KeySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeySource::Environment => f.write_str("PROKUS_NIK_KEY"),
            KeySource::File(p) => write!(f, "{}", p.display()),
            KeySource::Ephemeral => f.write_str("a key of this process only"),
        }
    }
}

impl NikKey {
    /// A key from its 32 bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        NikKey { bytes }
    }

    /// A new random key (from the operating system's random source).
    pub fn random() -> Self {
        use rand::RngCore;
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        NikKey { bytes }
    }

    /// A key written as 64 hex digits (surrounding blanks ignored).
    pub fn from_hex(text: &str) -> Option<Self> {
        let bytes = hex::decode(text.trim()).ok()?;
        Some(NikKey {
            bytes: bytes.try_into().ok()?,
        })
    }

    /// The key as 64 hex digits, as the key file holds it.
    pub fn to_hex(&self) -> String {
        hex::encode(self.bytes)
    }

    /// The key of this user: `PROKUS_NIK_KEY`, else the key file (created
    /// when missing). The error says what is wrong, never the key.
    pub fn from_environment() -> Result<(Self, KeySource), String> {
        if let Ok(text) = std::env::var("PROKUS_NIK_KEY") {
            let key = Self::from_hex(&text)
                .ok_or("PROKUS_NIK_KEY is set but is not 64 hex digits (32 bytes)")?;
            return Ok((key, KeySource::Environment));
        }
        let path = Self::default_file().ok_or(
            "no place for the NIK key file: set PROKUS_NIK_KEY_FILE (or HOME) or PROKUS_NIK_KEY",
        )?;
        let key = Self::from_file(&path)?;
        Ok((key, KeySource::File(path)))
    }

    /// `PROKUS_NIK_KEY_FILE`, else `prokus/nik.key` in the user's
    /// configuration folder (`$XDG_CONFIG_HOME`, `~/.config`, `%APPDATA%`).
    pub fn default_file() -> Option<PathBuf> {
        if let Some(p) = std::env::var_os("PROKUS_NIK_KEY_FILE").filter(|p| !p.is_empty()) {
            return Some(PathBuf::from(p));
        }
        let config = std::env::var_os("XDG_CONFIG_HOME")
            .filter(|p| !p.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))
            .or_else(|| std::env::var_os("APPDATA").map(PathBuf::from))?;
        Some(config.join("prokus").join("nik.key"))
    }

    /// Reads the key file at `path`, creating it with a new random key (mode
    /// 0600) when it does not exist. Two processes creating it at once end
    /// with the same key: the file appears whole, once.
    pub fn from_file(path: &Path) -> Result<Self, String> {
        match std::fs::read_to_string(path) {
            Ok(text) => {
                return Self::from_hex(&text).ok_or_else(|| {
                    format!(
                        "{}: not a NIK key (64 hex digits); restore it from your backup",
                        path.display()
                    )
                });
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(format!("{}: {e}", path.display())),
        }
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let create = || -> std::io::Result<()> {
            use std::io::Write;
            std::fs::create_dir_all(dir)?;
            // tempfile creates its files readable by their owner only (0600).
            let mut tmp = tempfile::Builder::new()
                .prefix(".nik-key-")
                .tempfile_in(dir)?;
            writeln!(tmp, "{}", Self::random().to_hex())?;
            tmp.as_file().sync_all()?;
            match tmp.persist_noclobber(path) {
                Ok(_) => Ok(()),
                // Another process made it first: its key is the one.
                Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
                Err(e) => Err(e.error),
            }
        };
        create().map_err(|e| format!("{}: cannot create the NIK key file: {e}", path.display()))?;
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        Self::from_hex(&text).ok_or_else(|| format!("{}: not a NIK key", path.display()))
    }

    /// The keyed hash of a NIK's 16 digits, as hex.
    pub fn hash(&self, digits: &str) -> String {
        self.mac(digits.as_bytes())
    }

    /// A value that tells keys apart without revealing them or any NIK:
    /// stored in the database to catch a file loaded under another key.
    pub fn fingerprint(&self) -> String {
        self.mac(b"prokus nik key check v1")[..16].to_string()
    }

    fn mac(&self, data: &[u8]) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.bytes)
            .expect("HMAC takes a key of any length");
        mac.update(data);
        hex::encode(mac.finalize().into_bytes())
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
        let key = NikKey::from_bytes([7; 32]);
        let c = check_nik(nik, false, &key, &w);
        assert_eq!(c.status, NikStatus::Valid);
        assert_eq!(c.masked.as_deref(), Some("3217********0012"));
        let hash = c.hash.unwrap();
        assert_eq!(hash.len(), 64);
        assert!(!hash.contains(nik));
        // Another key, another hash: without the key a guess cannot be checked.
        let other = NikKey::from_bytes([8; 32]);
        assert_ne!(check_nik(nik, false, &other, &w).hash.unwrap(), hash);
        assert_eq!(
            check_nik(" 3217-0552-0885-0012 ", false, &key, &w)
                .hash
                .unwrap(),
            hash
        );
    }

    #[test]
    fn damaged_and_invalid_niks_are_flagged_not_trusted() {
        let w = Wilayah::embedded();
        let key = NikKey::from_bytes([7; 32]);
        let status = |s: &str| check_nik(s, false, &key, &w).status;
        assert_eq!(status(""), NikStatus::Missing);
        assert_eq!(status("3.21706E+15"), NikStatus::ExcelDamaged);
        assert_eq!(status("3217055208850000"), NikStatus::ExcelDamaged);
        assert_eq!(check_nik("3217055208850000", false, &key, &w).hash, None);
        assert_eq!(status("3217055208850010.0"), NikStatus::ExcelDamaged);
        let numeric = check_nik("3217055208850010", true, &key, &w);
        assert_eq!(
            (numeric.status, numeric.hash),
            (NikStatus::ExcelDamaged, None)
        );
        assert_eq!(status("321705520885001"), NikStatus::BadLength);
        assert_eq!(status("9917055208850012"), NikStatus::UnknownRegion);
        assert_eq!(status("3217057513850012"), NikStatus::BadBirthDate);
    }

    #[test]
    fn the_key_file_is_created_once_private_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cfg").join("nik.key");
        let first = NikKey::from_file(&path).unwrap();
        let again = NikKey::from_file(&path).unwrap();
        assert_eq!(first.to_hex(), again.to_hex());
        assert_eq!(first.hash("3217055208850012").len(), 64);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::write(&path, "not a key").unwrap();
        assert!(
            NikKey::from_file(&path)
                .unwrap_err()
                .contains("not a NIK key")
        );
        assert_eq!(format!("{first:?}"), "NikKey(..)");
    }
}
