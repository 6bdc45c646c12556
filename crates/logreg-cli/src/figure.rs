//! figures written as .png or .svg (chosen by the file's extension), drawn with the bundled font.

use std::path::Path;

use anyhow::{Result, anyhow, bail};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::{FontStyle, register_font};

/// the font every label is drawn with (shipped, so plots need no system fonts).
const FONT: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");

/// colours of classes and coefficients (cycled beyond ten).
pub const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

/// something drawn into one image.
pub trait Figure {
    /// the image size in pixels.
    fn size(&self) -> (u32, u32);

    /// draw on `root`; `svg` says the image is svg, where every element costs file size.
    fn draw<DB: DrawingBackend>(&self, root: DrawingArea<DB, Shift>, svg: bool) -> Result<()>
    where
        DB::ErrorType: 'static;
}

/// whether `path` ends in .svg (else .png); an error for any other extension.
pub fn is_svg(path: &Path) -> Result<bool> {
    match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
        Some("png") => Ok(false),
        Some("svg") => Ok(true),
        _ => bail!("{}: a plot must end in .png or .svg", path.display()),
    }
}

/// draw `figure` into `path` (.png or .svg).
pub fn render(figure: &impl Figure, path: &Path) -> Result<()> {
    let svg = is_svg(path)?;
    register_font("sans-serif", FontStyle::Normal, FONT).map_err(|_| anyhow!("the bundled font is unreadable"))?;
    let size = figure.size();
    if svg {
        figure.draw(SVGBackend::new(path, size).into_drawing_area(), true)
    } else {
        figure.draw(BitMapBackend::new(path, size).into_drawing_area(), false)
    }
}

/// a drawing error as a message.
pub fn drawing_error<E: std::error::Error + Send + Sync>(e: DrawingAreaErrorKind<E>) -> anyhow::Error {
    anyhow!("cannot draw the plot: {e:?}")
}

/// `(lo, hi)` of `values` widened by 5 % on each side (a little around a single value).
pub fn padded_range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| (l.min(v), h.max(v)));
    if !(lo.is_finite() && hi.is_finite()) {
        return (0.0, 1.0);
    }
    let pad = ((hi - lo) * 0.05).max(1e-9 * lo.abs().max(hi.abs()).max(1.0));
    (lo - pad, hi + pad)
}

/// draw `chart`'s series labels in a framed box at `position`.
pub fn draw_legend<'a, DB: DrawingBackend + 'a, CT: plotters::coord::CoordTranslate>(
    chart: &mut ChartContext<'a, DB, CT>,
    position: SeriesLabelPosition,
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    chart
        .configure_series_labels()
        .position(position)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font(("sans-serif", 13))
        .draw()
        .map_err(drawing_error)
}
