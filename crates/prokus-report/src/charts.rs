//! Charts drawn with plotters as SVG, their text measured with the font bytes
//! Typst embeds (see [`crate::fonts::FONT_FAMILY`]). Colours are the
//! Okabe–Ito palette, which colour-blind readers can tell apart. Every chart
//! carries its title with the unit, and a footer line with n and the source.

use plotters::coord::Shift;
use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters_backend::{BackendColor, BackendCoord, BackendTextStyle, DrawingErrorKind};

use crate::fonts::{FONT_FAMILY, fit, short};

/// Okabe–Ito: blue, orange, bluish green, reddish purple, sky blue, vermillion.
pub const PALETTE: [RGBColor; 6] = [
    RGBColor(0x00, 0x72, 0xB2),
    RGBColor(0xE6, 0x9F, 0x00),
    RGBColor(0x00, 0x9E, 0x73),
    RGBColor(0xCC, 0x79, 0xA7),
    RGBColor(0x56, 0xB4, 0xE9),
    RGBColor(0xD5, 0x5E, 0x00),
];
const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);
const GRID: RGBColor = RGBColor(0xDD, 0xDD, 0xDD);
/// The grid's light lines: [`GRID`] at 60% over the white background, as an
/// opaque colour. A translucent line becomes a transparency group of its own
/// in the PDF, and a chart has about fifty of them: the same grey drawn
/// opaque looks alike and makes a far smaller, faster PDF.
const LIGHT_GRID: RGBColor = over_white(GRID, 60);

/// `color` at `percent` opacity over white, as the opaque colour it shows.
const fn over_white(color: RGBColor, percent: u32) -> RGBColor {
    const fn channel(c: u8, percent: u32) -> u8 {
        (255 - (255 - c as u32) * percent / 100) as u8
    }
    RGBColor(
        channel(color.0, percent),
        channel(color.1, percent),
        channel(color.2, percent),
    )
}
/// The width of a full-width chart, in pixels.
pub const WIDTH: u32 = 900;
/// The tallest a chart of bars per group gets in a full report (px).
pub const MAX_HEIGHT: u32 = 1100;

/// A drawing failed (a plotters error, as text).
#[derive(Debug, thiserror::Error)]
#[error("chart `{chart}`: {message}")]
pub struct ChartError {
    /// The chart's title.
    pub chart: String,
    /// What plotters said.
    pub message: String,
}

/// One named series of values.
pub struct Series {
    /// Legend label.
    pub label: String,
    /// One value per category (`None` = no data or suppressed).
    pub values: Vec<Option<f64>>,
}

type Area<'a> = DrawingArea<Labelled<'a>, Shift>;
type Drawn = Result<(), String>;

fn text(size: u32) -> TextStyle<'static> {
    TextStyle::from((FONT_FAMILY, size).into_font()).color(&INK)
}

/// A drawn chart: its shapes as SVG and its text as labels, which the
/// template sets over the SVG with Typst's own text. Text inside an SVG is
/// shaped again for every chart (a font set up per text element, the glyphs
/// turned into outlines): set by Typst, the same labels cost a report about
/// a tenth less work, and they are the PDF's text like the rest of the page.
#[derive(Debug, Clone)]
pub struct Chart {
    /// The shapes, without text.
    pub svg: String,
    /// The SVG's width in pixels.
    pub width: u32,
    /// The SVG's height in pixels.
    pub height: u32,
    /// The text, in the order drawn.
    pub labels: Vec<Label>,
}

/// One text of a chart, placed in the SVG's pixels as the SVG backend would
/// have placed it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Label {
    /// The x of its anchor (px).
    pub x: f64,
    /// The y of the top of its text box (px), where the template sets its
    /// top edge: 0.76 em above the baseline.
    pub top: f64,
    /// Which end of the text is at `x`: `left`, `center` or `right`.
    pub h: &'static str,
    /// The font size (px).
    pub size: f64,
    /// The colour, `#rrggbb`.
    pub fill: String,
    /// The text, as it is printed (never markup).
    pub text: String,
}

/// The SVG backend with its horizontal, opaque text kept apart as
/// [`Label`]s; any other text (none of these charts has any) is drawn in
/// the SVG as before.
pub(crate) struct Labelled<'a> {
    svg: SVGBackend<'a>,
    labels: std::rc::Rc<std::cell::RefCell<Vec<Label>>>,
}

type BackendResult =
    Result<(), DrawingErrorKind<<SVGBackend<'static> as DrawingBackend>::ErrorType>>;

impl DrawingBackend for Labelled<'_> {
    type ErrorType = <SVGBackend<'static> as DrawingBackend>::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.svg.get_size()
    }

    fn ensure_prepared(&mut self) -> BackendResult {
        self.svg.ensure_prepared()
    }

    fn present(&mut self) -> BackendResult {
        self.svg.present()
    }

    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> BackendResult {
        self.svg.draw_pixel(point, color)
    }

    fn draw_line<S: plotters_backend::BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> BackendResult {
        self.svg.draw_line(from, to, style)
    }

    fn draw_rect<S: plotters_backend::BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> BackendResult {
        self.svg.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: plotters_backend::BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> BackendResult {
        self.svg.draw_path(path, style)
    }

    fn draw_circle<S: plotters_backend::BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> BackendResult {
        self.svg.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: plotters_backend::BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> BackendResult {
        self.svg.fill_polygon(vert, style)
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> BackendResult {
        let color = style.color();
        if color.alpha == 0.0 || text.trim().is_empty() {
            return Ok(());
        }
        if color.alpha < 1.0 || !matches!(style.transform(), FontTransform::None) {
            return self.svg.draw_text(text, style, pos);
        }
        // As the SVG backend writes it: the font size over 1.24, the
        // baseline 0.76 em below `pos` (top), 0.25 em (centre: half an ex,
        // which usvg takes as half an em) or -0.25 em (bottom).
        let size = style.size() / 1.24;
        let baseline = match style.anchor().v_pos {
            VPos::Top => 0.76,
            VPos::Center => 0.25,
            VPos::Bottom => -0.25,
        };
        let (r, g, b) = color.rgb;
        // A hundredth of a pixel is finer than any printer.
        let hundredths = |v: f64| (v * 100.0).round() / 100.0;
        self.labels.borrow_mut().push(Label {
            x: f64::from(pos.0),
            top: hundredths(f64::from(pos.1) + (baseline - 0.76) * size),
            h: match style.anchor().h_pos {
                HPos::Left => "left",
                HPos::Center => "center",
                HPos::Right => "right",
            },
            size: hundredths(size),
            fill: format!("#{r:02x}{g:02x}{b:02x}"),
            text: text.to_string(),
        });
        Ok(())
    }

    fn estimate_text_size<S: BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> Result<(u32, u32), DrawingErrorKind<Self::ErrorType>> {
        self.svg.estimate_text_size(text, style)
    }
}

/// Draws a chart of `width` × `height` pixels: `body` draws into the main
/// area, then the footer line `note` goes under it.
fn svg(
    title: &str,
    note: &str,
    width: u32,
    height: u32,
    body: impl FnOnce(&Area) -> Drawn,
) -> Result<Chart, ChartError> {
    crate::fonts::register_for_charts();
    let mut out = String::new();
    let labels = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let result = (|| {
        let root = Labelled {
            svg: SVGBackend::with_string(&mut out, (width, height)),
            labels: std::rc::Rc::clone(&labels),
        }
        .into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let (main, foot) = root.split_vertically(height - 26);
        body(&main)?;
        let style =
            TextStyle::from((FONT_FAMILY, 13).into_font()).color(&RGBColor(0x55, 0x55, 0x55));
        foot.draw_text(note, &style, (12, 4))
            .map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())
    })();
    let labels = labels.take();
    result
        .map(|()| Chart {
            svg: out,
            width,
            height,
            labels,
        })
        .map_err(|message| ChartError {
            chart: title.to_string(),
            message,
        })
}

/// How a series is shown in its legend: a square of its bars' colour, or a
/// short stroke of its line's.
#[derive(Clone, Copy)]
enum Mark {
    Bar,
    Line,
}

/// The height of one row of a legend (px).
const LEGEND_ROW: u32 = 24;
/// A legend's mark, the space after it and the space after its label (px).
const MARK_WIDTH: i32 = 16;
const MARK_GAP: i32 = 6;
const ITEM_GAP: i32 = 22;

/// Draws a chart's head on `area` and returns what is left for the chart:
/// `title` centred at the top, where plotters sets a caption (its 12 px
/// margin on every side included), then the legend of `series`, centred in
/// rows under the title. The legend sits outside the plotting area, so no
/// bar, line or point is ever hidden behind it, whatever the data: inside,
/// a corner's legend covered the longest bars or the highest line on data
/// the sample did not have.
fn head<'a>(
    area: &Area<'a>,
    title: &str,
    series: &[Series],
    mark: Mark,
) -> Result<Area<'a>, String> {
    let inner = area.margin(12, 12, 12, 28);
    let titled = inner.titled(title, text(19)).map_err(|e| e.to_string())?;
    let style = text(13);
    // Each item's label and width, laid out in rows no wider than the area.
    let items: Vec<(String, RGBColor, i32)> = series
        .iter()
        .enumerate()
        .map(|(k, s)| {
            let label = short(&s.label, LEGEND_CHARS);
            let (w, _) = titled
                .estimate_text_size(&label, &style)
                .map_err(|e| e.to_string())?;
            let width = MARK_WIDTH + MARK_GAP + i32::try_from(w).unwrap_or(i32::MAX / 4);
            Ok((label, PALETTE[k % PALETTE.len()], width))
        })
        .collect::<Result<_, String>>()?;
    let (room, _) = titled.dim_in_pixel();
    let room = i32::try_from(room).unwrap_or(i32::MAX / 4);
    let mut rows: Vec<Vec<&(String, RGBColor, i32)>> = Vec::new();
    let mut used = 0;
    for item in &items {
        match rows.last_mut() {
            Some(row) if used + ITEM_GAP + item.2 <= room => {
                row.push(item);
                used += ITEM_GAP + item.2;
            }
            _ => {
                rows.push(vec![item]);
                used = item.2;
            }
        }
    }
    let height = LEGEND_ROW * rows.len() as u32;
    let (legend, rest) = titled.split_vertically(height);
    for (r, row) in rows.iter().enumerate() {
        let width: i32 = row.iter().map(|i| i.2).sum::<i32>() + ITEM_GAP * (row.len() as i32 - 1);
        let mut x = (room - width).max(0) / 2;
        let y = LEGEND_ROW as i32 * r as i32 + LEGEND_ROW as i32 / 2 - 2;
        for (label, color, item_width) in row {
            let shape = match mark {
                Mark::Bar => Rectangle::new([(x + 1, y - 6), (x + 15, y + 6)], color.filled()),
                Mark::Line => Rectangle::new([(x, y - 2), (x + MARK_WIDTH, y + 2)], color.filled()),
            };
            legend.draw(&shape).map_err(|e| e.to_string())?;
            legend
                .draw_text(
                    label,
                    &style.pos(Pos::new(HPos::Left, VPos::Center)),
                    (x + MARK_WIDTH + MARK_GAP, y),
                )
                .map_err(|e| e.to_string())?;
            x += item_width + ITEM_GAP;
        }
    }
    Ok(rest)
}

/// The series a chart of bars names in its legend, and the height the
/// legend takes (one row; [`head`] adds rows, from the plot, if it wraps):
/// none for one series, which the title names.
fn bar_legend(series: &[Series]) -> (&[Series], u32) {
    if series.len() > 1 {
        (series, LEGEND_ROW)
    } else {
        (&[], 0)
    }
}

/// The span of an axis that shows every finite value of `series` from zero,
/// with `pad` of the span to spare beyond the largest and below the
/// smallest: a negative value (jobs lost, a loss) gets its bar below or left
/// of zero instead of being cut off at an axis that starts there.
fn value_range(series: &[Series], pad: f64) -> (f64, f64) {
    let (lo, hi) = series
        .iter()
        .flat_map(|s| s.values.iter().flatten())
        .filter(|v| v.is_finite())
        .fold((0.0f64, 0.0f64), |(lo, hi), &v| (lo.min(v), hi.max(v)));
    let span = hi - lo;
    let lo = if lo < 0.0 { lo - span * pad } else { 0.0 };
    let hi = if hi > 0.0 { hi + span * pad } else { 0.0 };
    // An infinite value (a database written before values were bounded)
    // would make the axis loop for ever: only finite spans are drawn.
    if span > 0.0 && lo.is_finite() && hi.is_finite() && (hi - lo).is_finite() {
        (lo, hi)
    } else {
        (0.0, 1.0)
    }
}

/// The most characters of a category the label area of horizontal bars
/// makes room for, at 8 pixels each (see `grouped_hbars`).
const LABEL_CHARS: usize = 34;
/// How wide (px) a category of horizontal bars may be before a region's
/// name takes its short form.
const SHORT_LABEL_PX: f64 = 120.0;
/// The most characters a legend, panel or axis label shows.
const LEGEND_CHARS: usize = 48;
/// The size in pixels plotters' `text(13)` labels are set at (its size over
/// 1.24, as the SVG backend writes it).
pub(crate) const LABEL_PX: f64 = 13.0 / 1.24;

/// The label of segment `v` among `names`, read top-down when `reversed`.
fn segment_label(names: &[String], v: &SegmentValue<usize>, reversed: bool) -> String {
    match v {
        SegmentValue::CenterOf(i) => {
            let i = if reversed {
                names.len().checked_sub(1 + *i)
            } else {
                Some(*i)
            };
            i.and_then(|i| names.get(i))
                .map(|name| short(name, LEGEND_CHARS))
                .unwrap_or_default()
        }
        _ => String::new(),
    }
}

/// Horizontal grouped bars: one row per category, one bar per series (e.g.
/// baseline and endline income per province). `fmt` formats axis and values;
/// `width` in pixels sets the text's size relative to the chart (a narrower
/// chart placed in a half-page column keeps its labels readable).
pub fn grouped_hbars(
    title: &str,
    note: &str,
    categories: &[String],
    series: &[Series],
    fmt: &dyn Fn(f64) -> String,
    width: u32,
    max_height: u32,
) -> Result<Chart, ChartError> {
    let n = categories.len().max(1);
    // Bars get thinner rather than the chart taller than `max_height` (a
    // one-page dashboard over 38 provinces).
    let (legend, legend_height) = bar_legend(series);
    let height = ((110 + n * 22 * series.len().max(1) + n * 8) as u32 + legend_height)
        .clamp(260, max_height.max(260));
    let (xmin, xmax) = value_range(series, 0.18);
    // A region's long name in its short form (`DKI Jakarta`), as the small
    // multiples write it, where it would take more than its place.
    let names: Vec<String> = categories
        .iter()
        .map(|c| region_short(c, SHORT_LABEL_PX, LABEL_PX))
        .collect();
    let label_width = names
        .iter()
        .map(|c| c.chars().count())
        .max()
        .unwrap_or(10)
        .clamp(8, LABEL_CHARS) as u32
        * 8
        + 10;
    svg(title, note, width, height, |area| {
        let area = head(area, title, legend, Mark::Bar)?;
        let mut chart = ChartBuilder::on(&area)
            .x_label_area_size(30)
            .y_label_area_size(label_width)
            .build_cartesian_2d(xmin..xmax, (0..n.max(2) - 1).into_segmented())
            .map_err(|e| e.to_string())?;
        // The axis has a segment per category, and two for one (plotters'
        // segments need a range): a band is one segment.
        let (_, plot_h) = chart.plotting_area().dim_in_pixel();
        let band = f64::from(plot_h) / n.max(2) as f64;
        // The category labels no taller than their band, so that neighbours
        // do not run into each other (38 provinces in a dashboard's column).
        let label_size = (band.floor() as u32).clamp(8, 13);
        chart
            .configure_mesh()
            .disable_y_mesh()
            .light_line_style(LIGHT_GRID)
            .bold_line_style(GRID)
            .y_labels(n)
            // Cut to the label area (less its tick), measured.
            .y_label_formatter(&|v| {
                fit(
                    &segment_label(&names, v, true),
                    f64::from(label_width) - 12.0,
                    f64::from(label_size) / 1.24,
                )
            })
            .x_labels(6)
            .x_label_formatter(&|x| fmt(*x))
            // Both axes, then the categories' own (in this order).
            .label_style(text(13))
            .y_label_style(text(label_size))
            .draw()
            .map_err(|e| e.to_string())?;
        let bar = ((band - 8.0) / series.len().max(1) as f64).max(2.0);
        for (k, s) in series.iter().enumerate() {
            let color = PALETTE[k % PALETTE.len()];
            let top = 4.0 + bar * k as f64;
            let bottom = (band - top - bar).max(0.0);
            let bars = s.values.iter().enumerate().filter_map(|(i, v)| {
                let row = n - 1 - i;
                let mut r = Rectangle::new(
                    [
                        (0.0, SegmentValue::Exact(row)),
                        ((*v)?, SegmentValue::Exact(row + 1)),
                    ],
                    color.filled(),
                );
                r.set_margin(top.round() as u32, bottom.round() as u32, 0, 0);
                Some(r)
            });
            chart.draw_series(bars).map_err(|e| e.to_string())?;
            if series.len() == 1 {
                // The value beyond the bar's end: right of a bar that
                // grows right, left of one that grows left of zero.
                let labels = s.values.iter().enumerate().filter_map(|(i, v)| {
                    let v = (*v)?;
                    let (text, h) = if v < 0.0 {
                        (format!("{} ", fmt(v)), HPos::Right)
                    } else {
                        (format!(" {}", fmt(v)), HPos::Left)
                    };
                    let style = self::text(12).pos(Pos::new(h, VPos::Center));
                    Some(Text::new(
                        text,
                        (v, SegmentValue::CenterOf(n - 1 - i)),
                        style,
                    ))
                });
                chart.draw_series(labels).map_err(|e| e.to_string())?;
            }
        }
        if xmin < 0.0 {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    [(0.0, SegmentValue::Exact(0)), (0.0, SegmentValue::Exact(n))],
                    INK,
                )))
                .map_err(|e| e.to_string())?;
        }
        Ok(())
    })
}

/// Lines across the waves, one per series (e.g. % saving monthly, this
/// incubator against the nation), on a 0–100% axis.
pub fn lines_by_wave(
    title: &str,
    note: &str,
    waves: &[String],
    series: &[Series],
    fmt: &dyn Fn(f64) -> String,
) -> Result<Chart, ChartError> {
    let n = waves.len().max(1);
    svg(title, note, WIDTH, 380 + LEGEND_ROW, |area| {
        let area = head(area, title, series, Mark::Line)?;
        let mut chart = ChartBuilder::on(&area)
            .x_label_area_size(34)
            .y_label_area_size(60)
            .build_cartesian_2d((0..n.max(2) - 1).into_segmented(), 0f64..100f64)
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(LIGHT_GRID)
            .bold_line_style(GRID)
            .x_labels(n)
            .x_label_formatter(&|v| segment_label(waves, v, false))
            .y_labels(6)
            .y_label_formatter(&|y| fmt(*y))
            .label_style(text(13))
            .draw()
            .map_err(|e| e.to_string())?;
        for (k, s) in series.iter().enumerate() {
            let color = PALETTE[k % PALETTE.len()];
            let points: Vec<(SegmentValue<usize>, f64)> = s
                .values
                .iter()
                .enumerate()
                .filter_map(|(i, v)| v.map(|v| (SegmentValue::CenterOf(i), v)))
                .collect();
            chart
                .draw_series(LineSeries::new(points.clone(), color.stroke_width(3)))
                .map_err(|e| e.to_string())?;
            chart
                .draw_series(
                    points
                        .into_iter()
                        .map(|p| Circle::new(p, 5, color.filled())),
                )
                .map_err(|e| e.to_string())?;
        }
        Ok(())
    })
}

/// The size in pixels of a panel's caption (`text(12)`; see [`LABEL_PX`]).
const CAPTION_PX: f64 = 12.0 / 1.24;
/// The colour of the reference series drawn behind every panel.
const REFERENCE: RGBColor = RGBColor(0xAA, 0xAA, 0xAA);
/// The height of a panel's caption row (px): the caption and a gap above the
/// axis's top label.
const CAPTION_ROW: u32 = 22;

/// A region's name in the short form its people write when the full one is
/// wider than `width` pixels at `size`: `DKI Jakarta`, `DI Yogyakarta`,
/// `Kep. Bangka Belitung`, `Kab. Bandung Barat`.
fn region_short(name: &str, width: f64, size: f64) -> String {
    if crate::fonts::text_width(name, size, false) <= width {
        return name.to_string();
    }
    const SHORT: &[(&str, &str)] = &[
        ("Daerah Khusus Ibukota ", "DKI "),
        ("Daerah Khusus Ibu Kota ", "DKI "),
        ("Daerah Istimewa ", "DI "),
        ("Kepulauan ", "Kep. "),
        ("Kabupaten ", "Kab. "),
        ("Kota Administrasi ", "Kota Adm. "),
    ];
    SHORT
        .iter()
        .find_map(|(long, short)| name.strip_prefix(long).map(|rest| format!("{short}{rest}")))
        .unwrap_or_else(|| name.to_string())
}

/// Small multiples: one small panel per group (e.g. per province), each a
/// line across the waves on the same 0–100% axis, with the `reference`
/// series (the nation) drawn grey behind it in every panel, so that the
/// panels compare at a glance. `columns` panels a row.
pub fn small_multiples(
    title: &str,
    note: &str,
    waves: &[String],
    panels: &[Series],
    reference: &Series,
    columns: usize,
) -> Result<Chart, ChartError> {
    let columns = columns.max(1);
    let rows = panels.len().div_ceil(columns).max(1);
    let height = 56 + rows as u32 * 104 + 26;
    let n = waves.len().max(2);
    svg(title, note, WIDTH, height, |area| {
        let (head, body) = area.split_vertically(56);
        head.draw_text(title, &text(19), (12, 10))
            .map_err(|e| e.to_string())?;
        let legend_style = text(12).color(&RGBColor(0x55, 0x55, 0x55));
        let span = match (waves.first(), waves.last()) {
            (Some(a), Some(b)) => format!(" · {a} → {b}"),
            _ => String::new(),
        };
        // The reference's own grey stroke before its name, as a line chart's
        // legend shows its series: a dash of text was black, unlike the line.
        head.draw(&PathElement::new(
            [(12, 40), (12 + MARK_WIDTH, 40)],
            REFERENCE.stroke_width(2),
        ))
        .map_err(|e| e.to_string())?;
        head.draw_text(
            &format!("{}{span}", reference.label),
            &legend_style,
            (12 + MARK_WIDTH + MARK_GAP, 36),
        )
        .map_err(|e| e.to_string())?;
        let cells = body.split_evenly((rows, columns));
        for (panel, cell) in panels.iter().zip(cells.iter()) {
            // The caption in a row of its own above the panel's axis, where
            // plotters' caption let a wide name run into the axis's top
            // label; within its panel, clear of the next one's.
            let (cell_w, _) = cell.dim_in_pixel();
            let room = f64::from(cell_w) - 30.0;
            let caption = fit(
                &region_short(&panel.label, room, CAPTION_PX),
                room,
                CAPTION_PX,
            );
            let (top, cell) = cell.split_vertically(CAPTION_ROW);
            top.draw_text(
                &caption,
                &text(12).pos(Pos::new(HPos::Center, VPos::Top)),
                (cell_w as i32 / 2, 4),
            )
            .map_err(|e| e.to_string())?;
            let mut chart = ChartBuilder::on(&cell)
                .margin(4)
                .margin_right(8)
                .x_label_area_size(0)
                .y_label_area_size(26)
                .build_cartesian_2d(0..n - 1, 0f64..100f64)
                .map_err(|e| e.to_string())?;
            chart
                .configure_mesh()
                .disable_x_mesh()
                // Not drawn: a transparent line is left out of the SVG.
                .light_line_style(TRANSPARENT)
                .bold_line_style(over_white(GRID, 70))
                .y_labels(3)
                .y_label_formatter(&|y| format!("{y:.0}"))
                .label_style(text(10))
                .x_labels(n)
                .x_label_formatter(&|_| String::new())
                .draw()
                .map_err(|e| e.to_string())?;
            for (series, color, width) in [(reference, REFERENCE, 2), (panel, PALETTE[0], 3)] {
                let points: Vec<(usize, f64)> = series
                    .values
                    .iter()
                    .enumerate()
                    .filter_map(|(i, v)| v.map(|v| (i, v)))
                    .collect();
                chart
                    .draw_series(LineSeries::new(points, color.stroke_width(width)))
                    .map_err(|e| e.to_string())?;
            }
        }
        Ok(())
    })
}

/// Vertical bars with their value on top (e.g. responses per wave).
pub fn vbars(
    title: &str,
    note: &str,
    categories: &[String],
    series: &[Series],
    fmt: &dyn Fn(f64) -> String,
) -> Result<Chart, ChartError> {
    let n = categories.len().max(1);
    let (ymin, ymax) = value_range(series, 0.2);
    let (legend, legend_height) = bar_legend(series);
    svg(title, note, WIDTH, 360 + legend_height, |area| {
        let area = head(area, title, legend, Mark::Bar)?;
        let mut chart = ChartBuilder::on(&area)
            .x_label_area_size(34)
            .y_label_area_size(70)
            .build_cartesian_2d((0..n.max(2) - 1).into_segmented(), ymin..ymax)
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(LIGHT_GRID)
            .bold_line_style(GRID)
            .x_labels(n)
            .x_label_formatter(&|v| segment_label(categories, v, false))
            .y_labels(6)
            .y_label_formatter(&|y| fmt(*y))
            .label_style(text(13))
            .draw()
            .map_err(|e| e.to_string())?;
        // A segment per category, two for one, as in `grouped_hbars`.
        let (plot_w, _) = chart.plotting_area().dim_in_pixel();
        let band = f64::from(plot_w) / n.max(2) as f64;
        let k_all = series.len().max(1) as f64;
        let bar = (band * 0.7 / k_all).max(2.0);
        let pad = (band - bar * k_all) / 2.0;
        for (k, s) in series.iter().enumerate() {
            let color = PALETTE[k % PALETTE.len()];
            let left = pad + bar * k as f64;
            let right = (band - left - bar).max(0.0);
            let bars = s.values.iter().enumerate().filter_map(|(i, v)| {
                let mut r = Rectangle::new(
                    [
                        (SegmentValue::Exact(i), 0.0),
                        (SegmentValue::Exact(i + 1), (*v)?),
                    ],
                    color.filled(),
                );
                r.set_margin(0, 0, left.round() as u32, right.round() as u32);
                Some(r)
            });
            chart.draw_series(bars).map_err(|e| e.to_string())?;
            if series.len() == 1 {
                // The value beyond the bar's end: above a bar that rises,
                // below one that falls under zero.
                let labels = s.values.iter().enumerate().filter_map(|(i, v)| {
                    let v = (*v)?;
                    let v_pos = if v < 0.0 { VPos::Top } else { VPos::Bottom };
                    let style = text(13).pos(Pos::new(HPos::Center, v_pos));
                    Some(Text::new(fmt(v), (SegmentValue::CenterOf(i), v), style))
                });
                chart.draw_series(labels).map_err(|e| e.to_string())?;
            }
        }
        if ymin < 0.0 {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    [(SegmentValue::Exact(0), 0.0), (SegmentValue::Exact(n), 0.0)],
                    INK,
                )))
                .map_err(|e| e.to_string())?;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_are_svg_shapes_with_their_text_kept_as_written() {
        let cats = vec![
            "Jawa Barat".to_string(),
            "Toko <Berkah> & \"Sari\"".to_string(),
        ];
        let s = vec![
            Series {
                label: "Awal".into(),
                values: vec![Some(1_000_000.0), Some(2_000_000.0)],
            },
            Series {
                label: "Akhir".into(),
                values: vec![Some(1_200_000.0), None],
            },
        ];
        let chart = grouped_hbars(
            "Pendapatan (Rp/bulan)",
            "n = 12 · Sumber: survei",
            &cats,
            &s,
            &|v| format!("{v:.0}"),
            WIDTH,
            MAX_HEIGHT,
        )
        .unwrap();
        assert!(chart.svg.starts_with("<svg"));
        // The text is kept apart, as it is written, for Typst to set: the
        // SVG has none, so no label can be read as SVG markup.
        assert!(!chart.svg.contains("<text"), "no text in the SVG");
        let texts: Vec<&str> = chart.labels.iter().map(|l| l.text.as_str()).collect();
        for text in [
            "Pendapatan (Rp/bulan)",
            "Jawa Barat",
            "Toko <Berkah> & \"Sari\"",
            "n = 12 · Sumber: survei",
        ] {
            assert!(texts.contains(&text), "{text} in {texts:?}");
        }
        assert!(!chart.svg.contains("Berkah"));
        // The title is centred over the chart, the footer at its left.
        let title = &chart.labels[texts
            .iter()
            .position(|t| t.starts_with("Pendapatan"))
            .unwrap()];
        assert_eq!(title.h, "center");
        assert!((title.x - f64::from(WIDTH) / 2.0).abs() < 20.0, "{title:?}");
        let footer = chart.labels.last().unwrap();
        assert_eq!(
            (footer.h, footer.x, footer.fill.as_str()),
            ("left", 12.0, "#555555")
        );
        assert!(
            footer.top > f64::from(chart.height) - 26.0 && footer.top < f64::from(chart.height)
        );
        let chart = lines_by_wave(
            "Menabung (%)",
            "n = 3",
            &["Awal".into(), "Akhir".into()],
            &s[..1],
            &|v| format!("{v:.0}%"),
        )
        .unwrap();
        assert!(has(&chart, "Menabung (%)") && has(&chart, "Akhir"));
        // Small multiples: a panel per group, each with its name, on one
        // shared axis; a group without figures still gets its panel, and
        // seven panels at three a row make three rows.
        let panels: Vec<Series> = (1..=7)
            .map(|k| Series {
                label: format!("Provinsi {k}"),
                values: if k == 7 {
                    vec![None, None]
                } else {
                    vec![Some(10.0 * k as f64), Some(50.0)]
                },
            })
            .collect();
        let reference = Series {
            label: "Nasional".into(),
            values: vec![Some(30.0), Some(60.0)],
        };
        let waves = ["Awal".to_string(), "Akhir".to_string()];
        let chart =
            small_multiples("Menabung (%)", "n = 7", &waves, &panels, &reference, 3).unwrap();
        for k in 1..=7 {
            assert!(has(&chart, &format!("Provinsi {k}")), "panel {k}");
        }
        assert!(has(&chart, "Nasional · Awal → Akhir"));
        assert!(
            chart.svg.contains("stroke=\"#AAAAAA\""),
            "the reference's stroke in the legend and panels"
        );
        let one_row = small_multiples("M", "n", &waves, &panels[..3], &reference, 3).unwrap();
        let height = |svg: &str| -> u32 {
            let at = svg.find("height=\"").unwrap() + 8;
            svg[at..].split('"').next().unwrap().parse().unwrap()
        };
        assert_eq!(
            height(&chart.svg) - height(&one_row.svg),
            2 * 104,
            "two rows more"
        );
        assert_eq!(height(&chart.svg), chart.height);
        // Six a row, as the dashboard draws them: the long names in the
        // short form their people write, every caption within its panel.
        let names = [
            "Daerah Istimewa Yogyakarta",
            "Daerah Khusus Ibukota Jakarta",
            "Kepulauan Bangka Belitung",
            "Nusa Tenggara Barat",
            "Aceh",
            "Sulawesi Tenggara Barat Daya Utara",
        ];
        let panels: Vec<Series> = names
            .iter()
            .map(|name| Series {
                label: (*name).into(),
                values: vec![Some(40.0), Some(60.0)],
            })
            .collect();
        let chart = small_multiples("M", "n", &waves, &panels, &reference, 6).unwrap();
        let panel = f64::from(WIDTH) / 6.0;
        for (k, want) in [
            "DI Yogyakarta",
            "DKI Jakarta",
            "Kep. Bangka Belitung",
            "Nusa Tenggara Barat",
            "Aceh",
        ]
        .iter()
        .enumerate()
        {
            let label = chart.labels.iter().find(|l| l.text == *want);
            let label = label.unwrap_or_else(|| panic!("{want}: {:?}", chart.labels));
            let width = crate::fonts::text_width(&label.text, label.size, false);
            let left = panel * k as f64;
            assert!(
                label.x - width / 2.0 >= left && label.x + width / 2.0 <= left + panel,
                "{want} runs out of its panel: {label:?}"
            );
            // Above its axis's top label ("100"), not over it.
            let axis_top = chart
                .labels
                .iter()
                .filter(|l| l.text == "100" && l.x > left && l.x < left + panel)
                .map(|l| l.top)
                .fold(f64::INFINITY, f64::min);
            assert!(
                label.top + label.size < axis_top,
                "{want} over its axis: {label:?}, axis label at {axis_top}"
            );
        }
        assert!(
            chart
                .labels
                .iter()
                .any(|l| l.text.starts_with("Sulawesi") && l.text.ends_with('…')),
            "a name with no short form is cut: {:?}",
            chart.labels
        );
        let chart = vbars(
            "Responden",
            "n",
            &["A".into()],
            &[Series {
                label: "x".into(),
                values: vec![Some(5.0)],
            }],
            &|v| format!("{v:.0}"),
        )
        .unwrap();
        assert!(
            has(&chart, "5"),
            "the bar carries its value: {:?}",
            chart.labels
        );
    }

    /// Many categories in a small chart (the dashboard's 38 provinces in
    /// half a page): their labels are no taller than their rows, so no two
    /// run into each other, and a province's long name takes its short
    /// form.
    #[test]
    fn crowded_category_labels_do_not_touch() {
        let mut names: Vec<String> = (0..36).map(|i| format!("Provinsi {i}")).collect();
        names.insert(10, "Daerah Khusus Ibukota Jakarta".into());
        names.insert(13, "Daerah Istimewa Yogyakarta".into());
        let values = |k: f64| (0..names.len()).map(|i| Some(k + i as f64)).collect();
        let series = [
            Series {
                label: "Survei awal".into(),
                values: values(1.0),
            },
            Series {
                label: "Akhir".into(),
                values: values(2.0),
            },
        ];
        let chart =
            grouped_hbars("T", "n", &names, &series, &|v| format!("{v}"), 560, 500).unwrap();
        let mut rows: Vec<&Label> = chart
            .labels
            .iter()
            .filter(|l| l.text.starts_with("Provinsi") || l.text.starts_with("D"))
            .collect();
        assert_eq!(rows.len(), 38, "{:?}", chart.labels);
        rows.sort_by(|a, b| a.top.total_cmp(&b.top));
        for pair in rows.windows(2) {
            assert!(
                pair[1].top - pair[0].top >= pair[0].size,
                "{:?} runs into {:?}",
                pair[0],
                pair[1]
            );
        }
        assert!(has(&chart, "DKI Jakarta") && has(&chart, "DI Yogyakarta"));
        assert!(!has(&chart, "Daerah Khusus Ibukota Jakarta"));
    }

    #[test]
    fn names_longer_than_their_place_are_cut() {
        let long = format!("Inkubator {}", "Sangat Panjang Namanya ".repeat(12));
        let series = [
            Series {
                label: long.clone(),
                values: vec![Some(1.0), Some(2.0)],
            },
            Series {
                label: "Akhir".into(),
                values: vec![Some(1.5), Some(2.5)],
            },
        ];
        let names = [long.clone(), "Aceh".to_string()];
        let chart = grouped_hbars(
            "T",
            "n",
            &names,
            &series,
            &|v| format!("{v}"),
            WIDTH,
            MAX_HEIGHT,
        )
        .unwrap();
        let cut: Vec<&str> = chart
            .labels
            .iter()
            .map(|l| l.text.as_str())
            .filter(|t| t.starts_with("Inkubator"))
            .collect();
        assert_eq!(cut.len(), 2, "the category and the legend: {cut:?}");
        for text in cut {
            assert!(
                text.ends_with('…') && text.chars().count() <= LEGEND_CHARS,
                "{text}"
            );
        }
        assert!(has(&chart, "Aceh"), "a short name is whole");
    }

    /// The filled rectangles of `color` in an SVG, as (y, height) in pixels.
    fn rects(svg: &str, color: RGBColor) -> Vec<(f64, f64)> {
        rect_attrs(svg, color, "y")
            .into_iter()
            .zip(rect_attrs(svg, color, "height"))
            .collect()
    }

    /// Attribute `name` (in pixels) of the filled rectangles of `color`.
    fn rect_attrs(svg: &str, color: RGBColor, name: &str) -> Vec<f64> {
        let fill = format!("fill=\"#{:02X}{:02X}{:02X}\"", color.0, color.1, color.2);
        let key = format!(" {name}=\"");
        svg.split("<rect")
            .skip(1)
            .map(|rest| rest.split('>').next().unwrap())
            .filter(|tag| tag.contains(&fill))
            .map(|tag| {
                let at = tag.find(&key).expect(name) + key.len();
                tag[at..].split('"').next().unwrap().parse().unwrap()
            })
            .collect()
    }

    #[test]
    fn legends_stand_apart_from_the_bars_and_lines() {
        // The last category's bars the longest (the bottom of horizontal
        // bars, the right of vertical ones) and the first's points high on
        // the 0–100 axis: where the corner legends were.
        let names: Vec<String> = ["Aceh", "Bali", "Papua"].map(String::from).into();
        let series = [
            Series {
                label: "Survei awal".into(),
                values: vec![Some(90.0), Some(50.0), Some(95.0)],
            },
            Series {
                label: "Akhir".into(),
                values: vec![Some(96.0), Some(55.0), Some(98.0)],
            },
        ];
        // Small multiples have a header of their own, not a legend.
        let [hbars, lines, _, vbars] = every_chart(&names, &series);
        for chart in [hbars, lines, vbars] {
            let chart = chart.unwrap();
            let top = |text: &str| chart.labels.iter().find(|l| l.text == text).unwrap().top;
            let title = chart.labels[0].top;
            // Every bar or point below the legend's row.
            let drawn: Vec<(f64, f64)> = rects(&chart.svg, PALETTE[0])
                .into_iter()
                .chain(rects(&chart.svg, PALETTE[1]))
                .collect();
            for legend in ["Survei awal", "Akhir"] {
                let legend = top(legend);
                assert!(legend > title, "the legend under the title");
                for (y, height) in &drawn {
                    if *height > 12.0 {
                        assert!(*y > legend + 12.0, "{legend} above the bar at {y}");
                    }
                }
                for point in chart.svg.split("<circle").skip(1) {
                    let at = point.find(" cy=\"").unwrap() + 5;
                    let y: f64 = point[at..].split('"').next().unwrap().parse().unwrap();
                    assert!(y > legend + 12.0, "{legend} above the point at {y}");
                }
                for name in ["Aceh", "Bali", "Papua"] {
                    assert!(top(name) > legend + 12.0, "{name} under the legend");
                }
            }
        }
    }

    #[test]
    fn negative_values_get_their_bars_below_zero() {
        // Net jobs by cluster: two lost, two gained.
        let names: Vec<String> = ["Kuliner", "Ritel", "Fesyen", "Agribisnis"]
            .map(String::from)
            .into();
        let series = [Series {
            label: String::new(),
            values: vec![Some(-240.0), Some(284.0), Some(305.0), Some(-197.0)],
        }];
        let format = |v: f64| format!("{v:.0}");
        let chart = vbars("Lapangan kerja", "n", &names, &series, &format).unwrap();
        let bars = rects(&chart.svg, PALETTE[0]);
        assert_eq!(bars.len(), 4, "{bars:?}");
        // Drawn at their length: the losses about as long as the gains.
        for (_, height) in &bars {
            assert!(*height > 50.0, "{bars:?}");
        }
        let top = |text: &str| chart.labels.iter().find(|l| l.text == text).unwrap().top;
        assert!(
            top("-240") > top("284") + 50.0,
            "a loss's value under its bar"
        );
        let chart = grouped_hbars(
            "Lapangan kerja",
            "n",
            &names,
            &series,
            &format,
            WIDTH,
            MAX_HEIGHT,
        )
        .unwrap();
        let bars = rects(&chart.svg, PALETTE[0]);
        assert_eq!(bars.len(), 4, "{bars:?}");
        let widths = rect_attrs(&chart.svg, PALETTE[0], "width");
        for width in &widths {
            assert!(*width > 100.0, "{widths:?}");
        }
        let label = chart.labels.iter().find(|l| l.text == "-240 ").unwrap();
        assert_eq!(label.h, "right", "a loss's value left of its bar");
    }

    #[test]
    fn one_category_gets_its_bars() {
        // A regency with one kecamatan of five KPM or more: its row holds
        // both bars, as a row of several would.
        let names = vec!["Batang Kuis".to_string()];
        let series = [
            Series {
                label: "Survei awal".into(),
                values: vec![Some(1_473_333.0)],
            },
            Series {
                label: "Akhir".into(),
                values: vec![Some(2_062_000.0)],
            },
        ];
        let format = |v: f64| format!("{v:.0}");
        let hbars = grouped_hbars(
            "Pendapatan",
            "n",
            &names,
            &series,
            &format,
            WIDTH,
            MAX_HEIGHT,
        )
        .unwrap();
        let vbars = vbars("Pendapatan", "n", &names, &series, &format).unwrap();
        for chart in [hbars, vbars] {
            for color in [PALETTE[0], PALETTE[1]] {
                let bars = rects(&chart.svg, color);
                assert_eq!(bars.len(), 2, "the bar and its legend's mark: {bars:?}");
                assert!(
                    bars.iter().any(|(_, height)| *height > 20.0),
                    "a bar of some size: {bars:?}"
                );
            }
        }
    }

    /// Each kind of chart, drawn from the same categories and series.
    fn every_chart(names: &[String], series: &[Series]) -> [Result<Chart, ChartError>; 4] {
        let format = |v: f64| format!("{v:.0}");
        [
            grouped_hbars("Pendapatan", "n", names, series, &format, WIDTH, MAX_HEIGHT),
            lines_by_wave("Menabung", "n", names, series, &format),
            small_multiples("Menabung", "n", names, series, &series[0], 3),
            vbars("Responden", "n", names, series, &format),
        ]
    }

    /// Whether `chart` sets `text` as one of its labels.
    fn has(chart: &Chart, text: &str) -> bool {
        chart.labels.iter().any(|l| l.text == text)
    }

    /// Every opacity an SVG sets, as written.
    fn opacities(svg: &str) -> Vec<&str> {
        svg.split("opacity=\"")
            .skip(1)
            .map(|rest| rest.split('"').next().unwrap_or(""))
            .collect()
    }

    #[test]
    fn charts_draw_nothing_translucent() {
        // The PDF export makes each translucent element a transparency
        // group: the light grid is drawn in the grey it showed at 60%.
        assert_eq!(LIGHT_GRID, RGBColor(0xEB, 0xEB, 0xEB));
        let series = [
            Series {
                label: "Awal".into(),
                values: vec![Some(1_000_000.0), Some(2_500_000.0), None],
            },
            Series {
                label: "Akhir".into(),
                values: vec![Some(1_400_000.0), Some(2_000_000.0), Some(900_000.0)],
            },
        ];
        let names: Vec<String> = ["Bali", "Papua", "Aceh"].map(String::from).into();
        let charts = every_chart(&names, &series);
        for (i, chart) in charts.iter().enumerate() {
            let svg = &chart.as_ref().unwrap().svg;
            let translucent: Vec<&str> = opacities(svg)
                .into_iter()
                .filter(|o| o.parse::<f64>() != Ok(1.0))
                .collect();
            assert!(translucent.is_empty(), "chart {i}: {translucent:?}");
            assert!(!opacities(svg).is_empty(), "chart {i} draws something");
        }
        let hbars = &charts[0].as_ref().unwrap().svg;
        assert!(
            hbars.contains("stroke=\"#EBEBEB\""),
            "the light grid is drawn"
        );
    }
}
