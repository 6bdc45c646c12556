//! `logreg plot`: decision boundary and probability contours over two features (the others at
//! their mean) — for more than two classes the class regions shaded by probability — the data
//! coloured by class, and the training-loss curve when the model has one.

use anyhow::{Result, anyhow, bail};
use logreg::numerics::sigmoid;
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::args::PlotArgs;
use crate::data::{Labelled, load_labelled};
use crate::figure::{Figure, PALETTE, draw_legend, drawing_error, padded_range, render};
use crate::model_file::ModelFile;

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
    /// logits over the plane, `wx·x + wy·y + c`: one (a binary model's) or one per class
    lines: Vec<(f64, f64, f64)>,
    /// data points and their class (an index into `classes`)
    points: Vec<(f64, f64, usize)>,
    classes: Vec<String>,
    history: Vec<(f64, f64)>,
}

impl Scene {
    /// colour of class `c`.
    fn colour(&self, c: usize) -> RGBColor {
        match (self.lines.len(), c) {
            (1, 0) => NEGATIVE,
            (1, _) => POSITIVE,
            _ => PALETTE[c % PALETTE.len()],
        }
    }
}

/// what the plot reads of a model: per line (one for binary, one per class) the intercept and
/// coefficients, and the class values.
struct PlotModel<'a> {
    features: &'a [String],
    intercepts: Vec<f64>,
    coefficients: Vec<&'a [f64]>,
    classes: Vec<String>,
}

/// draw the plot to `--output` (.png or .svg).
pub fn run(a: PlotArgs) -> Result<()> {
    let file = ModelFile::load(&a.model)?;
    let model = match (file.binary(), &file.multinomial) {
        (Some(b), _) => PlotModel {
            features: &file.features,
            intercepts: vec![b.intercept],
            coefficients: vec![b.coefficients],
            classes: vec![b.negative_class.to_string(), b.positive_class.to_string()],
        },
        (None, Some(m)) => PlotModel {
            features: &file.features,
            intercepts: m.intercepts.clone(),
            coefficients: m.coefficients.iter().map(Vec::as_slice).collect(),
            classes: m.classes.clone(),
        },
        (None, None) => unreachable!("a loaded model file is binary or multinomial"),
    };
    let (columns, levels) = file.coding();
    let spec = Labelled {
        target: Some(file.target.clone()),
        features: Some(columns),
        positive: file.binary().map(|b| b.positive_class),
        width: Some(model.features.len()),
        levels: Some(levels),
    };
    let (loaded, _) = load_labelled(&a.input, spec, false)?;
    let data = &loaded.dataset;
    // the data's labels are numbered among its own classes: map them to the model's
    let class_of: Vec<usize> = loaded
        .classes
        .values
        .iter()
        .map(|v| {
            model.classes.iter().position(|c| c == v).ok_or_else(|| {
                anyhow!("class `{v}` of the data is not among the model's classes {}", model.classes.join(", "))
            })
        })
        .collect::<Result<_>>()?;
    let stats = logreg::Standardizer::fit(data);
    let find = |name: &str| {
        model.features.iter().position(|f| f == name).ok_or_else(|| {
            anyhow!("no feature named `{name}` in the model; its features are: {}", model.features.join(", "))
        })
    };
    // default axes: the two largest effects on the standardised scale (largest over classes)
    let effect = |j: usize| model.coefficients.iter().map(|w| (w[j] * stats.scale[j]).abs()).fold(0.0, f64::max);
    let mut by_effect: Vec<usize> = (0..model.features.len()).collect();
    by_effect.sort_by(|&p, &q| effect(q).total_cmp(&effect(p)));
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
    let lines = model
        .intercepts
        .iter()
        .zip(&model.coefficients)
        .map(|(b, w)| {
            let c = b + (0..w.len()).filter(|&j| j != xi && j != yi).map(|j| w[j] * stats.mean[j]).sum::<f64>();
            (w[xi], w[yi], c)
        })
        .collect();
    let x = data.features();
    let range = |j: usize| padded_range((0..data.n_rows()).map(|i| x.get(i, j)));
    let step = data.n_rows().div_ceil(MAX_POINTS);
    let scene = Scene {
        x_name: model.features[xi].clone(),
        y_name: model.features[yi].clone(),
        x_range: range(xi),
        y_range: range(yi),
        lines,
        points: (0..data.n_rows())
            .step_by(step)
            .map(|i| (x.get(i, xi), x.get(i, yi), class_of[data.labels()[i] as usize]))
            .collect(),
        classes: model.classes.clone(),
        history: file.loss_history.iter().map(|h| (h.iteration as f64, h.objective)).collect(),
    };
    render(&scene, &a.output)?;
    eprintln!("plot of `{}` × `{}` written to {}", scene.x_name, scene.y_name, a.output.display());
    Ok(())
}

impl Figure for Scene {
    fn size(&self) -> (u32, u32) {
        if self.history.len() >= 2 { (1300, 600) } else { (800, 650) }
    }

    fn draw<DB: DrawingBackend>(&self, root: DrawingArea<DB, Shift>, svg: bool) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        draw(root, self, if svg { GRID_SVG } else { GRID_PNG })
    }
}

fn draw<DB: DrawingBackend>(root: DrawingArea<DB, Shift>, s: &Scene, grid: usize) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let err = drawing_error::<DB::ErrorType>;
    root.fill(&WHITE).map_err(err)?;
    let (left, right) =
        if s.history.len() >= 2 { root.split_horizontally(750) } else { (root.clone(), root.margin(0, 0, 0, 0)) };
    let ((x0, x1), (y0, y1)) = (s.x_range, s.y_range);
    let mut chart = ChartBuilder::on(&left)
        .caption(
            if s.lines.len() == 1 {
                "decision boundary and P(positive) contours"
            } else {
                "class regions, shaded by the probability of the most probable class"
            },
            ("sans-serif", 20),
        )
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
        let (base, t) = shade(s, cx, cy);
        let mix = |c: u8| (255.0 + (f64::from(c) - 255.0) * t) as u8;
        let colour = RGBColor(mix(base.0), mix(base.1), mix(base.2));
        Rectangle::new(
            [(x0 + i as f64 * dx, y0 + j as f64 * dy), (x0 + (i + 1) as f64 * dx, y0 + (j + 1) as f64 * dy)],
            colour.filled(),
        )
    });
    chart.draw_series(cells).map_err(err)?;
    // contours of a binary model: straight lines logit(p) = wx·x + wy·y + c
    let contours: &[f64] = if s.lines.len() == 1 { &[0.1, 0.25, 0.5, 0.75, 0.9] } else { &[] };
    for &p in contours {
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
    for (class, name) in s.classes.iter().enumerate() {
        let colour = s.colour(class);
        chart
            .draw_series(
                s.points.iter().filter(|p| p.2 == class).map(|&(x, y, _)| Circle::new((x, y), 3, colour.filled())),
            )
            .map_err(err)?
            .label(name.as_str())
            .legend(move |(x, y)| Circle::new((x + 10, y), 4, colour.filled()));
    }
    draw_legend(&mut chart, SeriesLabelPosition::UpperLeft)?;
    if s.history.len() >= 2 {
        let (lo, hi) = padded_range(s.history.iter().map(|p| p.1));
        let last = s.history.last().map_or(1.0, |p| p.0);
        let mut loss = ChartBuilder::on(&right)
            .caption("training objective", ("sans-serif", 20))
            .margin(12)
            .x_label_area_size(45)
            .y_label_area_size(75)
            .build_cartesian_2d(1.0..last.max(2.0), lo..hi)
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

/// the colour of the plane at `(x, y)` and how strongly to apply it (0: white): a binary model's
/// side of the boundary by `|p − ½|`, else the most probable class by how far its probability
/// rises above `1/K`.
fn shade(s: &Scene, x: f64, y: f64) -> (RGBColor, f64) {
    if let [(wx, wy, c)] = s.lines[..] {
        let p = sigmoid(wx * x + wy * y + c);
        return (if p >= 0.5 { POSITIVE } else { NEGATIVE }, (p - 0.5).abs() * 2.0 * 0.35);
    }
    let mut p: Vec<f64> = s.lines.iter().map(|(wx, wy, c)| wx * x + wy * y + c).collect();
    logreg::softmax::softmax_in_place(&mut p);
    let best = logreg::multinomial::argmax(&p) as usize;
    let k = p.len() as f64;
    (s.colour(best), (p[best] - 1.0 / k) / (1.0 - 1.0 / k) * 0.45)
}

/// the part of the line `wx·x + wy·y + c = logit` of a binary model inside the plot's box, as points.
fn contour(s: &Scene, logit: f64) -> Vec<(f64, f64)> {
    let ((x0, x1), (y0, y1)) = (s.x_range, s.y_range);
    let (wx, wy, c) = s.lines[0];
    if wy.abs() > 1e-300 {
        (0..=400)
            .map(|k| x0 + (x1 - x0) * k as f64 / 400.0)
            .map(|x| (x, (logit - c - wx * x) / wy))
            .filter(|&(_, y)| y >= y0 && y <= y1)
            .collect()
    } else if wx.abs() > 1e-300 {
        let x = (logit - c) / wx;
        if x >= x0 && x <= x1 { vec![(x, y0), (x, y1)] } else { Vec::new() }
    } else {
        Vec::new()
    }
}
