//! Helper processes that compile reports for a batch.
//!
//! Typst keeps its memo caches in process-wide tables behind locks. Two
//! reports compiled at once in one process wait on each other's locks, so
//! each takes longer than it would in a process of its own
//! (`scripts/bench-reports.sh`, `--single-process`, shows the difference).
//! So a batch hands some of its reports to helpers: child
//! processes that compile the Typst documents the batch has built, each with
//! its own caches. The batch still builds every report's data and writes
//! every file; a helper only turns (template, data, charts) into PDF bytes.
//!
//! The exchange over the helper's standard input and output is binary, each
//! value length-prefixed; the data travel as data (the JSON Typst reads as
//! `data.json`), never as Typst source.
//!
//! A helper that stops (a crash in Typst, say) fails the report it was
//! compiling, named with what happened, and the batch compiles the rest in
//! its own process.

use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};

use chrono::NaiveDateTime;

/// One compilation: what [`crate::compile::compile_json`] takes.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// The template's file name (`province.typ`).
    pub template: String,
    /// The JSON Typst reads as `data.json`.
    pub json: Vec<u8>,
    /// The charts: (name, SVG text).
    pub charts: Vec<(String, String)>,
    /// The report's date and the PDF's timestamp.
    pub generated: NaiveDateTime,
    /// Write PDF/A-2b.
    pub pdfa: bool,
}

/// The largest value the exchange accepts (a bound, so that a corrupt length
/// cannot ask for all the memory there is).
const MAX_VALUE: u64 = 1 << 30;
const DATE_FORMAT: &str = "%Y-%m-%dT%H:%M:%S";

fn write_value(out: &mut impl Write, bytes: &[u8]) -> io::Result<()> {
    out.write_all(&(bytes.len() as u64).to_le_bytes())?;
    out.write_all(bytes)
}

fn read_len(input: &mut impl Read) -> io::Result<u64> {
    let mut len = [0u8; 8];
    input.read_exact(&mut len)?;
    let len = u64::from_le_bytes(len);
    if len > MAX_VALUE {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("a value of {len} bytes is beyond the exchange's bound"),
        ));
    }
    Ok(len)
}

fn read_value(input: &mut impl Read) -> io::Result<Vec<u8>> {
    let len = read_len(input)?;
    let mut bytes = Vec::with_capacity(len as usize);
    input.take(len).read_to_end(&mut bytes)?;
    if bytes.len() as u64 != len {
        return Err(io::ErrorKind::UnexpectedEof.into());
    }
    Ok(bytes)
}

fn read_text(input: &mut impl Read) -> io::Result<String> {
    String::from_utf8(read_value(input)?).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

impl Request {
    /// Writes the request (the helper's side reads it with [`Request::read`]).
    pub fn write(&self, out: &mut impl Write) -> io::Result<()> {
        write_value(out, self.template.as_bytes())?;
        write_value(out, &self.json)?;
        out.write_all(&(self.charts.len() as u64).to_le_bytes())?;
        for (name, svg) in &self.charts {
            write_value(out, name.as_bytes())?;
            write_value(out, svg.as_bytes())?;
        }
        write_value(
            out,
            self.generated.format(DATE_FORMAT).to_string().as_bytes(),
        )?;
        out.write_all(&[u8::from(self.pdfa)])
    }

    /// Reads a request; `None` at the end of the input (the batch is done).
    pub fn read(input: &mut impl BufRead) -> io::Result<Option<Request>> {
        if input.fill_buf()?.is_empty() {
            return Ok(None);
        }
        let template = read_text(input)?;
        let json = read_value(input)?;
        let count = read_len(input)?;
        let mut charts = Vec::new();
        for _ in 0..count {
            charts.push((read_text(input)?, read_text(input)?));
        }
        let generated = NaiveDateTime::parse_from_str(&read_text(input)?, DATE_FORMAT)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
        let mut pdfa = [0u8];
        input.read_exact(&mut pdfa)?;
        Ok(Some(Request {
            template,
            json,
            charts,
            generated,
            pdfa: pdfa[0] != 0,
        }))
    }
}

/// The helper's side: compiles each request read from `input` and writes
/// the PDF bytes (or why it failed) to `output`, until `input` ends. Typst's
/// cache is emptied every few reports, as in a batch.
pub fn serve(input: impl Read, output: impl Write) -> io::Result<()> {
    let mut input = BufReader::new(input);
    let mut output = BufWriter::new(output);
    let mut served = 0usize;
    while let Some(request) = Request::read(&mut input)? {
        let result = crate::compile::isolated(&request.template, || {
            crate::compile::compile_json(
                &request.template,
                request.json,
                request.charts,
                request.generated,
                request.pdfa,
            )
            .map_err(|message| crate::ReportError::Render {
                report: request.template.clone(),
                message,
            })
        });
        match result {
            Ok(pdf) => {
                output.write_all(&[0])?;
                write_value(&mut output, &pdf)?;
            }
            Err(crate::ReportError::Render { message, .. }) => {
                output.write_all(&[1])?;
                write_value(&mut output, message.as_bytes())?;
            }
            Err(other) => {
                output.write_all(&[1])?;
                write_value(&mut output, other.to_string().as_bytes())?;
            }
        }
        output.flush()?;
        served += 1;
        if served.is_multiple_of(crate::compile::EVICT_EVERY) {
            typst::comemo::evict(0);
        }
    }
    Ok(())
}

/// The batch's side of one helper: sends it requests and reads back PDFs.
pub struct Helper {
    to: Option<Box<dyn Write + Send>>,
    from: BufReader<Box<dyn Read + Send>>,
    child: Option<Child>,
}

impl Helper {
    /// Starts `command` (a program that runs [`serve`] on its standard input
    /// and output) as a helper. Its standard error is the batch's.
    pub fn spawn(mut command: Command) -> io::Result<Helper> {
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        let to: ChildStdin = child.stdin.take().ok_or(io::ErrorKind::BrokenPipe)?;
        let from = child.stdout.take().ok_or(io::ErrorKind::BrokenPipe)?;
        Ok(Helper {
            to: Some(Box::new(BufWriter::new(to))),
            from: BufReader::new(Box::new(from)),
            child: Some(child),
        })
    }

    /// A helper at the other end of two streams (a [`serve`] on a thread,
    /// say): requests are written to `to`, answers read from `from`.
    pub fn from_streams(to: Box<dyn Write + Send>, from: Box<dyn Read + Send>) -> Helper {
        Helper {
            to: Some(to),
            from: BufReader::new(from),
            child: None,
        }
    }

    /// Has the helper compile `request`: the PDF bytes, or why Typst could
    /// not compile it (`Ok(Err(message))`); `Err` when the helper could not
    /// be reached or answered nonsense.
    pub fn compile(&mut self, request: &Request) -> io::Result<Result<Vec<u8>, String>> {
        let to = self.to.as_mut().ok_or(io::ErrorKind::BrokenPipe)?;
        request.write(to)?;
        to.flush()?;
        let mut status = [0u8];
        self.from.read_exact(&mut status)?;
        let value = read_value(&mut self.from)?;
        match status[0] {
            0 => Ok(Ok(value)),
            1 => Ok(Err(String::from_utf8_lossy(&value).into_owned())),
            other => Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("unknown answer {other} from the helper"),
            )),
        }
    }

    /// Why the helper stopped, when it is a child process that has exited
    /// (its exit status); `None` otherwise.
    pub fn exit_status(&mut self) -> Option<String> {
        let child = self.child.as_mut()?;
        // Closing its input lets a helper still reading finish.
        self.to = None;
        child.wait().ok().map(|status| status.to_string())
    }
}

impl Drop for Helper {
    /// Closes the helper's input, which ends its [`serve`], and waits for
    /// it, so that no helper outlives the batch.
    fn drop(&mut self) {
        self.to = None;
        if let Some(child) = &mut self.child {
            let _ = child.wait();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(json: &str) -> Request {
        Request {
            template: "incubator.typ".into(),
            json: json.as_bytes().to_vec(),
            charts: vec![("a".into(), "<svg/>".into()), ("b".into(), String::new())],
            generated: NaiveDateTime::parse_from_str("2026-11-22T08:30:05", DATE_FORMAT).unwrap(),
            pdfa: true,
        }
    }

    #[test]
    fn requests_read_back_as_written() {
        let mut bytes = Vec::new();
        request("{\"a\": 1}").write(&mut bytes).unwrap();
        request("[]").write(&mut bytes).unwrap();
        let mut input = io::Cursor::new(bytes);
        assert_eq!(
            Request::read(&mut input).unwrap(),
            Some(request("{\"a\": 1}"))
        );
        assert_eq!(Request::read(&mut input).unwrap(), Some(request("[]")));
        assert_eq!(Request::read(&mut input).unwrap(), None);
    }

    #[test]
    fn cut_or_corrupt_requests_are_errors_not_requests() {
        let mut bytes = Vec::new();
        request("{}").write(&mut bytes).unwrap();
        // Cut short anywhere after its start.
        for end in [1, 8, 20, bytes.len() - 1] {
            let mut input = io::Cursor::new(bytes[..end].to_vec());
            assert!(Request::read(&mut input).is_err(), "cut at {end}");
        }
        // A length beyond the bound.
        let mut input = io::Cursor::new(u64::MAX.to_le_bytes().to_vec());
        let error = Request::read(&mut input).unwrap_err();
        assert!(error.to_string().contains("bound"), "{error}");
    }
}
