//! The font of every report and chart, Inter (SIL OFL 1.1), compiled into
//! the binary, with DejaVu Sans for the characters Inter lacks, and the
//! width of a text set in Inter.

use std::sync::OnceLock;

use typst::foundations::Bytes;
use typst::text::Font;

/// The fonts every report and chart uses: Inter (SIL OFL 1.1), shipped in
/// `report-templates/fonts/`.
pub const FONT_FAMILY: &str = "Inter";
pub(crate) const FONTS: [(&[u8], plotters::style::FontStyle); 4] = [
    (
        include_bytes!("../../../report-templates/fonts/Inter-Regular.otf"),
        plotters::style::FontStyle::Normal,
    ),
    (
        include_bytes!("../../../report-templates/fonts/Inter-Italic.otf"),
        plotters::style::FontStyle::Italic,
    ),
    (
        include_bytes!("../../../report-templates/fonts/Inter-Bold.otf"),
        plotters::style::FontStyle::Bold,
    ),
    (
        include_bytes!("../../../report-templates/fonts/Inter-SemiBold.otf"),
        plotters::style::FontStyle::Oblique,
    ),
];

/// Fonts Typst falls back to for a character Inter lacks (Arabic script,
/// Greek, Cyrillic, many symbols) in a name or a text the data gives: DejaVu
/// Sans, regular and bold (the Bitstream Vera licence, shipped beside it).
/// Without them such a character printed as an empty box. They are used
/// for those characters alone, so a report in Inter is unchanged.
pub(crate) const FALLBACK_FONTS: [&[u8]; 2] = [
    include_bytes!("../../../report-templates/fonts/DejaVuSans.ttf"),
    include_bytes!("../../../report-templates/fonts/DejaVuSans-Bold.ttf"),
];

/// Advances (em) of the ASCII characters, and the font for the rest.
struct Face {
    ascii: [f64; 128],
    font: typst::text::FontInstance,
}

impl Face {
    fn new(bytes: &'static [u8]) -> Face {
        // Inter's static fonts have no variation axes: the advances are
        // the same at every size.
        let font = Font::new(Bytes::new(bytes), 0)
            .expect("the shipped font parses")
            .instantiate(
                Default::default(),
                typst::layout::Abs::pt(10.0),
                &Default::default(),
            );
        let mut ascii = [0.0; 128];
        for (c, advance) in ascii.iter_mut().enumerate() {
            *advance = Face::measure(&font, c as u8 as char).unwrap_or(FALLBACK_EM);
        }
        Face { ascii, font }
    }

    /// The advance (em) of `c`, if the font has it.
    fn measure(font: &typst::text::FontInstance, c: char) -> Option<f64> {
        font.ttf()
            .glyph_index(c)
            .and_then(|g| font.x_advance(g.0))
            .map(|em| em.get())
    }

    fn em(&self, text: &str) -> f64 {
        text.chars()
            .map(|c| match self.ascii.get(c as usize) {
                Some(advance) => *advance,
                None => Face::measure(&self.font, c).unwrap_or(FALLBACK_EM),
            })
            .sum()
    }
}

/// The width (em) taken for a character the font lacks: about a digit's.
const FALLBACK_EM: f64 = 0.6;

/// Inter regular and semibold, loaded once.
fn faces() -> &'static [Face; 2] {
    static FACES: OnceLock<[Face; 2]> = OnceLock::new();
    FACES.get_or_init(|| [Face::new(FONTS[0].0), Face::new(FONTS[3].0)])
}

/// The width in points of `text` set in Inter at `size` points, semibold or
/// regular, without kerning: what a table cell needs to hold it on one line.
/// Measured with the very font bytes Typst embeds.
pub fn text_width(text: &str, size: f64, semibold: bool) -> f64 {
    faces()[usize::from(semibold)].em(text) * size
}

/// The height in points that Typst's `measure` gives `lines` lines of text
/// set in Inter at `size` points (semibold or regular) with the reports'
/// leading (`set par(leading: 0.62em)` in `common.typ`): each line as tall
/// as the font's cap height (Typst's default top edge; the bottom edge is
/// the baseline), the leading between them, added up in the order Typst's
/// flow adds them.
pub(crate) fn lines_height(lines: usize, size: f64, semibold: bool) -> f64 {
    let size = typst::layout::Abs::pt(size);
    let cap = cap_height(size, semibold);
    let leading = typst::layout::Em::new(LEADING_EM).at(size);
    let mut height = cap;
    for _ in 1..lines.max(1) {
        height = height + leading + cap;
    }
    height.to_pt()
}

/// The height in points of a status badge around one line of regular text
/// at `size` points (`cell-view` in `common.typ`: a box 1 point above the
/// text's top and below its baseline).
pub(crate) fn badge_height(size: f64) -> f64 {
    let inset = typst::layout::Abs::pt(1.0);
    ((cap_height(typst::layout::Abs::pt(size), false) + inset) + inset).to_pt()
}

/// Inter's cap height at `size`, from Typst's own metrics of the font.
fn cap_height(size: typst::layout::Abs, semibold: bool) -> typst::layout::Abs {
    faces()[usize::from(semibold)]
        .font
        .metrics()
        .cap_height
        .at(size)
}

/// The reports' leading, in em (`set par(leading: 0.62em)` in `common.typ`).
const LEADING_EM: f64 = 0.62;

/// The points by which [`wrap`] keeps each line short of its room: for the
/// kerning across a line's end, which Typst shapes again (on the lines
/// compared, the widths measured here and in Typst's PDFs agreed to 0.00001
/// points).
pub(crate) const WRAP_SPARE: f64 = 0.001;

/// `text`, set in Inter at `size` points (semibold or regular), broken into the lines it
/// takes in a column `room` points wide, or None when that cannot be told:
/// a character the font lacks, a line break
/// already in the text, a character Typst treats apart at a line's end or
/// in its order (a soft hyphen, a line or paragraph separator, a direction
/// mark), or text not in Unicode normalization form C (the payload's text
/// is composed after this, [`crate::compile::payload_json`]).
///
/// The lines are Typst's own for ragged text: the text is shaped as Typst
/// shapes it (rustybuzz, Inter, the templates' features) and broken where
/// Unicode's line-breaking rules allow (ICU's segmenter, as Typst's), each
/// line filled as far as it holds ([`WRAP_SPARE`] points to spare), the
/// spaces at its end left out. Joined with line breaks, which Typst keeps,
/// no line is wide enough for Typst to break it again: the text takes
/// exactly as many lines in the PDF as here, and a row can be given their
/// height without Typst measuring it. A word wider than the room is cut
/// between letters where a line is full (Typst would set it past the
/// column's edge); None if not even its first letter fits.
pub(crate) fn wrap(text: &str, size: f64, semibold: bool, room: f64) -> Option<Vec<String>> {
    use icu_segmenter::LineSegmenter;
    use icu_segmenter::options::LineBreakOptions;
    use rustybuzz::{
        BufferFlags, Direction, Feature, Script, ShapePlan, UnicodeBuffer, ttf_parser::Tag,
    };
    use std::sync::{Arc, Mutex};
    static FACES: OnceLock<[Option<rustybuzz::Face<'static>>; 2]> = OnceLock::new();
    let faces = FACES.get_or_init(|| {
        [FONTS[0].0, FONTS[3].0].map(|bytes| rustybuzz::Face::from_slice(bytes, 0))
    });
    let face = faces[usize::from(semibold)].as_ref()?;
    let apart = |c: char| {
        c.is_control()
            || matches!(
                c,
                '\u{ad}' | '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{2028}' | '\u{2029}'
            )
            || prokus_files::is_bidi_control(c)
    };
    if text.chars().any(apart) || !unicode_normalization::is_nfc(text) {
        return None;
    }
    let mut buffer = UnicodeBuffer::new();
    buffer.push_str(text);
    buffer.set_direction(Direction::LeftToRight);
    buffer.guess_segment_properties();
    buffer.set_flags(BufferFlags::REMOVE_DEFAULT_IGNORABLES);
    // The features `report` in common.typ turns off.
    let features = [b"calt", b"ccmp"].map(|tag| Feature::new(Tag::from_bytes(tag), 0, ..));
    // Shape plans are slow to make and depend only on the face, the script
    // and the features: one per face and script, kept, as Typst keeps its
    // own (a plan made for every cell was most of this function's time).
    static PLANS: Mutex<Vec<(bool, Script, Arc<ShapePlan>)>> = Mutex::new(Vec::new());
    let script = buffer.script();
    let plan = {
        let mut plans = PLANS
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        match plans
            .iter()
            .find(|(s, p, _)| *s == semibold && *p == script)
        {
            Some((_, _, plan)) => Arc::clone(plan),
            None => {
                let direction = Direction::LeftToRight;
                let plan = Arc::new(ShapePlan::new(
                    face,
                    direction,
                    Some(script),
                    None,
                    &features,
                ));
                plans.push((semibold, script, Arc::clone(&plan)));
                plan
            }
        }
    };
    let shaped = rustybuzz::shape_with_plan(face, &plan, buffer);
    // The width (font units) of the text before each byte.
    let mut before = vec![0i64; text.len() + 1];
    for (info, position) in shaped.glyph_infos().iter().zip(shaped.glyph_positions()) {
        if info.glyph_id == 0 {
            // A character Inter lacks: Typst sets it in another font.
            return None;
        }
        before[info.cluster as usize + 1] += i64::from(position.x_advance);
    }
    for i in 1..before.len() {
        before[i] += before[i - 1];
    }
    let units = f64::from(face.units_per_em());
    // The width (points) of text[start..end], without the spaces after it.
    let width = |start: usize, end: usize| {
        let end = start + text[start..end].trim_end_matches(' ').len();
        (before[end] - before[start]) as f64 / units * size
    };
    let limit = room - WRAP_SPARE;
    // Where a word wider than the room may be cut (found for such a word
    // only).
    let mut cuts: Option<Vec<usize>> = None;
    // A cut piece's last letter loses the kerning with the next, which may
    // widen it: such a piece keeps a tenth of an em to spare.
    let cut_limit = limit - size / 10.0;
    let (mut lines, mut start, mut fits) = (Vec::new(), 0, None);
    let breaks = LineSegmenter::new_lstm(LineBreakOptions::default()).segment_str(text);
    for end in breaks.filter(|&end| end > 0) {
        if width(start, end) <= limit {
            fits = Some(end);
            continue;
        }
        // The line ends at the last break that fits.
        if let Some(last) = fits.take() {
            lines.push(text[start..last].trim_end_matches(' ').to_string());
            start = last;
        }
        // A word wider than the room on a line of its own, which Typst
        // would set past the column's edge (and the page's): cut where
        // the room is full, as a browser's `overflow-wrap: anywhere`.
        while width(start, end) > limit {
            let cut = cuts
                .get_or_insert_with(|| cut_points(text, &shaped))
                .iter()
                .copied()
                .filter(|&at| at > start && at < end)
                .take_while(|&at| width(start, at) <= cut_limit)
                .last()?;
            lines.push(text[start..cut].to_string());
            start = cut;
        }
        fits = Some(end);
    }
    lines.push(text[start..].trim_end_matches(' ').to_string());
    Some(lines)
}

/// Where a word of `text` (shaped as `shaped`) may be cut: between
/// characters (grapheme clusters) that each begin a glyph cluster, so that
/// both sides are set as they were measured.
fn cut_points(text: &str, shaped: &rustybuzz::GlyphBuffer) -> Vec<usize> {
    let glyph_starts: std::collections::HashSet<usize> = shaped
        .glyph_infos()
        .iter()
        .map(|info| info.cluster as usize)
        .collect();
    icu_segmenter::GraphemeClusterSegmenter::new()
        .segment_str(text)
        .filter(|at| glyph_starts.contains(at))
        .collect()
}

/// Gives plotters the fonts, once per process, so that charts measure and
/// draw text with the very bytes Typst embeds.
pub(crate) fn register_for_charts() {
    static REGISTERED: OnceLock<()> = OnceLock::new();
    REGISTERED.get_or_init(|| {
        for (bytes, style) in FONTS {
            let _ = plotters::style::register_font(FONT_FAMILY, style, bytes);
        }
    });
}

/// `text` cut to `max` characters, an ellipsis marking the cut: a name
/// longer than its place (a 300-character incubator name) would run over
/// the chart, where the tables print it whole.
pub(crate) fn short(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let kept: String = text.chars().take(max.saturating_sub(1)).collect();
    format!("{}…", kept.trim_end())
}

/// `text` cut, an ellipsis marking the cut, to fit `width` pixels at
/// `size` pixels, measured with the font the reports embed.
/// The longest cut that fits is found by halving (a cut's width grows with
/// the characters it keeps): a name of any length is measured some twenty
/// times, where trying one length after another measured it once per
/// character it lost (6 s for a 45,000-character incubator name).
pub(crate) fn fit(text: &str, width: f64, size: f64) -> String {
    let fits = |max: usize| text_width(&short(text, max), size, false) <= width;
    let n = text.chars().count();
    if n <= 1 || fits(n) {
        return text.to_string();
    }
    // `lo` fits or is 1 (the ellipsis alone); `hi` does not fit.
    let (mut lo, mut hi) = (1, n);
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if fits(mid) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    short(text, lo)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cut_keeps_short_text_whole_and_marks_a_cut() {
        assert_eq!(short("Aceh", 4), "Aceh");
        assert_eq!(short("Sumatera Utara", 9), "Sumatera…");
    }

    #[test]
    fn a_fitted_name_is_the_longest_cut_that_fits() {
        use crate::charts::LABEL_PX as SIZE;
        // One length after another, as `fit` did before it halved.
        let one_by_one = |text: &str, width: f64| {
            let mut max = text.chars().count();
            let mut cut = text.to_string();
            while max > 1 && text_width(&cut, SIZE, false) > width {
                max -= 1;
                cut = short(text, max);
            }
            cut
        };
        let long = format!("Inkubator {}Akhir", "Bisnis Universitas Negeri ".repeat(8));
        for text in [long.as_str(), "Aceh", "W", "", "Kabupaten Kepulauan Seribu"] {
            for width in [0.0, 5.0, 30.0, 80.0, 150.0, 400.0, 5000.0] {
                assert_eq!(
                    fit(text, width, SIZE),
                    one_by_one(text, width),
                    "{text:?} in {width}"
                );
            }
        }
    }

    #[test]
    fn wrapped_text_keeps_its_words_in_lines_that_fit() {
        let text = "Inkubator menjadwalkan ulang sesi pendampingan yang tertinggal dan memeriksa kehadiran KPM per mentor (rata-rata 2,3 sesi).";
        for room in [60.0, 120.0, 200.0, 1000.0] {
            let lines = wrap(text, 8.0, false, room).unwrap();
            // The breaks take the spaces there: the words are the text's.
            assert_eq!(lines.join(" "), text, "{room}");
            // Each line fits; with one more word, the first would not.
            for line in &lines {
                assert!(
                    wrap(line, 8.0, false, room).is_some_and(|l| l.len() == 1),
                    "{line:?} in {room}"
                );
            }
            if let [first, second, ..] = lines.as_slice() {
                let longer = format!("{first} {}", second.split(' ').next().unwrap());
                assert!(
                    wrap(&longer, 8.0, false, room).unwrap().len() > 1,
                    "{longer:?} in {room}"
                );
            }
        }
        assert_eq!(wrap(text, 8.0, false, 1000.0).unwrap().len(), 1);
        // A word wider than the room is cut where a line is full, each
        // piece narrower than the room with a tenth of an em to spare.
        let word = "Kewirausahaan";
        let pieces = wrap(word, 8.0, false, 20.0).unwrap();
        assert!(pieces.len() > 2, "{pieces:?}");
        assert_eq!(pieces.concat(), word);
        let one_line = |text: &str, room: f64| wrap(text, 8.0, false, room).unwrap().len() == 1;
        for piece in &pieces {
            assert!(one_line(piece, 20.0 - 0.8), "{piece:?}");
        }
        let more = format!("{}{}", pieces[0], pieces[1].chars().next().unwrap());
        assert!(!one_line(&more, 20.0 - 0.8), "{more:?}");
        // The words around it keep their lines.
        let lines = wrap(&format!("Kode {word} tidak terbaca"), 8.0, false, 40.0).unwrap();
        assert_eq!(lines.first().map(String::as_str), Some("Kode"));
        assert_eq!(
            lines.concat().replace(' ', ""),
            format!("Kode{word}tidakterbaca")
        );
        // Not even a letter fits: left to Typst.
        assert_eq!(wrap(word, 8.0, false, 2.0), None);
        // What cannot be told is left to Typst: a line break already
        // there, a character Inter lacks.
        assert_eq!(wrap("Dua\nbaris", 8.0, false, 200.0), None);
        assert_eq!(wrap("Usaha 漢字", 8.0, false, 200.0), None);
        // Or what Typst sets apart: a soft hyphen (a hyphen where it breaks),
        // a direction mark, text it composes (NFC) after this.
        assert_eq!(wrap("Kewira\u{ad}usahaan", 8.0, false, 200.0), None);
        assert_eq!(wrap("Usaha \u{202e}Bu Euis", 8.0, false, 200.0), None);
        assert_eq!(wrap("Cafe\u{301} Bu Euis", 8.0, false, 200.0), None);
        assert!(wrap("Café Bu Euis", 8.0, false, 200.0).is_some());
    }
}
