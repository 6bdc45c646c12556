//! the figures of model selection: the cross-validation curve (`cv --plot`) and the coefficient
//! path (`path --plot`), both against the penalty λ on a log scale.

use anyhow::Result;
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use crate::figure::{Figure, PALETTE, draw_legend, drawing_error, padded_range};

/// coefficients drawn at most on a path (the largest along it); named in the legend at most.
const MAX_PATHS: usize = 200;
const NAMED: usize = 10;
const BEST: RGBColor = RGBColor(214, 39, 40);
const ONE_SE: RGBColor = RGBColor(31, 119, 180);

/// mean held-out score ± its standard error per penalty, with both choices marked.
pub struct CvCurve<'a> {
    /// e.g. "5 folds × 1, seed 0"
    pub folds: String,
    /// the score's name
    pub score: &'a str,
    pub lambdas: &'a [f64],
    pub mean: &'a [f64],
    pub std_error: &'a [f64],
    pub best: usize,
    pub one_se: usize,
}

/// each coefficient against the penalty.
pub struct CoefficientPath<'a> {
    pub lambdas: &'a [f64],
    pub names: &'a [String],
    /// `coefficients[k][j]`: coefficient `j` at penalty `k`
    pub coefficients: Vec<Vec<f64>>,
    /// whether the coefficients are those of standardised features (`w·σ`)
    pub standardized: bool,
}

/// the x range of `lambdas` on a log scale, widened a little.
fn lambda_range(lambdas: &[f64]) -> std::ops::Range<f64> {
    let (lo, hi) = lambdas.iter().fold((f64::INFINITY, 0.0_f64), |(l, h), &v| (l.min(v), h.max(v)));
    let (lo, hi) = if lo < hi { (lo, hi) } else { (lo / 2.0, hi * 2.0) };
    let pad = (hi / lo).powf(0.03);
    lo / pad..hi * pad
}

/// a chart of λ (log scale) against `y_range`, titled `caption`, its mesh drawn.
fn lambda_chart<'a, DB: DrawingBackend>(
    root: &'a DrawingArea<DB, Shift>,
    caption: &str,
    lambdas: &[f64],
    (lo, hi): (f64, f64),
    y_desc: &str,
) -> Result<ChartContext<'a, DB, Cartesian2d<LogCoord<f64>, RangedCoordf64>>>
where
    DB::ErrorType: 'static,
{
    let mut chart = ChartBuilder::on(root)
        .caption(caption, ("sans-serif", 20))
        .margin(14)
        .x_label_area_size(45)
        .y_label_area_size(75)
        .build_cartesian_2d(lambda_range(lambdas).log_scale(), lo..hi)
        .map_err(drawing_error)?;
    chart
        .configure_mesh()
        .x_desc("penalty λ (log scale)")
        .y_desc(y_desc)
        .x_label_formatter(&|v| format!("{v:.0e}"))
        .label_style(("sans-serif", 13))
        .draw()
        .map_err(drawing_error)?;
    Ok(chart)
}

impl Figure for CvCurve<'_> {
    fn size(&self) -> (u32, u32) {
        (900, 600)
    }

    fn draw<DB: DrawingBackend>(&self, root: DrawingArea<DB, Shift>, _: bool) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let err = drawing_error::<DB::ErrorType>;
        root.fill(&WHITE).map_err(err)?;
        let (lo, hi) = padded_range(
            self.mean.iter().zip(self.std_error).flat_map(|(m, e)| [m - e, m + e]).filter(|v| v.is_finite()),
        );
        let caption = format!("cross-validation: mean {} ± standard error ({})", self.score, self.folds);
        let mut chart = lambda_chart(&root, &caption, self.lambdas, (lo, hi), &format!("held-out {}", self.score))?;
        let marks = [(self.best, BEST, "best mean"), (self.one_se, ONE_SE, "1-SE rule")];
        for (k, colour, name) in marks {
            let l = self.lambdas[k];
            chart
                .draw_series(LineSeries::new([(l, lo), (l, hi)], colour.stroke_width(2)))
                .map_err(err)?
                .label(format!("{name}: λ = {l:.3e}"))
                .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], colour.stroke_width(2)));
        }
        chart
            .draw_series(LineSeries::new(self.lambdas.iter().copied().zip(self.mean.iter().copied()), BEST.mix(0.5)))
            .map_err(err)?;
        let bars = self
            .lambdas
            .iter()
            .zip(self.mean)
            .zip(self.std_error)
            .map(|((&l, &m), &e)| ErrorBar::new_vertical(l, m - e, m, m + e, BLACK.mix(0.6).stroke_width(1), 8));
        chart.draw_series(bars).map_err(err)?;
        chart
            .draw_series(self.lambdas.iter().zip(self.mean).map(|(&l, &m)| Circle::new((l, m), 4, BEST.filled())))
            .map_err(err)?;
        draw_legend(&mut chart, SeriesLabelPosition::UpperRight)?;
        root.present().map_err(err)?;
        Ok(())
    }
}

impl CoefficientPath<'_> {
    /// the coefficients drawn, largest (over the path) first.
    fn shown(&self) -> Vec<usize> {
        let size = |j: usize| self.coefficients.iter().map(|w| w[j].abs()).fold(0.0, f64::max);
        let mut order: Vec<usize> = (0..self.names.len()).filter(|&j| size(j) > 0.0).collect();
        order.sort_by(|&p, &q| size(q).total_cmp(&size(p)));
        order.truncate(MAX_PATHS);
        order
    }
}

impl Figure for CoefficientPath<'_> {
    fn size(&self) -> (u32, u32) {
        (1000, 620)
    }

    fn draw<DB: DrawingBackend>(&self, root: DrawingArea<DB, Shift>, _: bool) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let err = drawing_error::<DB::ErrorType>;
        root.fill(&WHITE).map_err(err)?;
        let shown = self.shown();
        let (lo, hi) = padded_range(self.coefficients.iter().flat_map(|w| shown.iter().map(|&j| w[j])).chain([0.0]));
        let caption = if shown.len() < self.names.len() {
            format!("coefficient path: the {} largest of {} coefficients", shown.len(), self.names.len())
        } else {
            "coefficient path".to_string()
        };
        let y = if self.standardized { "coefficient of the standardised feature (w·σ)" } else { "coefficient" };
        let mut chart = lambda_chart(&root, &caption, self.lambdas, (lo, hi), y)?;
        for (rank, &j) in shown.iter().enumerate() {
            let colour = PALETTE[rank % PALETTE.len()];
            let line = self.lambdas.iter().zip(&self.coefficients).map(|(&l, w)| (l, w[j]));
            let series = chart.draw_series(LineSeries::new(line, colour.stroke_width(2))).map_err(err)?;
            if rank < NAMED {
                series
                    .label(self.names[j].as_str())
                    .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], colour.stroke_width(2)));
            }
        }
        draw_legend(&mut chart, SeriesLabelPosition::UpperRight)?;
        root.present().map_err(err)?;
        Ok(())
    }
}
