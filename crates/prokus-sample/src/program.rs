//! The synthetic program: incubators, KPM and their answers in every wave.
//!
//! Shaped like ProKUS 2021: 27 incubators in 11 provinces, four business
//! clusters, three maturity categories, Rp 3.500.000 grants, right-skewed
//! incomes, effects that differ by incubator and cluster, attrition between
//! waves, and a comparison group of PKH graduates outside the program who are
//! surveyed at baseline and endline only.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use rand::Rng;
use rand::seq::IndexedRandom;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, LogNormal, Normal, Poisson};

/// An incubator as written to `incubators.csv`.
pub struct Incubator {
    /// Stable id, e.g. `INK-32-01`.
    pub id: String,
    /// The incubator's name.
    pub name: String,
    /// The university it belongs to.
    pub university: String,
    /// Two-digit province code.
    pub province: String,
    /// Dotted regency codes it works in.
    pub regencies: Vec<String>,
    /// How much better (or worse) than average its KPM do, in log income.
    pub effect: f64,
}

/// (province, incubator name, university, regencies worked in).
const INCUBATORS: &[(&str, &str, &str, &[&str])] = &[
    (
        "31",
        "Inkubator Bisnis UNJ",
        "Universitas Negeri Jakarta",
        &["31.75", "31.72"],
    ),
    (
        "31",
        "Inkubator Bisnis UPN Veteran Jakarta",
        "UPN Veteran Jakarta",
        &["31.74", "31.71"],
    ),
    (
        "31",
        "Pusat Kewirausahaan Trisakti",
        "Universitas Trisakti",
        &["31.73"],
    ),
    (
        "32",
        "Oorange Universitas Padjadjaran",
        "Universitas Padjadjaran",
        &["32.17", "32.11"],
    ),
    (
        "32",
        "Inkubator Bisnis IPB University",
        "IPB University",
        &["32.01", "32.71"],
    ),
    (
        "32",
        "Inkubator Bisnis UPI",
        "Universitas Pendidikan Indonesia",
        &["32.04"],
    ),
    (
        "32",
        "Inkubator Bisnis Universitas Siliwangi",
        "Universitas Siliwangi",
        &["32.06", "32.78"],
    ),
    (
        "33",
        "Pusat Inovasi dan Bisnis Polines",
        "Politeknik Negeri Semarang",
        &["33.22", "33.74"],
    ),
    (
        "33",
        "Inkubator Bisnis Universitas Diponegoro",
        "Universitas Diponegoro",
        &["33.74"],
    ),
    (
        "33",
        "Inkubator Bisnis UNS",
        "Universitas Sebelas Maret",
        &["33.72", "33.11"],
    ),
    (
        "34",
        "Inkubator Bisnis UGM",
        "Universitas Gadjah Mada",
        &["34.04", "34.02"],
    ),
    (
        "34",
        "Inkubator Bisnis UPN Veteran Yogyakarta",
        "UPN Veteran Yogyakarta",
        &["34.02"],
    ),
    (
        "35",
        "ILBI ITS",
        "Institut Teknologi Sepuluh Nopember",
        &["35.08"],
    ),
    (
        "35",
        "Inkubator Bisnis UPN Veteran Jawa Timur",
        "UPN Veteran Jawa Timur",
        &["35.13", "35.74"],
    ),
    (
        "35",
        "Inkubator Bisnis Universitas Airlangga",
        "Universitas Airlangga",
        &["35.16", "35.76"],
    ),
    (
        "35",
        "Inkubator Bisnis Universitas Brawijaya",
        "Universitas Brawijaya",
        &["35.07", "35.73"],
    ),
    (
        "35",
        "Inkubator Bisnis Universitas Negeri Malang",
        "Universitas Negeri Malang",
        &["35.07"],
    ),
    (
        "36",
        "Inkubator Bisnis Untirta",
        "Universitas Sultan Ageng Tirtayasa",
        &["36.04", "36.73"],
    ),
    (
        "36",
        "Inkubator Bisnis Universitas Pamulang",
        "Universitas Pamulang",
        &["36.74", "36.03"],
    ),
    (
        "51",
        "Inkubator Bisnis Universitas Udayana",
        "Universitas Udayana",
        &["51.71", "51.04"],
    ),
    (
        "51",
        "Inkubator Bisnis Politeknik Negeri Bali",
        "Politeknik Negeri Bali",
        &["51.04"],
    ),
    (
        "73",
        "Inkubator Bisnis Universitas Hasanuddin",
        "Universitas Hasanuddin",
        &["73.71", "73.06"],
    ),
    (
        "73",
        "Inkubator Bisnis UNM",
        "Universitas Negeri Makassar",
        &["73.06"],
    ),
    (
        "12",
        "Inkubator Bisnis USU",
        "Universitas Sumatera Utara",
        &["12.71", "12.07"],
    ),
    (
        "12",
        "Inkubator Bisnis Polmed",
        "Politeknik Negeri Medan",
        &["12.07"],
    ),
    (
        "16",
        "Inkubator Bisnis Universitas Sriwijaya",
        "Universitas Sriwijaya",
        &["16.71", "16.10"],
    ),
    (
        "52",
        "Inkubator Bisnis Universitas Mataram",
        "Universitas Mataram",
        &["52.71", "52.01"],
    ),
];

/// The 27 incubators with their (seeded) effects.
pub fn incubators(rng: &mut ChaCha8Rng) -> Vec<Incubator> {
    let effect = Normal::new(0.0, 0.07).expect("valid normal");
    let mut per_province: std::collections::HashMap<&str, u32> = Default::default();
    INCUBATORS
        .iter()
        .map(|(province, name, university, regencies)| {
            let n = per_province.entry(province).or_default();
            *n += 1;
            Incubator {
                id: format!("INK-{province}-{n:02}"),
                name: name.to_string(),
                university: university.to_string(),
                province: province.to_string(),
                regencies: regencies.iter().map(|r| r.to_string()).collect(),
                effect: effect.sample(rng),
            }
        })
        .collect()
}

/// A programme scaled up to the whole country: every regency of the
/// Kemendagri reference gets KPM. The province's own incubators share its
/// regencies (theirs first); a province without one gets synthetic
/// incubators, one for about every twelve regencies.
pub fn nationwide(
    mut incubators: Vec<Incubator>,
    wilayah: &prokus_ingest::wilayah::Wilayah,
    rng: &mut ChaCha8Rng,
) -> Vec<Incubator> {
    use prokus_ingest::wilayah::Level;
    let effect = Normal::new(0.0, 0.07).expect("valid normal");
    for province in wilayah.all(Level::Province) {
        let regencies: Vec<String> = wilayah
            .all(Level::Regency)
            .iter()
            .filter(|r| r.parent == province.code)
            .map(|r| r.code.clone())
            .collect();
        if regencies.is_empty() {
            continue;
        }
        let own: Vec<usize> = (0..incubators.len())
            .filter(|&i| incubators[i].province == province.code)
            .collect();
        let own = if own.is_empty() {
            let n = regencies.len().div_ceil(12);
            (1..=n)
                .map(|k| {
                    incubators.push(Incubator {
                        id: format!("INK-{}-{k:02}", province.code),
                        name: format!("Inkubator Bisnis Mitra {} {k}", province.name),
                        university: format!("Perguruan Tinggi Mitra {}", province.name),
                        province: province.code.clone(),
                        regencies: Vec::new(),
                        effect: effect.sample(rng),
                    });
                    incubators.len() - 1
                })
                .collect()
        } else {
            own
        };
        // The regencies no incubator of the province works in yet, dealt
        // out in turn.
        let uncovered: Vec<String> = regencies
            .into_iter()
            .filter(|r| !own.iter().any(|&i| incubators[i].regencies.contains(r)))
            .collect();
        for (k, regency) in uncovered.into_iter().enumerate() {
            incubators[own[k % own.len()]].regencies.push(regency);
        }
    }
    incubators
}

/// The four business clusters with their share of KPM and extra income effect.
pub const CLUSTERS: &[(&str, f64, f64)] = &[
    ("kuliner", 0.45, 0.05),
    ("ritel", 0.25, 0.0),
    ("fesyen", 0.15, 0.03),
    ("agribisnis", 0.15, -0.04),
];
/// The three maturity categories with their share and baseline income shift.
pub const CATEGORIES: &[(&str, f64, f64)] = &[
    ("start_up", 0.40, -0.30),
    ("scale_up", 0.45, 0.0),
    ("inkubasi", 0.15, 0.35),
];

/// The survey waves: name, months after baseline, first fieldwork day.
pub const WAVES: &[(&str, u32, (i32, u32, u32))] = &[
    ("baseline", 0, (2021, 3, 8)),
    ("monitoring_1", 2, (2021, 5, 10)),
    ("monitoring_2", 3, (2021, 6, 7)),
    ("monitoring_3", 4, (2021, 7, 5)),
    ("endline", 6, (2021, 9, 6)),
];

/// Share of the program effect reached at each wave.
const RAMP: [f64; 5] = [0.0, 0.35, 0.6, 0.8, 1.0];
/// Share of households still in the survey at each wave (attrition). The
/// comparison group is surveyed at baseline and endline only.
const RETAINED_PROKUS: [f64; 5] = [1.0, 0.97, 0.93, 0.90, 0.86];
const RETAINED_COMPARISON: [f64; 5] = [1.0, 0.0, 0.0, 0.0, 0.82];

/// One beneficiary household with its hidden traits.
pub struct Household {
    /// `KPM21-000123`.
    pub kpm_id: String,
    /// 16-digit NIK (written to the register only).
    pub nik: String,
    /// Name of the head of the business.
    pub name: String,
    /// `P` or `L`, as registers write it.
    pub gender: &'static str,
    /// Business name.
    pub business_name: String,
    /// `prokus` or `comparison`.
    pub arm: &'static str,
    /// Index into the incubator list (the comparison group is matched to one
    /// incubator's area but not served by it).
    pub incubator: usize,
    /// Mentor (MiBi) name.
    pub mentor: String,
    /// TKSK (district social-welfare worker) name.
    pub tksk: String,
    /// Cluster index into [`CLUSTERS`].
    pub cluster: usize,
    /// Category index into [`CATEGORIES`].
    pub category: usize,
    /// Regency code, dotted.
    pub regency: String,
    /// District code, dotted.
    pub district: String,
    /// Grant disbursement date (ProKUS only).
    pub grant_date: Option<NaiveDate>,
    latent: Latent,
}

/// Per-household draws that make answers consistent across waves.
struct Latent {
    income0: f64,
    other_income: f64,
    revenue_ratio: f64,
    effect: f64,
    saver: f64,
    bookkeeper: f64,
    separator: f64,
    planner: f64,
    licence: f64,
    borrower: f64,
    online: f64,
    attitude: f64,
    paid0: u32,
    family0: u32,
    hires: f64,
    frequency: usize,
    closes: f64,
    mentoring: f64,
    staying: f64,
}

/// The answers of one household in one wave.
pub struct Answers {
    /// Wave index into [`WAVES`].
    pub wave: usize,
    /// Interview start and end (device time with offset) and server time (UTC).
    pub start: NaiveDateTime,
    /// Interview end.
    pub end: NaiveDateTime,
    /// `_submission_time`, naive UTC.
    pub submitted: NaiveDateTime,
    /// Business still running.
    pub operating: bool,
    /// Rp per month; `None` when the business is closed.
    pub revenue: Option<f64>,
    /// Net business income, Rp per month.
    pub income: Option<f64>,
    /// Product changes (choice names).
    pub changes: Vec<&'static str>,
    /// Sells online.
    pub online: Option<bool>,
    /// Paid workers.
    pub paid: Option<u32>,
    /// Unpaid family workers.
    pub family: Option<u32>,
    /// Has an NIB.
    pub nib: bool,
    /// Household income, Rp per month.
    pub household_income: f64,
    /// Saves.
    pub saves: bool,
    /// Saving frequency choice.
    pub frequency: Option<&'static str>,
    /// Amount saved last month.
    pub savings: Option<f64>,
    /// Keeps books.
    pub books: bool,
    /// Separates business and household money.
    pub separates: bool,
    /// Has a written business plan.
    pub plan: bool,
    /// Got formal credit since the last round.
    pub credit: bool,
    /// Source of that credit.
    pub credit_source: Option<&'static str>,
    /// Mentoring sessions attended.
    pub mentoring: u32,
    /// Visits by the household's TKSK this month.
    pub tksk_visits: u32,
    /// Five Likert answers.
    pub attitude: [u32; 5],
}

const FIRST_F: &[&str] = &[
    "Siti", "Sri", "Nur", "Dewi", "Ani", "Rina", "Yuni", "Endang", "Wati", "Ratna", "Sulastri",
    "Suryani", "Fatimah", "Aminah", "Kartini", "Murni", "Dian", "Eka", "Tuti", "Yati", "Nining",
    "Ida", "Umi", "Euis", "Ni Made", "Ni Ketut", "Rohmah", "Lilis", "Neneng", "Nurul",
];
const FIRST_M: &[&str] = &[
    "Ahmad",
    "Budi",
    "Slamet",
    "Joko",
    "Agus",
    "Dedi",
    "Asep",
    "Ujang",
    "Hendra",
    "Rahmat",
    "I Made",
    "I Wayan",
    "Andi",
    "Darmawan",
    "Supriyadi",
];
const SECOND: &[&str] = &[
    "Wahyuni",
    "Rahayu",
    "Lestari",
    "Handayani",
    "Susanti",
    "Hidayah",
    "Kurniasih",
    "Purwanti",
    "Maryani",
    "Setiawati",
    "Hasanah",
    "Yulianti",
    "Sartika",
    "Permata",
    "Anggraini",
    "Santoso",
    "Hidayat",
    "Saputra",
    "Gunawan",
    "Pratama",
];
const BRAND: &[&str] = &[
    "Berkah",
    "Barokah",
    "Sumber Rejeki",
    "Maju Jaya",
    "Sejahtera",
    "Mandiri",
    "Amanah",
    "Sari Rasa",
    "Rizki",
    "Mekar Sari",
    "Harapan",
    "Sinar Jaya",
    "Cahaya",
    "Lancar",
    "Putri",
];
const KIND: [&[&str]; 4] = [
    &[
        "Keripik",
        "Warung Makan",
        "Martabak",
        "Kue Basah",
        "Sambal",
        "Bakso",
        "Nasi Uduk",
        "Rempeyek",
        "Es Cendol",
        "Catering",
    ],
    &[
        "Toko Kelontong",
        "Warung Sembako",
        "Toko",
        "Pulsa & ATK",
        "Agen Gas",
    ],
    &["Jahit", "Batik", "Konveksi", "Rajut", "Bordir"],
    &[
        "Ternak Lele",
        "Jamur Tiram",
        "Kebun Sayur",
        "Ternak Ayam",
        "Bibit Tanaman",
    ],
];
/// Names as people really type them, with characters that markup languages
/// treat as code: they must print literally in every report.
const ODD_NAMES: &[&str] = &[
    "Kue & Roti \"Bu Ani\"",
    "Toko [Berkah] #1",
    "Sambal *Pedas* Mak_Ijah",
    "Warung $Hemat$ 50%",
    "Batik <Lestari>",
    "Keripik #exit() \\ Sehat",
];

fn weighted(rng: &mut ChaCha8Rng, table: &[(&str, f64, f64)]) -> usize {
    let mut x: f64 = rng.random();
    for (i, (_, share, _)) in table.iter().enumerate() {
        if x < *share {
            return i;
        }
        x -= share;
    }
    table.len() - 1
}

fn person(rng: &mut ChaCha8Rng, female: bool) -> String {
    let first = if female { FIRST_F } else { FIRST_M };
    format!(
        "{} {}",
        first.choose(rng).unwrap_or(&"Siti"),
        SECOND.choose(rng).unwrap_or(&"Rahayu")
    )
}

/// Whether a ProKUS household agreed that its story be told: two in five,
/// drawn from its KPM id so that the random stream stays as it was.
pub fn consents(h: &Household) -> bool {
    fnv(&h.kpm_id) % 5 < 2
}

/// A stable hash of `key` (FNV-1a), for what the sample derives from a name
/// without drawing from the random stream.
pub(crate) fn fnv(key: &str) -> u64 {
    fnv_bytes(key.bytes())
}

/// [`fnv`] of any bytes.
fn fnv_bytes(bytes: impl IntoIterator<Item = u8>) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        hash = (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// A person's name that depends only on `key`: the same mentor or TKSK for
/// every household that shares the key.
fn named(key: &str) -> String {
    let h = fnv(key);
    let first = if h.is_multiple_of(2) {
        FIRST_F
    } else {
        FIRST_M
    };
    format!(
        "{} {}",
        first[(h / 2) as usize % first.len()],
        SECOND[(h / 7) as usize % SECOND.len()]
    )
}

/// How far a mentor's sessions stray from the programme's plan: from half
/// to 1.3 times the household's own rate, the same for all of the mentor's
/// KPM, so that mentors differ as they do in the field.
fn mentor_factor(mentor: &str) -> f64 {
    0.5 + (fnv(mentor) % 81) as f64 / 100.0
}

/// Draws household number `index` (1-based) of the program.
pub fn household(
    rng: &mut ChaCha8Rng,
    index: usize,
    incubators: &[Incubator],
    districts: &std::collections::HashMap<String, Vec<String>>,
    comparison_share: f64,
) -> Household {
    let incubator = rng.random_range(0..incubators.len());
    let inc = &incubators[incubator];
    let arm = if rng.random_bool(comparison_share) {
        "comparison"
    } else {
        "prokus"
    };
    let regency = inc
        .regencies
        .choose(rng)
        .unwrap_or(&inc.regencies[0])
        .clone();
    let district = districts
        .get(&regency)
        .and_then(|d| d.choose(rng))
        .cloned()
        .unwrap_or_else(|| format!("{regency}.01"));
    let female = rng.random_bool(0.86);
    let name = person(rng, female);
    let cluster = weighted(rng, CLUSTERS);
    let category = weighted(rng, CATEGORIES);
    let business_name = if rng.random_bool(0.006) {
        ODD_NAMES.choose(rng).unwrap_or(&ODD_NAMES[0]).to_string()
    } else {
        let kind = KIND[cluster].choose(rng).unwrap_or(&"Toko");
        if rng.random_bool(0.3) {
            format!("{kind} Bu {}", name.split(' ').next().unwrap_or("Siti"))
        } else {
            format!("{kind} {}", BRAND.choose(rng).unwrap_or(&"Berkah"))
        }
    };
    let birth = NaiveDate::from_ymd_opt(
        rng.random_range(1968..=1998),
        rng.random_range(1..=12),
        rng.random_range(1..=28),
    )
    .unwrap_or_default();
    let day =
        birth.format("%d").to_string().parse::<u32>().unwrap_or(1) + if female { 40 } else { 0 };
    let nik = format!(
        "{}{day:02}{}{:04}",
        district.replace('.', ""),
        birth.format("%m%y"),
        rng.random_range(1..=2999)
    );
    // Three mentors per incubator and two TKSK per regency (each covering
    // several kecamatan, as where the programme's KPM are few), each named
    // from what they serve. The names once drawn per household are still
    // drawn (and set aside), so that the rest of a sample stays as it was.
    let mentor_no = index % 3 + 1;
    let mentor_female = rng.random_bool(0.5);
    let mentor = if arm == "prokus" {
        let _ = person(rng, mentor_female);
        let key = format!("{}-M{mentor_no}", inc.id);
        format!("MiBi {} ({key})", named(&key))
    } else {
        String::new()
    };
    let tksk_female = rng.random_bool(0.4);
    let _ = person(rng, tksk_female);
    let tksk_no = fnv(&district) % 2 + 1;
    let tksk = format!("TKSK {}", named(&format!("tksk {regency} {tksk_no}")));
    let grant_date = (arm == "prokus").then(|| {
        NaiveDate::from_ymd_opt(2021, 4, 12).unwrap_or_default()
            + Duration::days(rng.random_range(0..10))
    });

    let shift = CATEGORIES[category].2;
    let income0 = LogNormal::new(1_400_000f64.ln() + shift, 0.55)
        .expect("valid lognormal")
        .sample(rng);
    let program = 0.20
        + inc.effect
        + CLUSTERS[cluster].2
        + Normal::new(0.0, 0.12).expect("valid normal").sample(rng);
    let latent = Latent {
        income0,
        other_income: LogNormal::new(800_000f64.ln(), 0.6)
            .expect("valid lognormal")
            .sample(rng),
        revenue_ratio: rng.random_range(1.8..3.4),
        effect: if arm == "prokus" { program } else { 0.0 },
        saver: rng.random(),
        bookkeeper: rng.random(),
        separator: rng.random(),
        planner: rng.random(),
        licence: rng.random(),
        borrower: rng.random(),
        online: rng.random(),
        attitude: Normal::new(0.0, 0.6).expect("valid normal").sample(rng),
        paid0: Poisson::new(0.25 + if category == 2 { 0.5 } else { 0.0 })
            .map_or(0.0, |p| p.sample(rng)) as u32,
        family0: 1 + Poisson::new(0.5).map_or(0.0, |p| p.sample(rng)) as u32,
        hires: rng.random(),
        frequency: rng.random_range(0..4),
        closes: rng.random(),
        mentoring: rng.random_range(1.5..4.0),
        staying: rng.random(),
    };
    Household {
        kpm_id: format!("KPM21-{index:06}"),
        nik,
        name,
        gender: if female { "P" } else { "L" },
        business_name,
        arm,
        incubator,
        mentor,
        tksk,
        cluster,
        category,
        regency,
        district,
        grant_date,
        latent,
    }
}

/// Whether household `h` answers wave `w` (attrition and comparison design).
pub fn responds(h: &Household, w: usize, rng: &mut ChaCha8Rng) -> bool {
    let retained = if h.arm == "prokus" {
        RETAINED_PROKUS
    } else {
        RETAINED_COMPARISON
    };
    // Those who drop out stay out: a household leaves at its `staying` quantile;
    // a few more miss one round.
    h.latent.staying < retained[w] && rng.random_bool(0.995)
}

/// The answers of household `h` in wave `w`. `order` in 0..1 spreads the
/// fieldwork over two weeks.
pub fn answers(
    h: &Household,
    w: usize,
    order: f64,
    utc_offset_hours: i64,
    rng: &mut ChaCha8Rng,
) -> Answers {
    let l = &h.latent;
    let prokus = h.arm == "prokus";
    let ramp = if prokus { RAMP[w] } else { 0.0 };
    let months = f64::from(WAVES[w].1);
    let (y, m, d) = WAVES[w].2;
    let day0 = NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
    let local_start = day0.and_hms_opt(8, 0, 0).unwrap_or_default()
        + Duration::minutes((order * 13.0 * 24.0 * 60.0) as i64 % (13 * 1440))
        + Duration::minutes(rng.random_range(0..600));
    let end = local_start + Duration::minutes(rng.random_range(12..40));
    let submitted =
        end - Duration::hours(utc_offset_hours) + Duration::minutes(rng.random_range(1..180));

    let closure_rate = if prokus { 0.012 } else { 0.028 };
    let operating = l.closes > closure_rate * months;
    let noise = Normal::new(0.0, 0.18).expect("valid normal").sample(rng);
    let growth = l.effect * ramp + 0.008 * months + noise;
    let round = |v: f64, to: f64| (v / to).round() * to;
    let income = operating.then(|| round(l.income0 * growth.exp(), 10_000.0));
    let revenue = income.map(|i| round(i * l.revenue_ratio, 10_000.0));
    let household_income = round(
        income.unwrap_or(0.0) + l.other_income * (1.0 + 0.004 * months),
        10_000.0,
    );
    let p = |base: f64, gain: f64, trend: f64| base + gain * ramp + trend * months / 6.0;
    let saves = l.saver < p(0.38, 0.30, 0.03);
    // ProKUS mentoring moves irregular savers to a monthly habit.
    let frequency_index = if saves && prokus && l.frequency == 3 && l.saver < 0.25 + 0.6 * ramp {
        2
    } else {
        l.frequency
    };
    let frequency = saves.then(|| ["harian", "mingguan", "bulanan", "jarang"][frequency_index]);
    let savings = saves.then(|| round(household_income * rng.random_range(0.04..0.12), 5_000.0));
    let hired = if prokus {
        (l.hires < 0.22 * ramp) as u32 + (l.hires < 0.05 * ramp) as u32
    } else {
        (l.hires < 0.04 * months / 6.0) as u32
    };
    let credit = l.borrower < p(0.04, 0.10, 0.01) && w > 0 && rng.random_bool(0.6);
    let changes: Vec<&'static str> = if operating && w > 0 {
        let chance = if prokus { 0.45 * ramp + 0.05 } else { 0.08 };
        ["kemasan", "merek", "produk_baru", "kualitas"]
            .into_iter()
            .filter(|_| rng.random_bool(chance * 0.5))
            .collect()
    } else {
        Vec::new()
    };
    let mentoring = if prokus && (1..=3).contains(&w) {
        let drawn = Poisson::new(l.mentoring).map_or(0.0, |p| p.sample(rng));
        (drawn * mentor_factor(&h.mentor)).round() as u32
    } else {
        0
    };
    let mut attitude = [3u32; 5];
    for (k, a) in attitude.iter_mut().enumerate() {
        let v = 3.2
            + l.attitude
            + 0.7 * ramp
            + Normal::new(0.0, 0.7).expect("valid normal").sample(rng)
            - 0.1 * k as f64;
        *a = v.round().clamp(1.0, 5.0) as u32;
    }
    Answers {
        wave: w,
        start: local_start,
        end,
        submitted,
        operating,
        revenue,
        income,
        changes,
        online: operating.then_some(l.online < p(0.22, 0.30, 0.02)),
        paid: operating.then_some(l.paid0 + hired),
        family: operating.then_some(l.family0),
        nib: l.licence < p(0.07, 0.35, 0.01),
        household_income,
        saves,
        frequency,
        savings,
        books: l.bookkeeper < p(0.15, 0.50, 0.02),
        separates: l.separator < p(0.20, 0.40, 0.02),
        plan: l.planner < p(0.10, 0.45, 0.01),
        credit,
        credit_source: credit.then(|| {
            ["kur", "kur", "kur", "koperasi", "pnm_mekaar", "bank_lain"]
                .choose(rng)
                .copied()
                .unwrap_or("kur")
        }),
        mentoring,
        tksk_visits: tksk_visits(h, w),
        attitude,
    }
}

/// TKSK visits in wave `w`: 0 to 2 for ProKUS KPM during the programme, more
/// for a diligent TKSK, drawn from the KPM id, the wave and the TKSK so that
/// the answers' random stream (and with it every other figure of a sample)
/// does not change.
fn tksk_visits(h: &Household, w: usize) -> u32 {
    if h.arm != "prokus" || !(1..=3).contains(&w) {
        return 0;
    }
    let hash = fnv_bytes(h.kpm_id.bytes().chain([w as u8]));
    // Some TKSK visit their KPM more often than others.
    let diligence = fnv(&h.tksk) % 3;
    match hash % 10 + 2 * diligence {
        0..=4 => 0,
        5..=9 => 1,
        _ => 2,
    }
}

/// Hours ahead of UTC for a province: WIB (+7), WITA (+8) or WIT (+9).
pub fn utc_offset(province: &str) -> i64 {
    match province {
        "51" | "52" | "53" | "63" | "64" | "65" | "71" | "72" | "73" | "74" | "75" | "76" => 8,
        "81" | "82" | "91" | "92" | "93" | "94" | "95" | "96" => 9,
        _ => 7,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_surveys_the_canonical_waves_in_their_order() {
        let sampled: Vec<&str> = WAVES.iter().map(|w| w.0).collect();
        let canonical = prokus_ingest::mapping::WAVES;
        let positions: Vec<usize> = sampled
            .iter()
            .map(|w| {
                canonical
                    .iter()
                    .position(|c| c == w)
                    .expect("a canonical wave")
            })
            .collect();
        assert!(
            positions.is_sorted(),
            "{sampled:?} in the order of {canonical:?}"
        );
        assert_eq!(RAMP.len(), WAVES.len(), "one effect share per wave");
    }
    use prokus_ingest::wilayah::{Level, Wilayah};
    use rand::SeedableRng;

    #[test]
    fn a_nationwide_programme_covers_every_regency_once() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let original = incubators(&mut rng);
        let wilayah = Wilayah::embedded();
        let all = nationwide(
            incubators(&mut ChaCha8Rng::seed_from_u64(3)),
            &wilayah,
            &mut rng,
        );
        // The 27 keep their ids, names and first regencies.
        for (a, b) in original.iter().zip(&all) {
            assert_eq!((&a.id, &a.name), (&b.id, &b.name));
            assert!(b.regencies.starts_with(&a.regencies), "{}", a.id);
        }
        let mut seen = std::collections::HashMap::new();
        for inc in &all {
            assert!(!inc.regencies.is_empty(), "{} works nowhere", inc.id);
            for r in &inc.regencies {
                assert!(
                    r.starts_with(&format!("{}.", inc.province)),
                    "{} in {r}",
                    inc.id
                );
                *seen.entry(r.clone()).or_insert(0) += 1;
            }
        }
        let regencies = wilayah.all(Level::Regency);
        assert_eq!(
            seen.len(),
            regencies.len(),
            "every regency has an incubator"
        );
        // Only the regencies two of the 27 already shared have two incubators.
        for (regency, n) in &seen {
            let originals = original
                .iter()
                .filter(|i| i.regencies.contains(regency))
                .count();
            assert_eq!(*n, originals.max(1), "{regency}");
        }
        let provinces: std::collections::HashSet<&str> =
            all.iter().map(|i| i.province.as_str()).collect();
        assert_eq!(provinces.len(), wilayah.all(Level::Province).len());
    }
}
