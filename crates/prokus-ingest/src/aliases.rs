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
    ("nama_kpm", "kpm_name"),
    ("nama", "kpm_name"),
    ("jenis_kelamin", "gender"),
    ("nama_usaha", "business_name"),
    ("kelompok_studi", "arm"),
    ("tahun_kohort", "cohort_year"),
    ("kohort", "cohort_year"),
    ("angkatan", "cohort_year"),
    ("id_inkubator", "incubator_id"),
    ("kode_inkubator", "incubator_id"),
    ("nama_mentor", "mentor"),
    ("klaster", "cluster"),
    ("kategori", "category"),
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
    ("tanggal_bantuan", "grant_date"),
    ("persetujuan_kisah", "consent_story"),
    ("omzet", "business_revenue"),
    ("omset", "business_revenue"),
    ("pendapatan_usaha", "business_income"),
    ("laba_usaha", "business_income"),
    ("keuntungan_usaha", "business_income"),
    ("pendapatan_rumah_tangga", "household_income"),
    ("pendapatan_keluarga", "household_income"),
    ("menabung_bulanan", "saves_monthly"),
    ("menabung_tiap_bulan", "saves_monthly"),
    ("menabung", "saves"),
    ("frekuensi_menabung", "save_frequency"),
    ("jumlah_tabungan", "savings_amount"),
    ("pembukuan", "keeps_books"),
    ("mencatat_keuangan", "keeps_books"),
    ("memisahkan_uang", "separates_money"),
    ("rencana_usaha", "has_business_plan"),
    ("pekerja_dibayar", "paid_workers"),
    ("tenaga_kerja_dibayar", "paid_workers"),
    ("pekerja_keluarga", "family_workers"),
    ("tenaga_kerja_keluarga", "family_workers"),
    ("usaha_berjalan", "business_operating"),
    ("usaha_aktif", "business_operating"),
    ("punya_nib", "has_nib"),
    ("memiliki_nib", "has_nib"),
    ("mendapat_kredit", "got_credit"),
    ("dapat_kredit", "got_credit"),
    ("sumber_kredit", "credit_source"),
    ("jual_online", "sells_online"),
    ("penjualan_online", "sells_online"),
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
    ("nama", "name"),
    ("universitas", "university"),
    ("perguruan_tinggi", "university"),
    ("kampus", "university"),
    ("kode_provinsi", "province_code"),
    ("kode_prov", "province_code"),
    ("provinsi", "province_code"),
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

/// A header as the lists' aliases are keyed: trimmed, lower case, spaces,
/// hyphens and slashes as `_` (`Kode Kab/Kota` → `kode_kab_kota`).
fn key(header: &str) -> String {
    header
        .trim()
        .to_lowercase()
        .split([' ', '-', '/', '_'])
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("_")
}

/// The canonical column `header` stands for in `aliases`, if it is one of
/// their Indonesian names.
pub fn canonical(header: &str, aliases: &[(&str, &'static str)]) -> Option<&'static str> {
    let key = key(header);
    aliases
        .iter()
        .find(|(alias, _)| *alias == key)
        .map(|(_, name)| *name)
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
    let rank = |header: &str| {
        let key = key(header);
        aliases.iter().position(|(alias, _)| *alias == key)
    };
    let ranks: Vec<Option<usize>> = headers.iter().map(|h| rank(h)).collect();
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
                crate::load::REGISTER_COLUMNS.contains(name)
                    || template.fields.values().any(|f| f.column == *name)
                    || *name == "submitted_at",
                "{alias} stands for {name}, no column of the template or register"
            );
            assert_eq!(key(alias), *alias, "{alias} is not a key");
        }
        for (alias, name) in INCUBATOR_ALIASES {
            assert!(
                crate::load::INCUBATOR_COLUMNS.contains(name),
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
