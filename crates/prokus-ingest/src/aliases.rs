//! Indonesian column names of the lists incubators and offices fill by hand
//! (the canonical template, the KPM register, the incubator list), each with
//! the canonical column it stands for. A sheet made in Bahasa Indonesia
//! (`id_kpm`, `putaran`, `omzet`) loads as one with the canonical names.
//!
//! Only hand-filled lists are read so: a Kobo or ODK export's columns are
//! its form's names, which a mapping (`--form`) reads. A name that could
//! hold something else than its column's values (`nib`, the business
//! licence's number rather than whether there is one; `kelompok`, often a
//! business group's name rather than the study arm) is left out: its cells
//! would be refused instead of the column left unread.

/// Indonesian names of the template's and the register's columns (the
/// household's, the answers'), keys trimmed, in lower case, with `_`
/// between their words.
pub const LIST_ALIASES: &[(&str, &str)] = &[
    ("id_kpm", "kpm_id"),
    ("no_kpm", "kpm_id"),
    ("nomor_kpm", "kpm_id"),
    ("kode_kpm", "kpm_id"),
    ("putaran", "wave"),
    ("putaran_survei", "wave"),
    ("putaran_monitoring", "wave"),
    ("putaran_monev", "wave"),
    ("tahap_survei", "wave"),
    ("tanggal_isi", "submitted_at"),
    ("tanggal_pengisian", "submitted_at"),
    ("tanggal_survei", "submitted_at"),
    ("tanggal_wawancara", "submitted_at"),
    ("tgl_wawancara", "submitted_at"),
    ("tanggal_kunjungan", "submitted_at"),
    ("tanggal_monitoring", "submitted_at"),
    ("tanggal_monev", "submitted_at"),
    ("tgl_survei", "submitted_at"),
    ("tgl_isi", "submitted_at"),
    ("tgl_pengisian", "submitted_at"),
    ("waktu_pengisian", "submitted_at"),
    ("waktu_survei", "submitted_at"),
    // The date a monitoring sheet asks for is the interview's (a register's
    // `tanggal`, say of registering, is named among its unread columns).
    ("tanggal", "submitted_at"),
    ("tgl", "submitted_at"),
    // A Google Form's time of sending, in its sheet's time zone: the date
    // when the form asks none (any of the above is read before it).
    ("timestamp", "submitted_at"),
    ("cap_waktu", "submitted_at"),
    ("nama_kpm", "kpm_name"),
    ("nama", "kpm_name"),
    ("nama_lengkap", "kpm_name"),
    ("jenis_kelamin", "gender"),
    // A column headed by its answers alone (`L/P`: laki-laki/perempuan),
    // or by the name's initials.
    ("l_p", "gender"),
    ("jk", "gender"),
    ("nama_usaha", "business_name"),
    ("kelompok_studi", "arm"),
    ("tahun_kohort", "cohort_year"),
    ("kohort", "cohort_year"),
    ("angkatan", "cohort_year"),
    ("tahun_angkatan", "cohort_year"),
    ("id_inkubator", "incubator_id"),
    ("kode_inkubator", "incubator_id"),
    // The incubator by its name, which the incubator list gives its id
    // (incubators.rs): after its code, which a sheet with both reads.
    ("inkubator", "incubator_id"),
    ("nama_inkubator", "incubator_id"),
    ("inkubator_bisnis", "incubator_id"),
    ("asal_inkubator", "incubator_id"),
    ("nama_mentor", "mentor"),
    ("klaster", "cluster"),
    ("kluster", "cluster"),
    ("klaster_usaha", "cluster"),
    ("kluster_usaha", "cluster"),
    ("kategori", "category"),
    ("kategori_usaha", "category"),
    ("kode_provinsi", "province_code"),
    ("kode_prov", "province_code"),
    ("provinsi", "province_code"),
    ("kode_kabupaten", "regency_code"),
    ("kode_kab", "regency_code"),
    ("kode_kab_kota", "regency_code"),
    ("kode_kabupaten_kota", "regency_code"),
    ("kabupaten", "regency_code"),
    ("kabupaten_kota", "regency_code"),
    ("kab_kota", "regency_code"),
    ("kode_kecamatan", "district_code"),
    ("kode_kec", "district_code"),
    ("kecamatan", "district_code"),
    ("jumlah_bantuan", "grant_amount"),
    ("bantuan_modal", "grant_amount"),
    ("besaran_bantuan", "grant_amount"),
    ("nilai_bantuan", "grant_amount"),
    ("nominal_bantuan", "grant_amount"),
    ("tanggal_bantuan", "grant_date"),
    ("tanggal_pencairan", "grant_date"),
    ("tgl_pencairan", "grant_date"),
    ("tanggal_cair", "grant_date"),
    ("nama_tksk", "tksk"),
    ("persetujuan_kisah", "consent_story"),
    ("omzet", "business_revenue"),
    ("omset", "business_revenue"),
    ("omzet_usaha", "business_revenue"),
    ("omset_usaha", "business_revenue"),
    ("pendapatan_usaha", "business_income"),
    ("pendapatan_bersih_usaha", "business_income"),
    ("laba_usaha", "business_income"),
    ("keuntungan_usaha", "business_income"),
    ("penghasilan_usaha", "business_income"),
    ("penghasilan_bersih_usaha", "business_income"),
    ("pendapatan_bersih", "business_income"),
    ("laba_bersih", "business_income"),
    ("laba", "business_income"),
    ("keuntungan_bersih", "business_income"),
    ("keuntungan", "business_income"),
    ("pendapatan_rumah_tangga", "household_income"),
    ("pendapatan_keluarga", "household_income"),
    ("penghasilan_rumah_tangga", "household_income"),
    ("penghasilan_keluarga", "household_income"),
    ("menabung_bulanan", "saves_monthly"),
    ("menabung_tiap_bulan", "saves_monthly"),
    ("menabung_setiap_bulan", "saves_monthly"),
    ("menabung", "saves"),
    ("memiliki_tabungan", "saves"),
    ("punya_tabungan", "saves"),
    ("frekuensi_menabung", "save_frequency"),
    ("jumlah_tabungan", "savings_amount"),
    ("tabungan_per_bulan", "savings_amount"),
    ("tabungan_bulanan", "savings_amount"),
    ("pembukuan", "keeps_books"),
    ("mencatat_keuangan", "keeps_books"),
    ("melakukan_pembukuan", "keeps_books"),
    ("pembukuan_sederhana", "keeps_books"),
    ("mencatat_pembukuan", "keeps_books"),
    ("catatan_keuangan", "keeps_books"),
    ("memisahkan_uang", "separates_money"),
    ("rencana_usaha", "has_business_plan"),
    ("memiliki_rencana_usaha", "has_business_plan"),
    ("punya_rencana_usaha", "has_business_plan"),
    ("rencana_bisnis", "has_business_plan"),
    ("pekerja_dibayar", "paid_workers"),
    ("tenaga_kerja_dibayar", "paid_workers"),
    ("jumlah_karyawan", "paid_workers"),
    ("karyawan", "paid_workers"),
    ("pekerja_keluarga", "family_workers"),
    ("tenaga_kerja_keluarga", "family_workers"),
    ("usaha_berjalan", "business_operating"),
    ("usaha_aktif", "business_operating"),
    ("usaha_masih_berjalan", "business_operating"),
    ("usaha_masih_aktif", "business_operating"),
    ("punya_nib", "has_nib"),
    ("memiliki_nib", "has_nib"),
    ("mendapat_kredit", "got_credit"),
    ("dapat_kredit", "got_credit"),
    ("akses_kredit", "got_credit"),
    ("mendapat_pinjaman", "got_credit"),
    ("mendapat_kredit_pinjaman", "got_credit"),
    ("sumber_kredit", "credit_source"),
    ("jual_online", "sells_online"),
    ("penjualan_online", "sells_online"),
    ("pemasaran_online", "sells_online"),
    ("jualan_online", "sells_online"),
    ("penjualan_daring", "sells_online"),
    ("menjual_online", "sells_online"),
    ("perubahan_produk", "product_changes"),
    ("sikap_1", "attitude_1"),
    ("sikap_2", "attitude_2"),
    ("sikap_3", "attitude_3"),
    ("sikap_4", "attitude_4"),
    ("sikap_5", "attitude_5"),
    ("sesi_pendampingan", "mentoring_sessions"),
    ("jumlah_pendampingan", "mentoring_sessions"),
    ("kunjungan_tksk", "tksk_visits"),
];

/// Indonesian names of the incubator list's columns.
pub const INCUBATOR_ALIASES: &[(&str, &str)] = &[
    ("id_inkubator", "incubator_id"),
    ("kode_inkubator", "incubator_id"),
    ("nama_inkubator", "name"),
    ("incubator_name", "name"),
    ("nama", "name"),
    ("universitas", "university"),
    ("nama_universitas", "university"),
    ("perguruan_tinggi", "university"),
    ("asal_perguruan_tinggi", "university"),
    ("kampus", "university"),
    ("kode_provinsi", "province_code"),
    ("kode_prov", "province_code"),
    ("provinsi", "province_code"),
    ("prov", "province_code"),
    ("province", "province_code"),
];

/// Whether `header` names a column that numbers the rows (`No`, `No.`,
/// `Nomor`, `#`), which a hand-made sheet often has first: it is not read,
/// and not named among the unread columns either.
pub fn is_row_number(header: &str) -> bool {
    matches!(
        key(header.trim().trim_end_matches('.')).as_str(),
        "no" | "nomor" | "no_urut" | "#" | "nr"
    )
}

/// Whether `header` is a Google Form's time of sending (`Timestamp`, or
/// `Cap waktu` in Indonesian), read as the date of a sheet that has no
/// other: beside a date the form asks, it is left unread without a word.
pub fn is_sending_time(header: &str) -> bool {
    matches!(key(header).as_str(), "timestamp" | "cap_waktu")
}

/// A header as the lists' aliases are keyed: trimmed, lower case, spaces
/// (a line break in a cell too), hyphens and slashes as `_` (`Kode
/// Kab/Kota` → `kode_kab_kota`).
fn key(header: &str) -> String {
    words(header).join("_")
}

/// A header's words, in lower case.
fn words(header: &str) -> Vec<String> {
    header
        .trim()
        .to_lowercase()
        .split(|c: char| c.is_whitespace() || matches!(c, '-' | '/' | '_'))
        .filter(|w| !w.is_empty())
        .map(String::from)
        .collect()
}

/// Words a sheet's maker adds to a column's name to say what it holds,
/// which leave the column what it is: its unit (`Rp`, `orang`), its month
/// (`per bulan`), its answers (`ya/tidak`, `L/P`), its date's shape
/// (`dd/mm/yyyy`) or that it must be filled (`wajib`).
const NOTE_WORDS: &[&str] = &[
    "rp", "rupiah", "idr", "orang", "org", "jiwa", "unit", "jumlah", "angka", "persen", "%", "per",
    "bulan", "bln", "perbulan", "sebulan", "bulanan", "month", "monthly", "ya", "tidak", "y", "t",
    "n", "yes", "no", "l", "p", "lk", "pr", "dd", "mm", "yy", "yyyy", "hh", "bb", "tttt", "tgl",
    "tanggal", "thn", "tahun", "kode", "code", "wajib", "opsional", "isi", "diisi", "1=ya",
    "0=tidak", "skala", "teks", ":", "=", "dalam", "in",
];

/// Words that make an amount something else than rupiah: thousands or
/// millions of them. A number (`1.000`, `x1000`) is judged in
/// [`note_problem`].
const SCALE_WORDS: &[&str] = &[
    "ribu",
    "ribuan",
    "rb",
    "000",
    "k",
    "juta",
    "jutaan",
    "jt",
    "thousand",
    "thousands",
    "million",
    "millions",
];

/// Words that make an amount one of another period than a month.
const PERIOD_WORDS: &[&str] = &[
    "tahun",
    "thn",
    "th",
    "tahunan",
    "setahun",
    "pertahun",
    "minggu",
    "mgg",
    "mingguan",
    "seminggu",
    "perminggu",
    "hari",
    "harian",
    "sehari",
    "perhari",
    "triwulan",
    "kuartal",
    "semester",
    "year",
    "yearly",
    "annual",
    "week",
    "weekly",
    "day",
    "daily",
];

/// The template's and the register's amounts of rupiah: each a month's
/// but the grant, which is paid once.
const MONEY_COLUMNS: &[&str] = &[
    "business_revenue",
    "business_income",
    "household_income",
    "savings_amount",
    "grant_amount",
];

/// Where `header` is in `aliases`, with the words of its note: as an
/// Indonesian name; else, past a note, as an Indonesian or a canonical name
/// (at that column's first alias). A note is what is in brackets at the
/// header's end, and the words before them that say a unit, a period or the
/// answers ([`NOTE_WORDS`], [`SCALE_WORDS`], [`PERIOD_WORDS`]), the fewest
/// that leave a name: `Omzet usaha per bulan (Rp)` is `omzet_usaha` with
/// `per`, `bulan`, `rp`, and `saves_monthly` stays itself. A bracket with any
/// other word makes the header none of them (`Nama (ibu)` is not the
/// KPM's name).
fn resolve(header: &str, aliases: &[(&str, &'static str)]) -> Option<(usize, Vec<String>)> {
    if let Some(plain) = unasked(header) {
        return resolve(&plain, aliases);
    }
    let find = |name: &str| {
        aliases
            .iter()
            .position(|(alias, column)| *alias == name || *column == name)
    };
    let key = key(header);
    if let Some(r) = aliases.iter().position(|(alias, _)| *alias == key) {
        return Some((r, Vec::new()));
    }
    let is_note_word = |w: &str| {
        let number = without_times(w);
        w.is_empty()
            || NOTE_WORDS.contains(&w)
            || SCALE_WORDS.contains(&w)
            || PERIOD_WORDS.contains(&w)
            || number.chars().all(|c| c.is_ascii_digit() || c == '.')
    };
    // `Rp.`, `Rp,-`, `orang:` as `rp`, `orang`.
    let words = |text: &str| -> Vec<String> {
        words(text)
            .into_iter()
            .map(|w| w.trim_end_matches(['.', ',', '-', ':', ';']).to_string())
            .collect()
    };
    let mut rest = header.trim();
    let mut note = Vec::new();
    // Brackets at the end, the last first: `Omzet (Rp) (per bulan)`.
    while let Some(inner) = rest.strip_suffix(')').or_else(|| rest.strip_suffix(']')) {
        let open = inner.rfind(['(', '['])?;
        let inside = words(&inner[open + 1..]);
        if !inside.iter().all(|w| is_note_word(w)) {
            return None;
        }
        note.splice(0..0, inside);
        rest = inner[..open].trim_end();
    }
    let mut name = words(rest);
    name.retain(|w| !w.is_empty());
    // The first word stays the name's: `Tanggal (dd/mm/yyyy)`.
    while !name.is_empty() {
        if let Some(r) = find(&name.join("_")) {
            return Some((r, note));
        }
        if name.len() == 1 || !name.last().is_some_and(|w| is_note_word(w)) {
            return None;
        }
        note.insert(0, name.pop().unwrap_or_default());
    }
    None
}

/// Words that make a header a question, as a Google Form heads the column
/// of each answer (`Apakah KPM menabung?`, `Berapa omzet per bulan?`).
const QUESTION_WORDS: &[&str] = &["apakah", "berapa", "berapakah"];

/// The words a question puts around its column's name: whom it asks, and
/// that it is so already (`Apakah KPM sudah memiliki NIB?` asks for
/// `memiliki_nib`).
const ASKED_WORDS: &[&str] = &[
    "kpm", "anda", "ibu", "bapak", "bu", "pak", "saudara", "sudah", "telah", "yang", "secara",
];

/// A question's header as the name it asks for (`Apakah KPM menabung?` is
/// `menabung`, `Berapa laba bersih per bulan (Rp)?` is `laba bersih per
/// bulan (Rp)`): its question mark, its question word and the words of
/// [`ASKED_WORDS`] left out. `None` for a header that is no question (it
/// neither ends with `?` nor starts with a question word), whose words all
/// stay: `id_kpm` keeps its `kpm`.
fn unasked(header: &str) -> Option<String> {
    let trimmed = header.trim();
    let first = trimmed
        .split_whitespace()
        .next()
        .map(str::to_lowercase)
        .unwrap_or_default();
    if !trimmed.ends_with('?') && !QUESTION_WORDS.contains(&first.as_str()) {
        return None;
    }
    let kept: Vec<&str> = trimmed
        .trim_end_matches(['?', ' '])
        .split_whitespace()
        .filter(|w| {
            let w = w.to_lowercase();
            !QUESTION_WORDS.contains(&w.as_str()) && !ASKED_WORDS.contains(&w.as_str())
        })
        .collect();
    Some(kept.join(" "))
}

/// A note's word without the sign of a multiplier before a number: `1.000`
/// of `x1.000` or `×1000`, and the sign alone (`x` of `x 1.000`) as nothing.
fn without_times(w: &str) -> &str {
    w.strip_prefix('x')
        .or_else(|| w.strip_prefix('×'))
        .or_else(|| w.strip_prefix('*'))
        .unwrap_or(w)
}

/// What is wrong with reading a column headed `header` as `column` (one of
/// `aliases`' columns), when its note says its amounts are not the rupiah
/// of a month that the template and the register ask for (`Omzet (ribu
/// Rp)`, `Omzet per tahun`). A note is what is in brackets at the header's
/// end and the words before them that say a unit or a period.
pub fn note_problem(
    header: &str,
    column: &str,
    aliases: &[(&str, &'static str)],
) -> Option<String> {
    if !MONEY_COLUMNS.contains(&column) {
        return None;
    }
    let (_, note) = resolve(header, aliases)?;
    // `ribu`, `juta`, and `Rp 1.000`, `1.000.000` or `000`: a count of
    // thousands or millions. Any other number (a year, a code, a NIK pasted
    // in) is no scale, and is never quoted.
    let power_of_ten = |w: &str| {
        let digits: String = without_times(w).chars().filter(|c| *c != '.').collect();
        match digits.strip_prefix('1') {
            Some(zeros) => matches!(zeros, "000" | "000000"),
            None => digits == "000",
        }
    };
    if let Some(w) = note
        .iter()
        .find(|w| SCALE_WORDS.contains(&w.as_str()) || power_of_ten(w))
    {
        let millions = w.starts_with('j') || w.starts_with('m') || w.len() >= 7;
        let times = if millions { "a million" } else { "a thousand" };
        return Some(format!(
            "its header says the amounts are in `{w}`, but every amount is read in rupiah \
             (`1500000` or `1.500.000`): they would be {times} times too small"
        ));
    }
    if column != "grant_amount"
        && let Some(w) = note.iter().find(|w| PERIOD_WORDS.contains(&w.as_str()))
    {
        return Some(format!(
            "its header says the amounts are per `{w}`, but a month's amount is asked for: \
             they would be read as a month's"
        ));
    }
    None
}

/// The canonical column `header` stands for in `aliases`: one of their
/// Indonesian names, or one of those or of the canonical names with a note
/// of unit or period (`Omzet (Rp/bulan)`).
pub fn canonical(header: &str, aliases: &[(&str, &'static str)]) -> Option<&'static str> {
    resolve(header, aliases).map(|(r, _)| aliases[r].1)
}

/// Whether `headers` have column `name`, by its canonical name (case
/// aside) or one of its Indonesian names in `aliases`.
pub fn has_column(headers: &[String], name: &str, aliases: &[(&str, &'static str)]) -> bool {
    headers
        .iter()
        .any(|h| h.trim().eq_ignore_ascii_case(name) || canonical(h, aliases) == Some(name))
}

/// `headers` with their Indonesian names read as canonical ones, where the
/// canonical name is not there already. Of two names for one column, the
/// one listed first in `aliases` (a code before a name: `kode_kabupaten`
/// before `kabupaten`); the other is left as it is, and named among the
/// unread columns.
pub fn rename(headers: &mut [String], aliases: &[(&str, &'static str)]) {
    // Each header's alias, by its place in the list.
    let ranks: Vec<Option<usize>> = headers
        .iter()
        .map(|h| resolve(h, aliases).map(|(r, _)| r))
        .collect();
    for i in 0..headers.len() {
        let Some(r) = ranks[i] else { continue };
        let name = aliases[r].1;
        let taken = headers.iter().any(|h| h.trim().eq_ignore_ascii_case(name));
        let better = ranks
            .iter()
            .any(|other| other.is_some_and(|o| o < r && aliases[o].1 == name));
        if !taken && !better {
            headers[i] = name.to_string();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_alias_names_a_column_of_its_lists() {
        let template = crate::FormMapping::template();
        for (alias, name) in LIST_ALIASES {
            assert!(
                crate::register::REGISTER_COLUMNS.contains(name)
                    || template.fields.values().any(|f| f.column == *name)
                    || *name == "submitted_at",
                "{alias} stands for {name}, no column of the template or register"
            );
            assert_eq!(key(alias), *alias, "{alias} is not a key");
        }
        for (alias, name) in INCUBATOR_ALIASES {
            assert!(
                crate::register::INCUBATOR_COLUMNS.contains(name),
                "{alias}: {name}"
            );
        }
        // The feedback sheet's names are looked up the same way.
        for (alias, name) in crate::feedback::FEEDBACK_ALIASES {
            assert!(
                crate::feedback::FEEDBACK_COLUMNS.contains(name),
                "{alias}: {name}"
            );
            assert_eq!(key(alias), *alias, "{alias} is not a key");
        }
    }

    /// Names of columns as monitoring sheets write them (probed on a
    /// sheet of 33 headers, of which these 24 were named as not read), and
    /// names that may hold something else, left unread: `Status Usaha` (a
    /// start-up or scale-up too), `Jumlah Tenaga Kerja` (paid and family
    /// workers together), `Nominal Tabungan` (the balance, not a month's
    /// saving), `Izin Usaha` (which licence), `Pendamping` (the PKH
    /// facilitator too).
    #[test]
    fn the_names_sheets_commonly_give_their_answers_are_read() {
        let column = |h: &str| canonical(h, LIST_ALIASES);
        for (header, name) in [
            ("Usaha Masih Berjalan", "business_operating"),
            ("Penghasilan Usaha", "business_income"),
            ("Laba Bersih", "business_income"),
            ("Keuntungan", "business_income"),
            ("Keuntungan Bersih (Rp/bulan)", "business_income"),
            ("Pendapatan Bersih", "business_income"),
            ("Penghasilan Keluarga", "household_income"),
            ("Penghasilan Rumah Tangga", "household_income"),
            ("Memiliki Tabungan", "saves"),
            ("Tabungan per Bulan", "savings_amount"),
            ("Tabungan Bulanan (Rp)", "savings_amount"),
            ("Catatan Keuangan", "keeps_books"),
            ("Melakukan Pembukuan", "keeps_books"),
            ("Pembukuan Sederhana", "keeps_books"),
            ("Memiliki Rencana Usaha", "has_business_plan"),
            ("Rencana Bisnis", "has_business_plan"),
            ("Jumlah Karyawan", "paid_workers"),
            ("Karyawan (orang)", "paid_workers"),
            ("Akses Kredit", "got_credit"),
            ("Mendapat Pinjaman", "got_credit"),
            ("Pemasaran Online", "sells_online"),
            ("Jualan Online", "sells_online"),
            ("Penjualan Daring", "sells_online"),
            ("Nama Lengkap", "kpm_name"),
            ("Kluster Usaha", "cluster"),
            ("Kategori Usaha", "category"),
        ] {
            assert_eq!(column(header), Some(name), "{header}");
        }
        for header in [
            "Status Usaha",
            "Jumlah Tenaga Kerja",
            "Nominal Tabungan",
            "Tabungan",
            "Izin Usaha",
            "Pendamping",
            // The trade, often free text (`Jualan gorengan`): its cells
            // would be refused as clusters.
            "Jenis Usaha",
            "No. KK",
            "No HP",
        ] {
            assert_eq!(column(header), None, "{header}");
        }
    }

    /// A Google Form heads each column with its question: the name it asks
    /// for is read, past the question's words; a question that asks
    /// something more (`di bank`, `bulan ini`) is no column of the list.
    #[test]
    fn a_google_form_s_questions_name_their_columns() {
        let column = |h: &str| canonical(h, LIST_ALIASES);
        for (header, name) in [
            ("Apakah KPM menabung?", "saves"),
            ("Apakah KPM menabung setiap bulan?", "saves_monthly"),
            ("Apakah KPM mencatat pembukuan?", "keeps_books"),
            ("Apakah usaha KPM masih berjalan?", "business_operating"),
            ("Apakah KPM sudah memiliki NIB?", "has_nib"),
            ("Apakah KPM mendapat kredit/pinjaman?", "got_credit"),
            ("Apakah KPM menjual secara online?", "sells_online"),
            ("Apakah Ibu memiliki rencana usaha?", "has_business_plan"),
            ("Berapa omzet usaha per bulan?", "business_revenue"),
            ("Berapa laba bersih per bulan (Rp)?", "business_income"),
            ("Berapakah jumlah tabungan?", "savings_amount"),
            ("Berapa pekerja yang dibayar?", "paid_workers"),
            ("Putaran Monitoring", "wave"),
            ("Timestamp", "submitted_at"),
            ("Cap waktu", "submitted_at"),
        ] {
            assert_eq!(column(header), Some(name), "{header}");
        }
        for header in [
            "Apakah KPM menabung di bank?",
            "Apakah KPM menabung bulan ini?",
            "Berapa jumlah tabungan bulan ini?",
            "Apakah KPM bersedia kisahnya diceritakan?",
            "Apakah?",
            "?",
            "Email Address",
        ] {
            assert_eq!(column(header), None, "{header}");
        }
        // A question of an amount of another period than a month is said.
        assert!(
            note_problem("Berapa omzet per tahun?", "business_revenue", LIST_ALIASES)
                .is_some_and(|p| p.contains("tahun"))
        );
        // Of a sheet with a date and a Google Form's time, the date is read.
        let mut headers: Vec<String> = ["Timestamp", "ID KPM", "Tanggal Kunjungan"]
            .map(String::from)
            .into();
        rename(&mut headers, LIST_ALIASES);
        assert_eq!(headers, ["Timestamp", "kpm_id", "submitted_at"]);
    }

    #[test]
    fn a_note_of_unit_or_period_leaves_a_column_what_it_is() {
        let column = |h: &str| canonical(h, LIST_ALIASES);
        assert_eq!(column("Omzet (Rp/bulan)"), Some("business_revenue"));
        assert_eq!(
            column("Omzet usaha per bulan (Rp)"),
            Some("business_revenue")
        );
        assert_eq!(column("Pendapatan Usaha\n(Rp.)"), Some("business_income"));
        assert_eq!(column("Jumlah Tabungan [Rp,-]"), Some("savings_amount"));
        assert_eq!(column("Pekerja Dibayar (orang)"), Some("paid_workers"));
        assert_eq!(column("ID KPM (wajib)"), Some("kpm_id"));
        assert_eq!(column("Tanggal (dd/mm/yyyy)"), Some("submitted_at"));
        assert_eq!(column("Jenis Kelamin (L/P)"), Some("gender"));
        assert_eq!(column("L/P"), Some("gender"));
        assert_eq!(column("JK (L/P)"), Some("gender"));
        assert_eq!(column("business_revenue (Rp)"), Some("business_revenue"));
        // A canonical name's last word may be a note's.
        assert_eq!(column("saves_monthly"), Some("saves_monthly"));
        assert_eq!(column("saves_monthly (ya/tidak)"), Some("saves_monthly"));
        assert_eq!(column("Cohort Year"), Some("cohort_year"));
        // An alias that ends in a note's word is itself first.
        assert_eq!(column("Menabung Bulanan"), Some("saves_monthly"));
        assert_eq!(column("Menabung (ya/tidak)"), Some("saves"));
        // Any other word in the brackets makes it another column.
        assert_eq!(column("Nama (ibu)"), None);
        assert_eq!(column("Tanggal (lahir)"), None);
        assert_eq!(column("Omzet bulan lalu"), None);
        assert_eq!(column("(Rp)"), None);

        let problem = |h: &str| {
            let c = column(h).unwrap_or_else(|| panic!("{h} is no column"));
            note_problem(h, c, LIST_ALIASES)
        };
        for fine in [
            "Omzet (Rp/bulan)",
            "Omzet",
            "Pendapatan usaha per bulan",
            "Bantuan Modal (Rp)",
            "Kohort (tahun)",
            "Tanggal (tgl/bln/thn)",
            // A number that is no power of ten (a NIK pasted in) is no scale.
            "Omzet (3217055208850000)",
            "Omzet (x 12)",
        ] {
            assert_eq!(problem(fine), None, "{fine}");
        }
        for (wrong, word) in [
            ("Omzet (ribu Rp)", "ribu"),
            ("Omzet (dalam Rp 1.000)", "1.000"),
            ("Jumlah Tabungan (Rp 000)", "000"),
            ("Pendapatan Rumah Tangga (juta)", "juta"),
            ("Pendapatan usaha per tahun", "tahun"),
            ("Omzet (Rp/minggu)", "minggu"),
            ("Bantuan Modal (ribu Rp)", "ribu"),
            ("Omzet (Rp 1.000.000)", "1.000.000"),
            // A multiplier, with its number apart or not.
            ("Omzet (x 1.000)", "1.000"),
            ("Omzet (Rp × 1.000)", "1.000"),
            ("Omzet (×1000)", "×1000"),
            ("Omzet (x1000)", "x1000"),
            ("Omzet (Rp x1.000.000)", "x1.000.000"),
        ] {
            let p = problem(wrong).unwrap_or_else(|| panic!("{wrong} passed"));
            assert!(p.contains(&format!("`{word}`")), "{wrong}: {p}");
        }
    }

    #[test]
    fn a_header_is_renamed_once_and_never_over_its_canonical_name() {
        let mut headers: Vec<String> = [
            "ID KPM",
            "Kode Kab/Kota",
            "kpm_name",
            "nama",
            "omzet",
            "Omset",
        ]
        .map(String::from)
        .to_vec();
        rename(&mut headers, LIST_ALIASES);
        assert_eq!(
            headers,
            [
                "kpm_id",
                "regency_code",
                "kpm_name",
                "nama",
                "business_revenue",
                "Omset"
            ]
        );
        // A code before a name, wherever the sheet puts them.
        let mut headers: Vec<String> = ["Kabupaten", "Kode Kabupaten", "Nama", "Nama KPM"]
            .map(String::from)
            .to_vec();
        rename(&mut headers, LIST_ALIASES);
        assert_eq!(headers, ["Kabupaten", "regency_code", "Nama", "kpm_name"]);
    }
}
