//! `logreg plot`: decision boundary and probability contours over two features (the others at
//! their mean), the data coloured by class, and the training-loss curve when the model has one.

use anyhow::{Result, anyhow, bail};
use logreg::numerics::sigmoid;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::{FontStyle, register_font};

use crate::args::PlotArgs;
use crate::data::{Labelled, load_labelled};
use crate::model_file::ModelFile;

/// the font every label is drawn with (shipped, so plots need no system fonts).
const FONT: &[u8] = include_bytes!("../../assets/DejaVuSans.ttf");
/// background cells per axis (fewer in svg, where each is an element).
const GRID_PNG: usize = 120;
const GRID_SVG: usize = 50;
/// data points drawn at most.
const MAX_POINTS: usize = 5000;
const NEGATIVE: RGBColor = RGBColor(33, 102, 172);
const POSITIVE: RGBColor = RGBColor(178, 24, 43);

/// everything drawn, computed before choosing the image backend.
struct Scene {
    x_name: String,
    y_name: String,
    x_range: (f64, f64),
    y_range: (f64, f64),
    /// logit = wx·x + wy·y + c
    wx: f64,
    wy: f64,
    c: f64,
    points: Vec<(f64, f64, bool)>,
    classes: (String, String),
    history: Vec<(f64, f64)>,
}

/// what the plot reads of a binary model.
struct PlotModel<'a> {
    features: &'a [String],
    coefficients: &'a [f64],
    intercept: f64,
}

/// draw the plot to `--output` (.png or .svg).
pub fn run(a: PlotArgs) -> Result<()> {
    let file = ModelFile::load(&a.model)?;
    let Some(b) = file.binary() else {
        bail!(
            "{}: a multinomial model; `plot` draws the decision boundary of two-class models only (for now)",
            a.model.display()
        );
    };
    let model = PlotModel { features: &file.features, coefficients: b.coefficients, intercept: b.intercept };
    let spec = Labelled {
        target: Some(file.target.clone()),
        features: Some(file.features.clone()),
        positive: Some(b.positive_class),
        width: Some(model.features.len()),
    };
    let (loaded, _) = load_labelled(&a.input, spec, false)?;
    let data = &loaded.dataset;
    let stats = logreg::Standardizer::fit(data);
    let find = |name: &str| {
        model.features.iter().position(|f| f == name).ok_or_else(|| {
            anyhow!("no feature named `{name}` in the model; its features are: {}", model.features.join(", "))
        })
    };
    // default axes: the two largest effects on the standardised scale
    let mut by_effect: Vec<usize> = (0..model.features.len()).collect();
    by_effect.sort_by(|&p, &q| {
        (model.coefficients[q] * stats.scale[q]).abs().total_cmp(&(model.coefficients[p] * stats.scale[p]).abs())
    });
    let xi = match &a.x {
        Some(n) => find(n)?,
        None => by_effect[0],
    };
    let yi = match &a.y {
        Some(n) => find(n)?,
        None => *by_effect.iter().find(|&&j| j != xi).ok_or_else(|| anyhow!("plotting needs two features"))?,
    };
    if xi == yi {
        bail!("--x and --y name the same feature `{}`", model.features[xi]);
    }
    let c = model.intercept
        + (0..model.features.len())
            .filter(|&j| j != xi && j != yi)
            .map(|j| model.coefficients[j] * stats.mean[j])
            .sum::<f64>();
    let x = data.features();
    let range = |j: usize| {
        let (lo, hi) = (0..data.n_rows())
            .map(|i| x.row(i)[j])
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| (l.min(v), h.max(v)));
        let pad = ((hi - lo) * 0.05).max(1e-9 * lo.abs().max(1.0));
        (lo - pad, hi + pad)
    };
    let step = data.n_rows().div_ceil(MAX_POINTS);
    let scene = Scene {
        x_name: model.features[xi].clone(),
        y_name: model.features[yi].clone(),
        x_range: range(xi),
        y_range: range(yi),
        wx: model.coefficients[xi],
        wy: model.coefficients[yi],
        c,
        points: (0..data.n_rows())
            .step_by(step)
            .map(|i| (x.row(i)[xi], x.row(i)[yi], data.labels()[i] == 1.0))
            .collect(),
        classes: (b.negative_class.to_string(), b.positive_class.to_string()),
        history: file.loss_history.iter().map(|h| (h.iteration as f64, h.objective)).collect(),
    };
    register_font("sans-serif", FontStyle::Normal, FONT).map_err(|_| anyhow!("the bundled font is unreadable"))?;
    let size = if scene.history.len() >= 2 { (1300, 600) } else { (800, 650) };
    let ext = a.output.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("png") => draw(BitMapBackend::new(&a.output, size).into_drawing_area(), &scene, GRID_PNG),
        Some("svg") => draw(SVGBackend::new(&a.output, size).into_drawing_area(), &scene, GRID_SVG),
        _ => bail!("{}: the output must end in .png or .svg", a.output.display()),
    }?;
    eprintln!("plot of `{}` × `{}` written to {}", scene.x_name, scene.y_name, a.output.display());
    Ok(())
}

fn draw<DB: DrawingBackend>(root: DrawingArea<DB, Shift>, s: &Scene, grid: usize) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| anyhow!("cannot draw the plot: {e:?}");
    root.fill(&WHITE).map_err(err)?;
    let (left, right) =
        if s.history.len() >= 2 { root.split_horizontally(750) } else { (root.clone(), root.margin(0, 0, 0, 0)) };
    let ((x0, x1), (y0, y1)) = (s.x_range, s.y_range);
    let mut chart = ChartBuilder::on(&left)
        .caption("decision boundary and P(positive) contours", ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(45)
        .y_label_area_size(65)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(err)?;
    chart.configure_mesh().x_desc(&s.x_name).y_desc(&s.y_name).label_style(("sans-serif", 13)).draw().map_err(err)?;
    // probability shading
    let (dx, dy) = ((x1 - x0) / grid as f64, (y1 - y0) / grid as f64);
    let cells = (0..grid).flat_map(|i| (0..grid).map(move |j| (i, j))).map(|(i, j)| {
        let (cx, cy) = (x0 + (i as f64 + 0.5) * dx, y0 + (j as f64 + 0.5) * dy);
        let p = sigmoid(s.wx * cx + s.wy * cy + s.c);
        let base = if p >= 0.5 { POSITIVE } else { NEGATIVE };
        let t = (p - 0.5).abs() * 2.0 * 0.35;
        let mix = |c: u8| (255.0 + (f64::from(c) - 255.0) * t) as u8;
        let colour = RGBColor(mix(base.0), mix(base.1), mix(base.2));
        Rectangle::new(
            [(x0 + i as f64 * dx, y0 + j as f64 * dy), (x0 + (i + 1) as f64 * dx, y0 + (j + 1) as f64 * dy)],
            colour.filled(),
        )
    });
    chart.draw_series(cells).map_err(err)?;
    // contours: straight lines logit(p) = wx·x + wy·y + c
    for p in [0.1f64, 0.25, 0.5, 0.75, 0.9] {
        let logit = (p / (1.0 - p)).ln();
        let line = contour(s, logit);
        if line.len() < 2 {
            continue;
        }
        let style = if p == 0.5 { BLACK.stroke_width(3) } else { BLACK.mix(0.5).stroke_width(1) };
        let series = chart.draw_series(LineSeries::new(line, style)).map_err(err)?;
        if p == 0.5 {
            series
                .label("decision boundary (p = 0.5)")
                .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], BLACK.stroke_width(3)));
        }
    }
    for (positive, colour, name) in [(false, NEGATIVE, &s.classes.0), (true, POSITIVE, &s.classes.1)] {
        chart
            .draw_series(
                s.points.iter().filter(|p| p.2 == positive).map(|&(x, y, _)| Circle::new((x, y), 3, colour.filled())),
            )
            .map_err(err)?
            .label(name.as_str())
            .legend(move |(x, y)| Circle::new((x + 10, y), 4, colour.filled()));
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font(("sans-serif", 13))
        .draw()
        .map_err(err)?;
    if s.history.len() >= 2 {
        let (lo, hi) = s.history.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), p| (l.min(p.1), h.max(p.1)));
        let pad = ((hi - lo) * 0.05).max(1e-12);
        let last = s.history.last().map_or(1.0, |p| p.0);
        let mut loss = ChartBuilder::on(&right)
            .caption("training objective", ("sans-serif", 20))
            .margin(12)
            .x_label_area_size(45)
            .y_label_area_size(75)
            .build_cartesian_2d(1.0..last.max(2.0), (lo - pad)..(hi + pad))
            .map_err(err)?;
        loss.configure_mesh()
            .x_desc("iteration / epoch")
            .y_desc("objective")
            .label_style(("sans-serif", 13))
            .draw()
            .map_err(err)?;
        loss.draw_series(LineSeries::new(s.history.iter().copied(), NEGATIVE.stroke_width(2))).map_err(err)?;
    }
    root.present().map_err(err)?;
    Ok(())
}

/// the part of the line `wx·x + wy·y + c = logit` inside the plot's box, as points.
fn contour(s: &Scene, logit: f64) -> Vec<(f64, f64)> {
    let ((x0, x1), (y0, y1)) = (s.x_range, s.y_range);
    if s.wy.abs() > 1e-300 {
        (0..=400)
            .map(|k| x0 + (x1 - x0) * k as f64 / 400.0)
            .map(|x| (x, (logit - s.c - s.wx * x) / s.wy))
            .filter(|&(_, y)| y >= y0 && y <= y1)
            .collect()
    } else if s.wx.abs() > 1e-300 {
        let x = (logit - s.c) / s.wx;
        if x >= x0 && x <= x1 { vec![(x, y0), (x, y1)] } else { Vec::new() }
    } else {
        Vec::new()
    }
}
