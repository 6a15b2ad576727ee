//! Parsers for the values that survey exports and hand-filled sheets really hold.
//!
//! Each parser takes the cell text and returns the typed value or a short reason
//! in plain words; the caller adds the file, row and column to make the message.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc};

/// Bounds on the values a cell may hold: beyond them a value is a typing
/// error (a NIK in a money answer, `9…9 jt`), rejected with its reason, so
/// that no later step meets an infinite income or a date in year 262142.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// The largest amount of rupiah (a month, or a grant) accepted.
    pub max_money: f64,
    /// The largest count (workers, sessions, visits) accepted.
    pub max_count: i64,
    /// The earliest date accepted.
    pub earliest: NaiveDate,
    /// The latest date accepted: the day of the ingest (plus one, for time
    /// zones ahead of UTC).
    pub latest: NaiveDate,
    /// Dates written with numbers alone have the month first (`3/25/2022`),
    /// as Excel writes them to CSV with an English (US) setting; without
    /// it the day is first, as Indonesia writes them.
    pub month_first: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_money: 10e9,
            max_count: 10_000,
            earliest: NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default(),
            latest: Utc::now().date_naive() + Duration::days(1),
            month_first: false,
        }
    }
}

impl Limits {
    /// `value` when it is a finite amount within the bound.
    pub fn money(&self, value: f64, text: &str) -> Result<f64, String> {
        if !value.is_finite() || value > self.max_money {
            return Err(format!(
                "`{text}` is more than Rp {} (a NIK or an extra digit?); write the amount in rupiah a month",
                grouped(self.max_money)
            ));
        }
        Ok(value)
    }

    /// `value` when it is a count within the bound.
    pub fn count(&self, value: i64, text: &str) -> Result<i64, String> {
        if value > self.max_count {
            return Err(format!(
                "`{text}` is more than {} (an extra digit?)",
                self.max_count
            ));
        }
        Ok(value)
    }

    /// `text` read as a date or a time ([`parse_datetime`]), the day and
    /// the month in the order these limits say, within the bounds. A date
    /// that reads only with the month first says so.
    pub fn date(&self, text: &str) -> Result<NaiveDateTime, String> {
        self.date_zoned(text).map(|(t, _)| t)
    }

    /// [`Limits::date`], and whether `text` named its time zone
    /// ([`parse_datetime_zoned`]).
    pub fn date_zoned(&self, text: &str) -> Result<(NaiveDateTime, bool), String> {
        let parsed = if self.month_first {
            match day_and_month_swapped(text) {
                Some(swapped) => parse_datetime_zoned(&swapped).map_err(|_| {
                    format!("`{text}` is not a date with the month first (--month-first)")
                }),
                None => parse_datetime_zoned(text),
            }
        } else {
            parse_datetime_zoned(text).map_err(|reason| {
                match day_and_month_swapped(text).map(|s| parse_datetime(&s)) {
                    Some(Ok(_)) => format!(
                        "`{text}` {MONTH_FIRST}; if the file's dates are all so, load it with \
                         `prokus ingest --month-first`"
                    ),
                    _ => reason,
                }
            })
        };
        let (t, zoned) = parsed?;
        Ok((self.time(t, text)?, zoned))
    }

    /// `t` when its date is between [`Limits::earliest`] and
    /// [`Limits::latest`].
    pub fn time(&self, t: NaiveDateTime, text: &str) -> Result<NaiveDateTime, String> {
        if t.date() < self.earliest || t.date() > self.latest {
            return Err(format!(
                "`{text}` is not between {} and {} (the day of loading); check the date's year and the device's clock",
                self.earliest, self.latest
            ));
        }
        Ok(t)
    }
}

/// A whole amount with dots between thousands, as Indonesians write it
/// (`10.000.000.000`).
fn grouped(value: f64) -> String {
    let digits = format!("{:.0}", value.max(0.0));
    let mut out = String::with_capacity(digits.len() * 4 / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push('.');
        }
        out.push(c);
    }
    out
}

/// Whether an amount's text (`2-3`, `1.000.000 - 1.500.000`, `2 s/d 3`,
/// `2 sampai 3`) gives two numbers as a range.
fn is_range(s: &str) -> bool {
    let number = |p: &str| {
        let p = p.trim();
        !p.is_empty()
            && p.chars()
                .all(|c| c.is_ascii_digit() || matches!(c, '.' | ','))
    };
    [" s/d ", " sampai ", " hingga ", "-", "–"]
        .iter()
        .any(|sep| {
            s.split_once(sep)
                .is_some_and(|(a, b)| number(a) && number(b))
        })
}

/// Words before an amount that say it is about so much, lower case (`±`,
/// `+/-`, `sekitar`, `kurang lebih`, `kira-kira`): the amount is read
/// without them.
const APPROXIMATELY: &[&str] = &[
    "±",
    "+/-",
    "+-",
    "~",
    "≈",
    "kurang lebih",
    "kurleb",
    "kira-kira",
    "kira kira",
    "kira2",
    "sekitar",
    "lebih kurang",
];

/// Parses an amount of money as written in Indonesia: `1500000`, `1.500.000`,
/// `Rp 1.500.000`, `Rp1.500.000,-`, `1.500.000,50`, `1,5 jt`, `750 rb`,
/// `2 juta`, `± 2 juta`, or an Excel number `1500000.0`. Returns rupiah.
pub fn parse_money(text: &str) -> Result<f64, String> {
    // Most cells of a machine export are plain digits: no allocation for them.
    if let Some(v) = plain_digits(text) {
        return Ok(v as f64);
    }
    let original = text;
    // A note in brackets after the amount (`1.500.000 (estimasi)`) says
    // more of it, unless it is another amount; the amount alone in
    // brackets is negative, below.
    if let Some((amount, note)) = with_note(text.trim())
        && let Ok(value) = parse_money(amount)
        && parse_money(note).is_err()
    {
        return Ok(value);
    }
    let mut s = text.trim().to_lowercase();
    if s.is_empty() {
        return Err("empty".into());
    }
    // An amount in brackets is negative, as Excel's accounting format shows
    // it (`(500.000)`, or `Rp (500.000)`): read so, and refused as negative
    // below, where it was no amount at all.
    let bracketed = |s: &str| {
        s.strip_prefix('(')
            .and_then(|inner| inner.strip_suffix(')'))
            .map(|inner| format!("-{}", inner.trim()))
    };
    if let Some(negative) = bracketed(&s) {
        s = negative;
    }
    // An amount the KPM gave as about so much (`± 2 juta`, `sekitar Rp
    // 500.000`, `kurang lebih 1,5 jt`) is that amount: every amount a
    // survey asks of a month's business is one.
    if let Some(rest) = APPROXIMATELY.iter().find_map(|word| s.strip_prefix(word)) {
        s = rest.trim().to_string();
    }
    for prefix in ["rp.", "rp", "idr"] {
        if let Some(rest) = s.strip_prefix(prefix) {
            s = rest.trim().to_string();
            if let Some(negative) = bracketed(&s) {
                s = negative;
            }
            break;
        }
    }
    // `Rp -` is how a sheet in accounting format shows zero (saved as CSV,
    // Excel writes what the cell shows). A bare `-`, typed by hand, may
    // mean nothing as well as zero: the cell is read as no answer before it
    // gets here (`answer_cell`).
    if s == "-" && s.len() < original.trim().len() {
        return Ok(0.0);
    }
    // Every amount is per month: a sheet that says so (`Rp 1.500.000 per
    // bulan`, `2 jt/bln`) says what the column means.
    for per in [
        "per bulan",
        "perbulan",
        "/bulan",
        "/ bulan",
        "/bln",
        "sebulan",
    ] {
        if let Some(rest) = s.strip_suffix(per) {
            s = rest.trim().to_string();
            break;
        }
    }
    if let Some(rest) = s.strip_suffix(",-").or_else(|| s.strip_suffix(".-")) {
        s = rest.trim().to_string();
    }
    let mut multiplier = 1.0;
    for (suffix, m) in [
        ("juta", 1e6),
        ("jt", 1e6),
        ("ribu", 1e3),
        ("rb", 1e3),
        ("k", 1e3),
    ] {
        if let Some(rest) = s.strip_suffix(suffix) {
            s = rest.trim().to_string();
            multiplier = m;
            break;
        }
    }
    let Some(number) = parse_id_number(&s) else {
        // Written out in words and parts (`1 juta 500 ribu`, `dua juta`,
        // `setengah juta`): the whole cell, read again.
        if let Some(value) = amount_in_words(&original.trim().to_lowercase()) {
            return Ok(value);
        }
        return Err(if is_range(&s) {
            format!(
                "`{original}` is a range: write one amount, the KPM's best guess \
                 (such as the middle of the range)"
            )
        } else {
            format!("`{original}` is not an amount of rupiah (write e.g. 1500000 or Rp 1.500.000)")
        });
    };
    if number < 0.0 {
        return Err(format!(
            "`{original}` is negative: the form asks 0 or more (a month's loss is written 0); leave it empty if not known"
        ));
    }
    let value = number * multiplier;
    if !value.is_finite() {
        return Err(format!("`{original}` is not a finite amount"));
    }
    Ok(value)
}

/// An amount written in parts, each a number and its unit, the largest
/// first (`1 juta 500 ribu`, `Rp 2 jt 250 rb`), a number being digits, a
/// word of zero to ten (`dua juta`) or `setengah` (a half: `setengah
/// juta`), with `Rp` before it or not; `None` for any other text.
fn amount_in_words(lower: &str) -> Option<f64> {
    let mut words = lower.split_whitespace().peekable();
    if words
        .peek()
        .is_some_and(|w| matches!(*w, "rp" | "rp." | "idr"))
    {
        words.next();
    }
    let unit = |w: &str| match w {
        "miliar" | "milyar" => Some(1e9),
        "juta" | "jt" => Some(1e6),
        "ribu" | "rb" => Some(1e3),
        _ => None,
    };
    let mut total = 0.0;
    let mut last_unit = f64::INFINITY;
    let mut parts = 0;
    while let Some(word) = words.next() {
        let number = match word {
            "setengah" => 0.5,
            w => match NUMBER_WORDS.iter().position(|n| *n == w) {
                Some(n) => n as f64,
                None => parse_id_number(w)?,
            },
        };
        let multiplier = unit(words.next()?)?;
        if multiplier >= last_unit || number < 0.0 {
            return None;
        }
        last_unit = multiplier;
        total += number * multiplier;
        parts += 1;
    }
    (parts > 0 && total.is_finite()).then_some(total)
}

/// Parses a number with Indonesian separators (`.` thousands, `,` decimal) or a
/// plain machine number (`1500000`, `1500000.5`, `1.5`).
pub fn parse_id_number(s: &str) -> Option<f64> {
    let s = s.trim().replace([' ', '\u{a0}'], "");
    if s.is_empty()
        || !s
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | '-'))
    {
        return None;
    }
    let dots = s.matches('.').count();
    let commas = s.matches(',').count();
    let normalized = match (dots, commas) {
        (0, 0) => s.clone(),
        // `1.500.000` or `1.500.000,50`: dots group thousands.
        (d, c) if c <= 1 && d >= 1 && thousands_grouped(s.split(',').next()?, '.') => {
            s.replace('.', "").replace(',', ".")
        }
        // `1,5` or `10,25`: decimal comma.
        (0, 1) if !thousands_grouped(&s, ',') => s.replace(',', "."),
        // `1,500,000` or `1,500,000.50`: English grouping.
        (d, c) if d <= 1 && c >= 1 && thousands_grouped(s.split('.').next()?, ',') => {
            s.replace(',', "")
        }
        // `1500000.5`: a machine decimal.
        (1, 0) => s.clone(),
        _ => return None,
    };
    normalized.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// Whether `s` is digits grouped by threes with `sep` (`1.500.000`).
fn thousands_grouped(s: &str, sep: char) -> bool {
    let s = s.strip_prefix('-').unwrap_or(s);
    let groups: Vec<&str> = s.split(sep).collect();
    groups.len() >= 2
        && (1..=3).contains(&groups[0].len())
        && groups[1..].iter().all(|g| g.len() == 3)
        && groups.iter().all(|g| g.chars().all(|c| c.is_ascii_digit()))
}

/// `s` as a whole number when it is nothing but ASCII digits (at most 15, so
/// that it is exact as an `f64`).
fn plain_digits(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.is_empty() || b.len() > 15 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    s.parse().ok()
}

/// The units a count may be written with (see [`parse_count`]).
const COUNT_UNITS: [&str; 7] = ["orang", "org", "kali", "x", "sesi", "kunjungan", "hari"];

/// Numbers as words, zero to ten, as a sheet's maker writes a count
/// (`dua orang`).
const NUMBER_WORDS: [&str; 11] = [
    "nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan",
    "sepuluh",
];

/// Parses a whole count (workers, sessions): `3`, `3.0` (an Excel number),
/// `3 orang` (a unit after it: `orang`, `org`, `kali`, `x`, `sesi`,
/// `kunjungan`, `hari`), `dua` (a number word, zero to ten), `tidak ada`
/// (none: 0), a note in brackets after it (`1 (istri)`).
pub fn parse_count(text: &str) -> Result<i64, String> {
    if let Some(v) = plain_digits(text) {
        return Ok(v);
    }
    let s = text.trim();
    if let Some((count, _)) = with_note(s) {
        return parse_count(count).map_err(|_| format!("`{text}` is not a whole number"));
    }
    if s.eq_ignore_ascii_case("tidak ada") {
        return Ok(0);
    }
    // A sheet's count with its unit after it: `2 orang` (people), `3 org`,
    // `4 kali` or `4x` (times), `2 sesi`, `1 kunjungan`, `30 hari` (days).
    // About so many (`± 3 orang`, `sekitar 2`) is that many.
    let lower = s.to_lowercase();
    let (s, lower) = match APPROXIMATELY.iter().find_map(|w| lower.strip_prefix(w)) {
        Some(rest) => (rest.trim(), rest.trim()),
        None => (s, lower.as_str()),
    };
    let s = COUNT_UNITS
        .iter()
        .find_map(|unit| lower.strip_suffix(unit))
        .filter(|rest| rest.ends_with(|c: char| c.is_ascii_digit() || c == ' '))
        .map_or(s, str::trim);
    let value = parse_id_number(s)
        .or_else(|| {
            let word = NUMBER_WORDS.iter().position(|w| w.eq_ignore_ascii_case(s));
            word.map(|n| n as f64)
        })
        .ok_or_else(|| format!("`{text}` is not a whole number"))?;
    if value.fract() != 0.0 || value < 0.0 {
        return Err(format!("`{text}` is not a whole number of 0 or more"));
    }
    Ok(value as i64)
}

/// Parses yes/no as exports and people write it: `1/0`, `ya/tidak`, `yes/no`,
/// `y/t/n`, `true/false`, `benar/salah`, `ada/tidak ada`, `bersedia/tidak
/// bersedia`, `setuju/tidak setuju`, `sudah punya/belum punya`,
/// `berjalan/tutup`, `aktif/tidak aktif`.
pub fn parse_yes_no(text: &str) -> Result<bool, String> {
    match text {
        "1" => return Ok(true),
        "0" => return Ok(false),
        _ => {}
    }
    // Compared without lowercasing into a new string (a sheet's `ya` and
    // `tidak` fill millions of cells): the words are ASCII, and no other
    // character lowercases to one of their letters.
    // `sudah`/`belum` (already, not yet) answer the questions of a habit or
    // a licence (`Sudah punya NIB?`) as a sheet asks them; `bersedia` and
    // `setuju` (willing, agreed) a consent (`consent_story`); `berjalan`,
    // `aktif`, `buka` and `tutup`, `berhenti` (running, active, open; closed,
    // stopped) whether the business still runs (`business_operating`).
    const YES: [&str; 22] = [
        "1",
        "1.0",
        "ya",
        "y",
        "yes",
        "true",
        "benar",
        "ada",
        "iya",
        "sudah",
        "punya",
        "sudah punya",
        "bersedia",
        "setuju",
        "berjalan",
        "masih berjalan",
        "aktif",
        "masih aktif",
        "buka",
        "masih buka",
        "sudah ada",
        "masih",
    ];
    const NO: [&str; 29] = [
        "0",
        "0.0",
        "tidak",
        "t",
        "n",
        "no",
        "false",
        "salah",
        "tidak ada",
        "tdk",
        "bukan",
        "belum",
        "tidak punya",
        "belum ada",
        "tidak bersedia",
        "tidak setuju",
        "tdk bersedia",
        "tdk setuju",
        "menolak",
        "belum punya",
        "tidak berjalan",
        "tidak aktif",
        "tutup",
        "sudah tutup",
        "berhenti",
        "sudah berhenti",
        "bangkrut",
        "tidak pernah",
        "belum pernah",
    ];
    let s = text.trim();
    if YES.iter().any(|w| w.eq_ignore_ascii_case(s)) {
        Ok(true)
    } else if NO.iter().any(|w| w.eq_ignore_ascii_case(s)) {
        Ok(false)
    } else if let Some((answer, note)) = with_note(s)
        && let Ok(yes) = parse_yes_no(answer)
    {
        // `Ya (WA)`, `Sudah (2022)`: the note says more, unless it says
        // the opposite (`Ya (belum)`).
        match parse_yes_no(note) {
            Ok(other) if other != yes => Err(format!(
                "`{text}` says yes and no: write ya or tidak, and the note in a column of its own"
            )),
            _ => Ok(yes),
        }
    } else if let Some((answer, more)) = s.split_once(',')
        && more.chars().any(char::is_alphabetic)
        && let Ok(yes) = parse_yes_no(answer)
        && let Ok(again) = parse_yes_no(more.trim())
    {
        // A form's choice that says its answer, then says it again in a
        // phrase of its own (`Ya, masih berjalan`, `Tidak, sudah tutup`),
        // unless the phrase says the opposite (`Ya, tidak`).
        if again == yes {
            Ok(yes)
        } else {
            Err(format!(
                "`{text}` says yes and no: write ya or tidak, and the note in a column of its own"
            ))
        }
    } else {
        yes_no_said_so(s).ok_or_else(|| {
            if matches!(s, "✓" | "✔" | "☑" | "✗" | "✘" | "x" | "X" | "v" | "V") {
                // A sheet of ticks leaves its noes empty, which would read
                // as no answer: every share would be of the ticked alone.
                format!(
                    "`{text}` is a tick or a cross, not yes/no: write ya or tidak in every row \
                     (an empty cell is no answer, not a no)"
                )
            } else {
                format!("`{text}` is not yes/no (use 1/0, ya/tidak or yes/no)")
            }
        })
    }
}

/// A cell's answer and the note in brackets after it (`Ya (WA)` → `Ya`,
/// `WA`), when the cell ends so and the answer is not empty: for amounts,
/// counts, yes/no and choices alike.
pub(crate) fn with_note(s: &str) -> Option<(&str, &str)> {
    let (answer, note) = s.strip_suffix(')')?.split_once('(')?;
    let answer = answer.trim();
    (!answer.is_empty() && !note.contains(['(', ')'])).then_some((answer, note.trim()))
}

/// A yes or a no said with more words than [`parse_yes_no`]'s, as a sheet's
/// maker types them: a full stop after it (`Ya.`), a word that says it
/// again after a comma or not (`Ya, sudah`, `ya sudah ada`, `Tidak,
/// belum`), or shortened (`Sdh`, `Blm`). Any other word (`Ya, tapi belum
/// rutin`) leaves it no yes/no.
fn yes_no_said_so(s: &str) -> Option<bool> {
    const SAYS_YES: [&str; 8] = ["ya", "iya", "y", "yes", "sudah", "sdh", "benar", "betul"];
    const SAYS_NO: [&str; 6] = ["tidak", "tdk", "no", "belum", "blm", "bukan"];
    // Words that only say the yes or the no again.
    const AGAIN_YES: [&str; 6] = ["sudah", "sdh", "ada", "punya", "benar", "betul"];
    const AGAIN_NO: [&str; 6] = ["belum", "blm", "tidak", "tdk", "ada", "punya"];
    let lower = s.to_lowercase();
    let mut words = lower
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | '.' | '!' | ';'))
        .filter(|w| !w.is_empty());
    let first = words.next()?;
    let (yes, again) = if SAYS_YES.contains(&first) {
        (true, &AGAIN_YES)
    } else if SAYS_NO.contains(&first) {
        (false, &AGAIN_NO)
    } else {
        return None;
    };
    words.all(|w| again.contains(&w)).then_some(yes)
}

/// The codes the register stores for a KPM's gender, programme arm, business
/// cluster and category, which the indicator table writes as group codes.
pub const GENDERS: [&str; 2] = ["female", "male"];
/// See [`GENDERS`].
pub const ARMS: [&str; 2] = ["prokus", "comparison"];
/// See [`GENDERS`].
pub const CLUSTERS: [&str; 4] = ["fesyen", "agribisnis", "ritel", "kuliner"];
/// See [`GENDERS`].
pub const CATEGORIES: [&str; 3] = ["start_up", "scale_up", "inkubasi"];

/// A gender as people write it (`P`, `Pr`, `perempuan`, `L`, `Lk`,
/// `laki-laki`, `laki2`, `female`, ...) to its code of [`GENDERS`]; `None`
/// for any other word (an empty cell included).
pub fn parse_gender(text: &str) -> Option<&'static str> {
    // `Laki-laki`, `laki laki`, `lakilaki`, `laki2` and `laki` are one word.
    // Only after `laki` is a `2` the word again: `P2` or `2` is no gender
    // (a code of 1 and 2, whose order no sheet says).
    let word: String = text
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.'))
        .collect();
    match word.as_str() {
        "p" | "pr" | "perempuan" | "f" | "female" | "wanita" | "woman" => Some("female"),
        "l" | "lk" | "laki" | "lakilaki" | "laki2" | "m" | "male" | "pria" | "man" => Some("male"),
        _ => None,
    }
}

/// The words people write for each programme arm of [`ARMS`], lowercase:
/// the households ProKUS serves (`penerima`, `treatment`, ...) and the
/// comparison group (`pembanding`, `kontrol`, `control`). [`parse_arm`]
/// reads a cell by them, and a mapping's draft matches a form's choices
/// with them.
pub const ARM_WORDS: [(&str, &[&str]); 2] = [
    (
        "prokus",
        &[
            "prokus",
            "penerima",
            "treatment",
            "intervensi",
            "peserta",
            "perlakuan",
        ],
    ),
    (
        "comparison",
        &["comparison", "pembanding", "kontrol", "control"],
    ),
];

/// A programme arm as people write it (`prokus`, `penerima`, `treatment`,
/// `comparison`, `Kelompok pembanding`, `control group`; see
/// [`ARM_WORDS`]) to its code of [`ARMS`]; `None` for any other word (an
/// empty cell included).
pub fn parse_arm(text: &str) -> Option<&'static str> {
    let text = text.trim().to_lowercase();
    // The word a sheet puts around it: `Kelompok kontrol`, `treatment group`.
    let word = ["kelompok ", "grup ", "group "]
        .iter()
        .find_map(|before| text.strip_prefix(before))
        .or_else(|| text.strip_suffix(" group"))
        .unwrap_or(&text)
        .trim();
    ARM_WORDS
        .iter()
        .find(|(_, words)| words.contains(&word))
        .map(|(code, _)| *code)
}

/// Why a cell is no arm, with the words that are (for a refused row).
pub fn arm_words_reason() -> String {
    let [(prokus, treated), (comparison, compared)] = ARM_WORDS;
    format!(
        "the arm must be `{prokus}` (or {}) or `{comparison}` (or {})",
        treated[1..].join(", "),
        compared[1..].join(", ")
    )
}

/// A business cluster (`Kuliner`, `retail`, `kriya tekstil/fesyen`, ...) to
/// its code of [`CLUSTERS`]; `None` for any other word.
pub fn parse_cluster(text: &str) -> Option<&'static str> {
    // As incubators write the kind of business: a cluster's own name, or
    // the trade it covers (`Makanan dan Minuman`, `Toko Kelontong`,
    // `Peternakan`, `Konveksi`). A trade no cluster covers (`Jasa`,
    // services) is refused.
    let words = code_words(text)
        .replace("_&_", "_dan_")
        .replace('&', "_dan_");
    match words.as_str() {
        "fesyen"
        | "kriya_tekstil"
        | "kriya_tekstil_fesyen"
        | "fashion"
        | "kriya"
        | "kerajinan"
        | "konveksi"
        | "jahit"
        | "menjahit"
        | "busana"
        | "pakaian"
        | "batik"
        | "tenun"
        | "tekstil" => Some("fesyen"),
        "agribisnis" | "agribusiness" | "agrobisnis" | "pertanian" | "peternakan" | "perikanan"
        | "perkebunan" | "budidaya" | "agriculture" => Some("agribisnis"),
        "ritel" | "retail" | "perdagangan" | "dagang" | "warung" | "toko" | "toko_kelontong"
        | "kelontong" | "sembako" | "warung_sembako" => Some("ritel"),
        "kuliner"
        | "culinary"
        | "makanan"
        | "minuman"
        | "makanan_dan_minuman"
        | "makanan_minuman"
        | "mamin"
        | "f_dan_b"
        | "food_dan_beverage"
        | "olahan_pangan"
        | "pangan"
        | "olahan_makanan" => Some("kuliner"),
        _ => None,
    }
}

/// A business category (`Start Up`, `scale-up`, `inkubasi`, ...) to its code
/// of [`CATEGORIES`]; `None` for any other word.
pub fn parse_category(text: &str) -> Option<&'static str> {
    match code_words(text).as_str() {
        "start_up" | "startup" => Some("start_up"),
        "scale_up" | "scaleup" => Some("scale_up"),
        "inkubasi" | "incubation" => Some("inkubasi"),
        _ => None,
    }
}

/// `s` lowercased, its spaces, hyphens and slashes made `_`.
pub(crate) fn code_words(s: &str) -> String {
    s.trim().to_lowercase().replace([' ', '-', '/'], "_")
}

/// Parses a quarter to its code (`2021-Q3`): `2021-Q3`, `2021 Q3`,
/// `Q3 2021`, `TW3 2021`, `Triwulan III 2021`, or a date within it
/// (`2021-09-30`, `30/09/2021`).
pub fn parse_quarter(text: &str) -> Result<String, String> {
    let s = text.trim();
    let fail = || {
        format!(
            "`{text}` is not a quarter: write it as 2021-Q3 (or Q3 2021, Triwulan III 2021, a date within it)"
        )
    };
    if s.is_empty() {
        return Err("the period is empty: write the quarter, e.g. 2021-Q3".into());
    }
    // A date, not a number (which parse_datetime would read as Excel's).
    if s.len() >= 8
        && s.contains(['-', '/'])
        && let Ok(t) = parse_datetime(s)
        && (2000..=2100).contains(&t.year())
    {
        let d = t.date();
        return Ok(quarter_code(d.year(), d.month0() / 3 + 1));
    }
    let lower = s.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| c.is_whitespace() || c == '-' || c == '/' || c == '_' || c == ',')
        .filter(|w| !w.is_empty())
        .collect();
    let mut year = None;
    let mut quarter = None;
    let roman = |w: &str| match w {
        "i" => Some(1),
        "ii" => Some(2),
        "iii" => Some(3),
        "iv" => Some(4),
        _ => None,
    };
    let mut after_word = false;
    for w in &words {
        let digits = |rest: &str| rest.parse::<u32>().ok().filter(|q| (1..=4).contains(q));
        if w.len() == 4 && w.chars().all(|c| c.is_ascii_digit()) {
            year = w.parse::<i32>().ok();
        } else if let Some(y) = w
            .strip_suffix(|c: char| ('1'..='4').contains(&c))
            .and_then(|r| r.strip_suffix('q'))
            .filter(|r| r.len() == 4)
        {
            // `2021q3`
            year = y.parse().ok();
            quarter = w[w.len() - 1..].parse().ok();
        } else if matches!(*w, "triwulan" | "quarter" | "kuartal" | "tw" | "q") {
            after_word = true;
        } else if let Some(q) = w.strip_prefix("tw").or_else(|| w.strip_prefix('q')) {
            quarter = digits(q).or_else(|| roman(q));
        } else if after_word {
            quarter = digits(w).or_else(|| roman(w));
            after_word = false;
        } else {
            return Err(fail());
        }
    }
    match (year, quarter) {
        (Some(y), Some(q)) if (2000..=2100).contains(&y) => Ok(quarter_code(y, q)),
        _ => Err(fail()),
    }
}

/// `2021-Q3`.
fn quarter_code(year: i32, quarter: u32) -> String {
    format!("{year}-Q{quarter}")
}

/// Parses a submission or interview time to UTC: ISO 8601 with or without an
/// offset (naive times are taken as UTC, as Kobo's `_submission_time` is),
/// `dd/mm/yyyy [hh:mm[:ss]]`, or an Excel serial number (1900 date system).
pub fn parse_datetime(text: &str) -> Result<NaiveDateTime, String> {
    parse_datetime_zoned(text).map(|(t, _)| t)
}

/// [`parse_datetime`], and whether the text named its time zone: an ISO
/// time's offset or `Z` (`2022-03-18T10:11:12+07:00`), or Indonesia's zone
/// after it (`10.11 WIB`), which the time was turned into UTC by. Any other
/// is as written: for a hand-filled sheet, the local time its writer saw.
pub fn parse_datetime_zoned(text: &str) -> Result<(NaiveDateTime, bool), String> {
    let s = trim(text);
    // The two shapes nearly every cell has, read digit by digit: chrono's
    // parsers, which give the same values for them, were some 3% of the
    // CPU time of a template's ingest.
    if let Some(t) = iso_digits(s) {
        return Ok((t, false));
    }
    parse_datetime_by_format(s).ok_or_else(|| {
        if month_without_day(s) {
            format!(
                "`{text}` names a month but no day: give the interview's date \
                 (31 Maret 2021 or 31/03/2021)"
            )
        } else {
            format!(
                "`{text}` is not a date (use 2021-03-31, 31/03/2021, 31 Maret 2021 or an ISO time)"
            )
        }
    })
}

/// What a refused date's reason says when the date reads with the month
/// first; the load finds those rows by it.
pub(crate) const MONTH_FIRST: &str = "reads only month first (Excel's English (US) setting)";

/// `text` with its first two numbers swapped when it is a date of numbers
/// alone (`3/25/2022` → `25/3/2022`, a time after it kept), else `None`.
fn day_and_month_swapped(text: &str) -> Option<String> {
    let s = trim(text);
    let (date, time) = s.split_once(' ').unwrap_or((s, ""));
    let separator = date.chars().find(|c| matches!(c, '/' | '-' | '.'))?;
    let parts: Vec<&str> = date.split(separator).collect();
    let [first, second, year] = parts[..] else {
        return None;
    };
    let short = |p: &str| (1..=2).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit());
    if !short(first)
        || !short(second)
        || !matches!(year.len(), 2 | 4)
        || !year.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let sep = separator.to_string();
    let swapped = [second, first, year].join(&sep);
    Some(if time.is_empty() {
        swapped
    } else {
        format!("{swapped} {time}")
    })
}

/// Whether `s` is a month and a year alone (`Maret 2021`, `Mar-21`), as a
/// sheet heads a month's visits.
fn month_without_day(s: &str) -> bool {
    let words: Vec<&str> = s
        .split([' ', '-', '/', ',', '.'])
        .filter(|w| !w.is_empty())
        .collect();
    let [month, year] = words[..] else {
        return false;
    };
    month_number(month).is_some()
        && matches!(year.len(), 2 | 4)
        && year.chars().all(|c| c.is_ascii_digit())
}

/// The month (0 for January) `word` names: one of [`MONTHS`]' names, or
/// the beginning of one, three letters or more, case aside.
fn month_number(word: &str) -> Option<usize> {
    let month = word.to_lowercase();
    if month.chars().count() < 3 || !month.chars().all(char::is_alphabetic) {
        return None;
    }
    MONTHS
        .iter()
        .position(|names| names.iter().any(|name| name.starts_with(&month)))
}

/// [`parse_datetime_zoned`] by chrono's parsers and an Excel serial date,
/// each form in turn; `s` is trimmed.
fn parse_datetime_by_format(s: &str) -> Option<(NaiveDateTime, bool)> {
    let local = |t: NaiveDateTime| Some((t, false));
    // An ISO time with fractions of a second (`2021-06-30T10:11:12.5`),
    // naive: UTC, as Kobo's `_submission_time`.
    if let Ok(dt) = s.parse::<NaiveDateTime>() {
        return local(dt);
    }
    // chrono's `%Y` takes `21` as the year 21: a year written with two
    // digits is `%y`'s, below.
    let four_digit_year = s
        .as_bytes()
        .split(|b| !b.is_ascii_digit())
        .any(|run| run.len() >= 4);
    // A hand-filled sheet's date (`2022-03-18`), before the formats that
    // would each fail on it first.
    if let Ok(d) = s.parse::<NaiveDate>()
        && four_digit_year
    {
        return local(d.and_time(NaiveTime::MIN));
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Some((dt.with_timezone(&Utc).naive_utc(), true));
    }
    for fmt in ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%dT%H:%M:%S%.f%:z"] {
        if let Ok(dt) = DateTime::parse_from_str(s, fmt) {
            return Some((dt.with_timezone(&Utc).naive_utc(), true));
        }
    }
    for fmt in [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
        "%d/%m/%Y %H:%M:%S",
        "%d/%m/%Y %H:%M",
        "%d/%m/%y %H:%M:%S",
        "%d/%m/%y %H:%M",
        "%Y/%m/%d %H:%M:%S",
        "%Y/%m/%d %H:%M",
    ] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(s, fmt)
            && (four_digit_year || !fmt.contains("%Y"))
        {
            return local(dt);
        }
    }
    // Indonesia writes the day first, with `/`, `-` or `.` between, and a
    // sheet shortens the year to two digits (`31/03/21`: 2021); a year of
    // four digits written first leaves no doubt (`2021/03/31`, as some
    // spreadsheets' locales write it).
    for fmt in [
        "%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y", "%d-%m-%y", "%d.%m.%y",
        "%Y/%m/%d", "%Y.%m.%d",
    ] {
        if let Ok(d) = NaiveDate::parse_from_str(s, fmt)
            && (four_digit_year || !fmt.contains("%Y"))
        {
            return local(d.and_time(NaiveTime::MIN));
        }
    }
    if let Some(d) = named_month_date(s) {
        return local(d.and_time(NaiveTime::MIN));
    }
    if let Some(dt) = date_then_time(s) {
        return Some(dt);
    }
    // `20220318`, as some systems write a date: eight digits, too many for
    // an Excel serial, a year of this programme's time.
    if s.len() == 8
        && s.bytes().all(|b| b.is_ascii_digit())
        && let Ok(d) = NaiveDate::parse_from_str(s, "%Y%m%d")
        && (1990..=2100).contains(&d.year())
    {
        return local(d.and_time(NaiveTime::MIN));
    }
    if let Some(serial) = parse_id_number(s).filter(|v| (1.0..2_958_466.0).contains(v)) {
        return local(excel_serial_to_datetime(serial, false));
    }
    None
}

/// A date in any form read here and a time of day after it, as
/// Indonesian settings write it (`18/03/2022 10.11`: Excel saves a date
/// cell so to CSV under them), with `pukul` or `jam` before it and
/// Indonesia's time zone after it (`18 Maret 2022 pukul 10.11 WIB`), or as
/// English (US) settings do (`3/18/2022 10:11:12 AM`, for the month-first
/// check). WIB, WITA and WIT are turned into UTC, as an ISO time's offset
/// is; a time without a zone is kept as written. `s` is trimmed; a cell of
/// more than 64 characters is no date.
fn date_then_time(s: &str) -> Option<(NaiveDateTime, bool)> {
    if s.len() > 64 {
        return None;
    }
    let mut words: Vec<&str> = s.split_whitespace().collect();
    let zone = match words.last()?.to_ascii_uppercase().as_str() {
        "WIB" => Some(7),
        "WITA" => Some(8),
        "WIT" => Some(9),
        _ => None,
    };
    if zone.is_some() {
        words.pop();
    }
    let half = words
        .last()
        .filter(|w| w.eq_ignore_ascii_case("am") || w.eq_ignore_ascii_case("pm"))
        .map(|w| w.to_ascii_uppercase());
    if half.is_some() {
        words.pop();
    }
    let clock = words.pop()?;
    let time = match &half {
        Some(half) => ["%I:%M:%S %p", "%I:%M %p", "%I.%M.%S %p", "%I.%M %p"]
            .iter()
            .find_map(|f| NaiveTime::parse_from_str(&format!("{clock} {half}"), f).ok()),
        None => ["%H:%M:%S%.f", "%H:%M", "%H.%M.%S", "%H.%M"]
            .iter()
            .find_map(|f| NaiveTime::parse_from_str(clock, f).ok()),
    }?;
    if words
        .last()
        .is_some_and(|w| w.eq_ignore_ascii_case("pukul") || w.eq_ignore_ascii_case("jam"))
    {
        words.pop();
    }
    if words.is_empty() {
        return None;
    }
    // A date alone: its time is midnight (a date with a time of its own
    // and another after it is no date).
    let (date, _) = parse_datetime_by_format(&words.join(" "))?;
    if date.time() != NaiveTime::MIN {
        return None;
    }
    let at = date.date().and_time(time) - Duration::hours(zone.unwrap_or(0));
    Some((at, zone.is_some()))
}

/// The months as a sheet names them, in Bahasa Indonesia and English, in
/// full or shortened: a name is its month's when it is one of these or
/// begins with the first three letters of one.
const MONTHS: [&[&str]; 12] = [
    &["januari", "january"],
    &["februari", "february", "pebruari"],
    &["maret", "march", "mrt"],
    &["april"],
    &["mei", "may"],
    &["juni", "june"],
    &["juli", "july"],
    &["agustus", "august", "agt", "ags"],
    &["september", "sept"],
    &["oktober", "october"],
    &["november", "nopember"],
    &["desember", "december"],
];

/// A date with its month named: `31 Maret 2021`, `31 Mar 2021`,
/// `31-Mar-21` (a spreadsheet's text of a date cell), `31 Agt. 2021`, a
/// weekday before it (`Rabu, 31 Maret 2021`) or not.
fn named_month_date(s: &str) -> Option<NaiveDate> {
    let mut words: Vec<&str> = s
        .split([' ', '-', '/', ',', '.'])
        .filter(|w| !w.is_empty())
        .collect();
    if words.len() == 4 && words[0].chars().all(char::is_alphabetic) {
        words.remove(0);
    }
    let [day, month, year] = words[..] else {
        return None;
    };
    // The month named first, as English (US) writes it: `Mar 18, 2022`.
    let (day, month) = if month_number(day).is_some() {
        (month, day)
    } else {
        (day, month)
    };
    let number = month_number(month)?;
    let day: u32 = day.parse().ok()?;
    let year: i32 = match year.len() {
        4 => year.parse().ok()?,
        // As chrono reads `%y`: 00 to 68 are 2000 to 2068.
        2 => {
            let y: i32 = year.parse().ok()?;
            if y <= 68 { 2000 + y } else { 1900 + y }
        }
        _ => return None,
    };
    NaiveDate::from_ymd_opt(year, u32::try_from(number).ok()? + 1, day)
}

/// `2022-03-18` or `2021-06-30T10:11:12`, when `s` is exactly one of those
/// shapes and a real date and time; otherwise `None` (the caller's parsers
/// then decide, and name the problem).
fn iso_digits(s: &str) -> Option<NaiveDateTime> {
    let b = s.as_bytes();
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        b.get(range)?.iter().try_fold(0u32, |n, &d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    };
    let date = match (b.len(), b.get(4), b.get(7)) {
        (10 | 19, Some(b'-'), Some(b'-')) => NaiveDate::from_ymd_opt(
            i32::try_from(number(0..4)?).ok()?,
            number(5..7)?,
            number(8..10)?,
        )?,
        _ => return None,
    };
    if b.len() == 10 {
        return Some(date.and_time(NaiveTime::MIN));
    }
    if (b[10], b[13], b[16]) != (b'T', b':', b':') {
        return None;
    }
    date.and_hms_opt(number(11..13)?, number(14..16)?, number(17..19)?)
}

/// Excel's error values, as a workbook's error cells read and as Excel
/// writes them to CSV.
const EXCEL_ERRORS: &[&str] = &[
    "#N/A",
    "#VALUE!",
    "#REF!",
    "#DIV/0!",
    "#NUM!",
    "#NAME?",
    "#NULL!",
    "#DATA!",
    "#SPILL!",
    "#CALC!",
    "#FIELD!",
    "#BLOCKED!",
    "#CONNECT!",
    "#BUSY!",
    "#UNKNOWN!",
];

/// Why a cell holding one of Excel's error values (`#N/A`, `#VALUE!`) is
/// refused: the formula that fills it failed, so it holds no value, and as
/// text it would be printed as a KPM's name or answer. A formula whose value
/// the file does not hold ([`is_formula`]) is refused for the same reason:
/// read as no answer, its row loaded with the answer missing, without a word.
pub(crate) fn excel_error(cell: &str) -> Option<String> {
    let cell = trim(cell);
    if is_formula(cell) {
        return Some(
            "a formula, and the file holds no value for it (a program that does not calculate \
             wrote it): open the file in Excel or LibreOffice, save it, and load it again"
                .into(),
        );
    }
    if !cell.starts_with('#') || !EXCEL_ERRORS.iter().any(|e| e.eq_ignore_ascii_case(cell)) {
        return None;
    }
    Some(format!(
        "`{cell}` is an Excel error: the formula of this cell failed in the sheet. \
         Correct the formula (or type the value) and save the file again"
    ))
}

/// Whether a cell holds a formula rather than its value (`=M2*0.4`): a
/// workbook's formula cell whose value was never saved reads so (a program
/// that writes formulas without calculating them, such as openpyxl), and
/// a CSV cell so written holds no value either. A `=` that starts no
/// formula (`== catatan ==`) is text.
fn is_formula(cell: &str) -> bool {
    cell.strip_prefix('=')
        .and_then(|rest| rest.chars().next())
        .is_some_and(|c| c.is_alphanumeric() || "(+-$'\"_".contains(c))
}

/// Why an id Excel saved as a number in e-notation (`3.20101E+11`,
/// `1E+12`) is refused: only its first digits are left, so it may stand for
/// any of many KPM, and two households would become one.
pub(crate) fn excel_number_id(id: &str) -> Option<String> {
    let id = id.trim();
    let (mantissa, exponent) = id.split_once(['E', 'e'])?;
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, "0"));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let exponent = exponent.strip_prefix('+')?;
    if whole.len() != 1 || !digits(whole) || !digits(fraction) || !digits(exponent) {
        return None;
    }
    Some(
        "Excel saved this id as a number and kept only its first digits: it may be any of \
         many KPM. In Excel, format the column as Text, type or paste the ids again, and save"
            .into(),
    )
}

/// A cell as an answer: trimmed, and empty when it holds only a dash (`-`,
/// `--`, `–`, `—`), which Indonesian sheets write for "none" or "does not
/// apply". Read as a value, it refused the whole row; read as no answer,
/// the row's other answers load and `prokus check` lists the empty one
/// where the round asks it. The hash of a sheet row keeps the cell as
/// written ([`trim`]), as earlier versions hashed it.
#[inline]
pub(crate) fn answer_cell(s: &str) -> &str {
    let s = trim(s);
    match s.as_bytes().first() {
        // `-` or the first byte of U+2013, U+2014 and U+2212 in UTF-8.
        Some(b'-' | 0xE2) if only_dashes(s) => "",
        _ => s,
    }
}

/// Words a sheet writes in an answer's cell for "does not know", "would not
/// say" or "not filled in" (`tidak tahu`, `tdk tau`, `menolak menjawab`,
/// `N/A`, `?`), case aside. An answer so written is no answer: read as a
/// value it refused the row's every other answer.
const NO_ANSWER_WORDS: &[&str] = &[
    "tidak tahu",
    "tidak tau",
    "tdk tahu",
    "tdk tau",
    "tak tahu",
    "gak tahu",
    "gak tau",
    "ga tahu",
    "ga tau",
    "nggak tahu",
    "nggak tau",
    "tidak diketahui",
    "tidak menjawab",
    "tidak mau menjawab",
    "tidak ingin menjawab",
    "menolak menjawab",
    "tidak diisi",
    "belum diisi",
    "tidak ada data",
    "belum ada data",
    "kosong",
    "n/a",
    "na",
    "n.a.",
    "n.a",
    "don't know",
    "dont know",
    "unknown",
    "refused",
    "?",
    "??",
    "???",
];

/// The lengths of [`NO_ANSWER_WORDS`], as bits: a cell of another length
/// (`tidak`, `kuliner`) is no such word without a comparison.
const NO_ANSWER_LENGTHS: u64 = {
    let mut bits = 0u64;
    let mut i = 0;
    while i < NO_ANSWER_WORDS.len() {
        bits |= 1 << NO_ANSWER_WORDS[i].len();
        i += 1;
    }
    bits
};

/// Whether an answer's cell (trimmed, as [`answer_cell`] gives it) says
/// the KPM did not answer ([`NO_ANSWER_WORDS`]). Asked of every answer of
/// every row: an amount or a count (most cells) begins with a digit, and
/// `tidak` has no such word's length.
#[inline]
pub(crate) fn says_no_answer(s: &str) -> bool {
    match s.as_bytes().first() {
        None | Some(b'0'..=b'9') => false,
        _ => {
            s.len() < 64
                && NO_ANSWER_LENGTHS & (1 << s.len()) != 0
                && NO_ANSWER_WORDS.iter().any(|w| w.eq_ignore_ascii_case(s))
        }
    }
}

fn only_dashes(s: &str) -> bool {
    s.chars().count() <= 3
        && s.chars()
            .all(|c| matches!(c, '-' | '\u{2013}' | '\u{2014}' | '\u{2212}'))
}

/// `s.trim()`, without a look at its characters when it starts and ends
/// with a visible ASCII character, as nearly every cell does (the checks
/// trim each cell they read, millions in a large export).
#[inline]
pub(crate) fn trim(s: &str) -> &str {
    match (s.as_bytes().first(), s.as_bytes().last()) {
        (Some(first), Some(last)) if first.is_ascii_graphic() && last.is_ascii_graphic() => s,
        _ => s.trim(),
    }
}

/// Converts an Excel serial date. The 1900 system counts days from 1899-12-30
/// (absorbing Excel's phantom 29 Feb 1900); the 1904 system of old Mac files
/// from 1904-01-01.
pub fn excel_serial_to_datetime(serial: f64, system_1904: bool) -> NaiveDateTime {
    let epoch = if system_1904 {
        NaiveDate::from_ymd_opt(1904, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(1899, 12, 30)
    }
    .unwrap_or_default()
    .and_time(NaiveTime::MIN);
    let millis = (serial * 86_400_000.0).round() as i64;
    epoch + Duration::milliseconds(millis)
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_id_excel_saved_in_e_notation_is_known() {
        for damaged in ["3.20101E+11", "1E+12", "3.2e+15", " 3.21706E+15 "] {
            assert!(excel_number_id(damaged).is_some(), "{damaged}");
        }
        for id in [
            "320101234567",
            "KPM-1E+2",
            "2E10",
            "E+5",
            "3.E+5",
            "INK-32-01",
            "1.5",
            "",
        ] {
            assert!(excel_number_id(id).is_none(), "{id}");
        }
    }

    #[test]
    fn a_date_of_numbers_reads_in_the_order_the_limits_say() {
        assert_eq!(
            day_and_month_swapped("3/25/2022").as_deref(),
            Some("25/3/2022")
        );
        assert_eq!(
            day_and_month_swapped("03-25-22 14:05").as_deref(),
            Some("25-03-22 14:05")
        );
        for other in ["2022-03-25", "25 Maret 2022", "44286", "3/25", "123/4/2022"] {
            assert_eq!(day_and_month_swapped(other), None, "{other}");
        }
        let day_first = Limits::default();
        let month_first = Limits {
            month_first: true,
            ..Default::default()
        };
        let day = |y, m, d| {
            NaiveDate::from_ymd_opt(y, m, d)
                .unwrap()
                .and_time(NaiveTime::MIN)
        };
        assert_eq!(day_first.date("3/10/2022"), Ok(day(2022, 10, 3)));
        assert_eq!(month_first.date("3/10/2022"), Ok(day(2022, 3, 10)));
        assert!(
            day_first
                .date("3/25/2022")
                .unwrap_err()
                .contains(MONTH_FIRST)
        );
        assert!(month_first.date("25/3/2022").is_err());
        // Dates that say their month are read as they say, either way.
        for limits in [day_first, month_first] {
            assert_eq!(limits.date("2022-03-25"), Ok(day(2022, 3, 25)));
            assert_eq!(limits.date("25 Maret 2022"), Ok(day(2022, 3, 25)));
        }
    }

    #[test]
    fn a_cell_of_dashes_is_no_answer() {
        for none in ["-", " - ", "--", "---", "\u{2013}", "\u{2014}", "\u{2212}"] {
            assert_eq!(answer_cell(none), "", "{none:?}");
        }
        for kept in ["-5", "----", "Rp -", "-a", "a-", " KPM-1 "] {
            assert_eq!(answer_cell(kept), kept.trim(), "{kept:?}");
        }
    }

    use super::*;

    #[test]
    fn iso_dates_read_digit_by_digit_as_chrono_reads_them() {
        let mut cases: Vec<String> = [
            "2022-03-18",
            "2021-06-30T10:11:12",
            "2024-02-29",
            "2023-02-29",
            "2022-02-30",
            "2022-13-01",
            "2022-00-10",
            "2022-01-00",
            "0000-01-01",
            "9999-12-31T23:59:59",
            "2021-06-30T24:00:00",
            "2021-06-30T23:60:00",
            "2021-06-30T23:59:60",
            "2021-06-30 10:11:12",
            "2021-06-30t10:11:12",
            "2021-06-30T10:11",
            "2021-06-30T10:11:12Z",
            "2021-06-30T10:11:12.5",
            "2021-6-30",
            "2021-06-3",
            "20210-06-30",
            "2021/06/30",
            "2021-06-30X10:11:12",
            "2021-06-30T10-11-12",
            "+2021-06-30",
            "2021-0a-30",
            " 2021-06-30 ",
            "٢٠٢١-٠٦-٣٠",
        ]
        .map(String::from)
        .to_vec();
        // Every day of two years, a leap year among them, days and months
        // that do not exist, and times around the bounds.
        for y in [2023, 2024] {
            for m in 0..=13 {
                cases.extend((0..=32).map(|d| format!("{y}-{m:02}-{d:02}")));
            }
        }
        for h in [0, 9, 23, 24, 25] {
            cases.extend([0, 59, 60, 61].map(|ms| format!("2024-02-29T{h:02}:{ms:02}:{ms:02}")));
        }
        let mut read = 0;
        for case in &cases {
            let slow = parse_datetime_by_format(trim(case)).map(|(t, _)| t);
            if let Some(fast) = iso_digits(trim(case)) {
                read += 1;
                assert_eq!(Some(fast), slow, "{case}");
            }
            assert_eq!(parse_datetime(case).ok(), slow, "{case}");
        }
        // The days of 2023 and 2024, six of the list, and the hours 0, 9 and
        // 23 with minutes and seconds 0 or 59.
        assert_eq!(read, 365 + 366 + 6 + 3 * 2, "cases the fast path read");
    }

    #[test]
    fn trimming_keeps_what_str_trim_keeps() {
        for s in [
            "",
            " ",
            "a",
            " a",
            "a ",
            "\ta\n",
            "\u{a0}a",
            "a\u{3000}",
            "\u{2003}",
            "ya",
            "Rp 1.500.000",
            "é",
            " é ",
            "a\u{200b}",
            "\u{feff}a",
            "1 ",
        ] {
            assert_eq!(trim(s), s.trim(), "{s:?}");
        }
    }

    #[test]
    fn amounts_beyond_the_bound_are_refused_with_the_bound_written_out() {
        let limits = Limits::default();
        let err = limits.money(3.2e15, "3217055208850012").unwrap_err();
        assert!(err.contains("Rp 10.000.000.000"), "{err}");
        assert!(limits.money(f64::INFINITY, "9e999").is_err());
        assert_eq!(limits.money(2_500_000.0, "2.500.000"), Ok(2_500_000.0));
        assert_eq!(grouped(999.0), "999");
        assert_eq!(grouped(1000.0), "1.000");
    }

    #[test]
    fn money_as_indonesians_write_it() {
        let cases = [
            ("1500000", 1_500_000.0),
            ("1.500.000", 1_500_000.0),
            ("Rp 1.500.000", 1_500_000.0),
            ("Rp1.500.000,-", 1_500_000.0),
            ("Rp. 750.000", 750_000.0),
            ("1.500.000,50", 1_500_000.5),
            ("1,5 jt", 1_500_000.0),
            ("2 juta", 2_000_000.0),
            ("750 rb", 750_000.0),
            ("750ribu", 750_000.0),
            ("1500000.0", 1_500_000.0),
            ("1,500,000", 1_500_000.0),
            ("Rp 1.500.000 per bulan", 1_500_000.0),
            ("Rp1.500.000,-/bulan", 1_500_000.0),
            ("2 jt/bln", 2_000_000.0),
            ("0", 0.0),
            ("Rp -", 0.0),
            ("Rp  -  ", 0.0),
            ("± 2 juta", 2_000_000.0),
            ("±Rp 500.000", 500_000.0),
            ("sekitar Rp 1.500.000", 1_500_000.0),
            ("Kurang lebih 1,5 jt", 1_500_000.0),
            ("kira-kira 750 rb", 750_000.0),
            ("+/- 2.000.000", 2_000_000.0),
            ("1 juta 500 ribu", 1_500_000.0),
            ("Rp 2 jt 250 rb", 2_250_000.0),
            ("dua juta", 2_000_000.0),
            ("setengah juta", 500_000.0),
            ("1.500.000 (estimasi)", 1_500_000.0),
            ("Rp 500.000 (bersih)", 500_000.0),
        ];
        for (text, want) in cases {
            assert_eq!(parse_money(text), Ok(want), "{text}");
        }
        for bad in [
            "",
            "sejuta",
            "1.50.000",
            "Rp -5",
            "12abc",
            "per bulan",
            "Rp 5 per tahun",
            "-",
            "-500000",
            "500 ribu 1 juta",
            "1 juta 500",
            "dua",
            "juta",
            "Rp 1 juta (2 juta)",
        ] {
            assert!(parse_money(bad).is_err(), "{bad} should not parse");
        }
        // Excel's accounting format shows a negative amount in brackets:
        // refused as negative, not as no amount.
        for negative in ["(500.000)", "Rp (500.000)", "( 500000 )"] {
            let e = parse_money(negative).unwrap_err();
            assert!(e.contains("is negative"), "{negative}: {e}");
        }
        assert!(!parse_money("(sejuta)").unwrap_err().contains("negative"));
        // A range is no one amount, and said to be a range.
        for range in [
            "2-3 juta",
            "1.000.000 - 1.500.000",
            "Rp 2 s/d 3 juta",
            "± 2 sampai 3 jt",
        ] {
            let e = parse_money(range).unwrap_err();
            assert!(e.contains("is a range"), "{range}: {e}");
        }
        assert!(!parse_money("sekitar").unwrap_err().contains("range"));
    }

    /// `tidak tahu`, `N/A` or `?` in an answer's cell is no answer; a
    /// word that answers (`tidak`, `ya`, `tidak ada`) or a number is one.
    #[test]
    fn dont_know_is_no_answer() {
        for none in [
            "tidak tahu",
            "Tidak Tahu",
            "TDK TAU",
            "menolak menjawab",
            "N/A",
            "na",
            "?",
            "Kosong",
        ] {
            assert!(says_no_answer(none), "{none}");
        }
        for answer in [
            "",
            "tidak",
            "ya",
            "tidak ada",
            "0",
            "2 juta",
            "nanas",
            "tidak tahu lagi",
        ] {
            assert!(!says_no_answer(answer), "{answer}");
        }
    }

    #[test]
    fn counts_and_yes_no() {
        assert_eq!(parse_count("3"), Ok(3));
        assert_eq!(parse_count("± 3 orang"), Ok(3));
        assert_eq!(parse_count("Sekitar 2"), Ok(2));
        assert_eq!(parse_count("3.0"), Ok(3));
        assert!(parse_count("2,5").is_err());
        assert!(parse_count("-1").is_err());
        // With its unit, as a sheet writes it.
        for (count, n) in [
            ("2 orang", 2),
            ("3 Org", 3),
            ("4x", 4),
            ("4 kali", 4),
            ("1 kunjungan", 1),
            ("dua", 2),
            ("Tiga orang", 3),
            ("Tidak ada", 0),
            ("1 (istri)", 1),
            ("2 orang (anak)", 2),
        ] {
            assert_eq!(parse_count(count), Ok(n), "{count}");
        }
        for bad in [
            "2 anak",
            "orang",
            "x",
            "2 orang 3",
            "Suami",
            "(2)",
            "dua puluh",
        ] {
            assert!(parse_count(bad).is_err(), "{bad}");
        }
        for yes in [
            "1",
            "Ya",
            "yes",
            " YA ",
            "Sudah",
            "punya",
            "Sudah punya",
            "Bersedia",
            "SETUJU",
            "Masih berjalan",
            "Aktif",
            "Ya.",
            "Ya, sudah",
            "ya sudah ada",
            "Sdh",
            "Masih",
            "Ya (WA)",
            "Sudah (2022)",
            "Ya (sudah)",
        ] {
            assert_eq!(parse_yes_no(yes), Ok(true), "{yes}");
        }
        for no in [
            "0",
            "tidak",
            "No",
            "Tidak Ada",
            "Belum",
            "tidak punya",
            "belum ada",
            "Tidak bersedia",
            "tdk setuju",
            "Menolak",
            "Belum punya",
            "Tutup",
            "Tidak aktif",
            "Berhenti",
            "Tidak, belum",
            "Blm",
            "belum.",
            "Tidak (masih proses)",
            // A Google Form's choices: the answer, then a phrase saying it
            // again.
            "Tidak, sudah tutup",
            "Tidak pernah",
            "Belum pernah",
        ] {
            assert_eq!(parse_yes_no(no), Ok(false), "{no}");
        }
        for yes in [
            "Ya, masih berjalan",
            "Iya, sudah punya (2022)",
            "Sudah, aktif",
        ] {
            assert_eq!(parse_yes_no(yes), Ok(true), "{yes}");
        }
        // A number with a decimal comma is no answer and its phrase.
        let e = parse_yes_no("1,0").unwrap_err();
        assert!(e.contains("is not yes/no"), "{e}");
        for both in ["Ya, sudah tutup", "Tidak, masih berjalan"] {
            let e = parse_yes_no(both).unwrap_err();
            assert!(e.contains("says yes and no"), "{both}: {e}");
        }
        // Another word than one saying it again is no yes/no.
        for neither in [
            "mungkin",
            "Ya, tapi belum rutin",
            "ya tidak",
            "Pernah",
            "sudah tutup lagi",
            ".",
            "Proses",
            "(Ya)",
            "mungkin (ya)",
        ] {
            assert!(parse_yes_no(neither).is_err(), "{neither}");
        }
        let e = parse_yes_no("Ya (belum)").unwrap_err();
        assert!(e.contains("says yes and no"), "{e}");
        for tick in ["✓", "x", "V"] {
            let e = parse_yes_no(tick).unwrap_err();
            assert!(e.contains("is a tick or a cross"), "{tick}: {e}");
        }
    }

    /// A cluster as incubators write the kind of business: its own name, or
    /// the trade it covers; a trade no cluster covers is none.
    #[test]
    fn a_cluster_is_read_from_the_trade_it_covers() {
        for (text, cluster) in [
            ("Kuliner", "kuliner"),
            ("Makanan dan Minuman", "kuliner"),
            ("Makanan & Minuman", "kuliner"),
            ("F&B", "kuliner"),
            ("Olahan Pangan", "kuliner"),
            ("Toko Kelontong", "ritel"),
            ("Warung", "ritel"),
            ("Perdagangan", "ritel"),
            ("Peternakan", "agribisnis"),
            ("Pertanian", "agribisnis"),
            ("Konveksi", "fesyen"),
            ("Kriya Tekstil/Fesyen", "fesyen"),
        ] {
            assert_eq!(parse_cluster(text), Some(cluster), "{text}");
        }
        for text in ["Jasa", "Lainnya", "Makanan Ternak Warung", "-"] {
            assert_eq!(parse_cluster(text), None, "{text}");
        }
    }

    /// Genders and arms as sheets write them: Indonesian forms' `Lk`/`Pr`,
    /// `laki2`, English words; an arm by its words in Bahasa Indonesia and
    /// in evaluations, with `kelompok` before or `group` after.
    #[test]
    fn genders_and_arms_as_people_write_them() {
        for female in ["P", "Pr", "pr.", "Perempuan", " wanita ", "F", "Female"] {
            assert_eq!(parse_gender(female), Some("female"), "{female}");
        }
        for male in [
            "L",
            "Lk",
            "LK.",
            "Laki-laki",
            "laki laki",
            "Laki2",
            "laki-2",
            "laki",
            "Pria",
            "M",
        ] {
            assert_eq!(parse_gender(male), Some("male"), "{male}");
        }
        for neither in ["", "X", "lain", "perempuan/laki", "P2", "2", "L22", "1"] {
            assert_eq!(parse_gender(neither), None, "{neither}");
        }
        for prokus in [
            "prokus",
            "ProKUS",
            "Penerima",
            "treatment",
            "Treatment group",
            "Peserta",
        ] {
            assert_eq!(parse_arm(prokus), Some("prokus"), "{prokus}");
        }
        for comparison in [
            "comparison",
            "Pembanding",
            "Kelompok Kontrol",
            "control",
            "grup pembanding",
        ] {
            assert_eq!(parse_arm(comparison), Some("comparison"), "{comparison}");
        }
        for neither in [
            "",
            "kelompok",
            "kelompok A",
            "bukan penerima",
            "non-treatment",
        ] {
            assert_eq!(parse_arm(neither), None, "{neither}");
        }
    }

    #[test]
    fn dates_in_every_form_they_come() {
        let want = NaiveDate::from_ymd_opt(2021, 3, 31)
            .unwrap()
            .and_hms_opt(8, 30, 0)
            .unwrap();
        assert_eq!(parse_datetime("2021-03-31T08:30:00"), Ok(want));
        assert_eq!(parse_datetime("2021-03-31T15:30:00.000+07:00"), Ok(want));
        assert_eq!(parse_datetime("2021-03-31T15:30:00+07:00"), Ok(want));
        assert_eq!(parse_datetime("31/03/2021 08:30"), Ok(want));
        assert_eq!(parse_datetime("31/03/21 08:30"), Ok(want));
        assert_eq!(parse_datetime("2021/03/31 08:30"), Ok(want));
        let day = NaiveDate::from_ymd_opt(2021, 3, 31)
            .unwrap()
            .and_time(NaiveTime::MIN);
        assert_eq!(parse_datetime("31/03/2021"), Ok(day));
        // Excel serial 44286 is 2021-03-31 in the 1900 system.
        assert_eq!(parse_datetime("44286"), Ok(day));
        assert_eq!(excel_serial_to_datetime(44286.0 - 1462.0, true), day);
        assert!(parse_datetime("kemarin").is_err());
        // As Indonesian sheets write them.
        for case in [
            "31.03.2021",
            "31/03/21",
            "31-03-21",
            "31 Maret 2021",
            "31 maret 2021",
            "Rabu, 31 Maret 2021",
            "31 Mar 2021",
            "31-Mar-21",
            "31 March 2021",
            "2021/03/31",
            "2021.03.31",
            "31 Mrt 2021",
        ] {
            assert_eq!(parse_datetime(case), Ok(day), "{case}");
        }
        let august = NaiveDate::from_ymd_opt(2021, 8, 17)
            .unwrap()
            .and_time(NaiveTime::MIN);
        for case in [
            "17 Agustus 2021",
            "17 Agt 2021",
            "17 Ags. 2021",
            "17-Aug-2021",
        ] {
            assert_eq!(parse_datetime(case), Ok(august), "{case}");
        }
        // No such day, no such month, a month too short to tell.
        for bad in [
            "31 Februari 2021",
            "31 Marchember 2021",
            "31 Ma 2021",
            "31 Maret",
            // The year first, a day that is no month's.
            "2021/31/03",
        ] {
            assert!(parse_datetime(bad).is_err(), "{bad}");
        }
        // A time after the date, as Indonesian settings write it, with its
        // zone (turned into UTC), or as English (US) settings do.
        let morning = |h: u32, m: u32, s: u32| {
            NaiveDate::from_ymd_opt(2022, 3, 18)
                .unwrap()
                .and_hms_opt(h, m, s)
                .unwrap()
        };
        for (case, want) in [
            ("18/03/2022 10.11", morning(10, 11, 0)),
            ("18/03/2022 10.11.12", morning(10, 11, 12)),
            ("18-03-2022 10:11", morning(10, 11, 0)),
            ("18 Maret 2022 pukul 10.11", morning(10, 11, 0)),
            ("Jumat, 18 Maret 2022 pukul 10.11 WIB", morning(3, 11, 0)),
            ("2022-03-18 10:11:12 WIB", morning(3, 11, 12)),
            ("18/03/2022 11:11 WITA", morning(3, 11, 0)),
            ("18/03/2022 12.11 wit", morning(3, 11, 0)),
            ("18/03/2022 10:11:12 PM", morning(22, 11, 12)),
            ("Mar 18, 2022", morning(0, 0, 0)),
            ("20220318", morning(0, 0, 0)),
            ("March 18 2022 10:11", morning(10, 11, 0)),
        ] {
            assert_eq!(parse_datetime(case), Ok(want), "{case}");
        }
        for bad in [
            "18/03/2022 25.11",
            "18/03/2022 10:11 10:12",
            "pukul 10.11",
            "18/03/2022 10.11 WIBX",
            "Mar 18",
            "20221318",
            "18032022",
        ] {
            assert!(parse_datetime(bad).is_err(), "{bad}");
        }
        // A month without its day is told so.
        for month in ["Maret 2021", "Mar-21", "agustus 2022"] {
            let e = parse_datetime(month).unwrap_err();
            assert!(e.contains("names a month but no day"), "{month}: {e}");
        }
        assert!(
            parse_datetime("kemarin")
                .unwrap_err()
                .contains("is not a date")
        );
    }

    /// A time that names its zone is turned into UTC; any other a sheet
    /// holds is the local time its writer saw (`response.local_clock`).
    #[test]
    fn a_time_names_its_zone_or_is_local() {
        let zoned = |text: &str| parse_datetime_zoned(text).map(|(_, zoned)| zoned);
        for named in [
            "2022-03-18T10:11:12+07:00",
            "2022-03-18T10:11:12.000+0700",
            "2022-03-18T10:11:12-03:00",
            "2021-10-01T02:05:00Z",
            "2022-03-18T10:11:12.123z",
            "2022-03-18 10:11:12 WIB",
            "18/03/2022 12.11 wit",
            "Jumat, 18 Maret 2022 pukul 10.11 WITA",
        ] {
            assert_eq!(zoned(named), Ok(true), "{named}");
        }
        for local in [
            "2022-03-18",
            "18/03/2022 10.11",
            "18-03-2022 10:11",
            "31-03-2021",
            "2022-03-18T10:11:12",
            "2021-10-01T02:05:00.000",
            "18 Maret 2022 pukul 10.11",
            "44651.5",
            "Mar 18, 2022",
        ] {
            assert_eq!(zoned(local), Ok(false), "{local}");
        }
        assert!(zoned("").is_err());
    }

    #[test]
    fn quarters_are_read_as_people_write_them() {
        for (text, code) in [
            ("2021-Q3", "2021-Q3"),
            ("2021 q3", "2021-Q3"),
            ("2021Q3", "2021-Q3"),
            ("Q3 2021", "2021-Q3"),
            ("TW3/2021", "2021-Q3"),
            ("Triwulan III 2021", "2021-Q3"),
            ("Quarter 4, 2022", "2022-Q4"),
            ("2021-09-30", "2021-Q3"),
            ("01/04/2022", "2022-Q2"),
        ] {
            assert_eq!(parse_quarter(text).as_deref(), Ok(code), "{text}");
        }
        for bad in ["", "2021", "Q5 2021", "2021-Q0", "musim hujan", "Q3 1821"] {
            assert!(parse_quarter(bad).is_err(), "{bad}");
        }
    }
}
