//! The font of every report and chart, Inter (SIL OFL 1.1), compiled into
//! the binary, and the width of a text set in it.

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

/// The width in points of `text` set in Inter at `size` points, semibold or
/// regular, without kerning: what a table cell needs to hold it on one line.
/// Measured with the very font bytes Typst embeds.
pub fn text_width(text: &str, size: f64, semibold: bool) -> f64 {
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
                *advance = Face::measure(&font, c as u8 as char);
            }
            Face { ascii, font }
        }
        fn measure(font: &typst::text::FontInstance, c: char) -> f64 {
            font.ttf()
                .glyph_index(c)
                .and_then(|g| font.x_advance(g.0))
                // A character the font lacks: about the width of a digit.
                .map_or(0.6, |em| em.get())
        }
        fn em(&self, text: &str) -> f64 {
            text.chars()
                .map(|c| match self.ascii.get(c as usize) {
                    Some(advance) => *advance,
                    None => Face::measure(&self.font, c),
                })
                .sum()
        }
    }
    static FACES: OnceLock<[Face; 2]> = OnceLock::new();
    let faces = FACES.get_or_init(|| [Face::new(FONTS[0].0), Face::new(FONTS[3].0)]);
    faces[usize::from(semibold)].em(text) * size
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
}
