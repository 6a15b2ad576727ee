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

use crate::fonts::FONTS;

/// The templates every report may import: the shared layout, then each
/// audience's own ([`crate::audience::ALL`]).
pub(crate) fn templates() -> Vec<(&'static str, &'static str)> {
    let mut all = vec![(
        "common.typ",
        include_str!("../../../report-templates/common.typ"),
    )];
    for audience in crate::audience::ALL {
        if !all.iter().any(|(name, _)| *name == audience.template) {
            all.push((audience.template, audience.source));
        }
    }
    all
}

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
            let fallbacks = crate::fonts::FALLBACK_FONTS;
            for bytes in FONTS.map(|(bytes, _)| bytes).into_iter().chain(fallbacks) {
                for font in Font::iter(Bytes::new(bytes)) {
                    let info = font.info().clone();
                    fonts.push((font, info));
                }
            }
            let templates = templates()
                .into_iter()
                .map(|(name, text)| {
                    (
                        name,
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
