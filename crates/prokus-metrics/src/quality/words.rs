//! What each finding says, and what to do about it, in Bahasa Indonesia or
//! English: field names as the form asks them, money as `Rp 2.500.000`, dates
//! as `20 Maret 2021`.

use chrono::{NaiveDate, NaiveDateTime};

use super::{Detail, Finding, NotCollected, QualityReport, Rule, UnitName};
use crate::format::{self, Lang};

/// Field names as the form asks them.
/// The text with its first letter in upper case.
pub(super) fn field_label(field: &str, lang: Lang) -> String {
    let (id, en) = match field {
        "nik" => ("NIK", "NIK"),
        "business_operating" => ("usaha masih berjalan", "business still running"),
        "business_revenue" => ("omzet usaha sebulan", "monthly business revenue"),
        "business_income" => (
            "pendapatan bersih usaha sebulan",
            "monthly net business income",
        ),
        "household_income" => (
            "pendapatan rumah tangga sebulan",
            "monthly household income",
        ),
        "saves" => ("menabung", "saves"),
        "save_frequency" => ("frekuensi menabung", "saving frequency"),
        "savings_amount" => ("jumlah tabungan sebulan", "amount saved in the month"),
        "keeps_books" => ("pembukuan", "bookkeeping"),
        "separates_money" => ("memisahkan uang usaha", "business money kept apart"),
        "has_business_plan" => ("rencana usaha", "business plan"),
        "paid_workers" => ("pekerja dibayar", "paid workers"),
        "family_workers" => ("pekerja keluarga", "family workers"),
        "has_nib" => ("NIB", "NIB"),
        "got_credit" => ("kredit formal", "formal credit"),
        "credit_source" => ("sumber kredit", "credit source"),
        "sells_online" => ("penjualan online", "online sales"),
        "product_changes" => ("perubahan produk", "product changes"),
        "mentoring_sessions" => ("sesi pendampingan", "mentoring sessions"),
        "tksk_visits" => ("kunjungan TKSK", "TKSK visits"),
        "attitude_1" => (
            "sikap: yakin usaha berkembang",
            "attitude: confident the business will grow",
        ),
        "attitude_2" => (
            "sikap: berani mengambil risiko",
            "attitude: takes weighed risks",
        ),
        "attitude_3" => (
            "sikap: mencari cara baru menjual",
            "attitude: looks for new ways to sell",
        ),
        "attitude_4" => (
            "sikap: merencanakan keuangan",
            "attitude: plans the business's money",
        ),
        "attitude_5" => ("sikap: tidak mudah menyerah", "attitude: does not give up"),
        "saves_monthly" => ("menabung minimal sebulan sekali", "saves at least monthly"),
        "arm" => ("kelompok", "arm"),
        "incubator_id" => ("inkubator", "incubator"),
        "cohort_year" => ("angkatan", "cohort year"),
        "gender" => ("jenis kelamin", "sex"),
        "province_code" => ("provinsi", "province"),
        "regency_code" => ("kabupaten/kota", "regency"),
        "district_code" => ("kecamatan", "district"),
        "cluster" => ("klaster usaha", "business cluster"),
        "category" => ("kategori usaha", "business category"),
        other => (other, other),
    };
    match lang {
        Lang::Id => id.to_string(),
        Lang::En => en.to_string(),
    }
}

fn is_money(field: &str) -> bool {
    matches!(
        field,
        "business_revenue" | "business_income" | "household_income" | "savings_amount"
    )
}

fn amount(field: &str, v: f64, lang: Lang) -> String {
    if is_money(field) {
        format::rupiah(v, lang)
    } else {
        format::number(v, if v.fract() == 0.0 { 0 } else { 1 }, lang)
    }
}

impl NotCollected {
    /// The fields, as the form asks them, joined with commas.
    pub fn field_labels(&self, lang: Lang) -> String {
        self.fields
            .iter()
            .map(|f| field_label(f, lang))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl QualityReport {
    /// The name of a unit.
    pub fn unit_name(&self, unit_id: &str, lang: Lang) -> String {
        let name = self.units.get(unit_id);
        match name {
            Some(UnitName {
                incubator: Some(n), ..
            }) => n.clone(),
            _ if unit_id.starts_with("comparison-") => {
                let province = name.and_then(|n| n.province.clone()).unwrap_or_default();
                match lang {
                    Lang::Id => format!("Kelompok pembanding, {province}"),
                    Lang::En => format!("Comparison group, {province}"),
                }
            }
            _ if unit_id == "unregistered" => match lang {
                Lang::Id => "KPM tidak ada di daftar KPM".into(),
                Lang::En => "KPM not in the register".into(),
            },
            _ => unit_id.to_string(),
        }
    }

    pub(super) fn wave_label(&self, wave: &str, lang: Lang) -> String {
        self.waves.get(wave).map_or_else(
            || wave.to_string(),
            |(_, id, en)| match lang {
                Lang::Id => id.clone(),
                Lang::En => en.clone(),
            },
        )
    }

    /// What a finding says and what to do, in `lang`. Another unit's KPM
    /// are named only when `scope` is `None` (the M&E team's national file);
    /// a unit's own file says only that they belong to another unit.
    pub fn describe(&self, f: &Finding, lang: Lang, scope: Option<&str>) -> (String, String) {
        let (problem, action) = self.describe_lower(f, lang, scope);
        (format::capitalized(&problem), action)
    }

    fn describe_lower(&self, f: &Finding, lang: Lang, scope: Option<&str>) -> (String, String) {
        let id = lang == Lang::Id;
        let pick = |a: String, b: String| if id { a } else { b };
        let field = f.field.as_deref().unwrap_or("");
        let label = field_label(field, lang);
        let date = |d: NaiveDate| format::date(d, lang);
        match &f.detail {
            Detail::RegisterDiffers { given, registered } => {
                let registered = registered.as_deref().unwrap_or("–");
                (
                    pick(
                        format!("{label} di formulir `{given}`, di daftar KPM `{registered}`; yang dipakai daftar KPM"),
                        format!("{label} is `{given}` in the form, `{registered}` in the register; the register's is used"),
                    ),
                    pick(
                        "Periksa mana yang benar; perbaiki daftar KPM (lalu muat ulang) atau formulirnya".into(),
                        "Check which is right; correct the register (and load it again) or the form".into(),
                    ),
                )
            }
            Detail::NikInvalid { status } => {
                let problem = match (status.as_str(), id) {
                    ("missing", true) => "NIK kosong di daftar KPM".to_string(),
                    ("missing", false) => "No NIK in the KPM register".to_string(),
                    ("bad_length", true) => "NIK tidak 16 digit".to_string(),
                    ("bad_length", false) => "The NIK is not 16 digits".to_string(),
                    ("excel_damaged", true) => {
                        "NIK rusak oleh Excel (disimpan sebagai angka; digit terakhir hilang)".to_string()
                    }
                    ("excel_damaged", false) => {
                        "The NIK was damaged by Excel (stored as a number; its last digits are lost)".to_string()
                    }
                    ("unknown_region", true) => {
                        "4 digit pertama NIK bukan kode kabupaten/kota Kemendagri".to_string()
                    }
                    ("unknown_region", false) => {
                        "The NIK's first four digits are not a Kemendagri regency code".to_string()
                    }
                    ("bad_birth_date", true) => {
                        "Digit 7–12 NIK bukan tanggal lahir yang sah".to_string()
                    }
                    ("bad_birth_date", false) => {
                        "The NIK's digits 7–12 are not a valid birth date".to_string()
                    }
                    (other, _) => format!("NIK: {other}"),
                };
                let action = pick(
                    "Salin NIK dari KTP/KK sebagai teks (format sel Teks) dan kirim ulang daftar KPM".into(),
                    "Copy the NIK from the ID card or family card as text (Text cell format) and send the register again".into(),
                );
                (problem, action)
            }
            Detail::SameNik { nik_masked, others } => {
                let nik = nik_masked.clone().unwrap_or_else(|| "NIK".into());
                let mut own: Vec<&str> = Vec::new();
                let mut elsewhere = 0;
                for (kpm, unit) in others {
                    if scope.is_none_or(|s| s == unit) {
                        own.push(kpm);
                    } else {
                        elsewhere += 1;
                    }
                }
                let mut who = own.join(", ");
                if elsewhere > 0 {
                    if !who.is_empty() {
                        who.push_str(if id { " dan " } else { " and " });
                    }
                    who.push_str(&pick(
                        format!("{elsewhere} KPM di unit lain"),
                        format!("{elsewhere} KPM of another unit"),
                    ));
                }
                (
                    pick(
                        format!("NIK {nik} juga terdaftar untuk {who}"),
                        format!("NIK {nik} is also registered for {who}"),
                    ),
                    pick(
                        "Periksa KTP/KK: satu keluarga hanya terdaftar sekali; laporkan ke tim M&E yang mana yang benar".into(),
                        "Check the ID card: a household is registered once; tell the M&E team which record is right".into(),
                    ),
                )
            }
            Detail::Superseded { kept, kept_at } => (
                pick(
                    format!(
                        "Kiriman ganda untuk KPM dan putaran ini; yang dipakai kiriman {kept} ({})",
                        date(self.local_day(*kept_at))
                    ),
                    format!(
                        "Another submission for this KPM and wave; the one used is {kept} ({})",
                        date(self.local_day(*kept_at))
                    ),
                ),
                pick(
                    "Pastikan kiriman yang dipakai benar; hapus kiriman ganda di server".into(),
                    "Make sure the submission used is right; delete the duplicate on the server"
                        .into(),
                ),
            ),
            Detail::Identical { peers, others } => (
                {
                    let more = others.saturating_sub(peers.len());
                    pick(
                        format!(
                            "Semua jawaban sama persis dengan KPM {}{}",
                            peers.join(", "),
                            if more > 0 {
                                format!(" dan {more} KPM lain")
                            } else {
                                String::new()
                            }
                        ),
                        format!(
                            "Every answer is identical to KPM {}{}",
                            peers.join(", "),
                            if more > 0 {
                                format!(" and {more} other KPM")
                            } else {
                                String::new()
                            }
                        ),
                    )
                },
                pick(
                    "Pastikan tiap KPM benar-benar diwawancarai; kirim ulang jawaban yang salah"
                        .into(),
                    "Make sure each KPM was interviewed; send the wrong answers again".into(),
                ),
            ),
            Detail::Outlier { median, n, z } => {
                let value = f.value.map(|v| amount(field, v, lang)).unwrap_or_default();
                let side = if *z > 0.0 {
                    pick("jauh di atas".into(), "far above".into())
                } else {
                    pick("jauh di bawah".into(), "far below".into())
                };
                (
                    pick(
                        format!(
                            "{label} {value} {side} median unit ini ({}, n = {n}); skor-z robust {}",
                            amount(field, *median, lang),
                            format::number(*z, 1, lang)
                        ),
                        format!(
                            "{label} {value} is {side} this unit's median ({}, n = {n}); robust z-score {}",
                            amount(field, *median, lang),
                            format::number(*z, 1, lang)
                        ),
                    ),
                    pick(
                        "Konfirmasi ke KPM; perbaiki bila salah ketik (misalnya kelebihan atau kekurangan nol)".into(),
                        "Confirm with the KPM; correct it if mistyped (a zero too many or too few)".into(),
                    ),
                )
            }
            Detail::Change {
                previous_wave,
                previous,
            } => {
                let value = f.value.map(|v| amount(field, v, lang)).unwrap_or_default();
                let before = amount(field, *previous, lang);
                let wave = self.wave_label(previous_wave, lang);
                (
                    pick(
                        format!("{label} berubah dari {before} ({wave}) menjadi {value}"),
                        format!("{label} changed from {before} ({wave}) to {value}"),
                    ),
                    pick(
                        "Konfirmasi ke KPM; perbaiki bila salah ketik".into(),
                        "Confirm with the KPM; correct it if mistyped".into(),
                    ),
                )
            }
            Detail::Missing { when } => {
                let condition = when
                    .as_deref()
                    .map(|w| {
                        pick(
                            format!(" (ditanyakan bila {} = ya)", field_label(w, lang)),
                            format!(" (asked when {} = yes)", field_label(w, lang)),
                        )
                    })
                    .unwrap_or_default();
                (
                    pick(
                        format!("Jawaban {label} kosong{condition}"),
                        format!("No answer for {label}{condition}"),
                    ),
                    pick(
                        "Lengkapi jawaban dan kirim ulang".into(),
                        "Complete the answer and send it again".into(),
                    ),
                )
            }
            Detail::Inconsistent { rule, other } => {
                let value = f.value.map(|v| amount(field, v, lang)).unwrap_or_default();
                let other = other.map(|v| format::rupiah(v, lang)).unwrap_or_default();
                let problem = match rule {
                    Rule::IncomeAboveRevenue => pick(
                        format!("Pendapatan bersih usaha {value} lebih besar dari omzet {other}"),
                        format!("Net business income {value} is above revenue {other}"),
                    ),
                    Rule::ClosedWithRevenue => pick(
                        format!("Usaha disebut tidak berjalan tetapi omzet {value}"),
                        format!("The business is said to be closed but has revenue {value}"),
                    ),
                    Rule::ClosedWithWorkers => pick(
                        format!("Usaha disebut tidak berjalan tetapi ada {value} pekerja dibayar"),
                        format!("The business is said to be closed but has {value} paid workers"),
                    ),
                    Rule::SavingsWithoutSaving => pick(
                        format!("Keluarga disebut tidak menabung tetapi menabung {value}"),
                        format!("The household is said not to save but saved {value}"),
                    ),
                    Rule::HouseholdBelowBusiness => pick(
                        format!(
                            "Pendapatan rumah tangga {value} lebih kecil dari pendapatan bersih usaha {other}"
                        ),
                        format!("Household income {value} is below net business income {other}"),
                    ),
                };
                (
                    problem,
                    pick(
                        "Tanyakan ulang kedua jawaban ke KPM dan perbaiki yang salah".into(),
                        "Ask the KPM both questions again and correct the wrong answer".into(),
                    ),
                )
            }
            Detail::NoResponse { closes } => (
                pick(
                    format!("Belum ada jawaban; batas putaran ini {}", date(*closes)),
                    format!("No answer; this wave closed on {}", date(*closes)),
                ),
                pick(
                    "Survei KPM ini, atau catat alasannya (pindah, menolak, meninggal)".into(),
                    "Survey this KPM, or record why not (moved, refused, died)".into(),
                ),
            ),
            Detail::Late {
                closes,
                sent,
                interviewed: None,
            } => {
                let days = (*sent - *closes).num_days();
                (
                    pick(
                        format!(
                            "Dikirim {}, {days} hari setelah batas {}",
                            date(*sent),
                            date(*closes)
                        ),
                        format!(
                            "Sent on {}, {days} days after the deadline of {}",
                            date(*sent),
                            date(*closes)
                        ),
                    ),
                    pick(
                        "Kirim data putaran berikutnya sebelum batas waktu".into(),
                        "Send the next wave's data before its deadline".into(),
                    ),
                )
            }
            // Made in time, sent late: the form waited on the device.
            Detail::Late {
                closes,
                sent,
                interviewed: Some(interviewed),
            } => {
                let days = (*sent - *closes).num_days();
                (
                    pick(
                        format!(
                            "Dikirim {}, {days} hari setelah batas {}; wawancara {}, sebelum batas",
                            date(*sent),
                            date(*closes),
                            date(*interviewed)
                        ),
                        format!(
                            "Sent on {}, {days} days after the deadline of {}; interviewed on {}, before it",
                            date(*sent),
                            date(*closes),
                            date(*interviewed)
                        ),
                    ),
                    pick(
                        "Kirim formulir segera setelah wawancara, sebelum batas waktu".into(),
                        "Send each form as soon as it is made, before the deadline".into(),
                    ),
                )
            }
            Detail::Early { opens, sent } => (
                pick(
                    format!(
                        "Dikirim {}, sebelum putaran ini dibuka ({}): mungkin salah pilih putaran",
                        date(*sent),
                        date(*opens)
                    ),
                    format!(
                        "Sent on {}, before this wave opened ({}): the wave may have been chosen wrongly",
                        date(*sent),
                        date(*opens)
                    ),
                ),
                pick(
                    "Periksa putaran yang dipilih pada formulir dan kirim ulang bila salah".into(),
                    "Check the wave chosen on the form and send it again if wrong".into(),
                ),
            ),
            Detail::Undated { loaded } => (
                pick(
                    format!(
                        "Tanpa tanggal wawancara (dimuat {}): dihitung pada putarannya, tetapi tidak pada triwulan mana pun",
                        date(*loaded)
                    ),
                    format!(
                        "No interview date (loaded on {}): counted in its round, but in no quarter",
                        date(*loaded)
                    ),
                ),
                pick(
                    "Isi tanggal wawancara (kolom submitted_at atau tanggal) dan kirim ulang lembarnya".into(),
                    "Fill in the interview date (the submitted_at or tanggal column) and send the sheet again".into(),
                ),
            ),
        }
    }

    fn local_day(&self, utc: NaiveDateTime) -> NaiveDate {
        (utc + chrono::TimeDelta::hours(i64::from(self.utc_offset_hours))).date()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every answer a mapping may feed (the one list, in the ingest crate)
    /// has its own words in both languages, so no finding prints a column
    /// name to an incubator.
    #[test]
    fn every_canonical_field_has_a_label_in_both_languages() {
        for (field, _) in prokus_ingest::mapping::CANONICAL_FIELDS {
            if matches!(*field, "kpm_id" | "wave") {
                continue;
            }
            // A field without words falls back to its name, with its `_`
            // ("saves" is both a field and its English label).
            let id = field_label(field, Lang::Id);
            assert!(
                id != *field && !id.contains('_'),
                "{field}: no Indonesian label"
            );
            let en = field_label(field, Lang::En);
            assert!(!en.contains('_'), "{field}: no English label");
        }
    }
}
