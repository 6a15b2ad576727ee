//! Rendering a batch of reports in parallel: one world per report, shared
//! fonts, Typst's memo cache evicted every few reports, each PDF written to a
//! temporary name and renamed, so a crash never leaves half a PDF.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::ReportError;
use crate::audience::Audience;
use crate::compile::{EVICT_EVERY, compile_json, isolated};
use crate::format::Lang;
use crate::helper::{Helper, Request};
use crate::inputs::Inputs;
use crate::payload::{Built, Companion};

/// One report to render: an audience and its scope (`""` for the national
/// report and the dashboard, else a province code, a regency code or an
/// incubator id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// The audience.
    pub audience: &'static Audience,
    /// The scope.
    pub scope: String,
}

impl Job {
    /// The audience's name and the scope: `("incubator", "INK-32-01")`.
    pub fn describe(&self) -> (&'static str, &str) {
        (self.audience.name, &self.scope)
    }

    /// The PDF's path under the output folder.
    pub fn file_name(&self, inputs: &Inputs) -> PathBuf {
        (self.audience.file_name)(inputs, &self.scope)
    }
}

/// The jobs of some audiences: one per scope of each, in their order.
pub fn jobs(inputs: &Inputs, audiences: &[&'static Audience]) -> Vec<Job> {
    audiences
        .iter()
        .flat_map(|&audience| {
            (audience.scopes)(inputs)
                .into_iter()
                .map(move |scope| Job { audience, scope })
        })
        .collect()
}

/// The jobs of `jobs` whose scope is one of `scopes` (`--only`): a province
/// code (`32`), a regency code (`32.17`, or `3217` without its dot) or an
/// incubator id, case aside. The national report and the dashboard have no
/// scope, and are left out. A scope no job has is refused, naming the
/// scopes there are.
pub fn only(jobs: Vec<Job>, scopes: &[String]) -> Result<Vec<Job>, ReportError> {
    let matches = |job: &Job, wanted: &str| {
        let wanted = wanted.trim();
        !job.scope.is_empty()
            && (job.scope.eq_ignore_ascii_case(wanted)
                || (wanted.chars().all(|c| c.is_ascii_digit())
                    && job.scope.replace('.', "") == wanted))
    };
    if let Some(missing) = scopes
        .iter()
        .find(|wanted| !jobs.iter().any(|job| matches(job, wanted)))
    {
        let mut audiences: Vec<&str> = jobs.iter().map(|job| job.audience.name).collect();
        audiences.dedup();
        let audiences = match audiences.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
            _ => audiences.join(""),
        };
        let scoped: Vec<&str> = jobs
            .iter()
            .map(|job| job.scope.as_str())
            .filter(|scope| !scope.is_empty())
            .collect();
        const SHOWN: usize = 12;
        let mut among = scoped
            .iter()
            .take(SHOWN)
            .copied()
            .collect::<Vec<_>>()
            .join(", ");
        if scoped.len() > SHOWN {
            among.push_str(&format!(" and {} more", scoped.len() - SHOWN));
        }
        if scoped.is_empty() {
            among = "no area or incubator (the national report and the dashboard have none)".into();
        }
        return Err(ReportError::NotAmong {
            scope: missing.clone(),
            audiences,
            among,
        });
    }
    Ok(jobs
        .into_iter()
        .filter(|job| scopes.iter().any(|wanted| matches(job, wanted)))
        .collect())
}

/// Options of a batch.
#[derive(Debug, Clone)]
pub struct RenderOptions {
    /// Report language.
    pub lang: Lang,
    /// Output folder.
    pub out: PathBuf,
    /// Write PDF/A-2b, for archiving.
    pub pdfa: bool,
    /// Render every PDF, also those whose inputs did not change since the
    /// run that wrote them ([`RENDERED`]).
    pub force: bool,
}

/// The file in an output folder with the fingerprint of each PDF written
/// there: a hash of what the PDF is made of (its data without the
/// generation time and data snapshot, its charts, the files beside it, the
/// templates, the language and the engine's version). A PDF whose
/// fingerprint is unchanged, and which is still there with its files, is
/// kept as it is.
pub const RENDERED: &str = ".prokus-rendered";

/// Adds one length-prefixed part to a fingerprint.
pub(crate) fn part(hash: &mut sha2::Sha256, bytes: &[u8]) {
    use sha2::Digest;
    hash.update((bytes.len() as u64).to_le_bytes());
    hash.update(bytes);
}

/// What every report of a run shares in its fingerprint: the engine's
/// version, the language, PDF/A and every template. Hashed once per run;
/// each report's [`fingerprint`] goes on from a copy of it.
fn run_fingerprint(options: &RenderOptions) -> sha2::Sha256 {
    use sha2::Digest;
    let mut hash = sha2::Sha256::new();
    part(
        &mut hash,
        concat!("prokus ", env!("CARGO_PKG_VERSION")).as_bytes(),
    );
    part(&mut hash, options.lang.code().as_bytes());
    part(&mut hash, &[u8::from(options.pdfa)]);
    for (name, source) in crate::world::templates() {
        part(&mut hash, name.as_bytes());
        part(&mut hash, source.as_bytes());
    }
    hash
}

/// The fingerprint of a built report ([`RENDERED`]), from the run's
/// ([`run_fingerprint`]): `stable` is its payload's JSON without what changes
/// on every run or with any file loaded but not what the report says (the
/// generation time and the data snapshot, [`stable_json`]).
fn fingerprint(stable: &[u8], built: &Built, run: &sha2::Sha256) -> String {
    use sha2::Digest;
    let mut hash = run.clone();
    part(&mut hash, stable);
    for (name, svg) in &built.charts {
        part(&mut hash, name.as_bytes());
        part(&mut hash, svg.as_bytes());
    }
    for file in &built.files {
        part(&mut hash, format!("{file:?}").as_bytes());
    }
    hex::encode(hash.finalize())
}

/// The payload's JSON with its meta's generation time, footer and snapshot
/// emptied, for [`fingerprint`], and the JSON the template reads
/// ([`crate::compile::payload_json`]), made from it: the payload is serialised (its tables
/// laid out, their text shaped and broken into lines) once, and the real
/// meta put in place of the emptied one, which a payload's JSON begins with.
fn stable_json(payload: &mut crate::payload::Payload) -> serde_json::Result<(Vec<u8>, Vec<u8>)> {
    let emptied = crate::payload::Meta {
        generated: String::new(),
        footer: String::new(),
        snapshot: String::new(),
        ..payload.meta.clone()
    };
    let meta = std::mem::replace(&mut payload.meta, emptied);
    let stable = serde_json::to_vec(&payload);
    let emptied = serde_json::to_vec(&payload.meta);
    payload.meta = meta;
    let (stable, emptied) = (stable?, emptied?);
    let head = [b"{\"meta\":".as_slice(), &emptied].concat();
    let json = match stable.strip_prefix(head.as_slice()) {
        Some(rest) => {
            let meta = serde_json::to_vec(&payload.meta)?;
            [b"{\"meta\":".as_slice(), &meta, rest].concat()
        }
        // Not as expected (a field before `meta`): serialised again.
        None => serde_json::to_vec(&payload)?,
    };
    Ok((stable, crate::compile::composed(json)))
}

/// The fingerprints an earlier run recorded in `out`, by path under it.
fn recorded(out: &Path) -> HashMap<String, String> {
    std::fs::read_to_string(out.join(RENDERED))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_once('\t'))
        .map(|(path, print)| (path.to_string(), print.to_string()))
        .collect()
}

/// A PDF's path under the output folder, as [`RENDERED`] records it.
fn relative(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// What happened to one job.
#[derive(Debug)]
pub struct Rendered {
    /// The job.
    pub job: Job,
    /// Where the PDF is, or why it failed.
    pub result: Result<PathBuf, ReportError>,
    /// The files written beside the PDF (an incubator's workbook).
    pub files: Vec<PathBuf>,
    /// Milliseconds spent on its PDF (data, layout, PDF writing).
    pub millis: u128,
    /// Milliseconds spent on the files beside its PDF, if any (an
    /// incubator's workbook of KPM who need attention).
    pub files_millis: u128,
    /// True when the PDF (and its files) of an earlier run was kept: its
    /// fingerprint had not changed ([`RENDERED`]).
    pub kept: bool,
}

/// Renders `jobs` in parallel; `progress` is called after each job.
///
/// The jobs run on plain worker threads (as many as rayon's pool has), not
/// in the rayon pool: Typst parallelises inside a compilation with rayon, and
/// a pool thread waiting for that work would steal another whole report
/// meanwhile, so that one report's time would include others'. Here each
/// report's time is its own.
///
/// Each of `helpers` ([`Helper`]) takes one worker's reports: that worker
/// builds their data and writes their files, and the helper process compiles
/// them, with Typst caches of its own (see [`crate::helper`]). The other
/// workers compile in this process. With as many workers as processors and
/// one helper fewer, no two compilations share a process's caches. A helper
/// that stops is left `None`; the others serve the next batch too.
///
/// While the checks are pending ([`Inputs::checks_pending`]), the report of
/// an audience that prints them fails with an error instead of printing
/// none.
pub fn render_all(
    inputs: &Inputs,
    jobs: &[Job],
    options: &RenderOptions,
    helpers: &mut [Option<Helper>],
    progress: &(dyn Fn(&Rendered) + Sync),
) -> Vec<Rendered> {
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let workers = rayon::current_num_threads().max(helpers.len()).max(1);
    let next = AtomicUsize::new(0);
    let finished = AtomicUsize::new(0);
    let done: Mutex<Vec<(usize, Rendered)>> = Mutex::new(Vec::with_capacity(jobs.len()));
    let mut helpers = helpers.iter_mut();
    // Read once: looked up by the workers, then updated with their prints.
    let mut all = recorded(&options.out);
    let none = HashMap::new();
    let before = if options.force { &none } else { &all };
    let run = run_fingerprint(options);
    let prints: Mutex<HashMap<String, Option<String>>> = Mutex::new(HashMap::new());
    std::thread::scope(|scope| {
        for _ in 0..workers.min(jobs.len()) {
            let slot = helpers.next();
            let (next, finished, done) = (&next, &finished, &done);
            let (prints, run) = (&prints, &run);
            scope.spawn(move || {
                // A worker without a helper compiles in this process.
                let mut own = None;
                let helper = slot.unwrap_or(&mut own);
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(job) = jobs.get(i) else { break };
                    // A report that panics (a bug) fails alone, named with
                    // the panic's message; the batch goes on.
                    let mut times = (0, 0);
                    let name = job.file_name(inputs);
                    let known = before.get(&relative(&name)).map(String::as_str);
                    let result = isolated(&name.display().to_string(), || {
                        render_with(inputs, job, options, (run, known), helper, &mut times)
                    });
                    let (result, files, print, kept) = match result {
                        Ok(done) => (Ok(done.pdf), done.files, Some(done.fingerprint), done.kept),
                        Err(e) => (Err(e), Vec::new(), None, false),
                    };
                    prints
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .insert(relative(&name), print);
                    let rendered = Rendered {
                        job: job.clone(),
                        result,
                        files,
                        millis: times.0,
                        files_millis: times.1,
                        kept,
                    };
                    progress(&rendered);
                    done.lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push((i, rendered));
                    // Typst's memo cache is emptied every EVICT_EVERY
                    // reports, so memory stays flat over a batch of any
                    // size. No worker waits for the others: a report being
                    // compiled meanwhile only recomputes what it had cached.
                    // (Helpers empty their own.)
                    if helper.is_none()
                        && (finished.fetch_add(1, Ordering::Relaxed) + 1)
                            .is_multiple_of(EVICT_EVERY)
                    {
                        typst::comemo::evict(0);
                    }
                }
            });
        }
    });
    typst::comemo::evict(0);
    // The fingerprints of this run's PDFs, with those of the others the
    // folder holds (a failed PDF's is dropped: it is rendered next time).
    for (path, print) in prints.into_inner().unwrap_or_else(|e| e.into_inner()) {
        match print {
            Some(print) => all.insert(path, print),
            None => all.remove(&path),
        };
    }
    let mut lines: Vec<String> = all
        .into_iter()
        .filter(|(path, _)| options.out.join(path).exists())
        .map(|(path, print)| format!("{path}\t{print}\n"))
        .collect();
    lines.sort();
    // Without the record the next run renders everything: slower, not wrong.
    if let Err(e) = write_atomically(&options.out.join(RENDERED), lines.concat().as_bytes()) {
        tracing::warn!(error = %e, "the fingerprints of the PDFs were not recorded");
    }
    let mut done = done.into_inner().unwrap_or_else(|e| e.into_inner());
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

/// Builds, compiles and writes one report, then the files beside it;
/// `times` gets the milliseconds each took (the PDF's also when it failed).
pub fn render_one(
    inputs: &Inputs,
    job: &Job,
    options: &RenderOptions,
    times: &mut (u128, u128),
) -> Result<PathBuf, ReportError> {
    let run = run_fingerprint(options);
    render_with(inputs, job, options, (&run, None), &mut None, times).map(|done| done.pdf)
}

/// One report done: its PDF and the files beside it, written or kept.
struct Done {
    pdf: PathBuf,
    files: Vec<PathBuf>,
    fingerprint: String,
    kept: bool,
}

/// [`render_one`], compiled by `helper` when there is one ([`compile_via`]).
/// `prints` is the run's share of the fingerprints ([`run_fingerprint`])
/// and the one an earlier run recorded for this PDF: when the report's is
/// the same and its files are there, they are kept.
fn render_with(
    inputs: &Inputs,
    job: &Job,
    options: &RenderOptions,
    prints: (&sha2::Sha256, Option<&str>),
    helper: &mut Option<Helper>,
    times: &mut (u128, u128),
) -> Result<Done, ReportError> {
    let start = Instant::now();
    let written = write_pdf(inputs, job, options, prints, helper);
    times.0 = start.elapsed().as_millis();
    let (path, files, fingerprint, kept) = written?;
    let start = Instant::now();
    let mut beside = Vec::with_capacity(files.len());
    for file in &files {
        let at = path.with_file_name(file.name());
        if !kept {
            write_atomically(&at, &file.bytes()?)?;
        }
        beside.push(at);
    }
    times.1 = start.elapsed().as_millis();
    Ok(Done {
        pdf: path,
        files: beside,
        fingerprint,
        kept,
    })
}

/// Builds, compiles and writes one report's PDF; returns where, and the
/// files to write beside it.
fn write_pdf(
    inputs: &Inputs,
    job: &Job,
    options: &RenderOptions,
    (run, known): (&sha2::Sha256, Option<&str>),
    helper: &mut Option<Helper>,
) -> Result<(PathBuf, Vec<Companion>, String, bool), ReportError> {
    if !inputs.ready_for(job.audience) {
        return Err(ReportError::Render {
            report: job.file_name(inputs).display().to_string(),
            message: "the data-quality checks it prints are not done yet (gather_later)".into(),
        });
    }
    let start = Instant::now();
    let built = (job.audience.build)(inputs, options.lang, &job.scope)?;
    tracing::debug!(
        audience = job.audience.name,
        ms = start.elapsed().as_millis() as u64,
        "report data built"
    );
    let failed = |message| ReportError::Render {
        report: job.file_name(inputs).display().to_string(),
        message,
    };
    let mut built = built;
    let (stable, json) = stable_json(&mut built.payload).map_err(|e| failed(e.to_string()))?;
    let print = fingerprint(&stable, &built, run);
    let path = options.out.join(job.file_name(inputs));
    let Built { charts, files, .. } = built;
    let unchanged = known == Some(print.as_str())
        && path.exists()
        && files.iter().all(|f| path.with_file_name(f.name()).exists());
    if unchanged {
        return Ok((path, files, print, true));
    }
    let request = Request {
        template: job.audience.template.to_string(),
        json,
        charts,
        generated: inputs.generated,
        pdfa: options.pdfa,
    };
    let pdf = compile_via(helper, request).map_err(failed)?;
    write_atomically(&path, &pdf)?;
    Ok((path, files, print, false))
}

/// Compiles `request` with `helper`, or in this process when there is none.
/// A helper that fails (not Typst: the process or the exchange) fails this
/// request, and `helper` becomes `None`, so that the caller compiles the rest
/// itself.
fn compile_via(helper: &mut Option<Helper>, request: Request) -> Result<Vec<u8>, String> {
    let Some(h) = helper else {
        return compile_json(
            &request.template,
            request.json,
            request.charts,
            request.generated,
            request.pdfa,
        );
    };
    match h.compile(&request) {
        Ok(compiled) => compiled,
        Err(e) => {
            let status = h.exit_status();
            *helper = None;
            Err(format!(
                "the helper process compiling it stopped ({e}{}); the other reports are compiled without it",
                status.map(|s| format!(", {s}")).unwrap_or_default()
            ))
        }
    }
}

/// Writes `bytes` to `path` whole or not at all
/// ([`prokus_files::write_atomically`]).
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    prokus_files::write_atomically(path, bytes).map_err(|source| ReportError::Io {
        path: path.to_path_buf(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use crate::compile::payload_json;
    use std::collections::BTreeMap;

    use typst::layout::{Frame, FrameItem};

    use typst_layout::PagedDocument;

    use super::*;
    use crate::compile::{compile, describe};
    use crate::payload::{Cell, ChartRef, Kpi, Meta, Payload, Table};

    fn text_of(frame: &Frame, out: &mut String) {
        for (_, item) in frame.items() {
            match item {
                FrameItem::Text(t) => out.push_str(&t.text),
                FrameItem::Group(g) => text_of(&g.frame, out),
                _ => {}
            }
        }
    }

    fn payload(name: &str) -> Built {
        let cell = |t: &str| Cell {
            text: t.to_string(),
            status: None,
        };
        let table = Table {
            title: "Daftar".into(),
            columns: vec!["Usaha".into(), "Nilai".into()],
            align: vec!["left", "right"],
            rows: vec![vec![
                cell(name),
                Cell {
                    text: "12,5%".into(),
                    status: Some("at_risk".into()),
                },
            ]],
            note: "]".into(),
            widths: Vec::new(),
        };
        let svg = crate::charts::vbars(
            "Judul (Rp)",
            "n = 1",
            &[name.to_string()],
            &[crate::charts::Series {
                label: "a".into(),
                values: vec![Some(1.0)],
            }],
            &|v| format!("{v}"),
        )
        .unwrap();
        Built {
            payload: Payload {
                meta: Meta {
                    title: format!("Laporan {name}"),
                    header: format!("Laporan {name}"),
                    subtitle: "x".into(),
                    period: "Triwulan III 2021".into(),
                    generated: "g".into(),
                    snapshot: "abc".into(),
                    engine: "prokus".into(),
                    lang: "id",
                    footer: "f".into(),
                },
                headings: [
                    ("summary", "Ringkasan"),
                    ("kpis", "K"),
                    ("charts", "G"),
                    ("tables", "R"),
                    ("annex", "L"),
                    ("page", "Halaman"),
                ]
                .into_iter()
                .map(|(k, v)| (k, v.to_string()))
                .collect::<BTreeMap<_, _>>(),
                summary: vec![format!("Usaha {name} naik.")],
                kpis: vec![Kpi {
                    label: name.into(),
                    value: "Rp 1".into(),
                    detail: "d".into(),
                    status: Some("on_track".into()),
                    status_label: "Sesuai target".into(),
                    trend: String::new(),
                }],
                tables: vec![table.clone(), table],
                charts: vec![ChartRef {
                    name: "c".into(),
                    caption: name.into(),
                    width: svg.width,
                    height: svg.height,
                    labels: svg.labels.clone(),
                }],
                annex: vec![],
                impact: vec![],
            },
            charts: vec![("c".into(), svg.svg)],
            files: Vec::new(),
        }
    }

    /// The text of the incubator template laid out with `payload(name)`.
    fn laid_out(name: &str) -> String {
        let built = payload(name);
        let json = payload_json(&built.payload).unwrap();
        let world = crate::world::ReportWorld::new(
            "incubator.typ",
            json,
            built.charts.clone(),
            chrono::NaiveDate::from_ymd_opt(2021, 10, 1).unwrap(),
        );
        let doc = typst::compile::<PagedDocument>(&world)
            .output
            .unwrap_or_else(|e| panic!("{name}: {}", describe(&e)));
        let mut text = String::new();
        for page in doc.pages() {
            text_of(&page.frame, &mut text);
        }
        text
    }

    #[test]
    fn data_that_looks_like_typst_prints_as_written() {
        for name in [
            "#read(\"/etc/passwd\")",
            "Toko [Berkah] #1",
            "]",
            "#exit()",
            "$x$ *bold* _i_ <lbl> @ref \\",
        ] {
            let text = laid_out(name);
            let squashed: String = text.split_whitespace().collect();
            let want: String = name.split_whitespace().collect();
            assert!(
                squashed.contains(&want),
                "{name} printed literally in: {text}"
            );
            assert!(!text.contains("root:"), "no file was read");
        }
    }

    #[test]
    fn the_payload_is_serialised_once_for_its_fingerprint_and_its_template() {
        // With a decomposed accent, which the template's JSON composes.
        let mut built = payload("Kafe\u{301} Bu Siti");
        let (stable, json) = stable_json(&mut built.payload).unwrap();
        assert_eq!(json, payload_json(&built.payload).unwrap());
        // The fingerprint's leaves out the time, the footer and the snapshot,
        // and the payload keeps its own.
        let mut emptied = built.payload.clone();
        emptied.meta.generated = String::new();
        emptied.meta.footer = String::new();
        emptied.meta.snapshot = String::new();
        assert_eq!(stable, serde_json::to_vec(&emptied).unwrap());
        assert_eq!(built.payload.meta.generated, "g");
    }

    #[test]
    fn accents_typed_as_two_characters_are_composed() {
        // `e` followed by a combining acute (as some phone keyboards send
        // it): the font's ccmp feature, which would compose it, is off, so
        // the engine composes it before Typst sees it.
        let text = laid_out("Kafe\u{301} Rene\u{301}");
        assert!(text.contains("Kafé René"), "composed: {text}");
        assert!(!text.contains('\u{301}'), "no combining mark left: {text}");
        let json = payload_json(&payload("Warung Bu Siti").payload).unwrap();
        assert_eq!(
            json,
            serde_json::to_vec(&payload("Warung Bu Siti").payload).unwrap(),
            "composed text is left as it is"
        );
    }

    #[test]
    fn a_report_that_panics_fails_alone_with_the_message() {
        let index = 3;
        let failed = isolated("regency/1101-x.pdf", || -> Result<(), ReportError> {
            let rows: Vec<u32> = Vec::new();
            let _ = rows[index];
            Ok(())
        })
        .unwrap_err();
        let message = failed.to_string();
        assert!(
            message.starts_with("regency/1101-x.pdf: internal error (panic): "),
            "{message}"
        );
        assert!(message.contains("index out of bounds"), "{message}");
        let failed =
            isolated("x.pdf", || -> Result<(), ReportError> { panic!("plain") }).unwrap_err();
        assert!(failed.to_string().ends_with("(panic): plain"), "{failed}");
        // Errors and results pass through.
        assert_eq!(isolated("x.pdf", || Ok(7)).unwrap(), 7);
        assert!(matches!(
            isolated("x.pdf", || -> Result<(), _> {
                Err(ReportError::UnknownScope("99".into()))
            }),
            Err(ReportError::UnknownScope(_))
        ));
    }

    #[test]
    fn only_keeps_the_reports_of_the_areas_and_incubators_named() {
        use crate::audience::find;
        let job = |audience: &str, scope: &str| Job {
            audience: find(audience).unwrap(),
            scope: scope.into(),
        };
        let jobs = vec![
            job("national", ""),
            job("province", "32"),
            job("province", "33"),
            job("regency", "32.17"),
            job("incubator", "INK-32-01"),
            job("incubator", "INK-33-01"),
        ];
        let asked = |scopes: &[&str]| {
            let scopes: Vec<String> = scopes.iter().map(|s| s.to_string()).collect();
            only(jobs.clone(), &scopes)
        };
        // A regency without its dot, an incubator in another case.
        assert_eq!(
            asked(&["3217", "ink-33-01", " 32 "]).unwrap(),
            [
                job("province", "32"),
                job("regency", "32.17"),
                job("incubator", "INK-33-01")
            ]
        );
        match asked(&["32", "INK-99-99"]) {
            Err(ReportError::NotAmong {
                scope,
                audiences,
                among,
            }) => {
                assert_eq!(scope, "INK-99-99");
                assert_eq!(audiences, "national, province, regency and incubator");
                assert_eq!(among, "32, 33, 32.17, INK-32-01, INK-33-01");
            }
            other => panic!("{other:?}"),
        }
        // The national report has no scope to be asked by.
        assert!(asked(&[""]).is_err());
    }

    #[test]
    fn pdfs_are_written_whole_or_not_at_all() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/r.pdf");
        write_atomically(&path, b"%PDF-1.7 test").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"%PDF-1.7 test");
        let leftovers: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers.len(), 1, "no temporary file left: {leftovers:?}");
        let day = chrono::NaiveDate::from_ymd_opt(2021, 10, 1)
            .unwrap()
            .and_hms_opt(9, 30, 0)
            .unwrap();
        let pdf = compile("incubator.typ", &payload("Warung"), day, false).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        let archival = compile("incubator.typ", &payload("Warung"), day, true).unwrap();
        let text = String::from_utf8_lossy(&archival);
        assert!(
            text.contains("<pdfaid:part>2</pdfaid:part>"),
            "PDF/A identification in the XMP metadata"
        );
    }

    fn request(built: &Built, template: &str) -> Request {
        Request {
            template: template.into(),
            json: payload_json(&built.payload).unwrap(),
            charts: built.charts.clone(),
            generated: chrono::NaiveDate::from_ymd_opt(2021, 10, 1)
                .unwrap()
                .and_hms_opt(9, 30, 0)
                .unwrap(),
            pdfa: false,
        }
    }

    #[test]
    fn a_helper_compiles_the_same_pdf_as_this_process() {
        let (helper_in, to_helper) = std::io::pipe().unwrap();
        let (from_helper, helper_out) = std::io::pipe().unwrap();
        let serving = std::thread::spawn(move || crate::helper::serve(helper_in, helper_out));
        let mut helper = Some(Helper::from_streams(
            Box::new(to_helper),
            Box::new(from_helper),
        ));
        let built = payload("Warung");
        let here = compile_via(&mut None, request(&built, "incubator.typ")).unwrap();
        let there = compile_via(&mut helper, request(&built, "incubator.typ")).unwrap();
        assert!(here.starts_with(b"%PDF-"));
        assert!(
            here == there,
            "the helper's PDF is byte for byte this process's"
        );
        // Typst's errors come back as the report's error; the helper goes on.
        let error = compile_via(&mut helper, request(&built, "missing.typ")).unwrap_err();
        assert!(error.contains("not found"), "{error}");
        let other = payload("Toko");
        let again = compile_via(&mut helper, request(&other, "incubator.typ")).unwrap();
        assert_eq!(
            again,
            compile_via(&mut None, request(&other, "incubator.typ")).unwrap()
        );
        // Closing the helper's input ends it.
        drop(helper);
        serving.join().unwrap().unwrap();
    }

    #[test]
    fn a_helper_that_stops_fails_one_report_and_the_rest_compile_here() {
        // A helper that reads nothing and answers nothing: stopped.
        let mut helper = Some(Helper::from_streams(
            Box::new(std::io::sink()),
            Box::new(std::io::empty()),
        ));
        let built = payload("Warung");
        let error = compile_via(&mut helper, request(&built, "incubator.typ")).unwrap_err();
        assert!(
            error.contains("helper process compiling it stopped"),
            "{error}"
        );
        assert!(helper.is_none(), "the stopped helper is let go");
        let pdf = compile_via(&mut helper, request(&built, "incubator.typ")).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
    }
}
