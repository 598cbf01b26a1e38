//! SVG charts of a report, drawn with plotters' SVG backend. Text is
//! written as SVG `<text>` and laid out with plotters' built-in estimate,
//! so no font library or system font is needed to draw.

use std::path::{Path, PathBuf};

use plotters::prelude::*;

use super::report::Report;

type PlotResult = Result<(), Box<dyn std::error::Error>>;

fn err(e: impl std::fmt::Display) -> Box<dyn std::error::Error> {
    e.to_string().into()
}

/// The label of a suite in a chart: the suite without its fixed prefix.
fn short(s: &str) -> String {
    s.replace("_ChaChaPoly_", "_")
        .trim_start_matches("Noise_")
        .to_string()
}

const PALETTE: [RGBColor; 8] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(23, 190, 207),
];

/// Per-operation cost against bytes on the wire for rows of `kind`.
fn cost_vs_bytes(r: &Report, kind: &str, path: &Path) -> PlotResult {
    let unit = if r.is_time() { "µs" } else { "instructions" };
    let pts: Vec<(f64, f64, String)> = r
        .rows
        .iter()
        .filter(|x| x.kind == kind && x.wire_bytes > 0)
        .filter_map(|x| {
            let v = x.contenders.first()?.value?;
            let label = if x.op == "handshake" {
                short(&x.subject)
            } else {
                format!("{} {}", short(&x.subject), x.op)
            };
            Some((x.wire_bytes as f64, v.median, label))
        })
        .collect();
    let xmax = pts.iter().map(|p| p.0).fold(1.0, f64::max) * 2.0;
    let xmin = pts
        .iter()
        .map(|p| p.0)
        .fold(f64::INFINITY, f64::min)
        .max(1.0)
        / 1.5;
    let ymax = pts.iter().map(|p| p.1).fold(0.0, f64::max) * 1.1;
    let root = SVGBackend::new(path, (1100, 700)).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!(
                "{kind}s: cost against bytes on the wire ({} backends)",
                r.provider
            ),
            ("sans-serif", 18),
        )
        .margin(15)
        .x_label_area_size(40)
        .y_label_area_size(70)
        .build_cartesian_2d((xmin..xmax).log_scale(), 0.0..ymax.max(1.0))
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc("bytes on the wire, all messages (log scale)")
        .y_desc(format!("{unit} per {kind}"))
        .draw()
        .map_err(err)?;
    chart
        .draw_series(pts.iter().enumerate().map(|(i, (x, y, l))| {
            let c = PALETTE[i % PALETTE.len()];
            EmptyElement::at((*x, *y))
                + Circle::new((0, 0), 4, c.filled())
                + Text::new(l.clone(), (6, -4), ("sans-serif", 10).into_font().color(&c))
        }))
        .map_err(err)?;
    root.present().map_err(err)?;
    Ok(())
}

/// Each backend's paired ratio to the default backend, per algorithm and
/// operation (only where there is more than one backend).
fn backends(r: &Report, path: &Path) -> PlotResult {
    let mut groups: Vec<(String, Vec<(String, f64)>)> = Vec::new();
    for p in &r.primitives {
        let Some(v) = p.to_default else { continue };
        let g = format!("{} {}", p.algorithm, p.op);
        match groups.iter_mut().find(|(l, _)| *l == g) {
            Some((_, m)) => m.push((p.backend.clone(), v.median)),
            None => groups.push((g, vec![(p.backend.clone(), v.median)])),
        }
    }
    groups.retain(|(_, m)| m.len() > 1);
    if groups.is_empty() {
        return Ok(());
    }
    let mut names: Vec<String> = Vec::new();
    for (_, m) in &groups {
        for (b, _) in m {
            if !names.contains(b) {
                names.push(b.clone());
            }
        }
    }
    let lo = groups
        .iter()
        .flat_map(|(_, m)| m.iter().map(|x| x.1))
        .fold(1.0, f64::min)
        / 1.3;
    let hi = groups
        .iter()
        .flat_map(|(_, m)| m.iter().map(|x| x.1))
        .fold(1.0, f64::max)
        * 1.3;
    let n = groups.len();
    let h = (n as u32 * 18 + 140).max(300);
    let root = SVGBackend::new(path, (1000, h)).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let labels: Vec<String> = groups.iter().map(|(l, _)| l.clone()).collect();
    let mut chart = ChartBuilder::on(&root)
        .caption(
            "backends compared: time per operation / the default backend's (paired)",
            ("sans-serif", 18),
        )
        .margin(15)
        .x_label_area_size(40)
        .y_label_area_size(260)
        .build_cartesian_2d((lo..hi).log_scale(), -0.5..(n as f64 - 0.5))
        .map_err(err)?;
    chart
        .configure_mesh()
        .y_labels(n)
        .y_label_formatter(&|y| {
            let i = y.round();
            if (y - i).abs() < 0.01 && i >= 0.0 {
                labels.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .x_desc("× default backend (log scale; < 1 is faster)")
        .draw()
        .map_err(err)?;
    for (k, name) in names.iter().enumerate() {
        let c = PALETTE[k % PALETTE.len()];
        let pts: Vec<(f64, f64)> = groups
            .iter()
            .enumerate()
            .filter_map(|(i, (_, m))| {
                m.iter()
                    .find(|(b, _)| b == name)
                    .map(|(_, v)| (*v, i as f64))
            })
            .collect();
        chart
            .draw_series(pts.into_iter().map(|p| Circle::new(p, 5, c.filled())))
            .map_err(err)?
            .label(name.clone())
            .legend(move |(x, y)| Circle::new((x, y), 5, c.filled()));
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .position(SeriesLabelPosition::UpperRight)
        .draw()
        .map_err(err)?;
    root.present().map_err(err)?;
    Ok(())
}

/// Writes every chart that has data into `dir`; returns the files written.
pub fn write_all(r: &Report, dir: &Path) -> Result<Vec<PathBuf>, Box<dyn std::error::Error>> {
    let mut out = Vec::new();
    if r.rows.iter().any(|x| x.kind == "handshake") {
        let p = dir.join("handshakes.svg");
        cost_vs_bytes(r, "handshake", &p)?;
        out.push(p);
    }
    if r.rows.iter().any(|x| x.kind == "ratchet") {
        let p = dir.join("ratchets.svg");
        cost_vs_bytes(r, "ratchet", &p)?;
        out.push(p);
    }
    if r.primitives.iter().any(|p| !p.default) {
        let p = dir.join("backends.svg");
        backends(r, &p)?;
        if p.exists() {
            out.push(p);
        }
    }
    Ok(out)
}
