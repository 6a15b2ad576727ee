//! The Typst world of one report: shared fonts and library, the report's own
//! data and charts as virtual files.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_kit::fonts::FontStore;

/// The fonts every report and chart uses: Inter (SIL OFL 1.1), shipped in
/// `report-templates/fonts/`.
pub const FONT_FAMILY: &str = "Inter";
const FONTS: [(&[u8], plotters::style::FontStyle); 4] = [
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

/// The Typst templates, compiled into the binary.
pub const TEMPLATES: &[(&str, &str)] = &[
    (
        "common.typ",
        include_str!("../../../report-templates/common.typ"),
    ),
    (
        "national.typ",
        include_str!("../../../report-templates/national.typ"),
    ),
    (
        "dashboard.typ",
        include_str!("../../../report-templates/dashboard.typ"),
    ),
    (
        "province.typ",
        include_str!("../../../report-templates/province.typ"),
    ),
    (
        "incubator.typ",
        include_str!("../../../report-templates/incubator.typ"),
    ),
];

/// What all reports of a batch share: fonts (loaded once), the standard
/// library and the parsed templates.
pub struct Shared {
    fonts: Arc<FontStore>,
    library: Arc<LazyHash<Library>>,
    templates: HashMap<&'static str, Source>,
}

impl Shared {
    /// The process-wide shared state, built on first use.
    pub fn get() -> &'static Shared {
        static SHARED: OnceLock<Shared> = OnceLock::new();
        SHARED.get_or_init(|| {
            let mut fonts = FontStore::new();
            for (bytes, _) in FONTS {
                for font in Font::iter(Bytes::new(bytes)) {
                    let info = font.info().clone();
                    fonts.push((font, info));
                }
            }
            for (bytes, style) in FONTS {
                // Charts measure text with the very bytes Typst embeds.
                let _ = plotters::style::register_font(FONT_FAMILY, style, bytes);
            }
            let templates = TEMPLATES
                .iter()
                .map(|(name, text)| {
                    (
                        *name,
                        Source::new(file_id(&format!("/{name}")), text.to_string()),
                    )
                })
                .collect();
            Shared {
                fonts: Arc::new(fonts),
                library: Arc::new(LazyHash::new(Library::default())),
                templates,
            }
        })
    }
}

/// The file id of a virtual path in the project root.
pub fn file_id(path: &str) -> FileId {
    RootedPath::new(
        VirtualRoot::Project,
        VirtualPath::new(path).expect("valid virtual path"),
    )
    .intern()
}

/// One report's world: a template as main file, `data.json` and the charts.
pub struct ReportWorld {
    shared: &'static Shared,
    main: FileId,
    files: HashMap<FileId, Bytes>,
    today: Datetime,
}

impl ReportWorld {
    /// A world whose main file is `template` (e.g. `national.typ`).
    pub fn new(
        template: &str,
        data_json: Vec<u8>,
        charts: Vec<(String, String)>,
        today: chrono::NaiveDate,
    ) -> Self {
        use chrono::Datelike;
        let shared = Shared::get();
        let mut files = HashMap::new();
        files.insert(file_id("/data.json"), Bytes::new(data_json));
        for (name, svg) in charts {
            files.insert(
                file_id(&format!("/charts/{name}.svg")),
                Bytes::from_string(svg),
            );
        }
        let today = Datetime::from_ymd(today.year(), today.month() as u8, today.day() as u8)
            .unwrap_or(Datetime::from_ymd(2000, 1, 1).expect("valid date"));
        ReportWorld {
            shared,
            main: file_id(&format!("/{template}")),
            files,
            today,
        }
    }
}

impl World for ReportWorld {
    fn library(&self) -> &LazyHash<Library> {
        &self.shared.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        self.shared.fonts.book()
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        let name = id.vpath().get_without_slash();
        self.shared
            .templates
            .get(name)
            .cloned()
            .ok_or_else(|| FileError::NotFound(name.into()))
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if let Some(bytes) = self.files.get(&id) {
            return Ok(bytes.clone());
        }
        self.source(id)
            .map(|s| Bytes::from_string(s.text().to_string()))
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.shared.fonts.font(index)
    }

    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        Some(self.today)
    }
}
